import App
import Chains
import Foundation
import HTTPTypes
import Payments
import RailyardCrypto
import Storage
import TestSupport
import Testing

extension TestApp {
    /// Pays what a payment or collection asks on its devnet chain and mines it through confirmation and forwarding.
    func payInFull(_ payment: [String: Any], units: Int128? = nil, forward: Bool = true) async throws {
        let chain = try #require(payment["blockchain"] as? String)
        let asset = try #require(payment["asset"] as? String)
        let due = try #require(Int128(payment["amount_crypto_units"] as? String ?? ""))
        _ = try await railyard.devnets[chain]!.pay(to: try #require(payment["payment_address"] as? String), asset: asset, amount: units ?? due)
        let required = railyard.configuration.confirmationOverrides[asset] ?? ConfirmationPolicy(overrides: [:]).required(for: asset)
        try await mine(chain, required)
        if forward { try await self.forward(chain, blocks: required) }
    }

    func paymentColumn(_ id: String, _ column: String) async throws -> String? {
        try await railyard.db.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: column) AS v FROM payments WHERE id = \(bind: id)").first()?.decode(column: "v", as: String?.self)
        }
    }
}

@Suite("Business collection")
struct BusinessCollectionTests {
    @Test(arguments: ["ETH", "LTC"])
    func everythingIsForwardedToThePlatformWallet(blockchain: String) async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let created = try await api.call(.post, "/api/business-collection", token: m.token, json: """
                {"business_id":"\(m.business)","amount":99.99,"currency":"USD","blockchain":"\(blockchain)",
                 "description":"Monthly subscription fee","metadata":{"plan":"premium","billing_period":"2024-01"}}
                """)
            #expect(created.status == .created, "\(created.text)")
            let c = created.object("payment")
            let id = try #require(c["id"] as? String)
            #expect(c["amount"] as? NSNumber == NSDecimalNumber(string: "99.99"))
            #expect(c["currency"] as? String == "USD")
            #expect(c["blockchain"] as? String == blockchain)
            #expect(c["status"] as? String == "pending")
            #expect(c["description"] as? String == "Monthly subscription fee")
            let treasury = try await app.railyard.custody.address(app.railyard.db, chain: AddressChain(rawValue: blockchain)!, purpose: .treasury, index: 0).address
            #expect(c["destination_wallet"] as? String == treasury)
            // The documented example expires a day after creation.
            let createdAt = try #require(ISO8601DateFormatter.fractional.date(from: c["created_at"] as? String ?? ""))
            let expiresAt = try #require(ISO8601DateFormatter.fractional.date(from: c["expires_at"] as? String ?? ""))
            #expect(expiresAt.timeIntervalSince(createdAt) == 86_400)

            // Not a sale: invisible to the payments API and not counted against the plan.
            #expect(try await api.call(.get, "/api/payments/\(id)", token: m.token).status == .notFound)
            #expect(try await api.call(.get, "/api/entitlements", token: m.token).object("entitlements")["usage"].flatMap { ($0 as? [String: Any])?["transactions_this_month"] as? Int } == 0)

            try await app.payInFull(c)
            let done = try await api.call(.get, "/api/business-collection/\(id)", token: m.key)
            #expect(done.object("payment")["status"] as? String == "forwarded", "\(done.text)")
            let booked = try #require(Int128(try await app.paymentColumn(id, "booked") ?? ""))
            let reserve = try #require(Int128(try await app.paymentColumn(id, "network_reserve") ?? ""))
            #expect(try await app.paymentColumn(id, "merchant_amount") == "0")
            // 100% of the price is platform revenue; nothing is owed to the business.
            #expect(try await app.balance("platform:revenue:payments:\(blockchain)") == booked - reserve)
            #expect(try await app.balance("payments:payable:\(m.business):\(blockchain)") == 0)
            #expect(try await app.ledgerIsHealthy())
            // On chain, the treasury received everything less the forwarding transaction's fee.
            let cost = try #require(Int128(try await app.paymentColumn(id, "network_cost") ?? ""))
            let received = try await app.railyard.devnets[blockchain]!.transfers(to: [treasury], fromHeight: 0).reduce(Int128(0)) { $0 + $1.amount }
            #expect(received == booked - cost)
            #expect(cost > 0 && cost <= reserve)

