#!/usr/bin/env python3
"""
evm_rpc.py - a small Ethereum JSON-RPC (HTTP) server over eth-tester + py-evm (a real EVM,
Prague rules), for integration tests of non-Python clients.  Standard library HTTP only.

  python evm_rpc.py --port 8545 --chain-id 31337 [--no-automine] [--block-time 2]
                    [--deploy USDC3009.json --mint 1000000000000] [--info-file info.json]

Railyard test-harness copy (Tests/Harness/harness.sh starts it). Changes from the shared probe:
--port 0 binds a free port; --deploy deploys the committed compiled token (ABI + bytecode JSON)
from dev account 0 and mints --mint base units to it; --info-file writes, once the server is
listening, a JSON object {url, port, chainId, fundedKey, fundedAddress, usdc: {address, holder,
amount, mintBlock}} (written to a temporary name and renamed, so a reader never sees half a file).

Accounts: eth-tester's 10 prefunded dev accounts (private keys 0x..01 .. 0x..0a, 1e6 ETH each);
eth_sendTransaction works for them (they are "unlocked").

Implemented: web3_clientVersion net_version net_listening eth_chainId eth_blockNumber eth_syncing
eth_accounts eth_getBalance eth_getTransactionCount eth_getCode eth_getStorageAt eth_call
eth_estimateGas eth_gasPrice eth_maxPriorityFeePerGas eth_feeHistory eth_sendRawTransaction
eth_sendTransaction eth_getTransactionByHash eth_getTransactionReceipt eth_getBlockByNumber
eth_getBlockByHash eth_getLogs
test controls: evm_mine [n|{blocks:n}] / anvil_mine [n] / hardhat_mine [n]; evm_snapshot;
evm_revert [id] (then mine again = reorg: new block hashes); evm_setAutomine [bool];
evm_increaseTime [secs]; evm_setNextBlockTimestamp [ts]; anvil_setBalance/hardhat_setBalance
[addr, wei]; shim_stats.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import (
    BlockNotFound,
    TransactionFailed,
    TransactionNotFound,
    ValidationError as TesterValidationError,
)
from eth_utils import to_canonical_address
from eth_bloom import BloomFilter

LOCK = threading.RLock()


# eth_call / eth_estimateGas: like geth/anvil, do not require the caller to afford gas*fee.
# Credit the sender with gas*maxFee inside the snapshot that the call/estimate reverts anyway.
def _credit_for_gas(state, tx):
    try:
        fee = getattr(tx, "max_fee_per_gas", None)
        if fee is None:
            fee = tx.gas_price
        state.delta_balance(tx.sender, tx.gas * fee)
    except Exception:
        pass


def _patch_eth_tester():
    import eth.estimators.gas as G
    import eth_tester.backends.pyevm.main as M

    def _execute_and_revert_transaction(chain, transaction, block_number="latest"):
        vm = M._get_vm_for_block_number(chain, block_number)
        state = vm.state
        snapshot = state.snapshot()
        _credit_for_gas(state, transaction)
        computation = state.apply_transaction(transaction)
        state.revert(snapshot)
        return computation

    def _get_computation_error(state, transaction):
        snapshot = state.snapshot()
        try:
            _credit_for_gas(state, transaction)
            computation = state.apply_transaction(transaction)
            return computation.error if computation.is_error else None
        finally:
            state.revert(snapshot)

    M._execute_and_revert_transaction = _execute_and_revert_transaction
    G._get_computation_error = _get_computation_error


_patch_eth_tester()
STATS = {"requests": 0, "started": time.time()}


class RPCError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


# ---------------------------------------------------------------- encoding helpers
def q(v):  # quantity
    return None if v is None else hex(int(v))


def hx(v):  # data
    if v is None:
        return None
    if isinstance(v, (bytes, bytearray)):
        return "0x" + bytes(v).hex()
    return v


def to_camel(k):
    head, *rest = k.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def enc(obj, key=None):
    """eth-tester normalized output -> JSON-RPC shape (camelCase keys, hex quantities)."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "__kind":
                continue
            if k == "logs_bloom" and isinstance(v, int):
                out["logsBloom"] = "0x" + v.to_bytes(256, "big").hex()
                continue
            ck = {"data": "input"}.get(k, k) if obj.get("__kind") == "tx" else k
            out[to_camel(ck)] = enc(v, k)
        return out
    if isinstance(obj, (list, tuple)):
        return [enc(x) for x in obj]
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, int):
        return hex(obj)
    if isinstance(obj, (bytes, bytearray)):
        return "0x" + bytes(obj).hex()
    return obj


