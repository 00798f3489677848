#!/usr/bin/env bash
# Runs a command with throwaway Redis and PostgreSQL servers on loopback, then stops them, also
# when the command fails or is interrupted. Each run gets its own data directories (under a temp
# folder) and free ports, so several runs can share a machine.
#
# The command sees:
#   CLIPNET_TEST_REDIS_URL      redis://127.0.0.1:<port>/0
#   CLIPNET_TEST_POSTGRES_URL   postgresql://postgres@127.0.0.1:<port>/postgres
#   CLIPNET_TEST_SERVICES_DIR   the temp folder (data, logs, sockets)
#   CLIPNET_TEST_REDIS_CONF     redis-server arguments, so a test can restart Redis in place
#
# Usage: scripts/with-test-services.sh swift test
set -euo pipefail

die() { echo "with-test-services: $*" >&2; exit 1; }

command -v redis-server >/dev/null || die "redis-server is not installed (run scripts/ensure-packages.sh)"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/ensure-packages.sh)"

free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

BASE=$(mktemp -d /tmp/clipnet-test-services.XXXXXX)
chmod 755 "$BASE"
REDIS_PORT=$(free_port)
PG_PORT=$(free_port)
mkdir -p "$BASE/redis" "$BASE/pgdata" "$BASE/pgsock"

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$BASE/pgdata" "$BASE/pgsock"
fi
chmod 700 "$BASE/pgdata"

stop_services() {
    local status=$?
    set +e
    if [ -f "$BASE/redis/redis.pid" ]; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$BASE/redis/redis.pid")" 2>/dev/null
    fi
    if [ -f "$BASE/pgdata/postmaster.pid" ]; then
        as_postgres "$PGBIN/pg_ctl" -D "$BASE/pgdata" -m immediate -w stop >/dev/null 2>&1
    fi
    if [ "$status" -ne 0 ] && [ -z "${CLIPNET_KEEP_SERVICES_ON_FAILURE:-}" ]; then
        echo "with-test-services: command failed ($status); server logs: $BASE/redis/redis.log, $BASE/pgdata/server.log" >&2
        tail -n 20 "$BASE/pgdata/server.log" 2>/dev/null | sed 's/^/  postgres: /' >&2
        tail -n 20 "$BASE/redis/redis.log" 2>/dev/null | sed 's/^/  redis: /' >&2
    fi
    rm -rf "$BASE"
    exit "$status"
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

REDIS_CONF="--bind 127.0.0.1 --port $REDIS_PORT --dir $BASE/redis --appendonly yes --appendfsync everysec --save '' --pidfile $BASE/redis/redis.pid --logfile $BASE/redis/redis.log"
eval redis-server "$REDIS_CONF" --daemonize yes || die "redis-server failed to start (log: $BASE/redis/redis.log)"

as_postgres "$PGBIN/initdb" -D "$BASE/pgdata" -U postgres -A trust -E UTF8 --no-locale >"$BASE/initdb.log" 2>&1 \
    || { cat "$BASE/initdb.log" >&2; die "initdb failed"; }
as_postgres "$PGBIN/pg_ctl" -D "$BASE/pgdata" -l "$BASE/pgdata/server.log" -w \
    -o "-k $BASE/pgsock -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
    || { tail -n 30 "$BASE/pgdata/server.log" >&2; die "PostgreSQL failed to start"; }

for _ in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.05
done
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "redis-server is not answering on port $REDIS_PORT"

export CLIPNET_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export CLIPNET_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
export CLIPNET_TEST_SERVICES_DIR="$BASE"
export CLIPNET_TEST_REDIS_CONF="$REDIS_CONF"
echo "with-test-services: redis on 127.0.0.1:$REDIS_PORT, postgres on 127.0.0.1:$PG_PORT" >&2

"$@"
