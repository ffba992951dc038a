import App
import Foundation
import Hummingbird
import Testing

@Suite("Catalogue, rates and operations")
struct CatalogAndOperationsTests {
    @Test func supportedCoinsFollowTheBusinessWallets() async throws {
        try await TestApp.with { _, api in
            let token = try await api.merchant()
            let business = try await api.business(token, json: #"{"name":"S","wallet_addresses":{"BTC":"bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu","SOL":"So11111111111111111111111111111111111111112"}}"#)
            let key = try await api.apiKey(token, business: business)
            let viaKey = try await api.call(.get, "/api/supported-coins", token: key)
            #expect(viaKey.status == .ok, "\(viaKey.text)")
            #expect(viaKey["business_id"] as? String == business)
            #expect(viaKey["total"] as? Int == 2)
            #expect(Set(viaKey.array("coins").compactMap { $0["symbol"] as? String }) == ["BTC", "SOL"])
            #expect(viaKey.array("coins").allSatisfy { $0["is_active"] as? Bool == true && $0["has_wallet"] as? Bool == true })
            let viaJWT = try await api.call(.get, "/api/supported-coins?business_id=\(business)&active_only=true", token: token)
            #expect(viaJWT["total"] as? Int == 2)
            #expect(try await api.call(.get, "/api/supported-coins", token: token).field == "business_id")
            #expect(try await api.call(.get, "/api/supported-coins?business_id=\(business)&active_only=maybe", token: token).field == "active_only")
            #expect(try await api.call(.get, "/api/supported-coins").status == .unauthorized)
        }
    }

    @Test func subscriptionPlansAreDocumentedAndPublic() async throws {
        try await TestApp.with { _, api in
            let response = try await api.call(.get, "/api/subscription-plans")
            #expect(response.status == .ok)
            let plans = response.array("plans")
            #expect(plans.map { $0["id"] as? String } == ["starter", "professional"])
            #expect((plans[0]["limits"] as? [String: Any])?["monthly_transactions"] as? Int == 100)
            #expect((plans[1]["pricing"] as? [String: Any])?["monthly"] as? Int == 49)
            #expect((plans[1]["pricing"] as? [String: Any])?["yearly"] as? Int == 490)
            #expect((plans[1]["limits"] as? [String: Any])?["is_unlimited"] as? Bool == true)
        }
    }

    @Test func ratesAnswerAsDocumentedAndRejectUnknownCodes() async throws {
        try await TestApp.with { app, api in
            let single = try await api.call(.get, "/api/rates?coin=SOL&fiat=EUR")
            #expect(single.status == .ok)
            #expect(single["coin"] as? String == "SOL")
            #expect(single["fiat"] as? String == "EUR")
            #expect(single["cached"] as? Bool == false)
            #expect(single["timestamp"] as? String != nil)
            // The rate is written as an exact JSON number: 241.30 USD × 0.9480 EUR/USD = 228.7524.
            #expect(single.text.contains(#""rate":228.7524"#), "\(single.text)")
            let again = try await api.call(.get, "/api/rates?coin=SOL&fiat=EUR")
            #expect(again["cached"] as? Bool == true)
            app.clock.advance(seconds: 61)
            #expect(try await api.call(.get, "/api/rates?coin=BTC").json["cached"] as? Bool == false)

            let multi = try await api.call(.get, "/api/rates?coins=BTC,ETH,SOL")
            #expect(multi.status == .ok)
            #expect(multi["fiat"] as? String == "USD")
            #expect(Set((multi["rates"] as? [String: Any])?.keys.map { $0 } ?? []) == ["BTC", "ETH", "SOL"])
            #expect(multi.text.contains(#""BTC":97250"#), "\(multi.text)")
            #expect(try await api.call(.get, "/api/rates?coin=usdc_pol").json["coin"] as? String == "USDC")

            #expect(try await api.call(.get, "/api/rates?coin=DOGE").field == "coin")
            #expect(try await api.call(.get, "/api/rates?coin=BTC&fiat=XYZ").field == "fiat")
            #expect(try await api.call(.get, "/api/rates").status == .badRequest)
            #expect(try await api.call(.get, "/api/rates?coins=BTC,NOPE").field == "coins")
        }
    }

    @Test func healthReadinessMetricsAndErrorsForUnknownRoutes() async throws {
        try await TestApp.with { _, api in
            #expect(try await api.call(.get, "/healthz").json["status"] as? String == "ok")
            let ready = try await api.call(.get, "/readyz")
            #expect(ready.json["status"] as? String == "ready")
            #expect(try await api.call(.get, "/metrics").status == .ok)
            let missing = try await api.call(.get, "/api/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing["success"] as? Bool == false)
            #expect(missing.headers[.init("X-Request-Id")!] != nil)
        }
    }

    @Test func generalRateLimitAppliesPerCaller() async throws {
        try await TestApp.with(configure: { $0.apiRateLimitPerMinute = 5 }) { app, api in
            for _ in 0..<5 { #expect(try await api.call(.get, "/api/subscription-plans").status == .ok) }
            let limited = try await api.call(.get, "/api/subscription-plans")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.headers[.retryAfter] != nil)
            app.clock.advance(seconds: 60)
            #expect(try await api.call(.get, "/api/subscription-plans").status == .ok)
        }
    }

    @Test func openAPIDocumentDescribesExactlyTheRoutesThatExist() async throws {
        try await TestApp.with { app, api in
            let routes = Set(app.railyard.router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            #expect(routes == OpenAPIDocument.routeKeys, "undocumented: \(routes.subtracting(OpenAPIDocument.routeKeys)); missing: \(OpenAPIDocument.routeKeys.subtracting(routes))")
            let document = try await api.call(.get, "/openapi.json")
            #expect(document.json["openapi"] as? String == "3.1.0")
            let paths = document.json["paths"] as? [String: Any] ?? [:]
            #expect(paths["/api/businesses/{id}/api-keys/{keyId}"] != nil)
            #expect(paths.count == Set(OpenAPIDocument.routeKeys.map { $0.split(separator: " ")[1] }).count)
        }
    }
}
