#!/usr/bin/env bash
# Operator surface benchmark (docs/benchmarks.md, "Operator surface"):
#   1. /status throughput and latency with wrk on loopback, against the operator server over the
#      in-memory daemon serving a realistic staging status (bench/operator-bench, release build);
#   2. idle resident memory of a process (by default that same server) beside a bare Hummingbird
#      server with only a /metrics route (bench/bare-metrics-server, release), measured in the same
#      run, reported as a ratio; and, as a reference point, the same bare server linking the C
#      libraries every daemon links (libgit2, libcurl, libpq: bench/bare-server-c-libraries).
#
# Usage: bench/operator-bench.sh [options] [-- COMMAND [ARGS...]]
#   --duration S      seconds of each wrk run (default 15)
#   --connections N   wrk connections (default 32)
#   --threads N       wrk threads (default 1: wrk on one core, the server on the other)
#   --idle S          seconds a process idles before its RSS is read (default 10)
#   --touch URL       with COMMAND: request URL a few times before idling (e.g. the daemon's /status)
#   COMMAND           the process whose idle memory is compared with the bare server, e.g.
#                     `-- .build/release/reconciler run --config reconciler.yaml`; it must keep
#                     running until SIGTERM. Default: the benchmark's own operator server.
# Targets (issue 7): /status >= 20,000 requests/s with p99 <= 5 ms; idle RSS <= 1.2x the bare server.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=15 CONNECTIONS=32 THREADS=1 IDLE=10 TOUCH=""
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --idle) IDLE=$2; shift 2 ;;
        --touch) TOUCH=$2; shift 2 ;;
        --) shift; break ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "operator-bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
CANDIDATE=("$@")

