import AsyncHTTPClient
import Foundation
import HTTP
import Money
import NIOCore
import Storage

/// Prices of coins in fiat currencies at one moment.
public struct RatesSnapshot: Sendable {
    /// coin code → fiat code → whole fiat units per whole coin.
    public let prices: [String: [String: ExactDecimal]]
    public let asOf: Int64

    public init(prices: [String: [String: ExactDecimal]], asOf: Int64) {
        self.prices = prices
        self.asOf = asOf
    }
}

/// Where prices come from: a shipped table (the default) or a live HTTP source.
public protocol RatesProvider: Sendable {
    func fetch() async throws -> RatesSnapshot
}

public enum RatesError: Error, Sendable, CustomStringConvertible {
    case malformed(String)
    case unavailable(String)
    public var description: String {
        switch self {
        case .malformed(let m): return "malformed rates: \(m)"
        case .unavailable(let m): return "rates unavailable: \(m)"
        }
    }
}

/// A fixed price table: USD prices per coin plus fiat-per-USD cross rates, from a JSON document
/// `{"usd": {"BTC": "42350.80", …}, "fx": {"EUR": "0.92", …}}`. Prices are configured, not
/// observed, so each fetch is as fresh as the table itself.
public struct StaticRatesProvider: RatesProvider {
    let snapshotPrices: [String: [String: ExactDecimal]]
    let clock: any AppClock

    public init(json: Data, clock: any AppClock) throws {
        struct Table: Decodable { let usd: [String: DecimalInput]; let fx: [String: DecimalInput] }
        let table: Table
        do { table = try JSONDecoder().decode(Table.self, from: json) } catch { throw RatesError.malformed("\(error)") }
        var prices: [String: [String: ExactDecimal]] = [:]
        for (coin, usd) in table.usd {
            var row: [String: ExactDecimal] = ["USD": usd.value]
            for (fiat, perUSD) in table.fx where fiat.uppercased() != "USD" {
                row[fiat.uppercased()] = try StaticRatesProvider.multiply(usd.value, perUSD.value)
            }
            prices[coin.uppercased()] = row
        }
        self.snapshotPrices = prices
        self.clock = clock
    }

    public static func shipped(clock: any AppClock) -> StaticRatesProvider {
        // The shipped table is part of the source; a broken one is a build defect, caught by tests.
        try! StaticRatesProvider(json: Data(shippedRatesJSON.utf8), clock: clock)
    }

    public func fetch() async throws -> RatesSnapshot { RatesSnapshot(prices: snapshotPrices, asOf: clock.nowMillis()) }

    /// Exact product, rounded to 8 decimal places (half-even) so cross rates stay readable.
    static func multiply(_ a: ExactDecimal, _ b: ExactDecimal) throws -> ExactDecimal {
        let (product, overflow) = a.significand.multipliedReportingOverflow(by: b.significand)
        guard !overflow else { throw RatesError.malformed("rate product overflows") }
        let exact = ExactDecimal(significand: product, exponent: a.exponent + b.exponent)
        guard exact.exponent < -8 else { return exact }
        let rounded = try exact.scaled(toDecimals: 8, rounding: .halfEven)
        return try ExactDecimal(parsing: Amount(minorUnits: rounded).formattedTrimmed(decimals: 8))
    }
}

/// Live prices from a CoinGecko-compatible `simple/price` endpoint (`RAILYARD_RATES_URL`).
public struct HTTPRatesProvider: RatesProvider {
    public static let coinIDs = ["BTC": "bitcoin", "BCH": "bitcoin-cash", "LTC": "litecoin", "ETH": "ethereum",
                                 "POL": "polygon-ecosystem-token", "SOL": "solana", "USDC": "usd-coin", "USDT": "tether"]
    let baseURL: String
    let client: HTTPClient
    let clock: any AppClock

    public init(baseURL: String, client: HTTPClient, clock: any AppClock) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.clock = clock
    }

    public func fetch() async throws -> RatesSnapshot {
        let ids = Self.coinIDs.values.sorted().joined(separator: ",")
        let fiats = AssetRegistry.fiat.map { $0.code.lowercased() }.joined(separator: ",")
        let request = HTTPClientRequest(url: "\(baseURL)/simple/price?ids=\(ids)&vs_currencies=\(fiats)")
        let response = try await client.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw RatesError.unavailable("rates source answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: 1 << 20)
        let table: [String: [String: DecimalInput]]
        do { table = try JSONDecoder().decode([String: [String: DecimalInput]].self, from: Data(buffer: body)) } catch {
            throw RatesError.malformed("\(error)")
        }
        var prices: [String: [String: ExactDecimal]] = [:]
        for (coin, id) in Self.coinIDs {
            guard let row = table[id] else { continue }
            prices[coin] = Dictionary(uniqueKeysWithValues: row.map { ($0.key.uppercased(), $0.value.value) })
        }
        return RatesSnapshot(prices: prices, asOf: clock.nowMillis())
    }
}

/// Caches prices for `ttlSeconds` and refuses to price with a snapshot older than `maxAgeSeconds`.
public actor RatesService {
    public struct Quote: Sendable {
        public let rates: [String: ExactDecimal]
        public let asOf: Int64
        public let cached: Bool
    }

    /// Coins that have a market price (tokens are priced as their underlying: USDC_POL → USDC).
    public static let pricedCoins = ["BTC", "BCH", "LTC", "ETH", "POL", "SOL", "USDC", "USDT"]

    let provider: any RatesProvider
    let clock: any AppClock
    let ttlSeconds: Int64
    let maxAgeSeconds: Int64
    var snapshot: RatesSnapshot?
    var fetchedAt: Int64 = 0

    public init(provider: any RatesProvider, clock: any AppClock, ttlSeconds: Int64 = 60, maxAgeSeconds: Int64 = 600) {
        self.provider = provider
        self.clock = clock
        self.ttlSeconds = ttlSeconds
        self.maxAgeSeconds = maxAgeSeconds
    }

    public static func coinCode(_ raw: String, field: String) throws -> String {
        let code = raw.uppercased()
        if code.hasPrefix("USDC") { return "USDC" }
        guard pricedCoins.contains(code) else {
            throw APIError.badRequest("Unsupported coin '\(raw)'; expected one of: \(pricedCoins.joined(separator: ", "))", code: "unsupported_coin", field: field)
        }
        return code
    }

    /// Prices of `coins` in `fiat`, from cache when fresh. Throws 503 when no snapshot is fresh enough.
    public func rates(coins: [String], fiat: String) async throws -> Quote {
        let now = clock.nowMillis()
        var cached = true
        if snapshot == nil || now - fetchedAt >= ttlSeconds * 1000 {
            do {
                snapshot = try await provider.fetch()
                fetchedAt = now
                cached = false
            } catch {
                // Keep serving the last snapshot while it is within the staleness limit.
            }
        }
        guard let snapshot, now - snapshot.asOf <= maxAgeSeconds * 1000 else {
            throw APIError(.serviceUnavailable, code: "rates_unavailable", "Exchange rates are unavailable or stale; refusing to price")
        }
        var rates: [String: ExactDecimal] = [:]
        for coin in coins {
            guard let price = snapshot.prices[coin]?[fiat] else {
                throw APIError(.serviceUnavailable, code: "rate_missing", "No \(coin)/\(fiat) rate is available")
            }
            rates[coin] = price
        }
        return Quote(rates: rates, asOf: snapshot.asOf, cached: cached)
    }
}