            let list = try await api.call(.get, "/api/business-collection?business_id=\(m.business)&status=forwarded", token: m.token)
            #expect(list.array("payments").map { $0["id"] as? String } == [id])
            #expect(try await api.call(.get, "/api/business-collection?status=pending", token: m.key).array("payments").isEmpty)
        }
    }

    @Test func anUnderpaidSubscriptionPaymentBuysNothingAndIsOwedBack() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let checkout = try await api.call(.post, "/api/subscriptions/checkout", token: m.token, json: #"{"plan_id":"professional","blockchain":"LTC"}"#)
            let p = checkout.object("payment")
            let id = try #require(p["id"] as? String)
            let due = try #require(Int128(p["amount_crypto_units"] as? String ?? ""))
            try await app.payInFull(p, units: due / 2, forward: false)
            app.clock.advance(seconds: 25 * 3_600)
            try await app.scan("LTC")
            try await app.forward("LTC", blocks: 6)
            #expect(try await app.payment(id)["status"] as? String == "underpaid")
            // Booked as owed to the business in full: no revenue, nothing forwarded, no plan.
            #expect(try await app.paymentColumn(id, "booked") == String(due / 2))
            #expect(try await app.balance("payments:payable:\(m.business):LTC") == due / 2)
            #expect(try await app.balance("platform:revenue:payments:LTC") ?? 0 == 0)
            #expect(try await app.railyard.sender.records(reference: id).isEmpty)
            #expect(try await api.call(.get, "/api/subscriptions/status", token: m.key).object("subscription")["planId"] as? String == "starter")
            #expect(try await app.ledgerIsHealthy())
        }
    }

    @Test func requestsAreValidatedAndScopedToTheCaller() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let other = try await PaymentMerchant.make(api)
            let body = #"{"business_id":"\#(m.business)","amount":"20","blockchain":"BTC"}"#
            #expect(try await api.call(.post, "/api/business-collection", json: body).status == .unauthorized)
            #expect(try await api.call(.post, "/api/business-collection", token: other.key, json: body).status == .notFound)
            #expect(try await api.call(.post, "/api/business-collection", token: other.token, json: body).status == .notFound)
            let noChain = try await api.call(.post, "/api/business-collection", token: m.token, json: #"{"business_id":"\#(m.business)","amount":"20"}"#)
            #expect(noChain.status == .badRequest && noChain.errorCode == "missing_field")
            let fiatAsChain = try await api.call(.post, "/api/business-collection", token: m.token, json: #"{"business_id":"\#(m.business)","amount":"20","blockchain":"USD"}"#)
            #expect(fiatAsChain.errorCode == "unsupported_currency")
            let tiny = try await api.call(.post, "/api/business-collection", token: m.token, json: #"{"business_id":"\#(m.business)","amount":"0.50","blockchain":"BTC"}"#)
            #expect(tiny.status == .badRequest)
            let created = try await api.call(.post, "/api/business-collection", token: m.token, json: body)
            #expect(created.status == .created)
            let id = try #require(created.object("payment")["id"] as? String)
            #expect(try await api.call(.get, "/api/business-collection/\(id)").status == .unauthorized)
            #expect(try await api.call(.get, "/api/business-collection/\(id)", token: other.token).status == .notFound)
            #expect(try await api.call(.get, "/api/business-collection/\(id)", token: other.key).status == .notFound)
            #expect(try await api.call(.get, "/api/business-collection?business_id=\(m.business)", token: other.token).status == .notFound)
            #expect(try await api.call(.get, "/api/business-collection", token: other.token).array("payments").isEmpty)
            #expect(try await api.call(.get, "/api/business-collection", token: m.token).array("payments").count == 1)
            let rows = try await app.railyard.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM payments").first()?.decode(column: "n", as: Int.self) }
            #expect(rows == 1)  // nothing half-written by the refused requests
        }
    }
}

@Suite("Subscriptions and entitlements")
struct SubscriptionTests {
    static func entitlements(_ api: TestAPI, _ token: String) async throws -> [String: Any] {
        let response = try await api.call(.get, "/api/entitlements", token: token)
        #expect(response.status == .ok, "\(response.text)")
        return response.object("entitlements")
    }

