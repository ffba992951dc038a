import App
import Chains
import Foundation
import HTTPTypes
import Payments
import Storage
import TestSupport
import Testing

@Suite("Payments API")
struct PaymentAPITests {
    @Test func createAnswersTheDocumentedShapeAndGetReturnsIt() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let created = try await m.create(api, currency: "usdc_pol", extra: #","description":"Order #12345","redirect_url":"https://shop.example/ok?id=1","metadata":{"order_id":"o-1","qty":2.50}"#)
            #expect(created.status == .created, "\(created.text)")
            let p = created.object("payment")
            let id = try #require(p["id"] as? String)
            #expect(p["business_id"] as? String == m.business)
            #expect(p["amount_usd"] as? String == "100.00")
            // USDC at $1.00 plus the $0.01 Polygon network fee, in USDC's 6 decimals.
            #expect(p["amount_crypto"] as? String == "100.01")
            #expect(p["amount_crypto_units"] as? String == "100010000")
            #expect(p["currency"] as? String == "usdc_pol")
            #expect(p["status"] as? String == "pending")
            #expect((p["payment_address"] as? String)?.hasPrefix("0x") == true)
            let metadata = p["metadata"] as? [String: Any] ?? [:]
            #expect(metadata["network_fee_usd"] as? Double == 0.01)
            #expect(metadata["total_amount_usd"] as? Double == 100.01)
            #expect(metadata["redirect_url"] as? String == "https://shop.example/ok?id=1")
            #expect(metadata["order_id"] as? String == "o-1")
            let iso = ISO8601DateFormatter()
            let createdAt = try #require(iso.date(from: p["created_at"] as? String ?? ""))
            let expiresAt = try #require(iso.date(from: p["expires_at"] as? String ?? ""))
            #expect(expiresAt.timeIntervalSince(createdAt) == 15 * 60)
            #expect(p["required_confirmations"] as? Int == 128)
            #expect(p["checkout_url"] as? String == "/pay/\(id)")

            let fetched = try await api.call(.get, "/api/payments/\(id)", token: m.key)
            #expect(fetched.status == .ok)
            #expect(fetched.object("payment")["amount_crypto"] as? String == "100.01")
            // A merchant session sees it too.
            #expect(try await api.call(.get, "/api/payments/\(id)", token: m.token).status == .ok)
        }
    }

    @Test func bitcoinAmountsRoundUpInTheMerchantsFavour() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let p = try await m.create(api, currency: "btc", usd: "10.00").object("payment")
            // ($10.00 + $2.50 fee) / BTC price, rounded up to a whole satoshi: never short.
            let units = try #require(Int128(p["amount_crypto_units"] as? String ?? ""))
            let price = try await app.railyard.merchants.price(coin: "BTC", fiat: "USD")
            let cents = try price.scaled(toDecimals: 2, rounding: .down)
            #expect(units * cents >= 1_250 * 100_000_000)
            #expect((units - 1) * cents < 1_250 * 100_000_000)
            #expect((p["payment_uri"] as? String)?.hasPrefix("bitcoin:bc1") == true)
        }
    }

    @Test func badInputIsRefusedWithTheFieldAndNothingIsWritten() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let cases: [(String, String, String)] = [
                (#"{"business_id":"B","amount_usd":10}"#, "missing_field", "currency"),
                (#"{"business_id":"B","amount_usd":10,"currency":"doge"}"#, "unsupported_currency", "currency"),
                (#"{"business_id":"B","amount_usd":0.99,"currency":"eth"}"#, "amount_too_small", "amount_usd"),
                (#"{"business_id":"B","amount_usd":1000000.01,"currency":"eth"}"#, "amount_too_large", "amount_usd"),
                (#"{"business_id":"B","amount_usd":1.001,"currency":"eth"}"#, "invalid_amount", "amount_usd"),
                (#"{"business_id":"B","amount_usd":10,"currency":"eth","redirect_url":"javascript:alert(1)"}"#, "invalid_url", "redirect_url"),
                (#"{"business_id":"B","amount_usd":10,"currency":"eth","metadata":[1]}"#, "invalid_field", "metadata"),
                (#"{"business_id":"B","currency":"eth"}"#, "missing_field", "amount_usd"),
            ]
            for (body, code, field) in cases {
                let response = try await api.call(.post, "/api/payments/create", token: m.key, json: body.replacingOccurrences(of: "\"B\"", with: "\"\(m.business)\""))
                #expect(response.status == .badRequest, "\(body): \(response.text)")
                #expect(response.errorCode == code, "\(body): \(response.text)")
                #expect(response.json["field"] as? String == field, "\(body)")
            }
            let count = try await app.railyard.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM payments").first()?.decode(column: "n", as: Int.self) }
            #expect(count == 0)
        }
    }

    @Test func everyEndpointRefusesMissingAuthAndOtherTenants() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let other = try await PaymentMerchant.make(api)
            let id = try #require(try await m.create(api, currency: "eth").object("payment")["id"] as? String)
            #expect(try await api.call(.post, "/api/payments/create", json: #"{"business_id":"\#(m.business)","amount_usd":5,"currency":"eth"}"#).status == .unauthorized)
            #expect(try await api.call(.get, "/api/payments/\(id)").status == .unauthorized)
            #expect(try await api.call(.get, "/api/payments").status == .unauthorized)
            // Another tenant's key or session: the payment and the business do not exist for it.
            #expect(try await api.call(.get, "/api/payments/\(id)", token: other.key).status == .notFound)
            #expect(try await api.call(.get, "/api/payments/\(id)", token: other.token).status == .notFound)
            #expect(try await other.create(api, currency: "eth").status == .created)
            let foreign = try await api.call(.post, "/api/payments/create", token: other.key, json: #"{"business_id":"\#(m.business)","amount_usd":5,"currency":"eth"}"#)
            #expect(foreign.status == .notFound)
            #expect(try await api.call(.get, "/api/payments?business_id=\(m.business)", token: other.token).status == .notFound)
            let mine = try await api.call(.get, "/api/payments", token: other.key)
            #expect(mine.array("payments").count == 1)
            #expect(!mine.array("payments").contains { $0["id"] as? String == id })
        }
    }

    @Test func concurrentCreatesWithOneIdempotencyKeyMakeOnePayment() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let r = try await m.create(api, currency: "sol", headers: [("Idempotency-Key", "order-77")])
                        return r.object("payment")["id"] as? String
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(Set(ids.compactMap { $0 }).count == 1)
            let count = try await app.railyard.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM payments").first()?.decode(column: "n", as: Int.self) }
            #expect(count == 1)
        }
    }

    @Test func listFiltersAndPages() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            for currency in ["eth", "eth", "btc"] { #expect(try await m.create(api, currency: currency).status == .created) }
            let all = try await api.call(.get, "/api/payments", token: m.key)
            #expect(all.array("payments").count == 3)
            #expect(all.object("pagination")["total"] as? Int == 3)
            let eth = try await api.call(.get, "/api/payments?currency=eth&limit=1&offset=1", token: m.key)
            #expect(eth.array("payments").count == 1)
            #expect(eth.object("pagination")["total"] as? Int == 2)
            #expect(try await api.call(.get, "/api/payments?status=confirmed", token: m.key).array("payments").isEmpty)
            #expect(try await api.call(.get, "/api/payments?status=nope", token: m.key).status == .badRequest)
            #expect(try await api.call(.get, "/api/payments?limit=1000", token: m.key).status == .badRequest)
        }
    }

    @Test func qrCodesArePNGOrSVGOfTheWalletURI() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let id = try #require(try await m.create(api, currency: "ltc").object("payment")["id"] as? String)
            let png = try await api.client.executeRequest(uri: "/api/payments/\(id)/qr", method: .get, headers: [:], body: nil)
            #expect(png.status == .ok)
            #expect(png.headers[.contentType] == "image/png")
            #expect(Array(png.body.readableBytesView.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            let svg = try await api.call(.get, "/api/payments/\(id)/qr?format=svg")
            #expect(svg.headers[.contentType] == "image/svg+xml")
            #expect(svg.text.hasPrefix("<svg"))
            #expect(try await api.call(.get, "/api/payments/pay_nope/qr").status == .notFound)
            #expect(try await api.call(.get, "/api/payments/\(id)/qr?format=gif").status == .badRequest)
        }
    }
}
