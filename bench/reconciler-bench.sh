#!/usr/bin/env bash
# Reconciler benchmark: CPU of a no-op reconcile beside the emulators' own CPU, and the time from a
# signed GitHub webhook to the first deploy request beside a bare `git fetch` (release build).
# Usage: bench/reconciler-bench.sh [passes=300] [webhooks=20]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
swift build --package-path bench -c release --product ReconcilerBench >/dev/null
"$(swift build --package-path bench -c release --show-bin-path)/ReconcilerBench" "${1:-300}" "${2:-20}" | tee bench/results/reconciler.md
"$(swift build --package-path bench -c release --show-bin-path)/ReconcilerBench" soak "${3:-3000}" | tee -a bench/results/reconciler.md