def parse_qty(v, default=None):
    if v is None:
        return default
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.startswith(("0x", "0X")):
        return int(v, 16)
    return int(v)


def parse_block(tag, t=None):
    if tag is None:
        return "latest"
    if isinstance(tag, dict):  # EIP-1898
        if "blockHash" in tag:
            return t.get_block_by_hash(tag["blockHash"])["number"]
        tag = tag.get("blockNumber", "latest")
    if tag in ("latest", "earliest", "pending", "safe", "finalized"):
        return tag
    return parse_qty(tag)


TX_KEYS = {"from": "from", "to": "to", "gas": "gas", "gasPrice": "gas_price", "value": "value",
           "data": "data", "input": "data", "nonce": "nonce", "maxFeePerGas": "max_fee_per_gas",
           "maxPriorityFeePerGas": "max_priority_fee_per_gas", "chainId": "chain_id",
           "accessList": "access_list", "type": None}
QTY_TX = {"gas", "gas_price", "value", "nonce", "max_fee_per_gas", "max_priority_fee_per_gas", "chain_id"}


def parse_tx(d, for_call=False):
    out = {}
    for k, v in (d or {}).items():
        nk = TX_KEYS.get(k, None)
        if nk is None or v is None:
            continue
        if nk in QTY_TX:
            v = parse_qty(v)
        if nk == "access_list":
            v = [{"address": e["address"], "storage_keys": e.get("storageKeys", [])} for e in v]
        out[nk] = v
    if for_call:
        out.setdefault("from", "0x" + "00" * 20)
        out.setdefault("gas", 30_000_000)
    return out


# ---------------------------------------------------------------- chain wrapper
class Chain:
    def __init__(self, chain_id, automine=True):
        self.backend = PyEVMBackend()
        if chain_id:
            # MainnetTesterPosChain.chain_id is a class attribute; override on the instance
            self.backend.chain.chain_id = chain_id
        self.t = EthereumTester(self.backend, auto_mine_transactions=automine)
        self.chain_id = self.backend.chain.chain_id
        self.snapshots = {}
        self.time_offset = 0

    # logIndex in JSON-RPC is per block; eth-tester numbers logs per receipt
    def _log_offset(self, block_number, tx_index):
        blk = self.t.get_block_by_number(block_number)
        n = 0
        for h in blk["transactions"][:tx_index]:
            n += len(self.t.get_transaction_receipt(h)["logs"])
        return n

    def _fix_logs(self, logs, offset):
        out = []
        for i, lg in enumerate(logs):
            lg = dict(lg)
            lg.pop("type", None)
            lg["log_index"] = offset + i
            lg["removed"] = False
            out.append(lg)
        return out

    def receipt(self, h):
        try:
            r = dict(self.t.get_transaction_receipt(h))
        except TransactionNotFound:
            return None
        if r.get("block_number") is None:  # still pending (automine off)
            return None
        r.pop("state_root", None)
        off = self._log_offset(r["block_number"], r["transaction_index"])
        r["logs"] = self._fix_logs(r["logs"], off)
        bloom = BloomFilter()
        for lg in r["logs"]:
            bloom.add(bytes.fromhex(lg["address"][2:]))
            for tp in lg["topics"]:
                bloom.add(bytes.fromhex(tp[2:]))
        out = enc(r)
        out["logsBloom"] = "0x" + int(bloom).to_bytes(256, "big").hex()
        return out

    def tx(self, h):
        try:
            tx = dict(self.t.get_transaction_by_hash(h))
        except TransactionNotFound:
            return None
        tx["__kind"] = "tx"
        if "y_parity" in tx and tx.get("type") not in ("0x0", 0):
            tx["v"] = tx["y_parity"]
        return enc(tx)

    def block(self, blk, full):
        blk = dict(blk)
        blk["miner"] = blk.pop("coinbase")
        if full:
            txs = [self.tx(h) for h in blk["transactions"]]
        else:
            txs = list(blk["transactions"])
        blk.pop("transactions")
        out = enc(blk)
        out["transactions"] = txs
        return out

    def gas_price(self):
        base = self.backend.get_base_fee("pending") if hasattr(self.backend, "get_base_fee") else 10**9
        return base + 10**9

    def mine(self, n=1):
        self._apply_time()
        return self.t.mine_blocks(n)

    def _apply_time(self):
        if self.time_offset:
            ts = self.t.get_block_by_number("pending")["timestamp"] + self.time_offset
            self.t.time_travel(ts)
            self.time_offset = 0


