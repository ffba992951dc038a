#!/usr/bin/env bash
# Runs the official x402 Python SDK (x402==2.25.0) against a running Railyard: it starts
# `railyard serve` on regtest with the harness's EVM server and USDC token, creates a merchant,
# business and API key over the API, then Tests/Harness/x402_interop.py uses the SDK's standard
# facilitator client on <server>/api/x402 (supported, verify, settle, replay, no credentials) and its
# paying client on a no-code paid resource, then x402conf live/resource grade the answers.
# Private upstreams are allowed here (the test upstream listens on 127.0.0.1).
# Needs the harness environment (RAILYARD_TEST_EVM_RPC_URL, RAILYARD_TEST_USDC_CONTRACT).
# usage: scripts/x402-interop.sh [path/to/railyard]
set -euo pipefail
BIN=${1:-.build/debug/railyard}
: "${RAILYARD_TEST_EVM_RPC_URL:?start Tests/Harness/harness.sh and load its env file first}"
: "${RAILYARD_TEST_USDC_CONTRACT:?}"
VENV="$PWD/.venv-x402"
REQ="$PWD/Tests/Harness/x402-requirements.txt"
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)" != "$want" ]; then
    echo "x402-interop: installing the x402 SDK into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQ"
    echo "$want" > "$VENV/.requirements.sha256"
fi

D=$(mktemp -d)
PORT=${RAILYARD_INTEROP_PORT:-18402}
cleanup() { [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
RAILYARD_NETWORK=regtest RAILYARD_ETH_RPC_URL="$RAILYARD_TEST_EVM_RPC_URL" RAILYARD_USDC_ETH_CONTRACT="$RAILYARD_TEST_USDC_CONTRACT" \
RAILYARD_BCRYPT_COST=4 RAILYARD_WEBHOOK_ALLOW_PRIVATE=true "$BIN" serve --data-dir "$D" --port "$PORT" > "$D/serve.log" 2>&1 & SERVE_PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 150); do curl -sf "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$URL/readyz" >/dev/null || { echo "x402-interop: server did not become ready"; cat "$D/serve.log"; exit 1; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
TOKEN=$(curl -sf "$URL/api/auth/register" -H 'content-type: application/json' \
    -d '{"email":"interop@example.com","password":"correct horse battery"}' | json '["token"]')
# A fresh wallet for the business: the SDK's facilitator client settles to it (a business settles
# only payments to its own wallets) and checks that exactly the price arrived.
PAY_TO=$("$VENV/bin/python" -c "from eth_account import Account; print(Account.create().address)")
BUSINESS=$(curl -sf "$URL/api/businesses" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"name\":\"Interop\",\"wallet_address\":\"$PAY_TO\"}" | json '["business"]["id"]')
KEY=$(curl -sf "$URL/api/businesses/$BUSINESS/api-keys" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"name":"interop","mode":"live"}' | json '["api_key"]["key"]')

set +e
"$VENV/bin/python" Tests/Harness/x402_interop.py "$URL" "$KEY" "$RAILYARD_TEST_EVM_RPC_URL" "$RAILYARD_TEST_USDC_CONTRACT" "$PAY_TO"
failures=$?
set -e
if [ "$failures" -ne 0 ]; then echo "x402-interop: $failures check(s) failed; server log:"; tail -n 40 "$D/serve.log"; exit 1; fi

# v1 (X-PAYMENT) with the SDK's v1 client, which only knows public networks: a second py-evm chain
# with chain id 1 ("ethereum") carrying the same EIP-3009 token, and a server on mainnet settings.
HARNESS_PY="$PWD/.venv-harness/bin/python"
"$HARNESS_PY" Tests/Harness/evm_rpc.py --port 0 --chain-id 1 --deploy Tests/Harness/USDC3009.json --info-file "$D/evm1.json" > "$D/evm1.log" 2>&1 & EVM1_PID=$!
for _ in $(seq 1 150); do [ -s "$D/evm1.json" ] && break; sleep 0.1; done
EVM1_URL=$(json '["url"]' < "$D/evm1.json")
EVM1_TOKEN=$(json '["usdc"]["address"]' < "$D/evm1.json")
PORT1=$((PORT + 1))
RAILYARD_NETWORK=mainnet RAILYARD_ETH_RPC_URL="$EVM1_URL" RAILYARD_USDC_ETH_CONTRACT="$EVM1_TOKEN" \
RAILYARD_BCRYPT_COST=4 RAILYARD_WEBHOOK_ALLOW_PRIVATE=true "$BIN" serve --data-dir "$D/v1" --port "$PORT1" > "$D/serve1.log" 2>&1 & SERVE1_PID=$!
URL1="http://127.0.0.1:$PORT1"
for _ in $(seq 1 150); do curl -sf "$URL1/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
TOKEN1=$(curl -sf "$URL1/api/auth/register" -H 'content-type: application/json' -d '{"email":"v1@example.com","password":"correct horse battery"}' | json '["token"]')
BUSINESS1=$(curl -sf "$URL1/api/businesses" -H "authorization: Bearer $TOKEN1" -H 'content-type: application/json' \
    -d '{"name":"V1","wallet_address":"0x52908400098527886E0F7030069857D2E4169EE7"}' | json '["business"]["id"]')
KEY1=$(curl -sf "$URL1/api/businesses/$BUSINESS1/api-keys" -H "authorization: Bearer $TOKEN1" -H 'content-type: application/json' \
    -d '{"name":"v1","mode":"live"}' | json '["api_key"]["key"]')
set +e
"$VENV/bin/python" Tests/Harness/x402_interop_v1.py "$URL1" "$KEY1" "$EVM1_URL" "$EVM1_TOKEN"
failures=$?
set -e
kill "$SERVE1_PID" "$EVM1_PID" 2>/dev/null; wait "$SERVE1_PID" "$EVM1_PID" 2>/dev/null || true
if [ "$failures" -ne 0 ]; then echo "x402-interop: $failures v1 check(s) failed; server log:"; tail -n 40 "$D/serve1.log"; exit 1; fi
echo "x402-interop: all checks passed"
