import Foundation
import HTTP
import Money

/// Turns a fiat price into the crypto amount a customer is asked for.
///
/// The documented network fee for the asset is added so the merchant receives the full amount;
/// the total is converted at the current rate and rounded up to the asset's smallest unit, so a
/// rounding never costs the merchant. The same code prices subscriptions and business collection.
public struct PaymentPricing: Sendable {
    /// Estimated network fee per asset, in USD (the documented figures; undocumented ones set low,
    /// like their chains). Overridable per deployment.
    public static let defaultNetworkFeesUSD: [String: String] = [
        "BTC": "2.50", "ETH": "4.00", "USDC_ETH": "4.00", "USDT": "4.00",
        "POL": "0.01", "USDC_POL": "0.01", "SOL": "0.001", "USDC_SOL": "0.001",
        "BCH": "0.01", "LTC": "0.05", "USDC_BASE": "0.01",
    ]
    /// The documented minimum, and a ceiling that keeps one mistyped amount from asking for a fortune.
    public static let minimumUSD = ExactDecimal(significand: 100, exponent: -2)
    public static let maximumUSD = ExactDecimal(significand: 1_000_000, exponent: 0)

    public struct Quote: Sendable, Equatable {
        public let fiat: String
        /// The merchant's price and the network fee, in the fiat, exactly as charged.
        public let amountFiat: ExactDecimal
        public let networkFeeFiat: ExactDecimal
        public let totalFiat: ExactDecimal
        /// Smallest units of the asset: what the customer must send, and the part that is the network fee.
        public let amountDue: Int128
        public let networkFeeCrypto: Int128
        /// Fiat per whole coin used.
        public let rate: ExactDecimal
        /// The price and the network fee in USD (equal to the fiat figures when the fiat is USD).
        public let amountUSD: ExactDecimal
        public let networkFeeUSD: ExactDecimal
    }

    /// Kept as text: a collection of Int128-backed values stored in this struct crashed the Swift 6.3
    /// runtime when the struct was copied across async frames (the same failure as in the configuration).
    let networkFeesUSD: [String: String]

    public init(networkFeesUSD: [String: String] = PaymentPricing.defaultNetworkFeesUSD) {
        self.networkFeesUSD = Dictionary(networkFeesUSD.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Prices `amount` of `fiat` in `asset`. `price(coin, fiat)` is the fiat price of one whole coin.
    public func quote(amount: ExactDecimal, fiat: Asset, asset: Asset, addNetworkFee: Bool,
                      price: (String, String) async throws -> ExactDecimal) async throws -> Quote {
        let coin = asset.code.hasPrefix("USDC") ? "USDC" : asset.code
        guard !amount.isNegative, !amount.isZero else {
            throw APIError.badRequest("The amount must be positive", code: "invalid_amount", field: "amount_usd")
        }
        let cents: Int128
        do {
            cents = try amount.scaled(toDecimals: fiat.decimals, rounding: .down)
            guard try amount.scaled(toDecimals: fiat.decimals, rounding: .up) == cents else { throw AmountError.tooPrecise(amount.description, decimals: fiat.decimals) }
        } catch {
            throw APIError.badRequest("The amount has more than \(fiat.decimals) decimal places for \(fiat.code)", code: "invalid_amount", field: "amount_usd")
        }
        let rate = try await price(coin, fiat.code)
        // Limits are in USD; another fiat is compared through the coin's two prices.
        let usd: ExactDecimal
        if fiat.code == "USD" {
            usd = amount
        } else {
            let usdRate = try await price(coin, "USD")
            let inCoin = try Amount(minorUnits: cents).converted(fromDecimals: fiat.decimals, dividingBy: rate, toDecimals: 18, rounding: .down)
            usd = try inCoin.converted(fromDecimals: 18, rate: usdRate, toDecimals: 2, rounding: .down).decimal(decimals: 2)
        }
        guard usd.compare(Self.minimumUSD) >= 0 else {
            throw APIError.badRequest("The minimum payment is $1.00 USD", code: "amount_too_small", field: "amount_usd")
        }
        guard usd.compare(Self.maximumUSD) <= 0 else {
            throw APIError.badRequest("The maximum payment is $1,000,000 USD", code: "amount_too_large", field: "amount_usd")
        }
        var feeFiat = ExactDecimal(0)
        var feeUSDCharged = ExactDecimal(0)
        if addNetworkFee, let feeText = networkFeesUSD[asset.code], let feeUSD = try? ExactDecimal(parsing: feeText), !feeUSD.isZero {
            feeUSDCharged = feeUSD
            if fiat.code == "USD" {
                feeFiat = feeUSD
            } else {
                // The USD fee in the merchant's fiat, rounded up to its smallest unit.
                let usdRate = try await price(coin, "USD")
                let feeInCoin = try Amount(feeUSD, decimals: 6, rounding: .up).converted(fromDecimals: 6, dividingBy: usdRate, toDecimals: 18, rounding: .up)
                feeFiat = try feeInCoin.converted(fromDecimals: 18, rate: rate, toDecimals: fiat.decimals, rounding: .up).decimal(decimals: fiat.decimals)
            }
        }
        // Fee fiat may have more places than the fiat (0.001 USD on Solana): keep it exact, in micro-units.
        let scale = max(fiat.decimals, 6)
        let baseUnits = try amount.scaled(toDecimals: scale, rounding: .down)
        let feeUnits = try feeFiat.scaled(toDecimals: scale, rounding: .up)
        let due = try Amount(minorUnits: baseUnits + feeUnits).converted(fromDecimals: scale, dividingBy: rate, toDecimals: asset.decimals, rounding: .up)
        let feeCrypto = try Amount(minorUnits: feeUnits).converted(fromDecimals: scale, dividingBy: rate, toDecimals: asset.decimals, rounding: .up)
        return Quote(fiat: fiat.code, amountFiat: amount, networkFeeFiat: feeFiat,
                     totalFiat: ExactDecimal(significand: baseUnits + feeUnits, exponent: -scale), amountDue: due.minorUnits,
                     networkFeeCrypto: min(feeCrypto.minorUnits, due.minorUnits), rate: rate,
                     amountUSD: usd, networkFeeUSD: feeUSDCharged)
    }
}

extension ExactDecimal {
    /// -1, 0 or 1.
    func compare(_ other: ExactDecimal) -> Int {
        let places = max(scale, other.scale)
        guard let a = try? scaled(toDecimals: places, rounding: .down), let b = try? other.scaled(toDecimals: places, rounding: .down) else { return 0 }
        return a < b ? -1 : (a == b ? 0 : 1)
    }

    /// Plain decimal text with trailing zeros removed but at least `minimumPlaces` fraction digits.
    func text(minimumPlaces: Int) -> String {
        var places = max(minimumPlaces, scale)
        while places > minimumPlaces, let value = try? scaled(toDecimals: places - 1, rounding: .down),
              (try? scaled(toDecimals: places, rounding: .down)) == value * 10 { places -= 1 }
        guard let units = try? scaled(toDecimals: places, rounding: .down) else { return description }
        return ExactDecimal(significand: units, exponent: -places).fixed(places: places)
    }
}
