#!/usr/bin/env bash
# Performance suite. Every figure is reported next to a baseline measured in the same run:
#   1. HTTP: a bare Hummingbird hello-world server (the ceiling) vs Railyard's /healthz and an
#      authenticated API call, under the same wrk load on loopback.
#   2. Ledger: batch posting through the ledger vs raw multi-row SQLite inserts of the same rows; an
#      indexed point read (the API-key lookup) through Database.read vs a raw prepared statement.
#   3. Crypto: ecrecover and BIP-32 derivation vs raw libsecp256k1 calls; keccak-256 vs SHA-256.
#   4. Payments: creation over HTTP (SQLite) vs the same hello-world ceiling, with its p99; the
#      time from the block that completes a payment's confirmations to the signed payment.confirmed
#      webhook, on devnet and on litecoind regtest (baseline: the watcher/processor poll intervals
#      this latency would cost without the wake-ups, 1 s + 2 s + 0.5 s).
#   5. x402 verify: Railyard's facilitator vs the Python reference verifier (x402==2.25.0 with its
#      offline chain double), in process and over HTTP with the same load generators (wrk, and the
#      reference's own Python loadgen.py); and vs raw ecrecover; the whole router in process vs a
#      bare Hummingbird router and raw ecrecover; over HTTP also vs the floor (a route that only collects
#      the same body and does one raw ecrecover, on Railyard's server setup), and vs the same floor on NIO
#      alone, without Hummingbird (what the framework costs). Railyard's HTTP verify reads the
#      chain (nonce state, balance) from the harness's py-evm node, at a cached head block; the
#      reference peer reads nothing, and a second reference peer reads the same node every time.
# Usage: Benchmarks/run.sh [seconds-per-http-run] [section ...]
#   sections: ledger crypto http payments x402 (default: all)   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_swift
ensure_debs "${RUNTIME_DEBS[@]}" wrk
DURATION=${1:-10}
shift || true
SECTIONS=" ${*:-ledger crypto http payments x402} "
want() { [[ "$SECTIONS" == *" $1 "* ]]; }
step "Building release binaries"
swift build -c release --product railyard
swift build -c release --product RailyardBench
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d /tmp/railyard-bench.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
# Stops the servers started so far, so a section's figures do not carry an earlier section's
# background work (a payments server watching thousands of addresses keeps scanning).
stop_servers() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done; pids=(); }
trap cleanup EXIT

if want ledger; then
    step "Ledger batch posting vs raw SQLite inserts"
    "$BIN/RailyardBench" ledger 20000
    "$BIN/RailyardBench" read
fi
if want crypto; then
    step "Crypto kernel vs raw libsecp256k1 and SHA-256"
    "$BIN/RailyardBench" crypto
fi

