#!/usr/bin/env python3
"""Railyard's facilitator, driven by the official x402 Python SDK (x402==2.25.0) as a standard
facilitator client, with settlement executed on the EVM harness (py-evm + the EIP-3009 USDC token).

usage: x402_interop.py SERVER_URL API_KEY EVM_RPC_URL USDC_CONTRACT

Each check prints "ok   …" or "FAIL …"; the exit status is the number of failures.
"""
import json
import sys
import urllib.request

from eth_account import Account
from x402 import x402ClientSync
from x402.http import FacilitatorConfig, HTTPFacilitatorClientSync
from x402.http.facilitator_client_base import CreateHeadersAuthProvider
from x402.mechanisms.evm.exact import register_exact_evm_client
from x402.mechanisms.evm.signers import EthAccountSigner
from x402.schemas import PaymentRequired

server, api_key, rpc_url, usdc = sys.argv[1:5]
failures = 0


def check(name, condition, detail=""):
    global failures
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f"  ({detail})"), flush=True)
    if not condition:
        failures += 1


def rpc(method, *params):
    request = urllib.request.Request(rpc_url, json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode(),
                                     {"Content-Type": "application/json"})
    answer = json.load(urllib.request.urlopen(request, timeout=30))
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def token_balance(owner):
    data = "0x70a08231" + "0" * 24 + owner[2:].lower()
    return int(rpc("eth_call", {"to": usdc, "data": data}, "latest"), 16)


def transfer_call(to, amount):
    return "0xa9059cbb" + "0" * 24 + to[2:].lower() + amount.to_bytes(32, "big").hex()


auth = CreateHeadersAuthProvider(lambda: {"verify": {"Authorization": f"Bearer {api_key}"}, "settle": {"Authorization": f"Bearer {api_key}"}})
facilitator = HTTPFacilitatorClientSync(FacilitatorConfig(url=server + "/api/x402", auth_provider=auth))

supported = facilitator.get_supported()
networks = [kind.network for kind in supported.kinds]
check("GET /supported parses as the SDK's SupportedResponse and lists eip155:31337", "eip155:31337" in networks, networks)
gas = (supported.signers or {}).get("eip155:*", [])
check("/supported names the gas signer", len(gas) == 1, supported.signers)

funded = rpc("eth_accounts")[0]
rpc("eth_sendTransaction", {"from": funded, "to": gas[0], "value": hex(10 ** 19)})
payer = Account.create()
rpc("eth_sendTransaction", {"from": funded, "to": usdc, "data": transfer_call(payer.address, 1_000_000)})
pay_to = Account.create().address

client = x402ClientSync()
register_exact_evm_client(client, EthAccountSigner(payer))
client.set_spend_controls(False)
required = PaymentRequired.model_validate({
    "x402Version": 2, "resource": {"url": server + "/premium"},
    "accepts": [{"scheme": "exact", "network": "eip155:31337", "amount": "25000", "asset": usdc, "payTo": pay_to,
                 "maxTimeoutSeconds": 60, "extra": {"name": "USD Coin", "version": "2"}}]})
payload = client.create_payment_payload(required)
requirements = required.accepts[0]

verified = facilitator.verify(payload, requirements)
check("verify: isValid with the payer", verified.is_valid and verified.payer.lower() == payer.address.lower(), verified)
wrong = facilitator.verify(payload, requirements.model_copy(update={"amount": "25001"}))
# The v2 payload carries the requirement it accepted; requirements that differ from it are refused
# before the amount is even compared (a payload is bound to its requirements).
check("verify against another amount: invalid (bound to the accepted requirements)",
      not wrong.is_valid and wrong.invalid_reason in ("invalid_payment_requirements", "invalid_exact_evm_payload_authorization_value_mismatch"), wrong)
settled = facilitator.settle(payload, requirements)
check("settle: success with a transaction hash", settled.success and settled.transaction.startswith("0x"), settled)
check("the payee received the amount on chain", token_balance(pay_to) == 25_000, token_balance(pay_to))
replay = facilitator.settle(payload, requirements)
check("settle again (replay): refused, nothing moved", not replay.success and replay.transaction == "" and token_balance(pay_to) == 25_000, replay)
after = facilitator.verify(payload, requirements)
check("verify after settle: nonce already used", not after.is_valid and "nonce" in (after.invalid_reason or ""), after)

# Without credentials the facilitator refuses (the SDK surfaces the non-200 as an error).
anonymous = HTTPFacilitatorClientSync(FacilitatorConfig(url=server + "/api/x402"))
try:
    anonymous.verify(payload, requirements)
    check("verify without an API key is refused", False, "accepted")
except Exception as error:  # noqa: BLE001 - any refusal is the expected outcome
    check("verify without an API key is refused", "401" in str(error), error)

sys.exit(failures)
