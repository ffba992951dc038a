#!/usr/bin/env python3
"""Railyard's facilitator and paywall, driven by the official x402 Python SDK (x402==2.25.0): as a
standard facilitator client, and as a paying HTTP client of a no-code paid resource, with
settlement executed on the EVM harness (py-evm + the EIP-3009 USDC token). Then the
x402-conformance probe (x402conf live / resource) grades /supported and the 402 answer.

usage: x402_interop.py SERVER_URL API_KEY EVM_RPC_URL USDC_CONTRACT

Each check prints "ok   …" or "FAIL …"; the exit status is the number of failures.
"""
import base64
import json
import os
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from eth_account import Account
from x402 import x402ClientSync
from x402.http import FacilitatorConfig, HTTPFacilitatorClientSync
from x402.http.clients.requests import x402_requests
from x402.http.facilitator_client_base import CreateHeadersAuthProvider
from x402.mechanisms.evm.exact import register_exact_evm_client
from x402.mechanisms.evm.signers import EthAccountSigner
from x402.schemas import PaymentRequired

server, api_key, rpc_url, usdc, pay_to = sys.argv[1:6]  # pay_to: the business's own (fresh) wallet
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

# The paying client: a business puts an upstream API behind /x402/r/<id>; the SDK pays it (v2).
class Upstream(BaseHTTPRequestHandler):
    calls = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        Upstream.calls += 1
        data = json.dumps({"forecast": "sunny", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
threading.Thread(target=upstream.serve_forever, daemon=True).start()
request = urllib.request.Request(server + "/api/x402/resources", json.dumps({
    "name": "Forecast", "price_usd": "0.05", "upstream_url": f"http://127.0.0.1:{upstream.server_address[1]}/forecast",
}).encode(), {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"})
resource = json.load(urllib.request.urlopen(request, timeout=30))["resource"]
paid_url = f"{server}/x402/r/{resource['id']}"

unpaid = urllib.request.Request(paid_url)
try:
    urllib.request.urlopen(unpaid, timeout=30)
    check("an unpaid GET answers 402", False, "200")
except urllib.error.HTTPError as error:
    check("an unpaid GET answers 402 with PAYMENT-REQUIRED", error.code == 402 and error.headers.get("PAYMENT-REQUIRED") is not None, error.code)
check("nothing reached the upstream before payment", Upstream.calls == 0, Upstream.calls)

session = x402_requests(client)
answer = session.get(paid_url + "?city=oslo", timeout=120)
receipt = answer.headers.get("PAYMENT-RESPONSE") or answer.headers.get("X-PAYMENT-RESPONSE")
decoded = json.loads(base64.b64decode(receipt)) if receipt else {}
check("the SDK paid the resource and got the upstream's answer", answer.status_code == 200 and answer.json().get("forecast") == "sunny", answer.status_code)
check("PAYMENT-RESPONSE reports the settlement", decoded.get("success") is True and decoded.get("transaction", "").startswith("0x"), decoded)
check("the upstream was called exactly once", Upstream.calls == 1, Upstream.calls)

# x402-conformance: the facilitator's /supported (S0-S4) and the paid URL's 402 answer (P1-P7).
probe = os.path.join(os.path.dirname(sys.executable), "x402conf")
for args in (["live", server + "/api/x402"], ["resource", paid_url]):
    run = subprocess.run([probe, *args, "--fail-on-error"], capture_output=True, text=True, timeout=120)
    try:
        graded = [c for r in json.loads(run.stdout)["results"] for c in r["checks"]]
    except (ValueError, KeyError):
        graded = []
    check(f"x402conf {args[0]} passes ({sum(c['pass'] for c in graded)}/{len(graded)} checks)",
          run.returncode == 0 and graded != [], (run.stdout + run.stderr)[-1500:])
    for graded_check in graded:
        print(f"     {'pass' if graded_check['pass'] else 'FAIL'} {graded_check['check']}")

upstream.shutdown()
sys.exit(failures)