def raw_tx_chain_id(raw_hex):
    """chainId of a signed raw tx (typed: from payload; legacy: from EIP-155 v; None if pre-155)."""
    import rlp
    raw = bytes.fromhex(raw_hex[2:] if raw_hex.startswith("0x") else raw_hex)
    if raw and raw[0] < 0x7f:  # EIP-2718 typed envelope: type byte + rlp list, chainId first
        return int.from_bytes(rlp.decode(raw[1:])[0], "big")
    v = int.from_bytes(rlp.decode(raw)[6], "big")
    return (v - 35) // 2 if v >= 35 else None


def revert_error(e):
    first = e.args[0] if e.args else b""
    if isinstance(first, Exception) and first.args:
        first = first.args[0]
    data = None
    msg = "execution reverted"
    if isinstance(first, (bytes, bytearray)):
        data = "0x" + bytes(first).hex()
        if first[:4] == bytes.fromhex("08c379a0"):
            try:
                from eth_abi import decode
                msg += ": " + decode(["string"], bytes(first[4:]))[0]
            except Exception:
                pass
    elif isinstance(first, str) and first:
        reason = first[len("execution reverted: "):] if first.startswith("execution reverted: ") else first
        msg = "execution reverted: " + reason
        from eth_abi import encode
        data = "0x08c379a0" + encode(["string"], [reason]).hex()  # re-encode Error(string)
    return RPCError(3, msg, data)


