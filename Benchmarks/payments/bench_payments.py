"""Payment benchmarks against a running `railyard serve` (stdlib only).

  setup BASE            a Professional merchant (bought with a devnet LTC payment, as a user
                        would) and its API key and business; prints KEY BUSINESS
  latency BASE N CHAIN [LTC_RPC_URL]
                        N payments paid and confirmed; for each, the time from the block that
                        completes the confirmations to the signed payment.confirmed webhook
                        arriving at a local receiver. CHAIN is devnet (cheat API) or litecoind.
"""
import base64
import hashlib
import hmac
import json
import statistics
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def call(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def rpc(url, method, params=None, wallet=None):
    parsed = urllib.parse.urlsplit(url)
    target = f"{parsed.scheme}://{parsed.hostname}:{parsed.port}" + (f"/wallet/{wallet}" if wallet else "")
    req = urllib.request.Request(target, data=json.dumps({"jsonrpc": "1.0", "id": 1, "method": method, "params": params or []}).encode())
    req.add_header("content-type", "application/json")
    req.add_header("authorization", "Basic " + base64.b64encode(f"{parsed.username}:{parsed.password}".encode()).decode())
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.loads(r.read())
    if answer.get("error"):
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def merchant(base, wallets, webhook=None):
    email = f"bench-{time.time_ns()}@example.com"
    token = call(base, "POST", "/api/auth/register", {"email": email, "password": "correct horse battery"})["token"]
    body = {"name": "Bench", "wallet_addresses": wallets}
    if webhook:
        body["webhook_url"] = webhook
    business = call(base, "POST", "/api/businesses", body, token)["business"]
    key = call(base, "POST", f"/api/businesses/{business['id']}/api-keys", {"name": "bench", "mode": "live"}, token)["api_key"]["key"]
    return token, business, key


def wait(predicate, seconds=60, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise TimeoutError(what)


def setup(base):
    token, business, key = merchant(base, {"LTC": "ltc1qjmxnz78nmc8nq77wuxh25n2es7rzm5c2rkk4wh"})
    checkout = call(base, "POST", "/api/subscriptions/checkout", {"plan_id": "professional", "blockchain": "LTC"}, token)["payment"]
    call(base, "POST", "/api/dev/pay", {"chain": "LTC", "to": checkout["payment_address"], "amount": checkout["amount_crypto"]})
    call(base, "POST", "/api/dev/mine", {"chain": "LTC", "blocks": 6})
    wait(lambda: call(base, "GET", "/api/subscriptions/status", token=key)["subscription"]["planId"] == "professional", 60, "subscription")
    print(key, business["id"])


class Receiver(BaseHTTPRequestHandler):
    arrivals = {}
    secret = None

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        at = time.monotonic()
        event = json.loads(body)
        signature = self.headers.get("X-CoinPay-Signature", "")
        parts = dict(p.split("=", 1) for p in signature.split(",") if "=" in p)
        expected = hmac.new(Receiver.secret.encode(), f"{parts.get('t')}.{body.decode()}".encode(), hashlib.sha256).hexdigest()
        if event.get("type") == "payment.confirmed" and hmac.compare_digest(expected, parts.get("v1", "")):
            Receiver.arrivals[event["data"]["payment_id"]] = at
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def latency(base, count, chain, ltc_url=None):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    if chain == "litecoind":
        wallet = f"bench{time.time_ns()}"
        rpc(ltc_url, "createwallet", [wallet])
        mine_to = rpc(ltc_url, "getnewaddress", ["", "bech32"], wallet)
        rpc(ltc_url, "generatetoaddress", [101, mine_to])
        shop = rpc(ltc_url, "getnewaddress", ["", "bech32"], wallet)

        def pay(address, amount):
            rpc(ltc_url, "sendtoaddress", [address, amount], wallet)

        def mine(blocks):
            rpc(ltc_url, "generatetoaddress", [blocks, mine_to])
    else:
        shop = "ltc1qjmxnz78nmc8nq77wuxh25n2es7rzm5c2rkk4wh"

        def pay(address, amount):
            call(base, "POST", "/api/dev/pay", {"chain": "LTC", "to": address, "amount": amount})

        def mine(blocks):
            call(base, "POST", "/api/dev/mine", {"chain": "LTC", "blocks": blocks})
    token, business, key = merchant(base, {"LTC": shop}, hook)
    Receiver.secret = business["webhook_secret"]
    samples = []
    for _ in range(count):
        payment = call(base, "POST", "/api/payments/create", {"amount_usd": "10.00", "currency": "ltc"}, key)["payment"]
        pay(payment["payment_address"], payment["amount_crypto"])
        mine(payment["required_confirmations"] - 1)
        path = f"/api/payments/{payment['id']}"
        wait(lambda: call(base, "GET", path, token=key)["payment"]["confirmations"] == payment["required_confirmations"] - 1, 60, "confirming")
        started = time.monotonic()
        mine(1)
        arrived = wait(lambda: Receiver.arrivals.get(payment["id"]), 60, "webhook")
        samples.append((arrived - started) * 1000)
    samples.sort()
    p90 = samples[min(len(samples) - 1, int(len(samples) * 0.9))]
    print(f"{chain}: {count} payments, confirming block -> signed payment.confirmed webhook: "
          f"median {statistics.median(samples):.0f} ms, p90 {p90:.0f} ms, min {samples[0]:.0f} ms, max {samples[-1]:.0f} ms")
    print(f"RESULT latency_median_ms={statistics.median(samples):.0f} latency_p90_ms={p90:.0f}")


if __name__ == "__main__":
    import urllib.parse  # noqa: F401  (used by rpc)
    command = sys.argv[1]
    if command == "setup":
        setup(sys.argv[2])
    elif command == "latency":
        latency(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
    else:
        sys.exit(__doc__)
