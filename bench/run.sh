#!/usr/bin/env bash
# Builds the benchmarks (the package in bench/) in release mode and runs them; results go to stdout
# and to bench/results/ (ignored by git). Copy the figures into docs/benchmarks.md with the date.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
swift build --package-path bench -c release --product FoundationBench
"$(swift build --package-path bench -c release --show-bin-path)/FoundationBench" "$@" | tee bench/results/foundation.md
bash bench/worker-bench.sh | tee bench/results/worker.md
bash bench/reconciler-bench.sh | tee bench/results/reconciler.md
bash bench/operator-bench.sh | tee bench/results/operator.md
swift build --package-path bench -c release --product PlatformBudgetBench
"$(swift build --package-path bench -c release --show-bin-path)/PlatformBudgetBench" | tee bench/results/platform-budget.md
