#!/usr/bin/env bash
# The hosted checkout page in headless Chromium: a devnet payment is created through the API, then
# screenshots are taken while it is pending, confirming and complete (phone-sized window), the
# page is read with JavaScript off (the basics must be there), and the 5-second auto-redirect to
# the merchant is followed. Screenshots are kept in $SHOTS (default .build/checkout-screenshots).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug/railyard}
SHOTS=${SHOTS:-$PWD/.build/checkout-screenshots}
PORT=${RAILYARD_BROWSER_PORT:-18420}
BASE="http://127.0.0.1:$PORT"
D=$(mktemp -d /tmp/railyard-browser.XXXXXX)
mkdir -p "$SHOTS"
trap 'kill $SERVE_PID $SHOP_PID 2>/dev/null; rm -rf "$D"' EXIT
SHOP_PID=
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROME" ] || { echo "checkout-browser: chromium not found"; exit 1; }
chrome() { timeout 40 "$CHROME" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$D/profile" "$@" 2>>"$D/chrome.log"; }

"$BIN" serve --data-dir "$D" --port "$PORT" > "$D/serve.out" 2>&1 & SERVE_PID=$!
# The merchant's site: a static server whose log shows when the customer comes back.
SHOP_PORT=$((PORT + 1)); SHOP="http://127.0.0.1:$SHOP_PORT"
mkdir -p "$D/shop" && echo "welcome back" > "$D/shop/returned"
python3 -m http.server "$SHOP_PORT" --bind 127.0.0.1 --directory "$D/shop" > "$D/shop.log" 2>&1 & SHOP_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$D/serve.out" 2>/dev/null && break; sleep 0.1; done
KEY=$(grep -o 'test API key [A-Za-z0-9_]*' "$D/serve.out" | awk '{print $4}')
BUSINESS=$(grep -o 'business biz_[a-z0-9-]*' "$D/serve.out" | awk '{print $2}')
check "server started with the demo merchant" '[ -n "$KEY" ] && [ -n "$BUSINESS" ]'

curl -sf -X POST "$BASE/api/payments/create" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"business_id\":\"$BUSINESS\",\"amount_usd\":\"42.00\",\"currency\":\"eth\",\"description\":\"Order 1001\",\"redirect_url\":\"$SHOP/returned\"}" > "$D/payment.json"
ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["payment"]["id"])' "$D/payment.json" 2>/dev/null)
ADDRESS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["payment"]["payment_address"])' "$D/payment.json" 2>/dev/null)
check "a payment was created through the API" '[ -n "$ID" ]'

shot() { chrome --window-size=412,1000 --virtual-time-budget=3000 --screenshot="$SHOTS/$1.png" "$BASE/pay/$ID" >/dev/null; }
valid_png() { python3 - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
ok = data[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', data[16:24]) == (412, 1000) and len(data) > 10000
sys.exit(0 if ok else 1)
PY
}

shot pending
check "screenshot: pending (412x1000)" 'valid_png "$SHOTS/pending.png"'
curl -sf "$BASE/pay/$ID" > "$D/nojs.html"
check "the server-rendered page (no JavaScript needed) shows amount, address, QR and status" 'grep -q "$ADDRESS" "$D/nojs.html" && grep -q "Waiting for payment" "$D/nojs.html" && grep -q "/qr?format=svg" "$D/nojs.html" && grep -q "ETH</strong>" "$D/nojs.html"'
chrome --virtual-time-budget=3000 --dump-dom "$BASE/pay/$ID" > "$D/js.html"
check "the QR image loads in the browser" 'curl -sf "$BASE/api/payments/$ID/qr?format=svg" | grep -q "<svg"'
check "devnet buttons are offered" 'grep -q "Simulate payment" "$D/js.html" && grep -q "Mine block" "$D/js.html"'

curl -sf -o /dev/null -X POST "$BASE/pay/$ID/simulate"
for _ in 1 2 3; do curl -sf -o /dev/null -X POST "$BASE/pay/$ID/mine"; done
shot confirming
chrome --virtual-time-budget=2000 --dump-dom "$BASE/pay/$ID" > "$D/confirming.html"
check "screenshot: confirming, with the confirmation count" 'valid_png "$SHOTS/confirming.png" && grep -q "Confirming" "$D/confirming.html" && grep -q ">3/12<" "$D/confirming.html"'

for _ in $(seq 1 9); do curl -sf -o /dev/null -X POST "$BASE/pay/$ID/mine"; done
curl -sf "$BASE/pay/$ID" > "$D/complete.html"
check "the completed page says so and offers the return button" 'grep -q "Payment complete" "$D/complete.html" && grep -q "Return to merchant" "$D/complete.html"'
chrome --window-size=412,1000 --virtual-time-budget=1500 --screenshot="$SHOTS/complete.png" "$BASE/pay/$ID" >/dev/null
check "screenshot: complete" 'valid_png "$SHOTS/complete.png"'
# Five seconds after completion the page sends the customer back to the merchant (here: /healthz).
chrome --virtual-time-budget=3000 --dump-dom "$BASE/pay/$ID" > "$D/not-yet.html"
check "no redirect in the first seconds" 'grep -q "Payment complete" "$D/not-yet.html" && ! grep -q "GET /returned" "$D/shop.log"'
chrome --virtual-time-budget=12000 --dump-dom "$BASE/pay/$ID" > "$D/redirected.html"
check "the page sends the customer back to the merchant 5 s after completion" 'grep -q "GET /returned" "$D/shop.log"'

echo "screenshots in $SHOTS"
echo "checkout-browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
