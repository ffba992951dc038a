#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs, runs `swift test` on SQLite, then starts a
# throwaway PostgreSQL server on loopback and runs the same suite against it, then stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_swift
ensure_debs "${RUNTIME_DEBS[@]}" postgresql python3 python3-venv curl litecoind chromium

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PG_BIN/initdb" ] || { echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }

PGTMP=$(mktemp -d /tmp/railyard-pg.XXXXXX)
PGPORT=${RAILYARD_TEST_PG_PORT:-55432}
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_pg() {
    if [ -f "$PGTMP/data/postmaster.pid" ]; then run_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m fast stop >/dev/null 2>&1 || true; fi
    rm -rf "$PGTMP"
}
HARNESS="$PWD/Tests/Harness/harness.sh"
HARNESS_ENV=/tmp/railyard-harness-$$.env
stop_all() { "$HARNESS" stop "$HARNESS_ENV" >/dev/null 2>&1 || true; stop_pg; }
trap stop_all EXIT

step "Building tests"
swift build --build-tests

step "Starting the test harness (litecoind regtest, EVM and Solana JSON-RPC servers, cross-check vectors)"
"$HARNESS" start "$HARNESS_ENV"
set -a
. "$HARNESS_ENV"
set +a

step "Test suite on SQLite"
set +e
swift test --skip-build --no-parallel 2>&1 | tee /tmp/railyard-test-sqlite.log
status_sqlite=${PIPESTATUS[0]}
set -e

step "Command-line checks"
set +e
bash scripts/cli-smoke.sh .build/debug/railyard 2>&1 | tee /tmp/railyard-test-cli.log
status_cli=${PIPESTATUS[0]}
set -e

step "Hosted checkout in headless Chromium"
set +e
bash scripts/checkout-browser.sh .build/debug/railyard 2>&1 | tee /tmp/railyard-test-browser.log
status_browser=${PIPESTATUS[0]}
set -e

step "x402 interoperability (official Python SDK against a running server)"
set +e
bash scripts/x402-interop.sh .build/debug/railyard 2>&1 | tee /tmp/railyard-test-x402.log
status_x402=${PIPESTATUS[0]}
set -e

step "Starting PostgreSQL on 127.0.0.1:$PGPORT (data in $PGTMP)"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGTMP"
run_pg "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
run_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w \
    -o "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >/dev/null
run_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE DATABASE railyard_test" >/dev/null

step "Test suite on PostgreSQL"
set +e
RAILYARD_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/railyard_test" \
    swift test --skip-build --no-parallel 2>&1 | tee /tmp/railyard-test-postgres.log
status_pg=${PIPESTATUS[0]}
set -e

step "Results"
printf 'SQLite:     %s\n' "$(grep -E 'Test run with' /tmp/railyard-test-sqlite.log | tail -n 1)"
printf 'PostgreSQL: %s\n' "$(grep -E 'Test run with' /tmp/railyard-test-postgres.log | tail -n 1)"
printf 'CLI:        %s\n' "$(tail -n 1 /tmp/railyard-test-cli.log)"
printf 'x402 SDK:   %s\n' "$(tail -n 1 /tmp/railyard-test-x402.log)"
printf 'Checkout:   %s\n' "$(tail -n 1 /tmp/railyard-test-browser.log)"
if [ "$status_sqlite" -ne 0 ] || [ "$status_pg" -ne 0 ] || [ "$status_cli" -ne 0 ] || [ "$status_x402" -ne 0 ] || [ "$status_browser" -ne 0 ]; then
    echo "FAILED (sqlite exit $status_sqlite, postgres exit $status_pg, cli exit $status_cli, x402 exit $status_x402, checkout exit $status_browser)"
    exit 1
fi
echo "All tests passed on both engines."
