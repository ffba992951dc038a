import Foundation
import HTTP
import Hummingbird
import Money
import SQLKit
import Storage

extension MerchantsFeature {
    struct CoinView: Encodable { let symbol: String; let name: String; let is_active: Bool; let has_wallet: Bool }
    struct CoinsAnswer: Encodable { let success = true; let coins: [CoinView]; let business_id: String; let total: Int }
    struct PlansAnswer: Encodable { let success = true; let plans: [Plan] }
    struct SingleRate: Encodable { let success = true; let coin: String; let rate: Decimal; let fiat: String; let cached: Bool; let timestamp: String }
    struct MultiRate: Encodable { let success = true; let rates: [String: Decimal]; let fiat: String; let cached: Bool; let timestamp: String }

    func addCatalogRoutes(to router: Router<RailyardRequestContext>) {
        let deps = self.deps
        let store = self.store
        let feature = self

        router.get("/api/supported-coins") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let business = try await feature.requestBusiness(request, principal: principal)
            let activeOnly: Bool
            switch request.query("active_only") {
            case nil, "false": activeOnly = false
            case "true": activeOnly = true
            default: throw APIError.badRequest("active_only must be true or false", code: "invalid_query", field: "active_only")
            }
            let wallets = try await deps.db.read { try await store.wallets(businessID: business.id, in: $0) }
            let coins = wallets.compactMap { wallet -> CoinView? in
                guard let asset = AssetRegistry.asset(wallet.coin) else { return nil }
                if activeOnly && !wallet.active { return nil }
                return CoinView(symbol: asset.code, name: asset.name, is_active: wallet.active, has_wallet: true)
            }
            return try JSONResponse.make(CoinsAnswer(coins: coins, business_id: business.id, total: coins.count))
        }

        router.get("/api/subscription-plans") { _, _ -> Response in
            try JSONResponse.make(PlansAnswer(plans: Plan.all))
        }

        router.get("/api/rates") { request, _ -> Response in
            let fiatCode = (request.query("fiat") ?? "USD").uppercased()
            guard let fiat = AssetRegistry.fiatCurrency(fiatCode) else {
                throw APIError.badRequest("Unsupported fiat '\(fiatCode)'; expected one of: \(AssetRegistry.fiat.map(\.code).joined(separator: ", "))",
                                          code: "unsupported_fiat", field: "fiat")
            }
            if let single = request.query("coin") {
                let coin = try RatesService.coinCode(single, field: "coin")
                let quote = try await deps.rates.rates(coins: [coin], fiat: fiat.code)
                return try JSONResponse.make(SingleRate(coin: coin, rate: quote.rates[coin]!.decimalValue, fiat: fiat.code, cached: quote.cached,
                                                        timestamp: Timestamp.iso8601(millis: quote.asOf)))
            }
            guard let list = request.query("coins") else {
                throw APIError.badRequest("Provide coin or coins", code: "missing_field", field: "coin")
            }
            let codes = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !codes.isEmpty, codes.count <= 20 else { throw APIError.badRequest("coins must list 1 to 20 codes", code: "invalid_query", field: "coins") }
            let coins = try codes.map { try RatesService.coinCode($0, field: "coins") }
            let quote = try await deps.rates.rates(coins: coins, fiat: fiat.code)
            return try JSONResponse.make(MultiRate(rates: quote.rates.mapValues(\.decimalValue), fiat: fiat.code, cached: quote.cached,
                                                   timestamp: Timestamp.iso8601(millis: quote.asOf)))
        }
    }
}

extension ExactDecimal {
    /// For JSON output as a number: Foundation writes a `Decimal` from its exact digits.
    var decimalValue: Decimal { Decimal(string: description) ?? 0 }
}

extension MerchantsFeature {
    /// A business's active wallets by coin code, for features that price and route payments.
    public func walletAddresses(businessID: String) async throws -> [String: String] {
        let store = self.store
        let wallets = try await deps.db.read { try await store.wallets(businessID: businessID, in: $0) }
        return Dictionary(wallets.filter(\.active).map { ($0.coin, $0.address) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether `merchantID` owns the (not deleted) business `businessID`.
    public func merchant(_ merchantID: String, owns businessID: String) async throws -> Bool {
        let store = self.store
        return try await deps.db.read { try await store.business(businessID, in: $0) }?.merchantID == merchantID
    }

    /// The USD price of a coin from the rates service (503 when rates are stale).
    public func usdPrice(_ coin: String) async throws -> ExactDecimal {
        let quote = try await deps.rates.rates(coins: [coin], fiat: "USD")
        guard let price = quote.rates[coin] ?? quote.rates[coin.uppercased()] else {
            throw APIError(.serviceUnavailable, code: "rates_unavailable", "No USD price for \(coin)")
        }
        return price
    }
}

extension MerchantsFeature {
    /// The price of one whole `coin` (`BTC`, `USDC`) in `fiat`, from the rates service (503 when stale).
    public func price(coin: String, fiat: String) async throws -> ExactDecimal {
        let quote = try await deps.rates.rates(coins: [coin], fiat: fiat)
        guard let price = quote.rates[coin] else { throw APIError(.serviceUnavailable, code: "rates_unavailable", "No \(fiat) price for \(coin)") }
        return price
    }
}

extension MerchantsFeature {
    /// The payment window a business chose (nil: the server default).
    public func paymentExpiryMinutes(businessID: String) async throws -> Int? {
        let store = self.store
        return try await deps.db.read { try await store.business(businessID, in: $0) }?.paymentExpiryMinutes
    }
}