step "HTTP: hello-world ceiling vs Railyard"
"$BIN/RailyardBench" hello 18181 & pids+=($!)
RAILYARD_API_RATE_LIMIT=100000000 RAILYARD_LOG_LEVEL=notice "$BIN/railyard" serve --port 18182 --data-dir "$WORK/data" > "$WORK/serve.log" 2>&1 & pids+=($!)
for _ in $(seq 1 50); do curl -sf localhost:18182/healthz >/dev/null 2>&1 && curl -sf localhost:18181/hello >/dev/null 2>&1 && break; sleep 0.2; done
KEY=$(grep -o 'cp_test_[A-Za-z0-9]*' "$WORK/serve.log" | head -n 1)
rate() { wrk -t2 -c32 -d"${DURATION}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
hello=$(rate http://127.0.0.1:18181/hello)
health=$(rate http://127.0.0.1:18182/healthz)
me=$(rate -H "Authorization: Bearer $KEY" http://127.0.0.1:18182/api/auth/me)
printf 'hello-world (baseline):        %s req/s\n' "$hello"
printf 'railyard /healthz:             %s req/s  ratio %.3f\n' "$health" "$(echo "$health / $hello" | bc -l)"
printf 'railyard /api/auth/me (key):   %s req/s  ratio %.3f\n' "$me" "$(echo "$me / $hello" | bc -l)"

if want payments; then
step "Payments: creation over HTTP vs the hello-world ceiling, deposit -> webhook latency on devnet"
PAYENV=(RAILYARD_WEBHOOK_ALLOW_PRIVATE=true RAILYARD_API_RATE_LIMIT=100000000 RAILYARD_PAYMENT_RATE_LIMIT=100000000 RAILYARD_LOG_LEVEL=notice)
env "${PAYENV[@]}" "$BIN/railyard" serve --port 18185 --data-dir "$WORK/paydata" > "$WORK/payserve.log" 2>&1 & pids+=($!)
for _ in $(seq 1 50); do curl -sf localhost:18185/healthz >/dev/null 2>&1 && break; sleep 0.2; done
# A Professional merchant (bought with a devnet payment): Starter allows 100 sales a month.
read -r PAYKEY _ < <(python3 Benchmarks/payments/bench_payments.py setup http://127.0.0.1:18185)
# Throughput under the same load as hello-world (32 connections), then latency at 4 connections.
for c in 32 4; do
    KEY="$PAYKEY" wrk -t2 -c$c -d"${DURATION}s" --latency -s Benchmarks/payments/create.lua http://127.0.0.1:18185/api/payments/create > "$WORK/create$c.txt"
    created=$(awk '/Requests\/sec/ {print $2}' "$WORK/create$c.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/create$c.txt")
    errors=$(awk '/Non-2xx/ {print $5}' "$WORK/create$c.txt")
    printf 'payment creation (SQLite, %2s connections): %s req/s  ratio %.3f to hello-world (goal 0.25)  p99 %s (goal < 20ms)  non-2xx %s\n' \
        "$c" "$created" "$(echo "$created / $hello" | bc -l)" "$p99" "${errors:-0}"
done
python3 Benchmarks/payments/bench_payments.py latency http://127.0.0.1:18185 20 devnet
fi

want x402 || want payments || exit 0
HARNESS_ENV="$WORK/harness.env"
Tests/Harness/harness.sh start "$HARNESS_ENV" > "$WORK/harness.log" 2>&1
set -a; . "$HARNESS_ENV"; set +a

if want payments; then
    step "Payments: deposit -> webhook latency on litecoind regtest"
    env "${PAYENV[@]}" RAILYARD_NETWORK=regtest RAILYARD_LTC_RPC_URL="$RAILYARD_TEST_LTC_RPC_URL" \
        "$BIN/railyard" serve --port 18186 --data-dir "$WORK/ltcdata" > "$WORK/ltcserve.log" 2>&1 & pids+=($!)
    for _ in $(seq 1 50); do curl -sf localhost:18186/healthz >/dev/null 2>&1 && break; sleep 0.2; done
    python3 Benchmarks/payments/bench_payments.py latency http://127.0.0.1:18186 20 litecoind "$RAILYARD_TEST_LTC_RPC_URL"
fi

if want x402; then
    stop_servers
    step "x402 verify: Railyard vs the Python reference verifier"
    VENV="$PWD/.venv-x402"
    REQ="$PWD/Tests/Harness/x402-requirements.txt"
    wanted_hash=$(sha256sum "$REQ" | cut -d' ' -f1)
    if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)" != "$wanted_hash" ]; then
        rm -rf "$VENV"; python3 -m venv "$VENV"; "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQ"; echo "$wanted_hash" > "$VENV/.requirements.sha256"
    fi
    PY="$VENV/bin/python"
    "$BIN/RailyardBench" x402 | tee "$WORK/x402-inprocess.txt"
    (cd Benchmarks/x402 && "$PY" bench_verify.py 2000) 2>/dev/null | tee "$WORK/x402-python.txt"
    ours_inproc=$(sed -n 's/.*x402_inprocess=\([0-9]*\).*/\1/p' "$WORK/x402-inprocess.txt")
    raw_ecrecover=$(sed -n 's/.*raw_ecrecover=\([0-9]*\).*/\1/p' "$WORK/x402-inprocess.txt")
    py_wire=$(awk '$1 == "L4" {print $5}' "$WORK/x402-python.txt")

    (cd Benchmarks/x402 && exec "$PY" peer_server.py 18403) > "$WORK/peer.log" 2>&1 & pids+=($!)
    "$BIN/RailyardBench" floor 18183 > "$WORK/floor.log" 2>&1 & pids+=($!)
    "$BIN/RailyardBench" rawfloor 18189 > "$WORK/rawfloor.log" 2>&1 & pids+=($!)
    RAILYARD_NETWORK=regtest RAILYARD_ETH_RPC_URL="$RAILYARD_TEST_EVM_RPC_URL" RAILYARD_USDC_ETH_CONTRACT="$RAILYARD_TEST_USDC_CONTRACT" \
    RAILYARD_API_RATE_LIMIT=100000000 RAILYARD_LOG_LEVEL=notice RAILYARD_BCRYPT_COST=4 \
        "$BIN/railyard" serve --port 18184 --data-dir "$WORK/x402data" > "$WORK/x402serve.log" 2>&1 & pids+=($!)
    for _ in $(seq 1 100); do curl -sf localhost:18184/readyz >/dev/null 2>&1 && curl -s localhost:18403/facilitator/supported >/dev/null 2>&1 && curl -s -XPOST localhost:18183/ecrecover >/dev/null 2>&1 && curl -s -XPOST localhost:18189/ecrecover >/dev/null 2>&1 && break; sleep 0.2; done
    json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
    TOKEN=$(curl -sf localhost:18184/api/auth/register -H 'content-type: application/json' -d '{"email":"bench@example.com","password":"correct horse battery"}' | json '["token"]')
    BUSINESS=$(curl -sf localhost:18184/api/businesses -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"Bench"}' | json '["business"]["id"]')
    APIKEY=$(curl -sf "localhost:18184/api/businesses/$BUSINESS/api-keys" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"b"}' | json '["api_key"]["key"]')
    # A funded payer on the EVM server (the verify checks its balance), signing with the official client.
    PAYER_KEY=0x$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    PAYER=$("$PY" -c "from eth_account import Account; print(Account.from_key('$PAYER_KEY').address)")
    FUNDED=$(curl -s "$RAILYARD_TEST_EVM_RPC_URL" -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_accounts","params":[]}' | json '["result"][0]')
    DATA=0xa9059cbb000000000000000000000000${PAYER#0x}$(printf '%064x' 1000000)
    curl -s "$RAILYARD_TEST_EVM_RPC_URL" -H 'content-type: application/json' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_sendTransaction\",\"params\":[{\"from\":\"$FUNDED\",\"to\":\"$RAILYARD_TEST_USDC_CONTRACT\",\"data\":\"$DATA\"}]}" >/dev/null
    "$PY" Benchmarks/x402/make_body.py "$WORK/ours.json" eip155:31337 "$RAILYARD_TEST_USDC_CONTRACT" 0x209693Bc6afc0C5328bA36FaF03C514EF312287C 10000 "$PAYER_KEY"
    "$PY" Benchmarks/x402/make_body.py "$WORK/peer.json" eip155:8453 0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913 0x209693Bc6afc0C5328bA36FaF03C514EF312287C 10000 "$PAYER_KEY"
    # The same verify through Railyard's whole router in process (no sockets), against a bare
    # Hummingbird router and raw ecrecover interleaved in the same run: what our code costs per request.
    RAILYARD_NETWORK=regtest RAILYARD_ETH_RPC_URL="$RAILYARD_TEST_EVM_RPC_URL" RAILYARD_USDC_ETH_CONTRACT="$RAILYARD_TEST_USDC_CONTRACT" RAILYARD_LOG_LEVEL=notice \
        "$BIN/RailyardBench" route "$WORK/ours.json" | tee "$WORK/x402-route.txt"
    # The reference again, with its real web3 signer on the same py-evm node Railyard reads.
    (cd Benchmarks/x402 && X402_PEER_RPC_URL="$RAILYARD_TEST_EVM_RPC_URL" X402_PEER_KEY="$RAILYARD_TEST_EVM_FUNDED_KEY" exec "$PY" peer_server.py 18404) \
        > "$WORK/peer-chain.log" 2>&1 & pids+=($!)
    for _ in $(seq 1 100); do curl -s localhost:18404/facilitator/supported >/dev/null 2>&1 && break; sleep 0.2; done

    step "x402 verify over HTTP"
    # wrk: the load generator that costs the machine least, so the servers get the CPU.
    verify_wrk() { BODY_FILE="$2" KEY="${3:-}" wrk -t2 -c32 -d"${DURATION}s" -s Benchmarks/x402/verify.lua "$1" > "$4"; awk '/Requests\/sec/ {printf "%d", $2}' "$4"; }
    peer_wrk=$(verify_wrk http://127.0.0.1:18403/facilitator/verify "$WORK/peer.json" "" "$WORK/peer-wrk.txt")
    peer_chain_wrk=$(verify_wrk http://127.0.0.1:18404/facilitator/verify "$WORK/ours.json" "" "$WORK/peer-chain-wrk.txt")
    ours_wrk=$(verify_wrk http://127.0.0.1:18184/api/x402/verify "$WORK/ours.json" "$APIKEY" "$WORK/ours-wrk.txt")
    floor_wrk=$(verify_wrk http://127.0.0.1:18183/ecrecover "$WORK/ours.json" "" "$WORK/floor-wrk.txt")
    rawfloor_wrk=$(verify_wrk http://127.0.0.1:18189/ecrecover "$WORK/ours.json" "" "$WORK/rawfloor-wrk.txt")
    for f in peer-wrk peer-chain-wrk ours-wrk floor-wrk rawfloor-wrk; do
        if grep -q 'Non-2xx' "$WORK/$f.txt"; then echo "error: $f answered non-2xx:"; cat "$WORK/$f.txt"; exit 1; fi
    done
    # The reference's own Python load generator (4 threads), as in the x402 research notes.
    "$PY" Benchmarks/x402/loadgen.py http://127.0.0.1:18403/facilitator "$DURATION" 4 "$WORK/peer.json" > "$WORK/peer-load.txt"
    "$PY" Benchmarks/x402/loadgen.py http://127.0.0.1:18404/facilitator "$DURATION" 4 "$WORK/ours.json" > "$WORK/peer-chain-load.txt"
    "$PY" Benchmarks/x402/loadgen.py http://127.0.0.1:18184/api/x402 "$DURATION" 4 "$WORK/ours.json" "$APIKEY" > "$WORK/ours-load.txt"
    printf 'loadgen.py: Python reference peer (offline chain double): %s\nloadgen.py: Python reference peer (web3, same node):     %s\nloadgen.py: Railyard (same node):                        %s\n' \
        "$(cat "$WORK/peer-load.txt")" "$(cat "$WORK/peer-chain-load.txt")" "$(cat "$WORK/ours-load.txt")"
    peer_http=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' "$WORK/peer-load.txt")
    peer_chain_http=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' "$WORK/peer-chain-load.txt")
    ours_http=$(sed -n 's/.*rps=\([0-9]*\).*/\1/p' "$WORK/ours-load.txt")
    printf 'x402 verify in process: Python reference L4 (JSON -> models -> verify) %s/s; Railyard %s/s; ratio %.2f\n' "$py_wire" "$ours_inproc" "$(echo "$ours_inproc / $py_wire" | bc -l)"
    printf 'x402 verify in process vs raw ecrecover %s/s: ratio %.3f\n' "$raw_ecrecover" "$(echo "$ours_inproc / $raw_ecrecover" | bc -l)"
    printf 'x402 verify over HTTP, wrk 32 connections: Python reference peer (offline double) %s req/s; Railyard (py-evm node, cached head) %s req/s; ratio %.2f (goal 20)\n' \
        "$peer_wrk" "$ours_wrk" "$(echo "$ours_wrk / $peer_wrk" | bc -l)"
    printf 'x402 verify over HTTP, wrk 32 connections: the floor (same body, one raw ecrecover, nothing else, same server setup) %s req/s; its ratio to the reference peer %.2f; Railyard/floor %.3f\n' \
        "$floor_wrk" "$(echo "$floor_wrk / $peer_wrk" | bc -l)" "$(echo "$ours_wrk / $floor_wrk" | bc -l)"
    printf 'x402 verify over HTTP, wrk 32 connections: the same floor on NIO alone (no Hummingbird) %s req/s; its ratio to the reference peer %.2f; Railyard/raw floor %.3f\n' \
        "$rawfloor_wrk" "$(echo "$rawfloor_wrk / $peer_wrk" | bc -l)" "$(echo "$ours_wrk / $rawfloor_wrk" | bc -l)"
    printf 'x402 verify over HTTP, wrk 32 connections: Python reference reading the same node on every verify %s req/s; ratio %.2f\n' \
        "$peer_chain_wrk" "$(echo "$ours_wrk / ${peer_chain_wrk:-1}" | bc -l)"
    printf 'x402 verify over HTTP, loadgen.py 4 threads: Python reference peer %s req/s; Railyard %s req/s; ratio %.2f (the Python generator is the ceiling here)\n' \
        "$peer_http" "$ours_http" "$(echo "$ours_http / $peer_http" | bc -l)"
fi
Tests/Harness/harness.sh stop "$HARNESS_ENV" >/dev/null 2>&1 || true
