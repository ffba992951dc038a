import Foundation
import Money

/// The wallet link a QR code and the "open in wallet" button carry: BIP-21 for the Bitcoin family,
/// EIP-681 for EVM native coins and ERC-20 tokens, Solana Pay for SOL and SPL tokens.
public enum PaymentURI {
    /// Token contracts (or mints) and EVM chain ids known to this deployment.
    public struct Context: Sendable {
        public var contracts: [String: String]
        public var evmChainIDs: [String: Int64]
        public init(contracts: [String: String] = [:], evmChainIDs: [String: Int64] = [:]) {
            self.contracts = contracts
            self.evmChainIDs = evmChainIDs
        }
    }

    static let bip21Schemes = ["BTC": "bitcoin", "LTC": "litecoin", "BCH": "bitcoincash"]

    public static func make(asset: Asset, address: String, units: Int128, context: Context, label: String?) -> String {
        let chain = asset.chain ?? asset.code
        let decimal = Amount(minorUnits: units).formattedTrimmed(decimals: asset.decimals)
        var query = URLComponents()
        switch chain {
        case "BTC", "LTC", "BCH":
            let scheme = bip21Schemes[chain]!
            // CashAddr addresses already carry their prefix (bitcoincash:, bchtest:, bchreg:).
            let target = address.contains(":") ? address : "\(scheme):\(address)"
            query.queryItems = [URLQueryItem(name: "amount", value: decimal)] + (label.map { [URLQueryItem(name: "label", value: $0)] } ?? [])
            return target + "?" + (query.percentEncodedQuery ?? "")
        case "SOL":
            var items = [URLQueryItem(name: "amount", value: decimal)]
            if asset.tokenStandard != nil, let mint = context.contracts[asset.code] { items.append(URLQueryItem(name: "spl-token", value: mint)) }
            if let label { items.append(URLQueryItem(name: "label", value: label)) }
            query.queryItems = items
            return "solana:\(address)?" + (query.percentEncodedQuery ?? "")
        default:
            let chainSuffix = context.evmChainIDs[chain].map { "@\($0)" } ?? ""
            if asset.tokenStandard != nil {
                // Without a known contract (a devnet token) a link cannot name the token: give the address only.
                guard let contract = context.contracts[asset.code] else { return "ethereum:\(address)\(chainSuffix)" }
                return "ethereum:\(contract)\(chainSuffix)/transfer?address=\(address)&uint256=\(units)"
            }
            return "ethereum:\(address)\(chainSuffix)?value=\(units)"
        }
    }
}
