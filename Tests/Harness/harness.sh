#!/usr/bin/env bash
# Test harness: real chain runtimes on 127.0.0.1 for the Swift tests, and fresh cross-check vectors.
#
#   Tests/Harness/harness.sh start [ENV_FILE]   # default ENV_FILE: /tmp/railyard-harness.env
#   Tests/Harness/harness.sh stop  [ENV_FILE]
#
# start installs what is missing (Debian: litecoind, python3-venv, curl; PyPI: requirements.txt into
# .venv-harness/ at the repository root, reinstalled only when requirements.txt changes), then starts
#   - litecoind (Debian's, /usr/lib/litecoin/litecoind) in regtest, fresh datadir, RPC on a free port,
#   - evm_rpc.py (py-evm JSON-RPC, chain id 31337) with the USDC3009 token deployed from USDC3009.json,
#   - sol_rpc.py (LiteSVM JSON-RPC) with a funded keypair, a USDC-like mint and its token account,
# runs crypto_vectors.py, waits until every server answers and writes ENV_FILE (KEY=value lines; load
# it with `set -a; . ENV_FILE; set +a`):
#   RAILYARD_TEST_LTC_RPC_URL        http://user:pass@127.0.0.1:PORT (Bitcoin Core JSON-RPC 1.0)
#   RAILYARD_TEST_LTC_BANK_WALLET    wallet holding 100 mature 50-LTC coinbases (fund tests from it)
#   RAILYARD_TEST_EVM_RPC_URL        http://127.0.0.1:PORT
#   RAILYARD_TEST_EVM_CHAIN_ID       31337
#   RAILYARD_TEST_EVM_FUNDED_KEY     0x… private key of dev account 0 (1e6 ETH, token owner and holder)
#   RAILYARD_TEST_EVM_FUNDED_ADDRESS its EIP-55 address
#   RAILYARD_TEST_USDC_CONTRACT      the token ("USD Coin", "USDC", 6 decimals, EIP-712 version "2")
#   RAILYARD_TEST_USDC_MINTED        base units minted to the funded account
#   RAILYARD_TEST_USDC_MINT_BLOCK    block number of the mint (eth_call at it sees exactly MINTED)
#   RAILYARD_TEST_SOL_RPC_URL        http://127.0.0.1:PORT
#   RAILYARD_TEST_SOL_FUNDED_KEY     hex 32-byte Ed25519 private key (seed) of a funded keypair
#   RAILYARD_TEST_SOL_FUNDED_ADDRESS its base58 address
#   RAILYARD_TEST_SOL_USDC_MINT      SPL mint (6 decimals, the funded key is its mint authority)
#   RAILYARD_TEST_SOL_USDC_ACCOUNT   the funded key's associated token account for that mint
#   RAILYARD_TEST_SOL_USDC_MINTED    base units minted to it
#   RAILYARD_TEST_VECTORS            path of the JSON written by crypto_vectors.py
#   RAILYARD_HARNESS_DIR             temporary folder (datadir, logs, pids) that stop removes
# stop stops every process start recorded, removes its folder and the env file. A second start with
# the same ENV_FILE stops the previous harness first.
#
# USDC3009.json (ABI + bytecode) was compiled once from USDC3009.vy, so tests need no compiler:
#   python3 -m venv /tmp/vy && /tmp/vy/bin/pip install vyper==0.4.3 && /tmp/vy/bin/vyper -f abi,bytecode USDC3009.vy
# (the two output lines are the "abi" and "bytecode" fields; "sourceSha256" is the .vy file's hash).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=../../scripts/lib.sh
. "$ROOT/scripts/lib.sh"

VENV=${RAILYARD_HARNESS_VENV:-$ROOT/.venv-harness}
BASE_PYTHON=${RAILYARD_HARNESS_PYTHON:-/usr/bin/python3}
LITECOIND=/usr/lib/litecoin/litecoind # not /usr/bin/litecoind: that wrapper writes into ~/.litecoin
EVM_CHAIN_ID=31337
START_TIMEOUT=${RAILYARD_HARNESS_TIMEOUT:-60} # seconds for each server to answer

