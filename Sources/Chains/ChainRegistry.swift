import Money

/// Which network a deployment talks to. `devnet` is the simulated chain in Railyard's database.
public enum ChainDeployment: String, Sendable, CaseIterable {
    case mainnet, testnet, regtest, devnet
}

/// Static facts about each chain per network: EVM chain ids and the token contracts that stand for
/// each asset (overridable, so a test chain's token can stand in for USDC).
public enum ChainRegistry {
    public static let chains = ["BTC", "BCH", "LTC", "ETH", "POL", "BASE", "SOL"]
    public static let utxoChains: Set<String> = ["BTC", "BCH", "LTC"]
    public static let evmChains: Set<String> = ["ETH", "POL", "BASE"]

    /// Every asset that lives on `chain` (its native coin first).
    public static func assets(on chain: String) -> [Asset] {
        AssetRegistry.crypto.filter { $0.chain == chain.uppercased() }.sorted { ($0.tokenStandard == nil ? 0 : 1, $0.code) < ($1.tokenStandard == nil ? 0 : 1, $1.code) }
    }

    public static func evmChainID(_ chain: String, _ network: ChainDeployment) -> Int64? {
        switch (chain.uppercased(), network) {
        case ("ETH", .mainnet): return 1
        case ("ETH", .testnet): return 11_155_111
        case ("POL", .mainnet): return 137
        case ("POL", .testnet): return 80_002
        case ("BASE", .mainnet): return 8_453
        case ("BASE", .testnet): return 84_532
        case (let c, .regtest) where evmChains.contains(c): return 31_337
        default: return nil
        }
    }

    /// Published token contracts (Circle's native USDC and Tether's USDT). Testnet addresses are
    /// Circle's test deployments; regtest and devnet have none unless configured.
    public static func tokenContract(_ asset: String, _ network: ChainDeployment) -> String? {
        switch (asset.uppercased(), network) {
        case ("USDC_ETH", .mainnet): return "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
        case ("USDC_POL", .mainnet): return "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359"
        case ("USDC_BASE", .mainnet): return "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
        case ("USDT", .mainnet): return "0xdAC17F958D2ee523a2206206994597C13D831ec7"
        case ("USDC_POL", .testnet): return "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582"
        case ("USDC_BASE", .testnet): return "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
        case ("USDC_SOL", .mainnet): return "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
        default: return nil
        }
    }
}
