import Hummingbird
import HTTP

/// `/dashboard/x402`: a business's paid resources and x402 payment history in the browser. The page
/// holds no data itself; it calls the API with a key the user pastes (kept in this tab's
/// sessionStorage only), so nothing secret ever appears in a URL. Without JavaScript it explains how
/// to get the same data with curl.
enum X402Dashboard {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>x402 — Railyard</title>
    <style>
      body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
      main { max-width: 980px; margin: 0 auto; padding: 24px 16px; }
      h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
      .card { background: #fff; border: 1px solid #e2e5ea; border-radius: 8px; padding: 16px; }
      table { width: 100%; border-collapse: collapse; font-size: 14px; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eceef2; }
      th { font-weight: 600; color: #566; } td.num { font-variant-numeric: tabular-nums; text-align: right; }
      code, .mono { font-family: ui-monospace, monospace; font-size: 13px; word-break: break-all; }
      input, button { font: inherit; padding: 6px 10px; border: 1px solid #c9ced6; border-radius: 6px; }
      button { background: #1d4ed8; color: #fff; border-color: #1d4ed8; cursor: pointer; }
      .status-settled { color: #15803d; } .status-pending { color: #b45309; } .status-failed { color: #b91c1c; }
      #error { color: #b91c1c; } .muted { color: #6b7280; }
      @media (max-width: 640px) { .hide-narrow { display: none; } }
    </style>
    </head>
    <body>
    <main>
      <h1>x402 payments</h1>
      <p class="muted">Paid resources served at <code>/x402/r/&lt;id&gt;</code> and every settlement of this business.</p>
      <noscript><div class="card">This page loads your data with JavaScript. Without it, use the API:
        <pre>curl -H "Authorization: Bearer cp_live_…" /api/x402/payments
    curl -H "Authorization: Bearer cp_live_…" /api/x402/resources</pre></div></noscript>
      <form id="auth" class="card">
        <label for="key">Business API key</label>
        <input id="key" name="key" type="password" autocomplete="off" placeholder="cp_live_…" size="40" required>
        <button type="submit">Show</button>
        <span id="error" role="alert"></span>
      </form>
      <h2>Paid resources</h2>
      <div class="card"><table id="resources"><thead><tr><th>Name</th><th class="num">Price (USD)</th><th>URL</th><th class="hide-narrow">Upstream</th></tr></thead><tbody></tbody></table></div>
      <h2>Payments</h2>
      <div class="card"><table id="payments"><thead><tr><th>When</th><th>Network</th><th class="num">Amount</th><th class="num hide-narrow">Fee</th><th>Status</th><th class="hide-narrow">Transaction</th></tr></thead><tbody></tbody></table></div>
    </main>
    <script>
    const form = document.getElementById('auth'), keyInput = document.getElementById('key'), errorBox = document.getElementById('error');
    keyInput.value = sessionStorage.getItem('railyard-x402-key') || '';
    function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text ?? ''; if (cls) td.className = cls; return td; }
    async function api(path) {
      const response = await fetch(path, { headers: { Authorization: 'Bearer ' + keyInput.value } });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || response.statusText);
      return body;
    }
    async function load() {
      errorBox.textContent = '';
      try {
        const [resources, payments] = await Promise.all([api('/api/x402/resources'), api('/api/x402/payments?limit=200')]);
        sessionStorage.setItem('railyard-x402-key', keyInput.value);
        const rbody = document.querySelector('#resources tbody'); rbody.replaceChildren();
        for (const r of resources.resources) {
          const row = rbody.insertRow();
          cell(row, r.name); cell(row, r.price_usd, 'num'); cell(row, location.origin + '/x402/r/' + r.id, 'mono'); cell(row, r.upstream_url, 'mono hide-narrow');
        }
        const pbody = document.querySelector('#payments tbody'); pbody.replaceChildren();
        for (const p of payments.payments) {
          const row = pbody.insertRow();
          cell(row, p.created_at); cell(row, p.network); cell(row, (p.amount_decimal ?? p.amount) + ' ' + p.asset, 'num'); cell(row, p.platform_fee ?? '', 'num hide-narrow');
          cell(row, p.status, 'status-' + p.status); cell(row, p.tx_hash ?? '', 'mono hide-narrow');
        }
        if (!payments.payments.length) cell(pbody.insertRow(), 'No payments yet.', 'muted');
      } catch (error) { errorBox.textContent = error.message; }
    }
    form.addEventListener('submit', event => { event.preventDefault(); load(); });
    if (keyInput.value) load();
    </script>
    </body>
    </html>
    """#

    static func add(to router: Router<RailyardRequestContext>) {
        router.get("/dashboard/x402") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }
}
