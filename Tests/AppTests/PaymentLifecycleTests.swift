import App
import Chains
import Foundation
import Payments
import RailyardCrypto
import Storage
import TestSupport
import Testing

@Suite("Payment state machine")
struct PaymentStatusTests {
    @Test func everyPairIsLegalExactlyWhenTheGraphDrawsIt() throws {
        for from in PaymentStatus.allCases {
            for to in PaymentStatus.allCases {
                let drawn = from == to || (PaymentStatus.graph[from]?.contains(to) ?? false)
                #expect(from.canTransition(to: to) == drawn, "\(from) → \(to)")
                if drawn { #expect(try from.transition(to: to) == to) } else { #expect(throws: IllegalTransition.self) { try from.transition(to: to) } }
            }
        }
        #expect(PaymentStatus.graph[.forwarded]!.isEmpty)
        // Money that left custody is never pulled back by chain events.
        for status in [PaymentStatus.forwarding, .forwarded] { #expect(!status.canTransition(to: .pending)) }
        #expect(!PaymentStatus.expired.canTransition(to: .forwarding))
        #expect(try PaymentStatus.expired.route(to: .confirmed) == [.paidLate, .confirmed])
        #expect(throws: IllegalTransition.self) { try PaymentStatus.forwarded.route(to: .pending) }
    }
}

@Suite("Payments on devnet")
struct PaymentDevnetTests {
    static func fast(_ config: inout RailyardConfiguration) {
        // Polygon's documented 128 and Solana's 32 confirmations, shortened so every coin runs quickly.
        config.confirmationOverrides = ["POL": 4, "USDC_POL": 4, "SOL": 5, "USDC_SOL": 5]
    }

    @Test(arguments: ["btc", "bch", "ltc", "eth", "pol", "sol", "usdc_pol", "usdc_sol", "usdc_eth", "usdc_base", "usdt"])
    func everyCurrencyIsPaidConfirmedAndForwardedWithTheLedgerBalanced(currency: String) async throws {
        try await TestApp.with(configure: Self.fast) { app, api in
            let m = try await PaymentMerchant.make(api)
            let p = try await m.create(api, currency: currency, usd: "25.00", extra: #","metadata":{"order_id":"A-1"}"#).object("payment")
            let id = try #require(p["id"] as? String)
            let chain = try #require(p["blockchain"] as? String)
            let asset = try #require(p["asset"] as? String)
            let due = try #require(Int128(p["amount_crypto_units"] as? String ?? ""))
            let required = try #require(p["required_confirmations"] as? Int)
            _ = try await app.railyard.devnets[chain]!.pay(to: try #require(p["payment_address"] as? String), asset: asset, amount: due)
            try await app.scan(chain)
            #expect(try await app.payment(id)["status"] as? String == "detected")
            try await app.mine(chain, 1)
            #expect(try await app.payment(id)["status"] as? String == (required > 1 ? "confirming" : "forwarding"))
            try await app.mine(chain, required - 1)
            #expect(try await app.payment(id)["status"] as? String == "forwarding")  // confirmed, and forwarding started at once
            try await app.forward(chain, blocks: required)
            let done = try await app.payment(id)
            #expect(done["status"] as? String == "forwarded")
            let merchant = try #require(Int128(done["merchant_amount"] as? String ?? ""))
            let fee = try #require(Int128(done["platform_fee"] as? String ?? ""))
            #expect(merchant > 0 && fee > 0)
            // Starter plan: 1% of what the merchant was owed, rounded down.
            #expect(fee == (merchant + fee) / 100)

            let events = try await app.events(m.business)
            #expect(events.map(\.type) == ["payment.confirmed", "payment.forwarded"])
            let confirmed = events[0].payload["data"] as? [String: Any] ?? [:]
            #expect(confirmed["payment_id"] as? String == id)
            #expect(confirmed["status"] as? String == "confirmed")
            #expect((confirmed["metadata"] as? [String: Any])?["order_id"] as? String == "A-1")
            let forwarded = events[1].payload["data"] as? [String: Any] ?? [:]
            #expect(forwarded["merchant_tx_hash"] as? String == done["merchant_tx_hash"] as? String)
            #expect(forwarded["merchant_amount"] as? NSNumber != nil)
            #expect(events[1].payload["business_id"] as? String == m.business)

            #expect(try await app.ledgerIsHealthy())
            #expect(try await app.balance("payments:payable:\(m.business):\(asset)") == 0)
            #expect(try await app.balance("platform:revenue:payments:\(asset)") == fee)
            // What the merchant's wallet holds on the chain is exactly its share.
            let wallet = try #require(try await app.railyard.merchants.walletAddresses(businessID: m.business)[asset])
            let received = try await app.railyard.devnets[chain]!.transfers(to: [wallet], fromHeight: 0).filter { $0.asset == asset }.reduce(Int128(0)) { $0 + $1.amount }
            #expect(received == merchant)
        }
    }

    @Test func twoPartialDepositsAddUpAndOverpaymentIsForwardedToTheMerchant() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let p = try await m.create(api, currency: "ltc").object("payment")
            let (id, address) = (p["id"] as! String, p["payment_address"] as! String)
            let due = Int128(p["amount_crypto_units"] as! String)!
            let ltc = app.railyard.devnets["LTC"]!
            _ = try await ltc.pay(to: address, asset: "LTC", amount: due / 2)
            try await app.mine("LTC", 6)
            #expect(try await app.payment(id)["status"] as? String == "underpaid")
            let page = try await api.call(.get, "/pay/\(id)")
            #expect(page.text.contains("Partially paid"))
            _ = try await ltc.pay(to: address, asset: "LTC", amount: due)  // more than the rest
            try await app.scan("LTC")
            // Enough has arrived; part of it is already in a block.
            #expect(try await app.payment(id)["status"] as? String == "confirming")
            try await app.mine("LTC", 6)
            let paid = try await app.payment(id)
            #expect(paid["status"] as? String == "forwarding")
            #expect(paid["booked"] as? String == String(due / 2 + due))
            let events = try await app.events(m.business)
            #expect((events.first?.payload["data"] as? [String: Any])?["status"] as? String == "overpaid")
            try await app.forward("LTC", blocks: 6)
            #expect(try await app.payment(id)["status"] as? String == "forwarded")
            #expect(try await app.ledgerIsHealthy())
        }
    }

    @Test func anUnpaidPaymentExpiresOnlyAfterTheWatcherHasLookedAndLateMoneyIsStillForwarded() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let p = try await m.create(api, currency: "btc").object("payment")
            let (id, address) = (p["id"] as! String, p["payment_address"] as! String)
            let due = Int128(p["amount_crypto_units"] as! String)!
            try await app.scan("BTC")
            app.clock.advance(seconds: 16 * 60)
            // No scan since the window closed (a node outage looks like this): nothing expires.
            try await app.processor.runOnce()
            #expect(try await app.payment(id)["status"] as? String == "pending")
            try await app.scan("BTC")
            #expect(try await app.payment(id)["status"] as? String == "expired")
            let expired = try await app.events(m.business)
            #expect(expired.map(\.type) == ["payment.expired"])
            #expect(((expired[0].payload["data"] as? [String: Any])?["reason"] as? String)?.contains("15 minutes") == true)
            #expect(try await api.call(.get, "/pay/\(id)").text.contains("This payment has expired"))

            _ = try await app.railyard.devnets["BTC"]!.pay(to: address, asset: "BTC", amount: due)
            try await app.scan("BTC")
            #expect(try await app.payment(id)["status"] as? String == "paid_late")
            try await app.mine("BTC", 3)
            let late = try await app.payment(id)
            #expect(late["status"] as? String == "forwarding")
            #expect(late["late"] as? Bool == true)
            try await app.forward("BTC", blocks: 3)
            #expect(try await app.payment(id)["status"] as? String == "forwarded")
            let confirmed = try await app.events(m.business).first { $0.type == "payment.confirmed" }
            #expect((confirmed?.payload["data"] as? [String: Any])?["paid_late"] as? Bool == true)
            #expect(try await app.ledgerIsHealthy())
        }
    }

