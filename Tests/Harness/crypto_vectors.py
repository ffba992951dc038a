#!/usr/bin/env python3
"""
crypto_vectors.py - fresh random cross-check vectors for RailyardCrypto, computed with independent
implementations: eth-account (EIP-191, EIP-712, EIP-1559 / legacy transactions), embit (BIP-39,
BIP-32, BIP-44/49/84 addresses) and solders (Ed25519, SLIP-10 for Solana, ATAs, transactions).

  python crypto_vectors.py OUT.json [--count N] [--seed S]

Every value comes from one random seed (printed into the file as "seed"), so a failing run can
be reproduced exactly with --seed. The Swift side is Tests/HarnessTests/CryptoCrossCheckTests.swift.

JSON schema (version 1). Hex strings are lowercase and 0x-prefixed for Ethereum values and bare
(no prefix) for Bitcoin/Solana values, as each ecosystem writes them. Paths use ' for hardened.
{
  "schema": 1, "seed": int, "generator": "crypto_vectors.py",
  "libraries": {"eth-account": ver, "embit": ver, "solders": ver},
  "personalSign": [{            # EIP-191 personal_sign (version 0x45)
     "privateKey": "0x..", "address": EIP-55,
     "message": "0x.." (raw bytes), "text": str or null (set when the bytes are this UTF-8 text),
     "hash": "0x..", "signature": "0x.." (65 bytes r||s||v, v 27/28), "recovered": EIP-55}],
  "typedData": [{               # EIP-712 eth_signTypedData_v4
     "kind": "transferWithAuthorization" | "nested",
     "privateKey", "address", "typedData": {types, primaryType, domain, message},
     "domainSeparator", "messageHash", "digest", "signature", "recovered",
     "authorization": null | {"domain": {name, version, chainId (decimal str), verifyingContract},
                              from, to, value, validAfter, validBefore (decimal str), nonce (0x hex)}}],
  "eip1559": [{"privateKey", "from", "tx": {chainId, nonce, maxPriorityFeePerGas, maxFeePerGas,
               gas, value (decimal str), to (EIP-55 or null for creation), data "0x..",
               accessList [{address, storageKeys}]}, "signingHash", "raw", "hash", "v", "r", "s"}],
  "legacyTx": [{"privateKey", "from", "tx": {chainId, nonce, gasPrice, gas, value, to, data},
                "signingHash", "raw", "hash", "v", "r", "s"}],            # EIP-155
  "bip39": [{"entropy", "mnemonic", "passphrase" (may need NFKD), "seed"}],
  "bip32": [{"seed", "format": "xpub"|"tpub", "path", "xprv", "xpub", "publicKey",
             "fingerprint" (8 hex of this node), "parentFingerprint",
             "publicDerivation": {"path" (non-hardened, relative), "xpub"}}],   # CKDpub from "xpub"
  "accounts": [{"seed", "path", "format": "ypub"|"zpub"|"upub"|"vpub", "xprv", "xpub"}],  # SLIP-132
  "addresses": [{"chain": "BTC"|"LTC"|"BCH"|"ETH", "network": "mainnet"|"testnet"|"regtest",
                 "scheme": "p2pkh"|"p2sh-p2wpkh"|"p2wpkh"|"evm", "seed", "account", "index",
                 "path", "publicKey" (33 bytes), "address"}],
  "ed25519": [{"privateKey" (32-byte seed), "publicKey", "address" (base58), "message", "signature"}],
  "solanaDerivation": [{"seed" (BIP-39 seed), "index", "path" (m/44'/501'/i'/0'), "privateKey",
                        "publicKey", "address"}],
  "solanaKeygen": [{"mnemonic", "passphrase", "address"}],   # solana-keygen: Ed25519 seed = BIP-39 seed[:32]
  "ata": [{"wallet", "mint", "tokenProgram", "address", "bump"}],
  "solanaTransfer": [{"kind": "system" | "splTransferChecked", "payerKey" (32-byte seed),
                      "payer", "recentBlockhash", "instruction": {...}, "message" (hex of the
                      legacy message), "signature" (base58), "transaction" (base64 wire form)}]
}
"""
import argparse
import base64
import json
import os
import random
import sys
import unicodedata
from importlib.metadata import version

