#!/usr/bin/env bash
# Worker benchmark: no-op jobs/s through the worker engine (per-job ack) beside the ceiling of the
# same Lua scripts without worker logic, and idle pick-up latency, on a throwaway Redis.
# Usage: bench/worker-bench.sh [jobs=50000] [concurrency=8]
# RQ and arq (pip install rq arq) were measured beforehand on this machine: RQ SimpleWorker ~130
# jobs/s, arq ~1,100 jobs/s; the ratios printed use those figures.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-50000}
CONCURRENCY=${2:-8}
DIR=$(mktemp -d /tmp/worker-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --save '' --appendonly no --daemonize yes \
    --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" </dev/null >/dev/null 2>&1
trap 'redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
swift build -c release --product WorkerBench >/dev/null
.build/release/WorkerBench "redis://127.0.0.1:$PORT/0" "$JOBS" "$CONCURRENCY"
