#!/usr/bin/env python3
"""
sol_rpc.py - minimal Solana JSON-RPC (HTTP) over LiteSVM (solders.litesvm: the real SVM runtime
with System, SPL Token, Token-2022 programs; ATA instructions work).  PROBE QUALITY.

  python sol_rpc.py --port 8899 [--setup] [--info-file info.json]

Railyard test-harness copy (Tests/Harness/harness.sh starts it). Changes from the shared probe:
--port 0 binds a free port; --setup creates, with real transactions, a funded keypair (airdrop),
a USDC-like SPL mint (6 decimals, that keypair as mint authority, no freeze authority) and the
keypair's associated token account holding --mint base units; --info-file writes, once the
server is listening, a JSON object {url, port, fundedKey (hex 32-byte Ed25519 seed),
fundedAddress, fundedLamports, usdc: {mint, decimals, tokenAccount, amount}}.
Also getSignaturesForAddress (newest first; limit/before/until) and getTransaction with
encoding "json" (accountKeys) plus pre/post lamport and token balances in meta, taken around
each sendTransaction, so deposit detection runs the way it does against a real RPC node.

Each successful sendTransaction/requestAirdrop advances the slot by one, so
confirmations = currentSlot - txSlot; confirmationStatus 'finalized' after 32 slots.
Test control: shim_advanceSlots [n].
"""
import argparse, base64, json, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata
from solders.token.state import TokenAccount, Mint

LOCK = threading.RLock()


class S:
    svm = LiteSVM()
    slot = 1
    sigs = {}  # signature str -> (slot, err or None, fee, logs, tx bytes)
    by_account = {}  # account address -> [signature, ...] oldest first (getSignaturesForAddress)
    balances = {}  # signature -> {"pre": [...], "post": [...], "preToken": [...], "postToken": [...]}


S.svm.warp_to_slot(S.slot)


class RPCError(Exception):
    def __init__(self, code, message, data=None):
        self.code, self.message, self.data = code, message, data


def ctx(v):
    return {"context": {"slot": S.slot, "apiVersion": "2.2.0"}, "value": v}


def advance(n=1):
    S.slot += n
    S.svm.warp_to_slot(S.slot)
    S.svm.expire_blockhash()


def err_json(failed):
    """RPC-shaped error, e.g. {"InstructionError": [0, {"Custom": 1}]}"""
    return json.loads(failed.to_json())["err"]


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(s):
    n = 0
    for ch in s:
        n = n * 58 + B58.index(ch)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + body


def ui_amount_string(amount, decimals):
    """Exact decimal text like the real RPC: 2500000 with 6 decimals -> "2.5", 10**12 -> "1000000"."""
    if decimals == 0:
        return str(amount)
    digits = str(amount).rjust(decimals + 1, "0")
    whole, frac = digits[:-decimals], digits[-decimals:].rstrip("0")
    return whole + ("." + frac if frac else "")


def account_keys(tx):
    return [str(k) for k in tx.message.account_keys]


def token_balances(keys):
    """preTokenBalances/postTokenBalances entries, as the real RPC reports them."""
    out = []
    for i, k in enumerate(keys):
        a = S.svm.get_account(Pubkey.from_string(k))
        if a is None or a.owner != TOKEN_PROGRAM or len(bytes(a.data)) < 165:
            continue
        ta = TokenAccount.from_bytes(bytes(a.data)[:165])
        dec = Mint.from_bytes(bytes(S.svm.get_account(ta.mint).data)[:82]).decimals
        out.append({"accountIndex": i, "mint": str(ta.mint), "owner": str(ta.owner), "programId": str(TOKEN_PROGRAM),
                    "uiTokenAmount": {"amount": str(ta.amount), "decimals": dec, "uiAmountString": ui_amount_string(ta.amount, dec)}})
    return out


def snapshot(keys):
    return [S.svm.get_balance(Pubkey.from_string(k)) or 0 for k in keys], token_balances(keys)