from embit import bip32, bip39, script
from embit.ec import PrivateKey
from embit.networks import NETWORKS
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct, encode_typed_data
from eth_account.typed_transactions import TypedTransaction
from eth_utils import keccak, to_checksum_address
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.token.associated import get_associated_token_address
from solders.transaction import Transaction

TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ATA_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
USDC_MINT = Pubkey.from_string("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

# Address parameters (chainparams.cpp of Bitcoin Core and Litecoin Core), in embit's network-dict shape.
BTC_NETS = {"mainnet": NETWORKS["main"], "testnet": NETWORKS["test"], "regtest": NETWORKS["regtest"]}
LTC_NETS = {
    "mainnet": dict(NETWORKS["main"], p2pkh=b"\x30", p2sh=b"\x32", bech32="ltc"),
    "testnet": dict(NETWORKS["test"], p2pkh=b"\x6f", p2sh=b"\x3a", bech32="tltc"),
    "regtest": dict(NETWORKS["regtest"], p2pkh=b"\x6f", p2sh=b"\x3a", bech32="rltc"),
}
SCHEMES = {"p2pkh": 44, "p2sh-p2wpkh": 49, "p2wpkh": 84}


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def bytes(self, n):
        return self.r.randbytes(n)

    def int(self, lo, hi):
        return self.r.randint(lo, hi)

    def choice(self, xs):
        return self.r.choice(xs)

    def eth_key(self):
        while True:
            k = self.bytes(32)
            if 0 < int.from_bytes(k, "big") < SECP256K1_N:
                return k

    def address(self):
        return to_checksum_address(self.bytes(20))

    def text(self, lo=0, hi=24):
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.!?/\"\\é€ü漢字🙂\n\t"
        return "".join(self.choice(alphabet) for _ in range(self.int(lo, hi)))

    def uint(self, bits):
        # bias towards edge values now and then
        return self.choice([0, 1, 2**bits - 1, self.int(0, 2**bits - 1), self.int(0, 2**min(bits, 64) - 1)])


def hx(b):
    return "0x" + bytes(b).hex()


def sig_hex(signed):
    return hx(signed.signature)


# ---------------------------------------------------------------- Ethereum
def personal_sign(g):
    key = g.eth_key()
    acct = Account.from_key(key)
    if g.int(0, 1):
        text = g.text(0, 80)
        msg_bytes = text.encode()
        signable = encode_defunct(text=text)
    else:
        text = None
        msg_bytes = g.bytes(g.int(0, 200))
        signable = encode_defunct(primitive=msg_bytes)
    signed = Account.sign_message(signable, key)
    return {"privateKey": hx(key), "address": acct.address, "message": hx(msg_bytes), "text": text,
            "hash": hx(_hash_eip191_message(signable)), "signature": sig_hex(signed),
            "recovered": Account.recover_message(signable, signature=signed.signature)}


def typed_data_entry(g, kind, full, authorization):
    key = g.eth_key()
    acct = Account.from_key(key)
    signable = encode_typed_data(full_message=full)
    signed = Account.sign_message(signable, key)
    return {"kind": kind, "privateKey": hx(key), "address": acct.address, "typedData": full,
            "domainSeparator": hx(signable.header), "messageHash": hx(signable.body),
            "digest": hx(_hash_eip191_message(signable)), "signature": sig_hex(signed),
            "recovered": Account.recover_message(signable, signature=signed.signature),
            "authorization": authorization}


def eip3009(g):
    domain = {"name": g.choice(["USD Coin", "USDC", g.text(1, 20)]), "version": g.choice(["2", "1", g.text(1, 6)]),
              "chainId": g.choice([1, 8453, 137, 31337, g.uint(64), g.uint(256) or 1]),
              "verifyingContract": g.address()}
    message = {"from": g.address(), "to": g.address(), "value": g.uint(256), "validAfter": g.uint(64),
               "validBefore": g.uint(64), "nonce": hx(g.bytes(32))}
    full = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                       {"name": "chainId", "type": "uint256"},
                                       {"name": "verifyingContract", "type": "address"}],
                      "TransferWithAuthorization": [{"name": "from", "type": "address"}, {"name": "to", "type": "address"},
                                                    {"name": "value", "type": "uint256"},
                                                    {"name": "validAfter", "type": "uint256"},
                                                    {"name": "validBefore", "type": "uint256"},
                                                    {"name": "nonce", "type": "bytes32"}]},
            "primaryType": "TransferWithAuthorization", "domain": domain, "message": message}
    auth = {"domain": dict(domain, chainId=str(domain["chainId"])),
            **{k: (str(v) if isinstance(v, int) else v) for k, v in message.items()}}
    return typed_data_entry(g, "transferWithAuthorization", full, auth)