# ---------------------------------------------------------------- methods
def dispatch(C, method, p):
    t = C.t
    if method == "web3_clientVersion":
        return "evm_rpc/0.1 (eth-tester + py-evm)"
    if method == "net_version":
        return str(C.chain_id)
    if method == "net_listening":
        return True
    if method == "eth_chainId":
        return q(C.chain_id)
    if method == "eth_syncing":
        return False
    if method == "eth_blockNumber":
        return q(t.get_block_by_number("latest")["number"])
    if method == "eth_accounts":
        return list(t.get_accounts())
    if method == "eth_getBalance":
        return q(t.get_balance(p[0], parse_block(p[1] if len(p) > 1 else None, t)))
    if method == "eth_getTransactionCount":
        return q(t.get_nonce(p[0], parse_block(p[1] if len(p) > 1 else None, t)))
    if method == "eth_getCode":
        return t.get_code(p[0], parse_block(p[1] if len(p) > 1 else None, t))
    if method == "eth_getStorageAt":
        v = t.get_storage_at(p[0], parse_qty(p[1]), parse_block(p[2] if len(p) > 2 else None, t))
        return hx(v)
    if method == "eth_gasPrice":
        return q(C.gas_price())
    if method == "eth_maxPriorityFeePerGas":
        return q(10**9)
    if method == "eth_feeHistory":
        n = parse_qty(p[0]); newest = parse_block(p[1], t)
        if isinstance(newest, str):
            newest = t.get_block_by_number(newest)["number"]
        fh = C.backend.get_fee_history(n, newest, p[2] if len(p) > 2 else [])
        return enc(fh)
    if method in ("eth_call", "eth_estimateGas"):
        txd = parse_tx(p[0], for_call=True)
        blk = parse_block(p[1] if len(p) > 1 else None, t)
        try:
            if method == "eth_call":
                return t.call(txd, blk)
            if p[0].get("gas") is None:
                txd.pop("gas", None)  # let py-evm binary-search the gas
            return q(t.estimate_gas(txd, blk))
        except TransactionFailed as e:
            raise revert_error(e)
    if method == "eth_sendRawTransaction":
        cid = raw_tx_chain_id(p[0])
        if cid is not None and cid != C.chain_id:
            raise RPCError(-32000, f"invalid chain id for signer: have {cid} want {C.chain_id}")
        try:
            if not t.auto_mine_transactions:
                # eth-tester's own pending handling snapshots+reverts each tx, so a 2nd tx from the
                # same sender fails its nonce check; apply straight to py-evm's pending block
                # instead (a real mempool-like block with many txs, mined by evm_mine).
                raw = bytes.fromhex(p[0][2:] if p[0].startswith("0x") else p[0])
                return "0x" + C.backend.send_raw_transaction(raw).hex()
            return t.send_raw_transaction(p[0])
        except TransactionFailed as e:
            raise revert_error(e)
    if method == "eth_sendTransaction":
        txd = parse_tx(p[0])
        txd.setdefault("gas", 3_000_000)
        if "gas_price" not in txd and "max_fee_per_gas" not in txd:
            txd["max_fee_per_gas"] = 2 * C.gas_price()
            txd["max_priority_fee_per_gas"] = 10**9
        try:
            return t.send_transaction(txd)
        except TransactionFailed as e:
            raise revert_error(e)
    if method == "eth_getTransactionByHash":
        return C.tx(p[0])
    if method == "eth_getTransactionReceipt":
        return C.receipt(p[0])
    if method == "eth_getBlockByNumber":
        try:
            return C.block(t.get_block_by_number(parse_block(p[0], t)), bool(p[1]) if len(p) > 1 else False)
        except BlockNotFound:
            return None
    if method == "eth_getBlockByHash":
        try:
            return C.block(t.get_block_by_hash(p[0]), bool(p[1]) if len(p) > 1 else False)
        except BlockNotFound:
            return None
    if method == "eth_getLogs":
        f = p[0] if p else {}
        if f.get("blockHash"):
            n = t.get_block_by_hash(f["blockHash"])["number"]
            fb = tb = n
        else:
            fb = parse_block(f.get("fromBlock"), t)
            tb = parse_block(f.get("toBlock"), t)
        addr = f.get("address")
        if isinstance(addr, list) and not addr:
            addr = None
        topics = f.get("topics")
        if topics is not None:
            # trailing nulls are wildcards; eth-tester wants None for wildcard positions
            topics = [tp for tp in topics]
        logs = t.get_logs(fb, tb, addr, topics)
        out, per_block = [], {}
        for lg in logs:
            lg = dict(lg)
            key = lg["block_number"]
            if key not in per_block:
                per_block[key] = {}
            txi = lg["transaction_index"]
            if txi not in per_block[key]:
                per_block[key][txi] = C._log_offset(key, txi)
            lg.pop("type", None)
            lg["log_index"] = per_block[key][txi] + lg["log_index"]
            lg["removed"] = False
            out.append(enc(lg))
        return out
    # ------------- test controls
    if method in ("evm_mine", "anvil_mine", "hardhat_mine"):
        n = 1
        if p:
            a = p[0]
            if isinstance(a, dict):
                n = parse_qty(a.get("blocks", 1))
            elif method != "evm_mine" and a is not None:
                n = parse_qty(a)
            elif method == "evm_mine" and a is not None:  # ganache/hardhat: evm_mine [timestamp]
                C.t.time_travel(parse_qty(a))
        hashes = C.mine(n)
        return "0x0" if method == "evm_mine" else hashes
    if method == "evm_setAutomine":
        if p[0]:
            t.enable_auto_mine_transactions()
        else:
            t.disable_auto_mine_transactions()
        return True
    if method == "evm_snapshot":
        sid = t.take_snapshot()
        key = hex(len(C.snapshots) + 1)
        C.snapshots[key] = sid
        return key
    if method == "evm_revert":
        sid = C.snapshots.get(p[0])
        if sid is None:
            return False
        t.revert_to_snapshot(sid)
        return True
    if method == "evm_increaseTime":
        C.time_offset += parse_qty(p[0])
        return q(C.time_offset)
    if method == "evm_setNextBlockTimestamp":
        t.time_travel(parse_qty(p[0]))
        return None
    if method in ("anvil_setBalance", "hardhat_setBalance"):
        addr = to_canonical_address(p[0])
        vm_state_setter(C, addr, parse_qty(p[1]))
        return None
    if method == "shim_stats":
        return {"requests": STATS["requests"], "uptime": time.time() - STATS["started"]}
    raise RPCError(-32601, f"Method not found: {method}")


def vm_state_setter(C, addr, wei):
    # set a balance on the pending block's state (mined with the next block)
    chain = C.backend.chain
    vm = chain.get_vm()
    vm.state.set_balance(addr, wei)
    vm.state.persist()
    chain.header = chain.header.copy(state_root=vm.state.state_root)
    C.mine(1)


