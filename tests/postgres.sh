#!/usr/bin/env bash
# PostgreSQL for the test suite: finds a server, or starts a throwaway one, and exports its admin
# URL as FERRY_TEST_POSTGRES_URL (the tests create and drop a database per test on it).
#
# tests/run.sh sources this file and calls use_test_postgres. Run on its own, it does the same
# and then runs the command it is given against that server:
#   bash tests/postgres.sh cargo test -p ferry-tests --test conformance
#
# Where the server comes from, first match wins:
#   1. FERRY_TEST_POSTGRES_URL, if set;
#   2. a server answering on 127.0.0.1:FERRY_TEST_POSTGRES_PORT (default 5432) as user postgres;
#   3. as root: Debian's postgresql package (installed if missing) and a throwaway cluster in a
#      temporary folder on a free port, run by the postgres user (initdb refuses root) without
#      durability (tests need none), stopped and removed when the calling shell exits.

pg_step() { printf '\n==> %s\n' "$*"; }

# Whether a server answers at the URL (a login, not just an open port).
pg_answers() {
    if command -v psql >/dev/null 2>&1; then
        PGCONNECT_TIMEOUT=3 psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1
    else
        local port="${1##*:}"
        port="${port%%/*}"
        timeout 3 bash -c "</dev/tcp/127.0.0.1/$port" 2>/dev/null
    fi
}

# Exports FERRY_TEST_POSTGRES_URL (see above); returns non-zero if there is no way to get one.
use_test_postgres() {
    if [ -n "${FERRY_TEST_POSTGRES_URL:-}" ]; then
        echo "PostgreSQL for tests: FERRY_TEST_POSTGRES_URL"
        return 0
    fi
    local local_url="postgres://postgres@127.0.0.1:${FERRY_TEST_POSTGRES_PORT:-5432}/postgres"
    if pg_answers "$local_url"; then
        echo "PostgreSQL for tests: the server on 127.0.0.1:${FERRY_TEST_POSTGRES_PORT:-5432}"
        export FERRY_TEST_POSTGRES_URL="$local_url"
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "PostgreSQL is needed for the tests: set FERRY_TEST_POSTGRES_URL, start one on" \
            "127.0.0.1:5432 (user postgres), or run as root to use a throwaway one" >&2
        return 1
    fi
    start_throwaway_postgres
}

start_throwaway_postgres() {
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        pg_step "installing postgresql"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    FERRY_TEST_POSTGRES_DIR="$(mktemp -d /tmp/ferry-test-postgres.XXXXXX)"
    chown postgres:postgres "$FERRY_TEST_POSTGRES_DIR"
    trap stop_throwaway_postgres EXIT
    pg_step "starting a throwaway PostgreSQL on 127.0.0.1:$port ($FERRY_TEST_POSTGRES_DIR)"
    runuser -u postgres -- "$bin/initdb" -D "$FERRY_TEST_POSTGRES_DIR/data" -A trust -U postgres \
        --no-sync >"$FERRY_TEST_POSTGRES_DIR/initdb.log"
    runuser -u postgres -- "$bin/pg_ctl" -D "$FERRY_TEST_POSTGRES_DIR/data" -l "$FERRY_TEST_POSTGRES_DIR/log" -w \
        -o "-p $port -k $FERRY_TEST_POSTGRES_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null
    FERRY_TEST_POSTGRES_BIN="$bin"
    export FERRY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

stop_throwaway_postgres() {
    if [ -n "${FERRY_TEST_POSTGRES_DIR:-}" ] && [ -d "$FERRY_TEST_POSTGRES_DIR" ]; then
        runuser -u postgres -- "$FERRY_TEST_POSTGRES_BIN/pg_ctl" -D "$FERRY_TEST_POSTGRES_DIR/data" \
            -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$FERRY_TEST_POSTGRES_DIR"
        echo "stopped and removed the throwaway PostgreSQL"
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    cd "$(dirname "$0")/.."
    use_test_postgres
    FERRY_REQUIRE_POSTGRES=1 "$@"
fi