    static func status(_ api: TestAPI, _ token: String) async throws -> [String: Any] {
        try await api.call(.get, "/api/subscriptions/status", token: token).object("subscription")
    }

    @Test func professionalIsBoughtWithCryptoAndChangesLimitsFeaturesAndFee() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            var e = try await Self.entitlements(api, m.token)
            #expect((e["plan"] as? [String: Any])?["id"] as? String == "starter")
            #expect(e["status"] as? String == "active")
            #expect(e["fee_percent"] as? String == "1.0")
            #expect((e["features"] as? [String: Any])?["advanced_analytics"] as? Bool == false)
            for _ in 0..<2 { #expect(try await m.create(api, currency: "btc").status == .created) }
            e = try await Self.entitlements(api, m.key)
            let usage = e["usage"] as? [String: Any] ?? [:]
            #expect(usage["transactions_this_month"] as? Int == 2)
            #expect(usage["transaction_limit"] as? Int == 100)
            #expect(usage["transactions_remaining"] as? Int == 98)
            #expect(usage["is_unlimited"] as? Bool == false)
            let analytics = try await api.call(.get, "/api/dashboard/analytics", token: m.token)
            #expect(analytics.status == .forbidden && analytics.errorCode == "feature_not_available")

            let checkout = try await api.call(.post, "/api/subscriptions/checkout", token: m.token,
                                              json: #"{"plan_id":"professional","billing_period":"monthly","blockchain":"ETH"}"#)
            #expect(checkout.status == .created, "\(checkout.text)")
            let pay = checkout.object("payment")
            #expect(pay["amount"] as? Int == 49)
            #expect(pay["currency"] as? String == "USD")
            #expect(pay["blockchain"] as? String == "ETH")
            #expect(checkout.object("plan")["price"] as? Int == 49)
            #expect(checkout.object("plan")["billing_period"] as? String == "monthly")
            #expect((checkout["instructions"] as? String)?.contains(pay["payment_address"] as? String ?? "?") == true)
            // Nothing changes before the money is confirmed.
            #expect(try await Self.status(api, m.token)["planId"] as? String == "starter")
            try await app.payInFull(pay, forward: false)

            let s = try await Self.status(api, m.token)
            #expect(s["planId"] as? String == "professional")
            #expect(s["status"] as? String == "active")
            #expect(s["isActive"] as? Bool == true)
            let days = try #require(s["daysRemaining"] as? Int)
            #expect((28...31).contains(days))
            e = try await Self.entitlements(api, m.token)
            #expect((e["plan"] as? [String: Any])?["id"] as? String == "professional")
            #expect((e["usage"] as? [String: Any])?["is_unlimited"] as? Bool == true)
            #expect((e["usage"] as? [String: Any])?["transaction_limit"] is NSNull)
            #expect(e["fee_percent"] as? String == "0.5")
            #expect(try await api.call(.get, "/api/dashboard/analytics", token: m.token).status == .ok)
            // A new sale is charged the Professional commission.
            let sale = try await m.create(api, currency: "btc").object("payment")
            #expect(try await app.paymentColumn(sale["id"] as! String, "CAST(fee_bps AS TEXT)") == "50")
            #expect(try await app.railyard.payments.feeBasisPoints(businessID: m.business) == 50)

            // Cancelling keeps the paid period.
            let cancel = try await api.call(.delete, "/api/subscriptions/status", token: m.token)
            #expect(cancel.status == .ok)
            #expect((cancel["message"] as? String)?.contains("retain access until the end") == true)
            #expect(cancel.object("subscription")["status"] as? String == "cancelled")
            #expect(cancel.object("subscription")["isActive"] as? Bool == true)
            #expect(try await api.call(.get, "/api/dashboard/analytics", token: m.token).status == .ok)
            // After it, the merchant is back on Starter (the API key outlives the login session).
            app.clock.advance(seconds: Int64(days + 1) * 86_400)
            let after = try await Self.status(api, m.key)
            #expect(after["planId"] as? String == "starter")
            #expect(after["status"] as? String == "active")
            #expect(try await app.railyard.payments.feeBasisPoints(businessID: m.business) == 100)
            #expect(try await api.call(.get, "/api/dashboard/analytics", token: m.key).status == .forbidden)
            let none = try await api.call(.delete, "/api/subscriptions/status", token: try await m.login(api))
            #expect(none.status == .notFound && none.errorCode == "no_subscription")
            #expect(try await app.ledgerIsHealthy())
        }
    }