def nested_typed_data(g):
    domain_fields = [("name", "string"), ("version", "string"), ("chainId", "uint256"),
                     ("verifyingContract", "address"), ("salt", "bytes32")]
    chosen = [f for f in domain_fields if g.int(0, 3)] or [domain_fields[0]]
    values = {"name": g.text(0, 12), "version": g.text(0, 4), "chainId": g.uint(64),
              "verifyingContract": g.address(), "salt": hx(g.bytes(32))}
    domain = {n: values[n] for n, _ in chosen}

    def person():
        return {"name": g.text(0, 16), "wallets": [g.address() for _ in range(g.int(0, 3))], "age": g.uint(8)}

    message = {"from": person(), "to": [person() for _ in range(g.int(0, 3))], "contents": g.text(0, 60),
               "flag": bool(g.int(0, 1)), "delta": g.int(-2**255, 2**255 - 1) if g.int(0, 1) else -g.int(0, 1000),
               "tag": hx(g.bytes(32)), "blob": hx(g.bytes(g.int(0, 70))), "code": hx(g.bytes(4)),
               "amounts": [g.uint(256) for _ in range(g.int(0, 4))], "pair": [g.uint(16), g.uint(16)]}
    full = {"types": {"EIP712Domain": [{"name": n, "type": t} for n, t in chosen],
                      "Person": [{"name": "name", "type": "string"}, {"name": "wallets", "type": "address[]"},
                                 {"name": "age", "type": "uint8"}],
                      "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person[]"},
                               {"name": "contents", "type": "string"}, {"name": "flag", "type": "bool"},
                               {"name": "delta", "type": "int256"}, {"name": "tag", "type": "bytes32"},
                               {"name": "blob", "type": "bytes"}, {"name": "code", "type": "bytes4"},
                               {"name": "amounts", "type": "uint256[]"}, {"name": "pair", "type": "uint16[2]"}]},
            "primaryType": "Mail", "domain": domain, "message": message}
    return typed_data_entry(g, "nested", full, None)


def access_list(g):
    return [{"address": g.address(), "storageKeys": [hx(g.bytes(32)) for _ in range(g.int(0, 2))]}
            for _ in range(g.choice([0, 0, 1, 2]))]


def tx_common(g):
    return {"nonce": g.choice([0, 1, g.uint(16), min(g.uint(64), 2**64 - 2), g.int(0, 2**40)]),  # EIP-2681
            "gas": g.choice([21000, 65000, g.int(21000, 30_000_000)]),
            "value": g.choice([0, 10**18, g.uint(64), g.uint(128)]),
            "to": None if g.int(0, 5) == 0 else g.address(),
            "data": hx(g.bytes(g.choice([0, 0, 4, 36, 68, g.int(0, 300)])))}


def signed_tx_entry(key, tx_for_signing, tx_out, typed):
    signed = Account.sign_transaction(tx_for_signing, key)
    if typed:
        signing_hash = TypedTransaction.from_dict(tx_for_signing).hash()
    else:
        from eth_account._utils.legacy_transactions import serializable_unsigned_transaction_from_dict
        signing_hash = serializable_unsigned_transaction_from_dict(tx_for_signing).hash()
    return {"privateKey": hx(key), "from": Account.from_key(key).address, "tx": tx_out,
            "signingHash": hx(signing_hash), "raw": hx(signed.raw_transaction), "hash": hx(signed.hash),
            "v": signed.v, "r": hx(signed.r.to_bytes(32, "big")), "s": hx(signed.s.to_bytes(32, "big"))}


