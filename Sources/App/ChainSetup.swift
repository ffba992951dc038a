import AsyncHTTPClient
import Chains
import Foundation
import Storage

/// Chooses each chain's backend from configuration: devnet unless an RPC URL is configured.
struct ChainSetup {
    var adapters: [String: any ChainAdapter] = [:]
    var devnets: [String: DevnetChain] = [:]
    /// One transaction builder per chain, for the sender.
    var builders: [any TransactionBuilder] = []
    /// What `/readyz` and `railyard config` say about each chain.
    var descriptions: [String: String] = [:]

    static func build(_ config: RailyardConfiguration, db: Database, clock: any AppClock) throws -> ChainSetup {
        var setup = ChainSetup()
        for chain in ChainRegistry.chains {
            guard let url = config.chainRPCURLs[chain] else {
                let devnet = DevnetChain(chain: chain, db: db, clock: clock)
                setup.devnets[chain] = devnet
                setup.adapters[chain] = devnet
                setup.builders.append(DevnetSender(devnet: devnet))
                setup.descriptions[chain] = "devnet"
                continue
            }
            let rpc = try JSONRPCClient(url: url)
            if ChainRegistry.utxoChains.contains(chain) {
                let node = try BitcoinCoreChain(chain: chain, rpc: rpc)
                setup.adapters[chain] = node
                setup.builders.append(BitcoinCoreSender(node: node, network: config.network, fallbackFeeRate: config.fallbackFeeRates[chain] ?? 2))
            } else if ChainRegistry.evmChains.contains(chain) {
                var tokens: [String: String] = [:]
                for asset in ChainRegistry.assets(on: chain) where asset.tokenStandard != nil {
                    if let contract = config.tokenContracts[asset.code] ?? ChainRegistry.tokenContract(asset.code, config.chainNetwork) {
                        tokens[asset.code] = contract
                    }
                }
                let node = try EVMChain(chain: chain, rpc: rpc, tokens: tokens)
                setup.adapters[chain] = node
                setup.builders.append(EVMSender(node: node))
            } else {
                var mints: [String: String] = [:]
                for asset in ChainRegistry.assets(on: chain) where asset.tokenStandard != nil {
                    if let mint = config.tokenContracts[asset.code] ?? ChainRegistry.tokenContract(asset.code, config.chainNetwork) { mints[asset.code] = mint }
                }
                let node: SolanaChain
                do { node = try SolanaChain(rpc: rpc, mints: mints) } catch { throw ConfigurationError("a configured Solana mint is not a base58 address: \(error)") }
                setup.adapters[chain] = node
                setup.builders.append(SolanaSender(node: node))
            }
            setup.descriptions[chain] = "\(config.chainNetwork.rawValue) node \(DatabaseLocation.postgres(url: url).description)"
        }
        return setup
    }
}
