#!/usr/bin/env bash
# Worker benchmark, all in one run on one throwaway Redis (no persistence, loopback):
#   - RQ's SimpleWorker and an arq worker (PyPI) draining no-op jobs (bench/python/);
#   - the Swift worker engine (no-op handler, per-job acknowledgement) and (a) the ceiling of the
#     same Lua scripts without worker logic, in alternating rounds;
#   - idle pick-up latency p50/p99;
#   - the clip pipeline, one real clip at a time, against the sum of its external calls (its own
#     throwaway Redis and PostgreSQL through scripts/with-test-services.sh; PIPELINE_CLIPS, default 10).
# Then the ratios: engine / ceiling, engine / each Python worker, engine / the fastest of them.
#
# Usage: bench/worker-bench.sh [jobs=50000] [concurrency=8] [rounds=3]
#   RQ_JOBS (default 2000) and ARQ_JOBS (default 5000) size the Python runs (they are slower).
# Needs python3 with rq and arq (`pip install rq arq`; installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-50000}
CONCURRENCY=${2:-8}
ROUNDS=${3:-3}
RQ_JOBS=${RQ_JOBS:-2000}
ARQ_JOBS=${ARQ_JOBS:-5000}

python3 -c 'import rq, arq' 2>/dev/null || python3 -m pip install --quiet rq arq

DIR=$(mktemp -d /tmp/worker-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --save '' --appendonly no --daemonize yes \
    --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" </dev/null >/dev/null 2>&1
trap 'redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
URL="redis://127.0.0.1:$PORT/0"

swift build --package-path bench -c release --product WorkerBench >/dev/null
BIN="$(swift build --package-path bench -c release --show-bin-path)/WorkerBench"

echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg), redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'), python $(python3 -c 'import platform; print(platform.python_version())')"
rate() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["jobsPerSecond"])'; }
RQ_LINE=$(python3 bench/python/rq_bench.py "$URL" "$RQ_JOBS")
echo "RQ:  $RQ_LINE"
ARQ_LINE=$(python3 bench/python/arq_bench.py "$URL" "$ARQ_JOBS" 10 0.5)
echo "arq: $ARQ_LINE"
ARQ_FAST_LINE=$(python3 bench/python/arq_bench.py "$URL" "$ARQ_JOBS" 100 0.01)
echo "arq: $ARQ_FAST_LINE"
echo

"$BIN" "$URL" "$JOBS" "$CONCURRENCY" "$ROUNDS" \
    "rq-SimpleWorker=$(rate <<<"$RQ_LINE")" \
    "arq-defaults=$(rate <<<"$ARQ_LINE")" \
    "arq-tuned=$(rate <<<"$ARQ_FAST_LINE")"

bash scripts/with-test-services.sh "$BIN" pipeline "${PIPELINE_CLIPS:-10}"