def eip1559(g):
    key = g.eth_key()
    c = tx_common(g)
    tip = g.choice([0, 10**9, g.uint(40)])
    tx = {"type": 2, "chainId": g.choice([1, 8453, 137, 31337, g.int(1, 2**32)]), "nonce": c["nonce"],
          "maxPriorityFeePerGas": tip, "maxFeePerGas": tip + g.choice([0, 10**9, g.uint(40)]), "gas": c["gas"],
          "value": c["value"], "data": c["data"], "accessList": access_list(g)}
    if c["to"] is not None:
        tx["to"] = c["to"]
    out = {k: v for k, v in tx.items() if k != "type"}
    out["to"] = c["to"]
    out["value"] = str(c["value"])
    return signed_tx_entry(key, tx, out, True)


def legacy_tx(g):
    key = g.eth_key()
    c = tx_common(g)
    tx = {"chainId": g.choice([1, 137, 31337, g.int(1, 2**32)]), "nonce": c["nonce"],
          "gasPrice": g.choice([0, 10**9, g.uint(40)]), "gas": c["gas"], "value": c["value"], "data": c["data"]}
    if c["to"] is not None:
        tx["to"] = c["to"]
    out = dict(tx, to=c["to"], value=str(c["value"]))
    return signed_tx_entry(key, tx, out, False)


# ---------------------------------------------------------------- Bitcoin family
def passphrase(g):
    return g.choice(["", "", "TREZOR", g.text(1, 12), "caf\u00e9 \u2460 \uff21"])  # the last needs NFKD


def bip39_entry(g):
    entropy = g.bytes(g.choice([16, 20, 24, 28, 32]))
    mnemonic = bip39.mnemonic_from_bytes(entropy)
    pw = passphrase(g)
    seed = bip39.mnemonic_to_seed(mnemonic, unicodedata.normalize("NFKD", pw))
    return {"entropy": entropy.hex(), "mnemonic": mnemonic, "passphrase": pw, "seed": seed.hex()}


def random_path(g, max_depth=6):
    parts = []
    for _ in range(g.int(1, max_depth)):
        i = g.choice([0, 1, g.int(0, 100), g.int(0, 2**31 - 1)])
        parts.append((i, bool(g.int(0, 1))))
    return parts


def path_str(parts):
    return "m" + "".join(f"/{i}'" if h else f"/{i}" for i, h in parts)


def path_ints(parts):
    return [i + 0x80000000 if h else i for i, h in parts]


def bip32_entry(g, seed):
    fmt = g.choice(["xpub", "tpub"])
    net = NETWORKS["main"] if fmt == "xpub" else NETWORKS["test"]
    root = bip32.HDKey.from_seed(seed, version=net["xprv"])
    parts = random_path(g)
    node = root.derive(path_ints(parts))
    pub = node.to_public()
    rel = [(g.choice([0, 1, g.int(0, 2**31 - 1)]), False) for _ in range(g.int(1, 3))]
    child = pub.derive(path_ints(rel))
    return {"seed": seed.hex(), "format": fmt, "path": path_str(parts), "xprv": node.to_base58(),
            "xpub": pub.to_base58(), "publicKey": node.key.get_public_key().sec().hex(),
            "fingerprint": node.my_fingerprint.hex(), "parentFingerprint": node.fingerprint.hex(),
            "publicDerivation": {"path": path_str(rel), "xpub": child.to_base58()}}