T0=${EPOCHREALTIME/./}
say() {
    local us=$((${EPOCHREALTIME/./} - T0))
    printf 'harness [%d.%02ds] %s\n' $((us / 1000000)) $((us % 1000000 / 10000)) "$*"
}
die() { echo "harness: error: $*" >&2; exit 1; }

# PID of a process we started, if it is still that process (guards against a reused PID).
live_pid() { # pidfile expected-cmdline-fragment
    local pid
    [ -f "$1" ] || return 1
    pid=$(cat "$1")
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
    echo "$pid"
}

stop_harness() { # env-file
    local env_file=$1 dir pids=() pid name
    [ -f "$env_file" ] || { echo "harness: nothing to stop ($env_file not found)"; return 0; }
    dir=$(sed -n 's/^RAILYARD_HARNESS_DIR=//p' "$env_file")
    if [ -z "$dir" ]; then
        rm -f "$env_file"
        return 0
    fi
    # Only ever remove a folder that start made.
    case "$dir" in /tmp/railyard-harness.*) ;; *) die "$env_file names $dir, which is not a harness folder" ;; esac
    if [ -d "$dir" ]; then
        for name in ltc evm sol; do
            if pid=$(live_pid "$dir/$name.pid" "$dir"); then
                kill -TERM "$pid" 2>/dev/null || true # litecoind shuts down cleanly on SIGTERM too
                pids+=("$pid")
            fi
        done
        for _ in $(seq 1 200); do # up to 10 s, then SIGKILL
            local alive=()
            for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
            pids=("${alive[@]}")
            [ "${#pids[@]}" -eq 0 ] && break
            sleep 0.05
        done
        for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
        rm -rf "$dir"
    fi
    rm -f "$env_file"
}

# EXIT trap while starting: a start that fails stops whatever it had started.
cleanup_failed_start() {
    local status=$?
    [ "$status" -eq 0 ] || stop_harness "$1" || true
}

