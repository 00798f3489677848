#!/usr/bin/env bash
# The large kill -9 drill (the in-suite WorkerProcessTests drill is 2,000 jobs and 20 kills): the
# release clipnet-worker binary over 20,000 clipbot:notify jobs on a throwaway Redis, SIGKILLed at
# random moments and restarted, then drained by one survivor. Fails when a job id neither
# completed nor sits in the dead set; reports how many ran more than once.
# Usage: bench/worker-kill-drill.sh [jobs=20000] [kills=60] [min_ms=150] [max_ms=1200] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import redis' 2>/dev/null || python3 -m pip install --quiet redis

DIR=$(mktemp -d /tmp/worker-drill.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --save '' --appendonly yes --daemonize yes \
    --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" </dev/null >/dev/null 2>&1
trap 'redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

swift build -c release --product clipnet-worker >/dev/null
WORKER="$(swift build -c release --show-bin-path)/clipnet-worker"
python3 bench/python/kill_drill.py "$WORKER" "redis://127.0.0.1:$PORT/0" "$@"
