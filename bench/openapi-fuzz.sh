#!/usr/bin/env bash
# Generated-request fuzz of the operator API against docs/openapi.yaml (issue 13), bounded:
# schemathesis sends requests built from the document (valid and invalid) to `reconciler-demo`
# and checks that no answer is a 5xx and every answer has a documented status, content type and
# schema. Too slow for `make test`; run it after changing the API or the document.
#
# Usage: bench/openapi-fuzz.sh [--examples N] [--port P]
#   --examples N   generated requests per operation and phase (default 100)
#   --port P       the demo's status port (default 18089)
# Needs Python 3; installs schemathesis into bench/results/st-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

EXAMPLES=100 PORT=18089
while [ $# -gt 0 ]; do
    case "$1" in
        --examples) EXAMPLES=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

mkdir -p bench/results
VENV=bench/results/st-venv
if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q schemathesis
fi

swift build --product reconciler-demo
BIN="$(swift build --show-bin-path)/reconciler-demo"
LOG=bench/results/openapi-fuzz-demo.log
"$BIN" --quiet --port "$PORT" --manifests deploy > "$LOG" 2>&1 &
DEMO=$!
stop_demo() {
    kill "$DEMO" 2>/dev/null || return 0
    for _ in $(seq 1 40); do kill -0 "$DEMO" 2>/dev/null || return 0; sleep 0.25; done
    kill -KILL "$DEMO" 2>/dev/null || true
}
trap stop_demo EXIT

for _ in $(seq 1 600); do
    grep -q "export RECONCILER_TOKEN=" "$LOG" && curl -fsS "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && break
    sleep 0.5
done
TOKEN=$(sed -n 's/.*export RECONCILER_TOKEN=\([^ ]*\).*/\1/p' "$LOG" | head -1)
[ -n "$TOKEN" ] || { echo "the demo did not start; see $LOG" >&2; exit 1; }

"$VENV/bin/schemathesis" run docs/openapi.yaml \
    --url "http://127.0.0.1:$PORT" \
    --header "Authorization: Bearer $TOKEN" \
    --max-examples "$EXAMPLES" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --request-timeout 30 \
    | tee bench/results/openapi-fuzz.txt