    @Test func anExpiredUnrenewedPeriodIsPastDueWith402UntilRenewed() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let first = try await api.call(.post, "/api/subscriptions/checkout", token: m.token, json: #"{"plan_id":"professional","blockchain":"LTC"}"#)
            try await app.payInFull(first.object("payment"))
            app.clock.advance(seconds: 32 * 86_400)
            let s = try await Self.status(api, m.key)
            #expect(s["status"] as? String == "past_due")
            #expect(s["planId"] as? String == "professional")
            #expect(s["isActive"] as? Bool == false)
            let refused = try await m.create(api, currency: "btc")
            #expect(refused.status.code == 402 && refused.errorCode == "subscription_inactive", "\(refused.text)")
            let analytics = try await api.call(.get, "/api/dashboard/analytics", token: m.key)
            #expect(analytics.status.code == 402)
            // Renewing starts a new period now; sales are accepted again.
            // Buying the plan needs the merchant's login; a business API key is refused.
            let byKey = try await api.call(.post, "/api/subscriptions/checkout", token: m.key, json: #"{"plan_id":"professional","blockchain":"LTC"}"#)
            #expect(byKey.status == .forbidden)
            let renew = try await api.call(.post, "/api/subscriptions/checkout", token: try await m.login(api), json: #"{"plan_id":"professional","billing_period":"yearly","blockchain":"LTC"}"#)
            #expect(renew.object("plan")["price"] as? Int == 490)
            try await app.payInFull(renew.object("payment"))
            let renewed = try await Self.status(api, m.key)
            #expect(renewed["status"] as? String == "active")
            #expect((360...366).contains(renewed["daysRemaining"] as? Int ?? 0))
            #expect(try await m.create(api, currency: "btc").status == .created)
        }
    }

    @Test func aRenewalPaidDuringAPeriodStartsWhenItEndsAndAReorgUndoesAnActivation() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let first = try await api.call(.post, "/api/subscriptions/checkout", token: m.token, json: #"{"plan_id":"professional","blockchain":"BTC"}"#)
            try await app.payInFull(first.object("payment"))
            let once = try #require(try await Self.status(api, m.token)["endsAt"] as? String)
            let second = try await api.call(.post, "/api/subscriptions/checkout", token: m.token, json: #"{"plan_id":"professional","blockchain":"BTC"}"#)
            let p = second.object("payment")
            let btc = app.railyard.devnets["BTC"]!
            let txid = try await btc.pay(to: p["payment_address"] as! String, asset: "BTC", amount: Int128(p["amount_crypto_units"] as! String)!)
            _ = try await btc.mine(3)
            // Watch and book, but do not start forwarding yet.
            _ = try await DepositWatcher(adapter: btc, db: app.railyard.db, clock: app.clock, owner: "test").poll()
            try await app.processor.applyDepositEvents()
            let twice = try #require(try await Self.status(api, m.token)["endsAt"] as? String)
            #expect(twice > once)
            // The blocks holding the renewal are replaced and its transaction is gone: the renewal is undone.
            _ = try await btc.reorg(depth: 3)
            try await btc.doubleSpend(txid: txid)
            _ = try await DepositWatcher(adapter: btc, db: app.railyard.db, clock: app.clock, owner: "test").poll()
            try await app.processor.applyDepositEvents()
            #expect(try await Self.status(api, m.token)["endsAt"] as? String == once)
            #expect(try await app.ledgerIsHealthy())
        }
    }

    @Test func theStarterLimitIs100SalesAMonthEvenUnderConcurrentCreates() async throws {
        try await TestApp.with(configure: { $0.apiRateLimitPerMinute = 10_000 }) { app, api in
            let m = try await PaymentMerchant.make(api)
            for _ in 0..<98 { #expect(try await m.create(api, currency: "ltc", usd: "1.00").status == .created) }
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await m.create(api, currency: "ltc", usd: "1.00").status.code } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(results.sorted() == [201, 201, 429, 429])
            let refused = try await m.create(api, currency: "ltc", usd: "1.00")
            #expect(refused.status == .tooManyRequests && refused.errorCode == "transaction_limit_exceeded")
            let usage = try await Self.entitlements(api, m.token)["usage"] as? [String: Any] ?? [:]
            #expect(usage["transactions_this_month"] as? Int == 100)
            #expect(usage["transactions_remaining"] as? Int == 0)
            let count = try await app.railyard.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM payments").first()?.decode(column: "n", as: Int.self) }
            #expect(count == 100)
            // Another merchant is not affected; next month the count starts again.
            #expect(try await PaymentMerchant.make(api).create(api, currency: "ltc", usd: "1.00").status == .created)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let now = Date(timeIntervalSince1970: TimeInterval(app.clock.nowMillis()) / 1000)
            let next = calendar.date(byAdding: .month, value: 1, to: calendar.date(from: calendar.dateComponents([.year, .month], from: now))!)!
            app.clock.advance(millis: Int64(next.timeIntervalSince(now) * 1000) + 1_000)
            #expect(try await m.create(api, currency: "ltc", usd: "1.00").status == .created)
        }
    }

    @Test func paymentCreationIsLimitedTo10AMinutePerBusiness() async throws {
        try await TestApp.with(configure: { $0.paymentRateLimitPerMinute = RailyardConfiguration().paymentRateLimitPerMinute }) { app, api in
            let m = try await PaymentMerchant.make(api)
            for _ in 0..<10 { #expect(try await m.create(api, currency: "btc").status == .created) }
            let limited = try await m.create(api, currency: "btc")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
            #expect(try await PaymentMerchant.make(api).create(api, currency: "btc").status == .created)
            app.clock.advance(seconds: 60)
            #expect(try await m.create(api, currency: "btc").status == .created)
        }
    }

    @Test func checkoutIsValidatedAndEveryEndpointNeedsCredentials() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            for (method, path) in [(HTTPRequest.Method.get, "/api/entitlements"), (.get, "/api/subscriptions/status"), (.delete, "/api/subscriptions/status"),
                                   (.post, "/api/subscriptions/checkout"), (.get, "/api/dashboard/stats"), (.get, "/api/dashboard/analytics")] {
                #expect(try await api.call(method, path, json: method == .post ? "{}" : nil).status == .unauthorized, "\(path)")
            }
            for (body, code) in [(#"{"blockchain":"ETH"}"#, "missing_field"), (#"{"plan_id":"gold","blockchain":"ETH"}"#, "invalid_plan"),
                                 (#"{"plan_id":"starter","blockchain":"ETH"}"#, "invalid_plan"),
                                 (#"{"plan_id":"professional","billing_period":"weekly","blockchain":"ETH"}"#, "invalid_field"),
                                 (#"{"plan_id":"professional","blockchain":"DOGE"}"#, "unsupported_currency")] {
                let response = try await api.call(.post, "/api/subscriptions/checkout", token: m.token, json: body)
                #expect(response.status == .badRequest && response.errorCode == code, "\(body): \(response.text)")
            }
            // Another tenant's business cannot carry my subscription payment.
            let other = try await PaymentMerchant.make(api)
            let foreign = try await api.call(.post, "/api/subscriptions/checkout", token: m.token,
                                             json: #"{"plan_id":"professional","blockchain":"ETH","business_id":"\#(other.business)"}"#)
            #expect(foreign.status == .notFound)
            // A merchant without a business is told to create one.
            let bare = try await api.merchant()
            let noBusiness = try await api.call(.post, "/api/subscriptions/checkout", token: bare, json: #"{"plan_id":"professional","blockchain":"ETH"}"#)
            #expect(noBusiness.errorCode == "business_required")
            let rows = try await app.railyard.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM subscriptions").first()?.decode(column: "n", as: Int.self) }
            #expect(rows == 0)
            // One merchant's subscription is not another's.
            let bought = try await api.call(.post, "/api/subscriptions/checkout", token: m.token, json: #"{"plan_id":"professional","blockchain":"LTC"}"#)
            try await app.payInFull(bought.object("payment"))
            #expect(try await Self.status(api, m.token)["planId"] as? String == "professional")
            #expect(try await Self.status(api, other.key)["planId"] as? String == "starter")
            #expect(try await api.call(.delete, "/api/subscriptions/status", token: other.token).status == .notFound)
            #expect(try await api.call(.delete, "/api/subscriptions/status", token: m.key).status == .forbidden)  // one business's key cannot cancel the merchant's plan
            #expect(try await Self.status(api, m.token)["status"] as? String == "active")
        }
    }
}

@Suite("Dashboard")
struct DashboardTests {
    @Test func statsAreExactPerAssetAndInUSDOverEveryPayment() async throws {
        try await TestApp.with(configure: { $0.apiRateLimitPerMinute = 10_000 }) { app, api in
            let m = try await PaymentMerchant.make(api)
            // Professional, so that more than 100 sales can be made this month (the collection is not a sale).
            try await app.payInFull(try await api.call(.post, "/api/subscriptions/checkout", token: m.token, json: #"{"plan_id":"professional","blockchain":"LTC"}"#).object("payment"))
            let btc = try await m.create(api, currency: "btc", usd: "25.00").object("payment")
            let eth = try await m.create(api, currency: "eth", usd: "10.10").object("payment")
            let ltc = try await m.create(api, currency: "ltc", usd: "20.00").object("payment")
            try await app.payInFull(btc)
            let ethDue = Int128(eth["amount_crypto_units"] as! String)!
            try await app.payInFull(eth, units: ethDue + 12_345)  // overpaid
            // Half of the LTC sale, then the window closes.
            let ltcDue = Int128(ltc["amount_crypto_units"] as! String)!
            try await app.payInFull(ltc, units: ltcDue / 2, forward: false)
            app.clock.advance(seconds: 16 * 60)
            try await app.scan("LTC")
            // 103 unpaid sales besides: more than any "last 100" sample.
            for _ in 0..<103 { _ = try await m.create(api, currency: "sol", usd: "1.00") }

            let response = try await api.call(.get, "/api/dashboard/stats", token: m.token)
            #expect(response.status == .ok)
            let stats = response.object("stats")
            #expect(stats["total_payments"] as? Int == 106)
            #expect(stats["successful_payments"] as? Int == 3)
            #expect(stats["pending_payments"] as? Int == 103)
            #expect(stats["failed_payments"] as? Int == 0)
            let byAsset = Dictionary(uniqueKeysWithValues: (stats["volume_by_asset"] as? [[String: Any]] ?? []).map { ($0["asset"] as! String, $0) })
            #expect(Set(byAsset.keys) == ["BTC", "ETH", "LTC"])
            #expect(byAsset["BTC"]?["amount_units"] as? String == btc["amount_crypto_units"] as? String)
            #expect(byAsset["ETH"]?["amount_units"] as? String == String(ethDue + 12_345))
            #expect(byAsset["LTC"]?["amount_units"] as? String == String(ltcDue / 2))
            // USD: the price of each sale; the half-paid one counts its paid share, rounded down to the cent.
            let ltcShare = try #require(byAsset["LTC"]?["amount_usd"] as? NSNumber).decimalValue
            #expect(ltcShare >= Decimal(string: "9.99")! && ltcShare <= Decimal(string: "10.00")!)
            #expect(byAsset["BTC"]?["amount_usd"] as? NSNumber == NSDecimalNumber(string: "25"))
            #expect(byAsset["ETH"]?["amount_usd"] as? NSNumber == NSDecimalNumber(string: "10.1"))
            let total = try #require(stats["total_volume_usd"] as? NSNumber).decimalValue
            #expect(total == Decimal(string: "35.10")! + ltcShare)
            #expect((stats["total_volume"] as? String).flatMap { Decimal(string: $0) } == total)
            #expect(response.array("recent_payments").count == 10)

            // Scoped to one business, and to the caller.
            let other = try await PaymentMerchant.make(api)
            #expect(try await api.call(.get, "/api/dashboard/stats?business_id=\(m.business)", token: other.token).status == .notFound)
            #expect(try await api.call(.get, "/api/dashboard/stats", token: other.key).object("stats")["total_payments"] as? Int == 0)
            #expect(try await api.call(.get, "/api/dashboard/stats", token: m.key).object("stats")["total_payments"] as? Int == 106)
        }
    }
}

extension ISO8601DateFormatter {
    static var fractional: ISO8601DateFormatter { ISO8601DateFormatter() }
}
