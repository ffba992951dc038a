/// An asset Railyard can hold: a cryptocurrency on a specific chain, or a fiat currency.
///
/// Every amount of an asset is an integer count of its smallest unit (satoshi, wei, lamport, cent);
/// `decimals` says how many of those make one whole unit.
public struct Asset: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable { case crypto, fiat }

    /// Stable code used in the ledger and the API, e.g. `BTC`, `USDC_POL`, `USD`.
    public let code: String
    public let name: String
    public let kind: Kind
    public let decimals: Int
    /// The chain a crypto asset lives on (`BTC`, `ETH`, `POL`, `SOL`, `BASE`, …); nil for fiat.
    public let chain: String?
    /// The token standard when the asset is a token on another chain's native coin.
    public let tokenStandard: String?
    /// Confirmations the documentation requires before a deposit counts (crypto only).
    public let confirmations: Int?

    public var description: String { code }
    public var isFiat: Bool { kind == .fiat }
}

/// The closed list of assets this build knows about.
public enum AssetRegistry {
    public static let crypto: [Asset] = [
        .init(code: "BTC", name: "Bitcoin", kind: .crypto, decimals: 8, chain: "BTC", tokenStandard: nil, confirmations: 3),
        .init(code: "BCH", name: "Bitcoin Cash", kind: .crypto, decimals: 8, chain: "BCH", tokenStandard: nil, confirmations: 6),
        .init(code: "LTC", name: "Litecoin", kind: .crypto, decimals: 8, chain: "LTC", tokenStandard: nil, confirmations: 6),
        .init(code: "ETH", name: "Ethereum", kind: .crypto, decimals: 18, chain: "ETH", tokenStandard: nil, confirmations: 12),
        .init(code: "POL", name: "Polygon", kind: .crypto, decimals: 18, chain: "POL", tokenStandard: nil, confirmations: 128),
        .init(code: "SOL", name: "Solana", kind: .crypto, decimals: 9, chain: "SOL", tokenStandard: nil, confirmations: 32),
        .init(code: "USDC_ETH", name: "USDC on Ethereum", kind: .crypto, decimals: 6, chain: "ETH", tokenStandard: "ERC-20", confirmations: 12),
        .init(code: "USDC_POL", name: "USDC on Polygon", kind: .crypto, decimals: 6, chain: "POL", tokenStandard: "ERC-20", confirmations: 128),
        .init(code: "USDC_SOL", name: "USDC on Solana", kind: .crypto, decimals: 6, chain: "SOL", tokenStandard: "SPL", confirmations: 32),
        .init(code: "USDC_BASE", name: "USDC on Base", kind: .crypto, decimals: 6, chain: "BASE", tokenStandard: "ERC-20", confirmations: 12),
        .init(code: "USDT", name: "Tether (USDT on Ethereum)", kind: .crypto, decimals: 6, chain: "ETH", tokenStandard: "ERC-20", confirmations: 12),
    ]

    public static let fiat: [Asset] = [
        ("USD", "US Dollar", 2), ("EUR", "Euro", 2), ("GBP", "British Pound", 2), ("CAD", "Canadian Dollar", 2),
        ("AUD", "Australian Dollar", 2), ("JPY", "Japanese Yen", 0), ("CHF", "Swiss Franc", 2),
        ("CNY", "Chinese Yuan", 2), ("INR", "Indian Rupee", 2), ("BRL", "Brazilian Real", 2),
    ].map { Asset(code: $0.0, name: $0.1, kind: .fiat, decimals: $0.2, chain: nil, tokenStandard: nil, confirmations: nil) }

    public static let all: [Asset] = crypto + fiat

    /// Units the ledger books that are not payment currencies: Lightning moves bitcoin in
    /// millisatoshis, and a micro-payment of a few hundred of them must be booked whole, not as 0 sats.
    public static let ledgerUnits: [Asset] = [
        .init(code: "BTC_LN", name: "Bitcoin on Lightning (millisatoshis)", kind: .crypto, decimals: 11, chain: "BTC", tokenStandard: nil, confirmations: nil),
    ]

    private static let byCode: [String: Asset] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    /// Looks an asset up by code, case-insensitively (`usdc_pol` and `USDC_POL` are the same asset).
    public static func asset(_ code: String) -> Asset? { byCode[code.uppercased()] }

    /// Any asset the ledger may book: the payment assets and the ledger-only units. Never for input
    /// that names a currency to pay or quote in (`BTC_LN` is not one).
    public static func ledgerAsset(_ code: String) -> Asset? {
        asset(code) ?? ledgerUnits.first { $0.code == code.uppercased() }
    }

    public static func fiatCurrency(_ code: String) -> Asset? {
        guard let asset = asset(code), asset.isFiat else { return nil }
        return asset
    }
}