    @Test func aPaymentDetectedBeforeExpiryIsNotExpired() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let p = try await m.create(api, currency: "btc").object("payment")
            let id = p["id"] as! String
            _ = try await app.railyard.devnets["BTC"]!.pay(to: p["payment_address"] as! String, asset: "BTC", amount: Int128(p["amount_crypto_units"] as! String)!)
            app.clock.advance(seconds: 20 * 60)
            try await app.scan("BTC")
            #expect(try await app.payment(id)["status"] as? String == "detected")
            try await app.mine("BTC", 3)
            #expect(try await app.payment(id)["status"] as? String == "forwarding")
            #expect(try await app.events(m.business).map(\.type) == ["payment.confirmed"])
        }
    }

    @Test func aReorgBeforeForwardingMovesThePaymentBackAndReversesTheLedger() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let p = try await m.create(api, currency: "eth").object("payment")
            let id = p["id"] as! String
            let eth = app.railyard.devnets["ETH"]!
            let txid = try await eth.pay(to: p["payment_address"] as! String, asset: "ETH", amount: Int128(p["amount_crypto_units"] as! String)!)
            _ = try await eth.mine(12)
            // Watch and book, but do not start forwarding yet.
            _ = try await DepositWatcher(adapter: eth, db: app.railyard.db, clock: app.clock, owner: "test").poll()
            try await app.processor.applyDepositEvents()
            #expect(try await app.payment(id)["status"] as? String == "confirmed")
            let payable = "payments:payable:\(m.business):ETH"
            #expect(try await app.balance(payable)! > 0)
            _ = try await eth.reorg(depth: 12)
            try await eth.doubleSpend(txid: txid)
            _ = try await DepositWatcher(adapter: eth, db: app.railyard.db, clock: app.clock, owner: "test").poll()
            try await app.processor.applyDepositEvents()
            #expect(try await app.payment(id)["status"] as? String == "pending")
            #expect(try await app.balance(payable) == 0)
            #expect(try await app.balance("platform:revenue:payments:ETH") == 0)
            #expect(try await app.ledgerIsHealthy())
        }
    }

    @Test func theCheckoutPageShowsThePaymentAndDevnetButtonsPayIt() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let p = try await m.create(api, currency: "ltc", extra: #","redirect_url":"https://shop.example/done","description":"<b>Tea</b>""#).object("payment")
            let id = p["id"] as! String
            let page = try await api.call(.get, "/pay/\(id)")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains(p["payment_address"] as! String))
            #expect(page.text.contains("\(p["amount_crypto"] as! String) LTC"))
            #expect(page.text.contains("&lt;b&gt;Tea&lt;/b&gt;") && !page.text.contains("<b>Tea</b>"))
            #expect(page.text.contains("Simulate payment"))
            #expect(!page.text.contains("Return to merchant"))  // only once paid (or expired)
            #expect(page.text.contains("http-equiv=\"refresh\""))
            let simulated = try await api.call(.post, "/pay/\(id)/simulate")
            #expect(simulated.status == .seeOther)
            #expect(try await app.payment(id)["status"] as? String == "detected")
            for _ in 0..<6 { #expect(try await api.call(.post, "/pay/\(id)/mine").status == .seeOther) }
            let status = try await api.call(.get, "/pay/\(id)/status")
            #expect(status.json["complete"] as? Bool == true)
            #expect(status.json["redirect_url"] as? String == "https://shop.example/done")
            let done = try await api.call(.get, "/pay/\(id)")
            #expect(done.text.contains("Payment complete") && done.text.contains("Return to merchant"))
            #expect(try await api.call(.get, "/pay/pay_missing").status == .notFound)
        }
    }
}

