import Chains
import Foundation
import HTTP
import Hummingbird
import Money
import Storage

/// The hosted checkout page `/pay/:id`: everything a customer needs is in the HTML itself (amount,
/// address, QR, status), so it works without JavaScript (a `<noscript>` refresh keeps the status
/// current); with JavaScript it polls the status, counts down, copies the address, and redirects
/// 5 seconds after completion.
extension PaymentsFeature {
    struct CheckoutStatus: Encodable {
        let id: String
        let status: String
        let complete: Bool
        let confirmations: Int
        let required_confirmations: Int
        let received_amount: String
        let amount_crypto: String
        let currency: String
        let expires_at: String
        let seconds_left: Int64
        let redirect_url: String?
        let paid_late: Bool
    }

    static func complete(_ status: PaymentStatus) -> Bool {
        [.confirmed, .overpaid, .forwarding, .forwarded, .forwardingFailed, .retrying].contains(status)
    }

    func checkoutStatus(_ p: PaymentRecord) -> CheckoutStatus {
        let decimals = p.assetInfo.decimals
        return CheckoutStatus(id: p.id, status: p.status.rawValue, complete: Self.complete(p.status), confirmations: p.confirmations,
                              required_confirmations: p.requiredConfirmations, received_amount: coinText(p.received, decimals: decimals),
                              amount_crypto: coinText(p.amountDue, decimals: decimals), currency: p.asset,
                              expires_at: Timestamp.iso8601(millis: p.expiresAt), seconds_left: max(0, (p.expiresAt - deps.clock.nowMillis()) / 1000),
                              redirect_url: p.redirectURL, paid_late: p.late)
    }

    func addCheckoutRoutes(to router: Router<RailyardRequestContext>) {
        let feature = self
        @Sendable func payment(_ context: RailyardRequestContext) async throws -> PaymentRecord {
            guard let p = try await feature.deps.db.read({ try await PaymentStore.load($0, id: context.parameters.get("id") ?? "") }) else {
                throw APIError.notFound("Payment not found", code: "payment_not_found")
            }
            return p
        }
        router.get("/pay/:id") { _, context -> Response in
            let html: String
            do { html = feature.checkoutHTML(try await payment(context)) } catch let error as APIError where error.status == .notFound {
                return Self.html(Self.page(title: "Payment not found", body: "<main class=\"card\"><h1>Payment not found</h1><p>Check the link you were given.</p></main>"),
                                 status: .notFound)
            }
            return Self.html(html)
        }
        router.get("/pay/:id/status") { _, context -> Response in
            try JSONResponse.make(feature.checkoutStatus(try await payment(context)), headers: [.cacheControl: "no-store"])
        }
        // Devnet cheats, shown as buttons on the page: pay exactly what is due, or mine a block.
        router.post("/pay/:id/simulate") { _, context -> Response in
            let p = try await payment(context)
            guard let chain = feature.deps.devnets[p.chain] else { throw APIError.notFound("Simulated payments exist only on devnet", code: "not_devnet") }
            let owed = max(0, p.amountDue - p.received)
            if owed > 0 { _ = try await chain.pay(to: p.address, asset: p.asset, amount: owed) }
            try await feature.settleDevnet(p.chain)
            return Response(status: .seeOther, headers: [.location: "/pay/\(p.id)"])
        }
        router.post("/pay/:id/mine") { _, context -> Response in
            let p = try await payment(context)
            guard let chain = feature.deps.devnets[p.chain] else { throw APIError.notFound("Mining exists only on devnet", code: "not_devnet") }
            _ = try await chain.mine(1)
            try await feature.settleDevnet(p.chain)
            return Response(status: .seeOther, headers: [.location: "/pay/\(p.id)"])
        }
    }

