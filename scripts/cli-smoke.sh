#!/usr/bin/env bash
# Checks the railyard command line from outside: migrate, config masking, ledger verify on a healthy
# and on a tampered database (must exit non-zero and name the violation), and serve's start-up line.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug/railyard}
D=$(mktemp -d /tmp/railyard-cli.XXXXXX)
trap 'kill $SERVE_PID 2>/dev/null; rm -rf "$D"' EXIT
SERVE_PID=
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }

"$BIN" migrate --data-dir "$D" > "$D/migrate.out" 2>&1; code=$?
check "migrate applies the schema" '[ $code -eq 0 ] && grep -q "Applied" "$D/migrate.out"'
"$BIN" migrate --data-dir "$D" > "$D/migrate2.out" 2>&1
check "migrate is idempotent" 'grep -q "up to date" "$D/migrate2.out"'
DATABASE_URL="postgres://u:hunter2@db.example/railyard" RAILYARD_MASTER_KEY="0123456789abcdef0123456789abcdef" "$BIN" config > "$D/config.out" 2>&1
check "config masks secrets" '! grep -q hunter2 "$D/config.out" && ! grep -q 0123456789abcdef "$D/config.out" && grep -q "postgres://u:\*\*\*@db.example/railyard" "$D/config.out"'
printf 'RAILYARD_CONFIRMATIONS_BTC=2\nRAILYARD_LTC_RPC_URL=http://u:sekrit@127.0.0.1:1\n' > "$D/settings.conf"
RAILYARD_LOG_LEVEL=debug "$BIN" config --config "$D/settings.conf" > "$D/config-file.out" 2>&1
check "config reads a settings file (secrets masked)" 'grep -q "BTC=2" "$D/config-file.out" && ! grep -q sekrit "$D/config-file.out" && grep -q "LTC=http://u:\*\*\*@127.0.0.1:1" "$D/config-file.out"'
printf 'BOGUS=1\n' > "$D/bad.conf"; code=0; "$BIN" config --config "$D/bad.conf" > "$D/config-bad.out" 2>&1 || code=$?
check "config refuses an unknown setting with its line" '[ $code -ne 0 ] && grep -q "bad.conf:1: BOGUS is not a Railyard setting" "$D/config-bad.out"'
"$BIN" ledger verify --data-dir "$D" > "$D/verify.out" 2>&1; code=$?
check "ledger verify passes on a healthy ledger" '[ $code -eq 0 ] && grep -q "OK: all ledger invariants hold" "$D/verify.out"'

# The crypto kernel from outside (BIP-84 / EIP-55 published vectors).
M="abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
"$BIN" keys derive --chain BTC --mnemonic "$M" --count 2 > "$D/derive.out" 2>&1; code=$?
check "keys derive prints the BIP-84 vector addresses" '[ $code -eq 0 ] && grep -q "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu" "$D/derive.out" && grep -q "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g" "$D/derive.out"'
"$BIN" keys derive --chain ETH --mnemonic "$M" > "$D/derive-eth.out" 2>&1
check "keys derive prints the ETH vector address" 'grep -q "0x9858EfFD232B4033E47d90003D41EC34EcaEda94" "$D/derive-eth.out"'
"$BIN" keys validate --chain LTC bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu > "$D/validate.out" 2>&1; code=$?
check "keys validate rejects a BTC address for LTC with a reason" '[ $code -ne 0 ] && grep -qi "ltc" "$D/validate.out"'
"$BIN" keys mnemonic --words 12 > "$D/mnemonic.out" 2>&1; code=$?
check "keys mnemonic prints 12 words" '[ $code -eq 0 ] && [ "$(wc -w < "$D/mnemonic.out")" -eq 12 ]'

# Start the server once: it seeds the demo merchant and prints where to go.
"$BIN" serve --data-dir "$D" --port 18399 > "$D/serve.out" 2>&1 & SERVE_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$D/serve.out" 2>/dev/null && break; sleep 0.1; done
check "serve logs where to go and seeds a demo merchant" 'grep -q "Railyard is listening on http://127.0.0.1:18399" "$D/serve.out" && grep -q "demo@railyard.local" "$D/serve.out"'
check "serve answers /readyz" 'curl -sf http://127.0.0.1:18399/readyz | grep -q ready'
"$BIN" dev pay --chain LTC --to rltc1qexample --amount 0.5 --server http://127.0.0.1:18399 > "$D/pay.out" 2>&1; code=$?
check "dev pay sends a devnet payment" '[ $code -eq 0 ] && grep -q "paid 0.5 LTC to rltc1qexample: txid" "$D/pay.out"'
"$BIN" dev mine --chain LTC --blocks 3 --server http://127.0.0.1:18399 > "$D/mine.out" 2>&1; code=$?
check "dev mine mines blocks" '[ $code -eq 0 ] && grep -q "tip is now 3" "$D/mine.out"'
"$BIN" dev reorg --chain LTC --depth 2 --server http://127.0.0.1:18399 > "$D/reorg.out" 2>&1; code=$?
check "dev reorg replaces the top blocks with a longer fork" '[ $code -eq 0 ] && grep -q "tip is now 4" "$D/reorg.out"'
"$BIN" dev pay --chain LTC --to x --amount 0.000000001 --server http://127.0.0.1:18399 > "$D/bad.out" 2>&1; code=$?
check "dev pay rejects an amount finer than the asset allows" '[ $code -ne 0 ] && grep -q "more than 8 decimal places" "$D/bad.out"'
# A second server on the port in use must say why it cannot start, not crash (exit codes ≥ 128 are signals).
"$BIN" serve --data-dir "$D/second" --port 18399 > "$D/busy.out" 2>&1; code=$?
check "serve on a port in use exits with the reason, without crashing" '[ $code -ne 0 ] && [ $code -lt 128 ] && grep -qi "address already in use" "$D/busy.out" && ! grep -q "Fatal error" "$D/busy.out"'
kill -TERM $SERVE_PID; wait $SERVE_PID 2>/dev/null; code=$?
check "serve shuts down gracefully on SIGTERM" '[ $code -eq 0 ]'
SERVE_PID=

# Tamper with the ledger behind the application's back.
python3 - "$D/railyard.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO ledger_accounts (id, asset, kind, owner, flags, debits_pending, debits_posted, credits_pending, credits_posted, created_at) VALUES ('x', 'USD', 'customer', NULL, 0, '0', '0', '0', '500', 0)")
db.commit()
PY
"$BIN" ledger verify --data-dir "$D" > "$D/verify2.out" 2>&1; code=$?
check "ledger verify exits non-zero and names the violation" '[ $code -ne 0 ] && grep -q "VIOLATION I3 totals: account x" "$D/verify2.out" && grep -q "VIOLATION I1 double entry" "$D/verify2.out"'

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