def record(sig, keys, pre):
    """Indexes a landed transaction by every account it touched, with balances before and after."""
    post = snapshot(keys)
    S.balances[sig] = {"keys": keys, "pre": pre[0], "post": post[0], "preToken": pre[1], "postToken": post[1]}
    for k in keys:
        S.by_account.setdefault(k, []).append(sig)


def decode_tx(data, enc):
    raw = base64.b64decode(data) if enc == "base64" else b58decode(data)
    return VersionedTransaction.from_bytes(raw), raw


def dispatch(method, p):
    svm = S.svm
    if method == "getHealth":
        return "ok"
    if method == "getVersion":
        return {"solana-core": "litesvm-shim", "feature-set": 0}
    if method in ("getSlot", "getBlockHeight"):
        return S.slot
    if method == "getLatestBlockhash":
        return ctx({"blockhash": str(svm.latest_blockhash()), "lastValidBlockHeight": S.slot + 150})
    if method == "isBlockhashValid":
        return ctx(p[0] == str(svm.latest_blockhash()))
    if method == "getBalance":
        return ctx(svm.get_balance(Pubkey.from_string(p[0])) or 0)
    if method == "getMinimumBalanceForRentExemption":
        return svm.minimum_balance_for_rent_exemption(int(p[0]))
    if method == "getAccountInfo":
        a = svm.get_account(Pubkey.from_string(p[0]))
        if a is None:
            return ctx(None)
        return ctx({"lamports": a.lamports, "owner": str(a.owner), "executable": a.executable,
                    "rentEpoch": 18446744073709551615, "space": len(a.data),
                    "data": [base64.b64encode(bytes(a.data)).decode(), "base64"]})
    if method == "getTokenAccountBalance":
        a = svm.get_account(Pubkey.from_string(p[0]))
        if a is None:
            raise RPCError(-32602, "Invalid param: could not find account")
        ta = TokenAccount.from_bytes(bytes(a.data)[:165])
        dec = Mint.from_bytes(bytes(svm.get_account(ta.mint).data)[:82]).decimals
        return ctx({"amount": str(ta.amount), "decimals": dec, "uiAmount": ta.amount / 10 ** dec,
                    "uiAmountString": ui_amount_string(ta.amount, dec)})
    if method == "requestAirdrop":
        r = svm.airdrop(Pubkey.from_string(p[0]), int(p[1]))
        if isinstance(r, FailedTransactionMetadata):
            raise RPCError(-32000, f"airdrop failed: {r.err()}")
        sig = str(r.signature())
        S.sigs[sig] = (S.slot, None, 0, r.logs(), None)
        advance()
        return sig
    if method in ("sendTransaction", "simulateTransaction"):
        cfg = p[1] if len(p) > 1 and isinstance(p[1], dict) else {}
        tx, raw = decode_tx(p[0], cfg.get("encoding", "base58"))
        if method == "simulateTransaction":
            # Like a validator's RPC: signatures are checked only when asked (sigVerify, default false).
            svm.with_sigverify(bool(cfg.get("sigVerify", False)))
            try:
                r = svm.simulate_transaction(tx)
            finally:
                svm.with_sigverify(True)
            if isinstance(r, FailedTransactionMetadata):
                m = r.meta()
                return ctx({"err": err_json(r), "logs": m.logs(), "unitsConsumed": m.compute_units_consumed(), "accounts": None})
            m = r.meta()
            return ctx({"err": None, "logs": m.logs(), "unitsConsumed": m.compute_units_consumed(), "accounts": None})
        keys = account_keys(tx)
        pre = snapshot(keys)
        r = svm.send_transaction(tx)
        sig = str(tx.signatures[0])
        record(sig, keys, pre)
        if isinstance(r, FailedTransactionMetadata):
            e = err_json(r)
            if not cfg.get("skipPreflight"):
                raise RPCError(-32002, f"Transaction simulation failed: {e}", {"err": e, "logs": r.meta().logs()})
            # real validators would still land a fee-paying failed tx; here we record it as failed
            S.sigs[sig] = (S.slot, e, r.meta().fee(), r.meta().logs(), raw)
        else:
            S.sigs[sig] = (S.slot, None, r.fee(), r.logs(), raw)
        advance()
        return sig
    if method == "getSignatureStatuses":
        out = []
        for s in p[0]:
            rec = S.sigs.get(s)
            if rec is None:
                out.append(None); continue
            conf = S.slot - rec[0] - 1
            out.append({"slot": rec[0], "confirmations": None if conf >= 32 else conf, "err": rec[1],
                        "status": {"Ok": None} if rec[1] is None else {"Err": rec[1]},
                        "confirmationStatus": "finalized" if conf >= 32 else ("confirmed" if conf >= 1 else "processed")})
        return ctx(out)
    if method == "getSignaturesForAddress":
        # Newest first, like the real RPC; supports limit, before and until.
        cfg = p[1] if len(p) > 1 and isinstance(p[1], dict) else {}
        sigs = list(reversed(S.by_account.get(p[0], [])))
        if cfg.get("before") in sigs:
            sigs = sigs[sigs.index(cfg["before"]) + 1:]
        if cfg.get("until") in sigs:
            sigs = sigs[:sigs.index(cfg["until"])]
        out = []
        for sig in sigs[:min(int(cfg.get("limit", 1000)), 1000)]:
            rec = S.sigs[sig]
            conf = S.slot - rec[0] - 1
            out.append({"signature": sig, "slot": rec[0], "err": rec[1], "memo": None, "blockTime": int(time.time()),
                        "confirmationStatus": "finalized" if conf >= 32 else ("confirmed" if conf >= 1 else "processed")})
        return out
    if method == "getTransaction":
        rec = S.sigs.get(p[0])
        if rec is None:
            return None
        cfg = p[1] if len(p) > 1 and isinstance(p[1], dict) else {}
        bal = S.balances.get(p[0], {})
        meta = {"err": rec[1], "fee": rec[2], "logMessages": rec[3],
                "status": {"Ok": None} if rec[1] is None else {"Err": rec[1]},
                "preBalances": bal.get("pre", []), "postBalances": bal.get("post", []),
                "preTokenBalances": bal.get("preToken", []), "postTokenBalances": bal.get("postToken", [])}
        if cfg.get("encoding") == "json" and rec[4]:
            tx = VersionedTransaction.from_bytes(rec[4])
            transaction = {"signatures": [str(x) for x in tx.signatures],
                           "message": {"accountKeys": account_keys(tx), "recentBlockhash": str(tx.message.recent_blockhash)}}
        else:
            transaction = [base64.b64encode(rec[4]).decode(), "base64"] if rec[4] else None
        return {"slot": rec[0], "blockTime": int(time.time()), "transaction": transaction, "meta": meta}
    if method == "shim_advanceSlots":
        advance(int(p[0]) if p else 1)
        return S.slot
    raise RPCError(-32601, f"Method not found: {method}")