@Suite("Payments while a node is down")
struct PaymentNodeOutageTests {
    @Test func aScanThatFailsNeverExpiresAPaymentOrReadsAsNothingReceived() async throws {
        // LTC points at a port where no node answers: every scan fails.
        try await TestApp.with(configure: { $0.network = .regtest; $0.chainRPCURLs["LTC"] = "http://user:pass@127.0.0.1:9" }) { app, api in
            let token = try await api.merchant()
            let shop = try AddressDerivation.address(publicKey: try Secp256k1.publicKey(privateKey: Secp256k1.generatePrivateKey()), chain: .ltc, network: .regtest)
            let business = try await api.business(token, json: #"{"name":"Shop","wallet_addresses":{"LTC":"\#(shop)"}}"#)
            let created = try await api.call(.post, "/api/payments/create", token: token,
                                             json: #"{"business_id":"\#(business)","amount_usd":"10.00","currency":"ltc"}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object("payment")["id"] as? String)
            let watcher = DepositWatcher(adapter: try BitcoinCoreChain(chain: "LTC", rpc: try JSONRPCClient(url: "http://user:pass@127.0.0.1:9")),
                                         db: app.railyard.db, clock: app.clock, owner: "test")
            await #expect(throws: (any Error).self) { try await watcher.poll() }
            app.clock.advance(seconds: 60 * 60)
            await #expect(throws: (any Error).self) { try await watcher.poll() }
            try await app.processor.runOnce()
            // An hour past its window, but nobody could look at the chain: still waiting, no expiry webhook.
            #expect(try await app.payment(id)["status"] as? String == "pending")
            #expect(try await app.events(business).isEmpty)
        }
    }
}
