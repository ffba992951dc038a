import Chains
import RailyardCrypto

/// An x402 network Railyard can verify and settle `exact` EVM payments on: its v1 name, its CAIP-2
/// id, the chain it lives on, and the token (asset code, contract, EIP-712 domain).
public struct X402Network: Sendable, Equatable {
    /// How payments on this network are made and proven.
    public enum Kind: String, Sendable {
        /// EIP-3009 `transferWithAuthorization`, settled by the facilitator.
        case evmExact
        /// A transaction the payer broadcast to `payTo`; the proof is its txid.
        case utxo
        /// A BOLT 11 invoice (`payTo`) issued per request; the proof is the payment preimage.
        case lightning
        /// A Solana transaction the payer signed, co-signed by the facilitator as fee payer.
        case svmExact
    }

    public let kind: Kind
    /// The v1 name (`base`, `polygon`, …); nil for chains without a standard v1 name.
    public let v1Name: String?
    /// CAIP-2 (`eip155:8453`).
    public let caip2: String
    /// Railyard chain code (`BASE`, `ETH`, `POL`).
    public let chain: String
    public let chainID: Int64
    /// Railyard asset code of the token (`USDC_BASE`).
    public let asset: String
    /// Token contract (`0x…`).
    public let contract: String
    /// The token's EIP-712 domain name and version (`extra.name`, `extra.version`).
    public let tokenName: String
    public let tokenVersion: String
    /// Solana: the facilitator's fee payer that clients put first in their transaction (`extra.feePayer`).
    public let feePayer: String?

    public init(v1Name: String?, caip2: String, chain: String, chainID: Int64, asset: String, contract: String, tokenName: String, tokenVersion: String,
                kind: Kind = .evmExact, feePayer: String? = nil) {
        self.kind = kind
        self.feePayer = feePayer
        self.v1Name = v1Name
        self.caip2 = caip2
        self.chain = chain
        self.chainID = chainID
        self.asset = asset
        self.contract = contract
        self.tokenName = tokenName
        self.tokenVersion = tokenVersion
    }

    /// Whether `name` (a v1 name or a CAIP-2 id) denotes this network.
    public func matches(_ name: String) -> Bool {
        name == caip2 || (v1Name != nil && name == v1Name)
    }

    /// A Bitcoin-family chain: the documented v1 name (`bitcoin`, `litecoin`, `bitcoin-cash`) and a
    /// CAIP-2 `bip122` id (the genesis hash prefix on mainnet; a Railyard-local id elsewhere).
    public static func utxo(chain: String, deployment: ChainDeployment) -> X402Network? {
        let names = ["BTC": ("bitcoin", "000000000019d6689c085ae165831e93"), "LTC": ("litecoin", "12a765e31ffd4059bada1e25190f6e98"),
                     "BCH": ("bitcoin-cash", "000000000000000000651ef99cb9fcbe")]
        guard let (name, genesis) = names[chain] else { return nil }
        let reference = deployment == .mainnet ? genesis : "railyard-\(deployment.rawValue)-\(chain.lowercased())"
        return X402Network(v1Name: name, caip2: "bip122:\(reference)", chain: chain, chainID: 0, asset: chain, contract: chain,
                           tokenName: "", tokenVersion: "", kind: .utxo)
    }

    /// Circle's USDC deployments with their on-chain EIP-712 names (pinned by domain-separator tests).
    public static func published(_ deployment: ChainDeployment) -> [X402Network] {
        switch deployment {
        case .mainnet:
            return [
                X402Network(v1Name: "base", caip2: "eip155:8453", chain: "BASE", chainID: 8_453, asset: "USDC_BASE",
                            contract: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", tokenName: "USD Coin", tokenVersion: "2"),
                X402Network(v1Name: "ethereum", caip2: "eip155:1", chain: "ETH", chainID: 1, asset: "USDC_ETH",
                            contract: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", tokenName: "USD Coin", tokenVersion: "2"),
                X402Network(v1Name: "polygon", caip2: "eip155:137", chain: "POL", chainID: 137, asset: "USDC_POL",
                            contract: "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", tokenName: "USD Coin", tokenVersion: "2"),
            ]
        case .testnet:
            return [
                X402Network(v1Name: "base-sepolia", caip2: "eip155:84532", chain: "BASE", chainID: 84_532, asset: "USDC_BASE",
                            contract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e", tokenName: "USDC", tokenVersion: "2"),
                X402Network(v1Name: "polygon-amoy", caip2: "eip155:80002", chain: "POL", chainID: 80_002, asset: "USDC_POL",
                            contract: "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582", tokenName: "USDC", tokenVersion: "2"),
            ]
        case .regtest, .devnet:
            return []
        }
    }
}
