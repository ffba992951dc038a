#!/usr/bin/env python3
"""The official x402 SDK's v1 client (X-PAYMENT) paying a Railyard paid resource.

usage: x402_interop_v1.py SERVER_URL API_KEY EVM_RPC_URL USDC_CONTRACT

The SDK's v1 client only knows public network names, so this runs against a server on
RAILYARD_NETWORK=mainnet whose ETH node is a local py-evm chain with chain id 1 ("ethereum"),
carrying the EIP-3009 token (domain "USD Coin"/"2", like mainnet USDC). Exit status = failures.
"""
import base64
import json
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from eth_account import Account
from x402 import x402ClientSync
from x402.mechanisms.evm.exact.v1.client import ExactEvmSchemeV1
from x402.mechanisms.evm.signers import EthAccountSigner
from x402.schemas.v1 import PaymentRequiredV1

server, api_key, rpc_url, usdc = sys.argv[1:5]
failures = 0


def check(name, condition, detail=""):
    global failures
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f"  ({detail})"), flush=True)
    failures += 0 if condition else 1


def rpc(method, *params):
    request = urllib.request.Request(rpc_url, json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode(),
                                     {"Content-Type": "application/json"})
    answer = json.load(urllib.request.urlopen(request, timeout=30))
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def api(path, body=None):
    request = urllib.request.Request(server + path, json.dumps(body).encode() if body is not None else None,
                                     {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"})
    return json.load(urllib.request.urlopen(request, timeout=30))


class Upstream(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        data = b'{"report":"paid with v1"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
threading.Thread(target=upstream.serve_forever, daemon=True).start()

funded = rpc("eth_accounts")[0]
gas = api("/api/x402/supported")["signers"]["eip155:*"][0]
rpc("eth_sendTransaction", {"from": funded, "to": gas, "value": hex(10 ** 19)})
payer = Account.create()
rpc("eth_sendTransaction", {"from": funded, "to": usdc, "data": "0xa9059cbb" + "0" * 24 + payer.address[2:].lower() + (10 ** 6).to_bytes(32, "big").hex()})
resource = api("/api/x402/resources", {"name": "Report", "price_usd": "0.10", "networks": ["ethereum"],
                                       "upstream_url": f"http://127.0.0.1:{upstream.server_address[1]}/report"})["resource"]
url = f"{server}/x402/r/{resource['id']}"

try:
    urllib.request.urlopen(url, timeout=30)
    check("the unpaid request answers 402", False, "200")
    sys.exit(failures)
except urllib.error.HTTPError as error:
    body = json.loads(error.read())
    check("the unpaid request answers 402 with a v1 body", error.code == 402 and body.get("x402Version") == 1, body)

required = PaymentRequiredV1.model_validate(body)
check("the v1 body validates as the SDK's PaymentRequiredV1 (network ethereum)", required.accepts[0].network == "ethereum", required.accepts[0])
client = x402ClientSync()
client.register_v1("ethereum", ExactEvmSchemeV1(EthAccountSigner(payer)))
client.set_spend_controls(False)
payload = client.create_payment_payload(required)
header = base64.b64encode(json.dumps(payload.model_dump(by_alias=True, exclude_none=True)).encode()).decode()
paid = urllib.request.urlopen(urllib.request.Request(url, headers={"X-PAYMENT": header}), timeout=120)
receipt = json.loads(base64.b64decode(paid.headers.get("X-PAYMENT-RESPONSE", "")) or b"{}")
check("X-PAYMENT from the SDK's v1 client is settled and served", paid.status == 200 and json.load(paid).get("report") == "paid with v1", paid.status)
check("X-PAYMENT-RESPONSE reports the settlement on ethereum", receipt.get("success") is True and receipt.get("network") == "ethereum", receipt)
try:
    urllib.request.urlopen(urllib.request.Request(url, headers={"X-PAYMENT": header}), timeout=60)
    check("the same X-PAYMENT again is refused", False, "200")
except urllib.error.HTTPError as error:
    check("the same X-PAYMENT again is refused", error.code == 402, error.code)
upstream.shutdown()
sys.exit(failures)