free_port() {
    "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

json_field() { # file dotted.key
    "$VENV/bin/python" -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v = v[k]
print(v)' "$1" "$2"
}

# Waits until "$@" succeeds; fails with the log of the process if it died or time ran out.
wait_for() { # name pidfile log command...
    local name=$1 pidfile=$2 log=$3
    shift 3
    local deadline=$(($(date +%s) + START_TIMEOUT))
    until "$@" >/dev/null 2>&1; do
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            tail -n 30 "$log" >&2 || true
            die "$name exited during start-up (the end of its log is above)"
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { tail -n 30 "$log" >&2 || true; die "$name did not answer within ${START_TIMEOUT}s"; }
        sleep 0.05
    done
}

ltc_ready() { # url: getblockchaininfo answers with a result (not -28 "Loading…")
    curl -sf --max-time 2 -H 'Content-Type: application/json' \
        -d '{"jsonrpc":"1.0","id":0,"method":"getblockchaininfo","params":[]}' "$1" | grep -q '"chain":"regtest"'
}

ltc_rpc() { # url path method params-json: the result, or die
    local answer
    answer=$(curl -sf --max-time 60 -H 'Content-Type: application/json' \
        -d "{\"jsonrpc\":\"1.0\",\"id\":0,\"method\":\"$3\",\"params\":$4}" "$1$2") || die "litecoind $3 failed"
    printf '%s' "$answer"
}

sol_ready() {
    curl -sf --max-time 2 -H 'Content-Type: application/json' \
        -d '{"jsonrpc":"2.0","id":0,"method":"getHealth","params":[]}' "$1" | grep -q '"ok"'
}

start_harness() { # env-file
    local env_file=$1
    [ -f "$env_file" ] && { say "stopping the previous harness of $env_file"; stop_harness "$env_file"; }

    ensure_debs litecoind python3 python3-venv curl
    [ -x "$LITECOIND" ] || die "$LITECOIND not found after installing litecoind"

    local want have
    want=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
    have=$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)
    if [ ! -x "$VENV/bin/python" ] || [ "$want" != "$have" ]; then
        say "creating $VENV and installing requirements.txt"
        [ -x "$VENV/bin/python" ] || "$BASE_PYTHON" -m venv "$VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
        echo "$want" >"$VENV/.requirements.sha256"
        say "Python packages ready"
    fi

    local dir
    dir=$(mktemp -d /tmp/railyard-harness.XXXXXX)
    # From here on a failure stops whatever started.
    printf 'RAILYARD_HARNESS_DIR=%s\n' "$dir" >"$env_file"
    trap 'cleanup_failed_start "$env_file"' EXIT

    # litecoind: configuration from shared/research/chains.md (port settings must sit under [regtest]),
    # plus vbparams=mweb:-2:0:0:0: MWEB never activates. Otherwise it activates at height 432 and,
    # from then on, generatetoaddress fails ("TestBlockValidity failed: bad-txns-vin-empty") until
    # someone pegs coins into MWEB, so a regtest chain could never grow past 431 blocks.
    local ltc_port ltc_pass ltc_url
    ltc_port=$(free_port)
    ltc_pass=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    mkdir -p "$dir/ltc"
    cat >"$dir/ltc/litecoin.conf" <<EOF
regtest=1
server=1
txindex=1
fallbackfee=0.0001
keypool=1
# Litecoin Core refuses BIP-125 replacements unless told otherwise (Bitcoin Core accepts them);
# the sender's explicit fee bump is tested with them on.
mempoolreplacement=1
printtoconsole=0
[regtest]
vbparams=mweb:-2:0:0:0
rpcbind=127.0.0.1
rpcallowip=127.0.0.1
rpcport=$ltc_port
rpcuser=railyard
rpcpassword=$ltc_pass
listen=0
dnsseed=0
rest=1
EOF
    ltc_url="http://railyard:$ltc_pass@127.0.0.1:$ltc_port"
    "$LITECOIND" -datadir="$dir/ltc" </dev/null >"$dir/ltc.log" 2>&1 &
    echo $! >"$dir/ltc.pid"
    say "litecoind regtest starting (pid $(cat "$dir/ltc.pid"), rpc 127.0.0.1:$ltc_port)"

    "$VENV/bin/python" "$HERE/evm_rpc.py" --port 0 --chain-id "$EVM_CHAIN_ID" --deploy "$HERE/USDC3009.json" \
        --info-file "$dir/evm.json" </dev/null >"$dir/evm.log" 2>&1 &
    echo $! >"$dir/evm.pid"
    say "evm_rpc.py starting (pid $(cat "$dir/evm.pid"))"

    "$VENV/bin/python" "$HERE/sol_rpc.py" --port 0 --setup --info-file "$dir/sol.json" \
        </dev/null >"$dir/sol.log" 2>&1 &
    echo $! >"$dir/sol.pid"
    say "sol_rpc.py starting (pid $(cat "$dir/sol.pid"))"

    "$VENV/bin/python" "$HERE/crypto_vectors.py" "$dir/vectors.json" </dev/null >"$dir/vectors.log" 2>&1 &
    local vectors_pid=$!

    wait_for "litecoind" "$dir/ltc.pid" "$dir/ltc/regtest/debug.log" ltc_ready "$ltc_url"
    say "litecoind answers"
    # A bank of coins mined at the start, while a block still pays 50 LTC: tests fund themselves from
    # it, because regtest halves the subsidy every 150 blocks and a full run mines well over 1,000.
    ltc_rpc "$ltc_url" "" createwallet '["bank"]' >/dev/null
    local bank_address
    bank_address=$(ltc_rpc "$ltc_url" /wallet/bank getnewaddress '["", "bech32"]' | sed -n 's/.*"result":"\([^"]*\)".*/\1/p')
    [ -n "$bank_address" ] || die "no bank address from litecoind"
    ltc_rpc "$ltc_url" "" generatetoaddress "[200, \"$bank_address\"]" >/dev/null
    say "litecoind bank wallet funded (200 blocks, 100 mature coinbases of 50 LTC)"
    wait_for "sol_rpc.py" "$dir/sol.pid" "$dir/sol.log" test -s "$dir/sol.json"
    local sol_url
    sol_url=$(json_field "$dir/sol.json" url)
    wait_for "sol_rpc.py" "$dir/sol.pid" "$dir/sol.log" sol_ready "$sol_url"
    say "sol_rpc.py answers at $sol_url"
    wait_for "evm_rpc.py" "$dir/evm.pid" "$dir/evm.log" test -s "$dir/evm.json"
    local evm_url
    evm_url=$(json_field "$dir/evm.json" url)
    wait_for "evm_rpc.py" "$dir/evm.pid" "$dir/evm.log" curl -sf --max-time 2 "$evm_url/"
    say "evm_rpc.py answers at $evm_url (token $(json_field "$dir/evm.json" usdc.address))"
    wait "$vectors_pid" || { cat "$dir/vectors.log" >&2; die "crypto_vectors.py failed"; }
    say "$(cat "$dir/vectors.log")"

    local tmp="$env_file.tmp.$$"
    "$VENV/bin/python" - "$dir" "$ltc_url" >"$tmp" <<'PY'
import json, sys
d, ltc_url = sys.argv[1], sys.argv[2]
evm, sol = json.load(open(f"{d}/evm.json")), json.load(open(f"{d}/sol.json"))
for k, v in [("RAILYARD_HARNESS_DIR", d),
             ("RAILYARD_TEST_LTC_RPC_URL", ltc_url),
             ("RAILYARD_TEST_LTC_BANK_WALLET", "bank"),
             ("RAILYARD_TEST_EVM_RPC_URL", evm["url"]),
             ("RAILYARD_TEST_EVM_CHAIN_ID", evm["chainId"]),
             ("RAILYARD_TEST_EVM_FUNDED_KEY", evm["fundedKey"]),
             ("RAILYARD_TEST_EVM_FUNDED_ADDRESS", evm["fundedAddress"]),
             ("RAILYARD_TEST_USDC_CONTRACT", evm["usdc"]["address"]),
             ("RAILYARD_TEST_USDC_MINTED", evm["usdc"]["amount"]),
             ("RAILYARD_TEST_USDC_MINT_BLOCK", evm["usdc"]["mintBlock"]),
             ("RAILYARD_TEST_SOL_RPC_URL", sol["url"]),
             ("RAILYARD_TEST_SOL_FUNDED_KEY", sol["fundedKey"]),
             ("RAILYARD_TEST_SOL_FUNDED_ADDRESS", sol["fundedAddress"]),
             ("RAILYARD_TEST_SOL_USDC_MINT", sol["usdc"]["mint"]),
             ("RAILYARD_TEST_SOL_USDC_ACCOUNT", sol["usdc"]["tokenAccount"]),
             ("RAILYARD_TEST_SOL_USDC_MINTED", sol["usdc"]["amount"]),
             ("RAILYARD_TEST_VECTORS", f"{d}/vectors.json")]:
    print(f"{k}={v}")
PY
    chmod 600 "$tmp"
    mv "$tmp" "$env_file"
    trap - EXIT
    say "ready: $env_file"
}

cmd=${1:-}
env_file=${2:-/tmp/railyard-harness.env}
case "$cmd" in
start) start_harness "$env_file" ;;
stop)
    stop_harness "$env_file"
    say "stopped"
    ;;
*)
    echo "usage: $0 start|stop [ENV_FILE]" >&2
    exit 2
    ;;
esac
