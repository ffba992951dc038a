#!/usr/bin/env bash
# Performance suite. Every figure is reported next to a baseline measured in the same run:
#   1. HTTP: a bare Hummingbird hello-world server (the ceiling) vs Railyard's /healthz and an
#      authenticated API call, under the same wrk load on loopback.
#   2. Ledger: batch posting through the ledger vs raw multi-row SQLite inserts of the same rows.
#   3. Crypto: ecrecover and BIP-32 derivation vs raw libsecp256k1 calls; keccak-256 vs SHA-256.
# Usage: Benchmarks/run.sh [seconds-per-http-run]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_swift
ensure_debs "${RUNTIME_DEBS[@]}" wrk
DURATION=${1:-10}
step "Building release binaries"
swift build -c release --product railyard
swift build -c release --product RailyardBench
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d /tmp/railyard-bench.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

step "Ledger batch posting vs raw SQLite inserts"
"$BIN/RailyardBench" ledger 20000

step "Crypto kernel vs raw libsecp256k1 and SHA-256"
"$BIN/RailyardBench" crypto

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