def handle_one(C, req):
    rid = req.get("id")
    try:
        if not isinstance(req, dict) or "method" not in req:
            raise RPCError(-32600, "Invalid Request")
        params = req.get("params") or []
        with LOCK:
            STATS["requests"] += 1
            result = dispatch(C, req["method"], params)
        return {"jsonrpc": "2.0", "id": rid, "result": result}
    except RPCError as e:
        err = {"code": e.code, "message": e.message}
        if e.data is not None:
            err["data"] = e.data
        return {"jsonrpc": "2.0", "id": rid, "error": err}
    except (TesterValidationError, TransactionNotFound, BlockNotFound, ValueError, TypeError, KeyError, IndexError) as e:
        return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32000, "message": f"{type(e).__name__}: {e}"}}
    except Exception as e:  # py-evm validation errors (nonce, balance, signature, chain id ...)
        return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32000, "message": f"{type(e).__name__}: {e}"}}


def make_handler(C):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else header/body writes hit Nagle + delayed-ACK (~40 ms/request)

        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            try:
                body = json.loads(self.rfile.read(n) or b"null")
            except json.JSONDecodeError:
                resp = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}
            else:
                if isinstance(body, list):
                    resp = [handle_one(C, r) for r in body]
                else:
                    resp = handle_one(C, body)
            data = json.dumps(resp).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # health check
            data = b'{"ok":true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
    return H


def deploy_token(C, artifact_path, mint_amount):
    """Deploys the compiled token from dev account 0 and mints `mint_amount` base units to it.
    Runs before automine is switched off, so every transaction is mined at once."""
    from eth_abi import encode
    from eth_utils import function_signature_to_4byte_selector

    with open(artifact_path) as f:
        artifact = json.load(f)
    t = C.t
    owner = t.get_accounts()[0]
    fees = {"max_fee_per_gas": 2 * C.gas_price(), "max_priority_fee_per_gas": 10**9}
    h = t.send_transaction({"from": owner, "data": artifact["bytecode"], "gas": 5_000_000, **fees})
    receipt = t.get_transaction_receipt(h)
    if receipt.get("status") != 1 or not receipt.get("contract_address"):
        raise SystemExit(f"evm_rpc: deploying {artifact_path} failed: {receipt}")
    token = receipt["contract_address"]
    data = function_signature_to_4byte_selector("mint(address,uint256)") + encode(["address", "uint256"], [owner, mint_amount])
    h = t.send_transaction({"from": owner, "to": token, "data": "0x" + data.hex(), "gas": 200_000, **fees})
    receipt = t.get_transaction_receipt(h)
    if receipt.get("status") != 1:
        raise SystemExit(f"evm_rpc: minting failed: {receipt}")
    call = function_signature_to_4byte_selector("balanceOf(address)") + encode(["address"], [owner])
    balance = int(t.call({"from": owner, "to": token, "data": "0x" + call.hex(), "gas": 100_000}, "latest"), 16)
    if balance != mint_amount:
        raise SystemExit(f"evm_rpc: balanceOf after mint is {balance}, expected {mint_amount}")
    return {"address": token, "holder": owner, "amount": str(mint_amount), "mintBlock": receipt["block_number"]}


def write_json_atomically(path, obj):
    import os
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8545, help="0 picks a free port")
    ap.add_argument("--chain-id", type=int, default=31337)
    ap.add_argument("--no-automine", action="store_true")
    ap.add_argument("--block-time", type=float, default=0, help="also mine a block every N seconds")
    ap.add_argument("--deploy", metavar="ARTIFACT_JSON", help="compiled token {abi, bytecode} to deploy at start")
    ap.add_argument("--mint", type=int, default=1_000_000 * 10**6, help="base units minted to dev account 0")
    ap.add_argument("--info-file", help="where to write connection details once listening")
    a = ap.parse_args()
    C = Chain(a.chain_id, automine=True)
    token = deploy_token(C, a.deploy, a.mint) if a.deploy else None
    if a.no_automine:
        C.t.disable_auto_mine_transactions()
    if a.block_time > 0:
        def miner():
            while True:
                time.sleep(a.block_time)
                with LOCK:
                    C.mine(1)
        threading.Thread(target=miner, daemon=True).start()
    srv = ThreadingHTTPServer((a.host, a.port), make_handler(C))
    port = srv.server_address[1]
    print(f"evm_rpc listening on http://{a.host}:{port} chainId={C.chain_id} "
          f"automine={not a.no_automine}" + (f" token={token['address']}" if token else ""), flush=True)
    if a.info_file:
        key = C.backend.account_keys[0]
        write_json_atomically(a.info_file, {
            "url": f"http://{a.host}:{port}", "port": port, "chainId": C.chain_id,
            "fundedKey": key.to_hex(), "fundedAddress": key.public_key.to_checksum_address(),
            "usdc": token,
        })
    srv.serve_forever()


if __name__ == "__main__":
    main()