def account_entry(g, seed):
    fmt = g.choice(["ypub", "zpub", "upub", "vpub"])
    testnet = fmt in ("upub", "vpub")
    net = NETWORKS["test"] if testnet else NETWORKS["main"]
    purpose = 49 if fmt in ("ypub", "upub") else 84
    prv_name = {"ypub": "yprv", "zpub": "zprv", "upub": "yprv", "vpub": "zprv"}[fmt]
    pub_name = {"ypub": "ypub", "zpub": "zpub", "upub": "ypub", "vpub": "zpub"}[fmt]
    parts = [(purpose, True), (1 if testnet else 0, True), (g.int(0, 20), True)]
    node = bip32.HDKey.from_seed(seed).derive(path_ints(parts))
    return {"seed": seed.hex(), "path": path_str(parts), "format": fmt,
            "xprv": node.to_base58(version=net[prv_name]), "xpub": node.to_public().to_base58(version=net[pub_name])}


def address_entry(g, seed, chain, network, scheme):
    account, index = g.choice([0, 0, 1, g.int(0, 100)]), g.choice([0, 1, g.int(0, 1000), g.int(0, 2**31 - 1)])
    if chain == "ETH":
        coin, purpose = 60, 44
    else:
        coin = 1 if network != "mainnet" else {"BTC": 0, "LTC": 2, "BCH": 145}[chain]
        purpose = SCHEMES[scheme]
    parts = [(purpose, True), (coin, True), (account, True), (0, False), (index, False)]
    node = bip32.HDKey.from_seed(seed).derive(path_ints(parts))
    pub = node.key.get_public_key()
    if chain == "ETH":
        address = Account.from_key(node.key.secret).address
    else:
        net = (LTC_NETS if chain == "LTC" else BTC_NETS)[network]
        if scheme == "p2pkh":
            sc = script.p2pkh(pub)
        elif scheme == "p2wpkh":
            sc = script.p2wpkh(pub)
        else:
            sc = script.p2sh(script.p2wpkh(pub))
        address = sc.address(net)
    return {"chain": chain, "network": network, "scheme": scheme, "seed": seed.hex(), "account": account,
            "index": index, "path": path_str(parts), "publicKey": pub.sec().hex(), "address": address}


# ---------------------------------------------------------------- Solana
def ed25519_entry(g):
    sk = g.bytes(32)
    kp = Keypair.from_seed(sk)
    msg = g.bytes(g.int(0, 200))
    return {"privateKey": sk.hex(), "publicKey": bytes(kp.pubkey()).hex(), "address": str(kp.pubkey()),
            "message": msg.hex(), "signature": bytes(kp.sign_message(msg)).hex()}


def solana_derivation(g, seed):
    index = g.choice([0, 1, g.int(0, 100), g.int(0, 2**31 - 1)])
    path = f"m/44'/501'/{index}'/0'"
    kp = Keypair.from_seed_and_derivation_path(seed, path)
    return {"seed": seed.hex(), "index": index, "path": path, "privateKey": bytes(kp.secret()).hex(),
            "publicKey": bytes(kp.pubkey()).hex(), "address": str(kp.pubkey())}


def solana_keygen(b39):
    kp = Keypair.from_seed_phrase_and_passphrase(b39["mnemonic"], unicodedata.normalize("NFKD", b39["passphrase"]))
    return {"mnemonic": b39["mnemonic"], "passphrase": b39["passphrase"], "address": str(kp.pubkey())}


def ata_entry(g):
    wallet = Keypair.from_seed(g.bytes(32)).pubkey() if g.int(0, 3) else Pubkey(g.bytes(32))  # off-curve owners too
    if g.int(0, 2):
        mint, program = USDC_MINT, TOKEN_PROGRAM
    else:
        mint, program = Pubkey(g.bytes(32)), g.choice([TOKEN_PROGRAM, TOKEN_2022_PROGRAM])
    address = get_associated_token_address(wallet, mint, program)
    pda, bump = Pubkey.find_program_address([bytes(wallet), bytes(program), bytes(mint)], ATA_PROGRAM)
    assert pda == address
    return {"wallet": str(wallet), "mint": str(mint), "tokenProgram": str(program), "address": str(address), "bump": bump}