    /// After a devnet cheat, scan and process at once so the page shows the result on reload.
    func settleDevnet(_ chain: String) async throws {
        guard let devnet = deps.devnets[chain] else { return }
        _ = try await DepositWatcher(adapter: devnet, db: deps.db, clock: deps.clock, policy: deps.policy, owner: deps.watcherOwner).poll()
        try await processor.runOnce()
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func checkoutHTML(_ p: PaymentRecord) -> String {
        let s = checkoutStatus(p)
        let asset = p.assetInfo
        let uri = PaymentURI.make(asset: asset, address: p.address, units: p.amountDue, context: deps.uris, label: p.description)
        let network = asset.tokenStandard.map { "\(asset.name) (\($0) on \(p.chain))" } ?? "\(asset.name) network"
        let headline: String
        let detail: String
        switch p.status {
        case .pending: headline = "Waiting for payment"; detail = "Send exactly the amount below to this address."
        case .detected: headline = "Payment detected"; detail = "Seen on the network; waiting for the first confirmation."
        case .confirming: headline = "Confirming"; detail = "\(s.confirmations) of \(s.required_confirmations) confirmations."
        case .underpaid: headline = "Partially paid"; detail = "Received \(s.received_amount) of \(s.amount_crypto) \(asset.code). Send the rest to the same address."
        case .expired: headline = "This payment has expired"; detail = "Nothing was received in time. Do not send funds to this address; ask the merchant for a new payment link."
        case .paidLate: headline = "Payment received after expiry"; detail = "Your payment arrived late; it is being confirmed and the merchant is informed."
        case .confirmed, .overpaid, .forwarding, .forwarded, .forwardingFailed, .retrying:
            headline = "Payment complete"; detail = p.status == .overpaid ? "Received \(s.received_amount) \(asset.code), more than asked; the merchant is informed." : "Thank you — your payment is confirmed."
        }
        // The way back appears once there is nothing left to do here (paid, or expired); only a paid one redirects by itself.
        let redirect = !(s.complete || p.status == .expired) ? "" : p.redirectURL.map { url in
            "<p class=\"redirect\" data-complete=\"\(s.complete)\"><a class=\"button\" id=\"return\" href=\"\(Self.escape(url))\">Return to merchant</a>"
                + "<span id=\"redirect-note\"></span></p>"
        } ?? ""
        let devnet = deps.devnets[p.chain] == nil || s.complete || p.status == .expired ? "" : """
            <section class="devnet"><h2>Devnet</h2><p>This chain is simulated. Use these to try the flow:</p>
            <form method="post" action="/pay/\(p.id)/simulate"><button id="simulate" type="submit">Simulate payment</button></form>
            <form method="post" action="/pay/\(p.id)/mine"><button id="mine" type="submit">Mine block</button></form></section>
            """
        let showPayment = !s.complete && p.status != .expired
        let body = """
            <main class="card" data-status="\(p.status.rawValue)">
              <p class="merchant">\(Self.escape(p.description ?? "Payment"))</p>
              <h1 id="headline">\(headline)</h1>
              <p id="detail">\(Self.escape(detail))</p>
              <dl>
                <dt>Amount</dt><dd><strong id="amount">\(s.amount_crypto) \(asset.code)</strong> <span class="muted">(\(Self.escape(p.amountFiat)) \(p.fiat) + network fee)</span></dd>
                <dt>Network</dt><dd>\(Self.escape(network))</dd>
                <dt>Status</dt><dd id="status">\(p.status.rawValue.replacingOccurrences(of: "_", with: " ")) · <span id="confirmations">\(s.confirmations)/\(s.required_confirmations)</span> confirmations</dd>
                <dt>Time left</dt><dd id="countdown" data-seconds="\(s.seconds_left)">\(s.seconds_left / 60):\(String(format: "%02d", Int(s.seconds_left % 60)))</dd>
              </dl>
              \(showPayment ? """
              <div class="pay">
                <img class="qr" src="/api/payments/\(p.id)/qr?format=svg" alt="QR code for the payment" width="220" height="220">
                <label for="address">Address</label>
                <div class="copy"><input id="address" readonly value="\(Self.escape(p.address))"><button type="button" id="copy" data-copy="\(Self.escape(p.address))">Copy</button></div>
                <p><a class="button" href="\(Self.escape(uri))">Open in wallet</a></p>
              </div>
              """ : "")
              \(redirect)
              \(devnet)
              <noscript><meta http-equiv="refresh" content="10"></noscript>
            </main>
            <script>\(Self.script(id: p.id))</script>
            """
        return Self.page(title: "Pay \(s.amount_crypto) \(asset.code)", body: body)
    }

    static func script(id: String) -> String {
        """
        (function(){
          var cd=document.getElementById('countdown'), left=parseInt(cd.dataset.seconds,10), done=false;
          function fmt(s){return Math.floor(s/60)+':'+('0'+(s%60)).slice(-2);}
          setInterval(function(){ if(left>0){left--; cd.textContent=fmt(left);} },1000);
          var copy=document.getElementById('copy');
          if(copy){copy.addEventListener('click',function(){ var a=document.getElementById('address'); a.select();
            if(navigator.clipboard){navigator.clipboard.writeText(copy.dataset.copy);} else {document.execCommand('copy');}
            copy.textContent='Copied'; });}
          function redirect(url){ if(done||!url){return;} done=true; var n=5, note=document.getElementById('redirect-note');
            var t=setInterval(function(){ note.textContent=' Redirecting in '+n+' s…'; if(n--<=0){clearInterval(t); window.location.href=url;} },1000); }
          var start=document.querySelector('main').dataset.status;
          function poll(){ fetch('/pay/\(id)/status',{cache:'no-store'}).then(function(r){return r.json();}).then(function(s){
              document.getElementById('confirmations').textContent=s.confirmations+'/'+s.required_confirmations;
              left=s.seconds_left;
              if(s.status!==start){ window.location.reload(); return; }
              if(s.complete){ redirect(s.redirect_url); }
            }).catch(function(){}).finally(function(){ if(!done){setTimeout(poll,2000);} }); }
          var p=document.querySelector('.redirect');
          if(p && p.dataset.complete==='true'){ redirect(document.getElementById('return').getAttribute('href')); } else { setTimeout(poll,2000); }
        })();
        """
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Railyard</title>
        <style>
        body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#111;margin:0;padding:16px}
        .card{max-width:440px;margin:0 auto;background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 4px rgba(0,0,0,.1)}
        h1{font-size:1.4rem;margin:.2rem 0} .merchant,.muted{color:#666} dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px}
        dt{color:#666} dd{margin:0;word-break:break-word} .qr{display:block;margin:12px auto;width:220px;max-width:100%;height:auto}
        .copy{display:flex;gap:6px} .copy input{flex:1;min-width:0;font:14px monospace;padding:8px}
        button,.button{display:inline-block;padding:10px 14px;border-radius:8px;border:0;background:#1a56db;color:#fff;text-decoration:none;font-size:15px;cursor:pointer}
        .devnet{margin-top:16px;padding:12px;border:1px dashed #c77700;border-radius:8px} .devnet form{display:inline-block;margin-right:8px}
        .devnet button{background:#c77700} main[data-status=expired] h1{color:#b00020}
        </style></head><body>\(body)</body></html>
        """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