def handle(req):
    rid = req.get("id")
    try:
        with LOCK:
            return {"jsonrpc": "2.0", "id": rid, "result": dispatch(req["method"], req.get("params") or [])}
    except RPCError as e:
        err = {"code": e.code, "message": e.message}
        if e.data is not None:
            err["data"] = e.data
        return {"jsonrpc": "2.0", "id": rid, "error": err}
    except Exception as e:
        return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32602, "message": f"{type(e).__name__}: {e}"}}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        resp = [handle(r) for r in body] if isinstance(body, list) else handle(body)
        data = json.dumps(resp).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")


def setup_accounts(lamports, mint_amount, decimals=6):
    """Funded keypair + SPL mint + its associated token account, through real SVM transactions
    (recorded like sendTransaction, one slot each)."""
    import os
    from solders.instruction import AccountMeta, Instruction
    from solders.keypair import Keypair
    from solders.message import Message
    from solders.system_program import CreateAccountParams, create_account
    from solders.token.associated import get_associated_token_address
    from solders.transaction import Transaction

    svm = S.svm
    funded = Keypair.from_seed(os.urandom(32))
    mint = Keypair.from_seed(os.urandom(32))
    r = svm.airdrop(funded.pubkey(), lamports)
    if isinstance(r, FailedTransactionMetadata):
        raise SystemExit(f"sol_rpc: airdrop failed: {r.err()}")
    S.sigs[str(r.signature())] = (S.slot, None, 0, r.logs(), None)
    advance()

    def run(instructions, signers):
        bh = svm.latest_blockhash()
        tx = Transaction(signers, Message.new_with_blockhash(instructions, funded.pubkey(), bh), bh)
        r = svm.send_transaction(tx)
        if isinstance(r, FailedTransactionMetadata):
            raise SystemExit(f"sol_rpc: setup transaction failed: {err_json(r)} {r.meta().logs()}")
        S.sigs[str(tx.signatures[0])] = (S.slot, None, r.fee(), r.logs(), bytes(tx))
        advance()

    ata = get_associated_token_address(funded.pubkey(), mint.pubkey())
    run([
        create_account(CreateAccountParams(from_pubkey=funded.pubkey(), to_pubkey=mint.pubkey(),
                                           lamports=svm.minimum_balance_for_rent_exemption(82), space=82,
                                           owner=TOKEN_PROGRAM)),
        # InitializeMint2: tag 20, decimals, mint authority, no freeze authority
        Instruction(TOKEN_PROGRAM, bytes([20, decimals]) + bytes(funded.pubkey()) + b"\x00",
                    [AccountMeta(mint.pubkey(), False, True)]),
        # associated token account program: CreateIdempotent (1)
        Instruction(ATA_PROGRAM, b"\x01", [
            AccountMeta(funded.pubkey(), True, True), AccountMeta(ata, False, True),
            AccountMeta(funded.pubkey(), False, False), AccountMeta(mint.pubkey(), False, False),
            AccountMeta(SYSTEM_PROGRAM, False, False), AccountMeta(TOKEN_PROGRAM, False, False)]),
        # MintTo: tag 7, u64 little-endian amount
        Instruction(TOKEN_PROGRAM, bytes([7]) + mint_amount.to_bytes(8, "little"), [
            AccountMeta(mint.pubkey(), False, True), AccountMeta(ata, False, True),
            AccountMeta(funded.pubkey(), True, False)]),
    ], [funded, mint])
    held = TokenAccount.from_bytes(bytes(svm.get_account(ata).data)[:165]).amount
    if held != mint_amount:
        raise SystemExit(f"sol_rpc: token account holds {held}, expected {mint_amount}")
    return {
        "fundedKey": bytes(funded.secret()).hex(), "fundedAddress": str(funded.pubkey()),
        "fundedLamports": svm.get_balance(funded.pubkey()),
        "usdc": {"mint": str(mint.pubkey()), "decimals": decimals, "tokenAccount": str(ata),
                 "amount": str(mint_amount)},
    }


if __name__ == "__main__":
    import os
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8899, help="0 picks a free port")
    ap.add_argument("--setup", action="store_true", help="create a funded keypair, a USDC-like mint and its token account")
    ap.add_argument("--lamports", type=int, default=1_000 * 10**9, help="airdrop to the funded keypair")
    ap.add_argument("--mint", type=int, default=1_000_000 * 10**6, help="token base units minted to it")
    ap.add_argument("--info-file", help="where to write connection details once listening")
    a = ap.parse_args()
    info = setup_accounts(a.lamports, a.mint) if a.setup else {}
    srv = ThreadingHTTPServer((a.host, a.port), H)
    port = srv.server_address[1]
    print(f"sol_rpc listening on http://{a.host}:{port}", flush=True)
    if a.info_file:
        tmp = f"{a.info_file}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            json.dump({"url": f"http://{a.host}:{port}", "port": port, **info}, f, indent=1)
            f.write("\n")
        os.replace(tmp, a.info_file)
    srv.serve_forever()