def solana_transfer(g):
    payer = Keypair.from_seed(g.bytes(32))
    blockhash = Hash(g.bytes(32))
    if g.int(0, 1):
        to = Keypair.from_seed(g.bytes(32)).pubkey()
        lamports = g.choice([1, 5000, g.uint(64)])
        ix = transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to, lamports=lamports))
        desc = {"kind": "system", "to": str(to), "lamports": str(lamports)}
    else:
        mint = g.choice([USDC_MINT, Pubkey(g.bytes(32))])
        dest_owner = Keypair.from_seed(g.bytes(32)).pubkey()
        source = get_associated_token_address(payer.pubkey(), mint)
        dest = get_associated_token_address(dest_owner, mint)
        amount, decimals = g.choice([1, 1_500_000, g.uint(64)]), g.choice([6, 9, g.int(0, 18)])
        # SPL Token TransferChecked: tag 12, u64 LE amount, u8 decimals; source(w), mint, dest(w), owner(signer)
        ix = Instruction(TOKEN_PROGRAM, bytes([12]) + amount.to_bytes(8, "little") + bytes([decimals]),
                         [AccountMeta(source, False, True), AccountMeta(mint, False, False),
                          AccountMeta(dest, False, True), AccountMeta(payer.pubkey(), True, False)])
        desc = {"kind": "splTransferChecked", "mint": str(mint), "source": str(source), "destination": str(dest),
                "destinationOwner": str(dest_owner), "amount": str(amount), "decimals": decimals}
    msg = Message.new_with_blockhash([ix], payer.pubkey(), blockhash)
    tx = Transaction([payer], msg, blockhash)
    return {"kind": desc.pop("kind"), "payerKey": bytes(payer.secret()).hex(), "payer": str(payer.pubkey()),
            "recentBlockhash": str(blockhash), "instruction": desc, "message": bytes(msg).hex(),
            "signature": str(tx.signatures[0]), "transaction": base64.b64encode(bytes(tx)).decode()}


# ---------------------------------------------------------------- main
def generate(seed, count):
    g = Gen(seed)
    out = {"schema": 1, "seed": seed, "generator": "crypto_vectors.py",
           "libraries": {n: version(n) for n in ("eth-account", "embit", "solders")}}
    out["personalSign"] = [personal_sign(g) for _ in range(count)]
    out["typedData"] = [eip3009(g) for _ in range(count)] + [nested_typed_data(g) for _ in range(count)]
    out["eip1559"] = [eip1559(g) for _ in range(count)]
    out["legacyTx"] = [legacy_tx(g) for _ in range(count)]
    out["bip39"] = [bip39_entry(g) for _ in range(count)]
    seeds = [bytes.fromhex(b["seed"]) for b in out["bip39"]]
    raw_seeds = [g.bytes(g.choice([16, 32, 64])) for _ in range(count)]  # BIP-32 seeds of other lengths
    out["bip32"] = [bip32_entry(g, s) for s in seeds + raw_seeds]
    out["accounts"] = [account_entry(g, s) for s in seeds]
    combos = [(c, n, s) for c in ("BTC", "LTC") for n in ("mainnet", "testnet", "regtest") for s in SCHEMES]
    combos += [("BCH", n, "p2pkh") for n in ("mainnet", "testnet")] + [("ETH", "mainnet", "evm")]
    out["addresses"] = [address_entry(g, g.choice(seeds), c, n, s) for (c, n, s) in combos for _ in range(2)]
    out["ed25519"] = [ed25519_entry(g) for _ in range(count)]
    out["solanaDerivation"] = [solana_derivation(g, s) for s in seeds]
    out["solanaKeygen"] = [solana_keygen(b) for b in out["bip39"]]
    out["ata"] = [ata_entry(g) for _ in range(2 * count)]
    out["solanaTransfer"] = [solana_transfer(g) for _ in range(count)]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=10, help="vectors per kind (default 10)")
    ap.add_argument("--seed", type=int, help="reproduce a previous file (its \"seed\" field)")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(8), "big")
    doc = generate(seed, a.count)
    tmp = f"{a.out}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, a.out)
    n = sum(len(v) for v in doc.values() if isinstance(v, list))
    print(f"crypto_vectors: {n} vectors (seed {seed}) -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