command -v wrk >/dev/null || { echo "operator-bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
mkdir -p bench/results
echo "building release binaries (OperatorBench, BareMetricsServer, BareServerWithCLibraries)..." >&2
for product in OperatorBench BareMetricsServer BareServerWithCLibraries; do
    swift build --package-path bench -c release --product "$product" 2>&1 | grep -E "error|warning: .*\.swift" >&2 || true
    [ -x "$(swift build --package-path bench -c release --show-bin-path)/$product" ] || { echo "operator-bench: building $product failed" >&2; exit 1; }
done
BIN=$(swift build --package-path bench -c release --show-bin-path)

WORK=$(mktemp -d /tmp/operator-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# start NAME COMMAND...: runs COMMAND in the background with its output in $WORK/NAME.log and
# prints its pid; a process of ours prints `listening on 127.0.0.1:<port>` once bound.
start() {
    local name=$1; shift
    "$@" >"$WORK/$name.log" 2>&1 &
    echo $!
}

# port_of NAME: waits for the `listening on` line and prints the port.
port_of() {
    for _ in $(seq 1 200); do
        if grep -q "listening on" "$WORK/$1.log" 2>/dev/null; then
            sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/$1.log" | head -n 1
            return 0
        fi
        sleep 0.05
    done
    echo "operator-bench: $1 did not start; its log:" >&2
    cat "$WORK/$1.log" >&2
    exit 1
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

touch_urls() {
    for url in "$@"; do
        for _ in 1 2 3 4 5; do curl -fsS -o /dev/null "$url" || { echo "operator-bench: $url did not answer" >&2; exit 1; }; done
    done
}

# 1. Throughput and latency of /status.
SERVER_PID=$(start server "$BIN/OperatorBench" 0); PIDS+=("$SERVER_PID")
PORT=$(port_of server)
URL="http://127.0.0.1:$PORT/status"
curl -fsS -o "$WORK/status.json" "$URL"
STATUS_BYTES=$(wc -c <"$WORK/status.json")
echo "warming up $URL ($STATUS_BYTES bytes per answer)..." >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "$URL" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL" | tee "$WORK/wrk.txt" >&2
RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk.txt")
P50=$(awk '$1 == "50%" { print $2 }' "$WORK/wrk.txt")
P99=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk.txt")
ERRORS=$(awk '/Non-2xx|Socket errors/ { print }' "$WORK/wrk.txt")
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true

# wrk prints 812.00us, 1.23ms or 1.02s; convert to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else { print "nan" } }'
}
P50_MS=$(to_ms "$P50"); P99_MS=$(to_ms "$P99")

# 2. Idle memory: the candidate and the bare server, started fresh, each touched a few times,
# then left idle for the same time and read together.
BARE_PID=$(start bare "$BIN/BareMetricsServer" 0); PIDS+=("$BARE_PID")
BARE_PORT=$(port_of bare)
CLIBS_PID=$(start clibs "$BIN/BareServerWithCLibraries" 0); PIDS+=("$CLIBS_PID")
CLIBS_PORT=$(port_of clibs)
if [ ${#CANDIDATE[@]} -eq 0 ]; then
    CANDIDATE=("$BIN/OperatorBench" 0)
    CANDIDATE_PID=$(start candidate "${CANDIDATE[@]}"); PIDS+=("$CANDIDATE_PID")
    CANDIDATE_PORT=$(port_of candidate)
    touch_urls "http://127.0.0.1:$CANDIDATE_PORT/status" "http://127.0.0.1:$CANDIDATE_PORT/metrics" "http://127.0.0.1:$CANDIDATE_PORT/"
else
    CANDIDATE_PID=$(start candidate "${CANDIDATE[@]}"); PIDS+=("$CANDIDATE_PID")
    sleep 3
    kill -0 "$CANDIDATE_PID" 2>/dev/null || { echo "operator-bench: ${CANDIDATE[*]} exited; its log:" >&2; cat "$WORK/candidate.log" >&2; exit 1; }
    if [ -n "$TOUCH" ]; then
        for _ in $(seq 1 100); do curl -fsS -o /dev/null "$TOUCH" 2>/dev/null && break; sleep 0.1; done
        touch_urls "$TOUCH"
    fi
fi
touch_urls "http://127.0.0.1:$BARE_PORT/metrics" "http://127.0.0.1:$CLIBS_PORT/metrics"
echo "idling ${IDLE}s before reading resident memory..." >&2
sleep "$IDLE"
CANDIDATE_KB=$(rss_kb "$CANDIDATE_PID")
BARE_KB=$(rss_kb "$BARE_PID")
CLIBS_KB=$(rss_kb "$CLIBS_PID")
RATIO=$(awk -v a="$CANDIDATE_KB" -v b="$BARE_KB" 'BEGIN { printf "%.2f", a / b }')
CLIBS_RATIO=$(awk -v a="$CLIBS_KB" -v b="$BARE_KB" 'BEGIN { printf "%.2f", a / b }')
OVER_CLIBS=$(awk -v a="$CANDIDATE_KB" -v b="$CLIBS_KB" 'BEGIN { printf "%.2f", a / b }')

verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "met" : "MISSED") }'; }
RPS_OK=$(awk -v r="$RPS" 'BEGIN { print (r >= 20000) }')
P99_OK=$(awk -v p="$P99_MS" 'BEGIN { print (p <= 5) }')
RSS_OK=$(awk -v r="$RATIO" 'BEGIN { print (r <= 1.2) }')

{
    echo "## Operator surface benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr); $(swift --version 2>/dev/null | head -n 1)"
    echo "wrk: -t$THREADS -c$CONNECTIONS -d${DURATION}s against GET /status ($STATUS_BYTES bytes), loopback"
    echo
    echo "| what | figure | target | |"
    echo "|---|---|---|---|"
    echo "| /status throughput | $RPS req/s | >= 20,000 | $(verdict "$RPS_OK") |"
    echo "| /status latency p50 | $P50_MS ms | | |"
    echo "| /status latency p99 | $P99_MS ms | <= 5 ms | $(verdict "$P99_OK") |"
    echo "| idle RSS, ${CANDIDATE[0]##*/} | $((CANDIDATE_KB / 1024)) MiB ($CANDIDATE_KB kB) | | |"
    echo "| idle RSS, bare Hummingbird + /metrics | $((BARE_KB / 1024)) MiB ($BARE_KB kB) | | |"
    echo "| ratio candidate / bare | ${RATIO}x | <= 1.2x | $(verdict "$RSS_OK") |"
    echo "| reference: bare + libgit2, libcurl, libpq | $((CLIBS_KB / 1024)) MiB ($CLIBS_KB kB), ${CLIBS_RATIO}x bare | | |"
    echo "| ratio candidate / (bare + C libraries) | ${OVER_CLIBS}x | | |"
    if [ -n "$ERRORS" ]; then echo; echo "wrk reported: $ERRORS"; fi
    echo
    echo "Memory candidate: ${CANDIDATE[*]}"
} | tee bench/results/operator.md
