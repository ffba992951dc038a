import AsyncHTTPClient
import Chains
import Foundation
import Storage

/// Chooses each chain's backend from configuration: devnet unless an RPC URL is configured.
struct ChainSetup {
    var adapters: [String: any ChainAdapter] = [:]
    var devnets: [String: DevnetChain] = [:]
    /// What `/readyz` and `railyard config` say about each chain.
    var descriptions: [String: String] = [:]

    static func build(_ config: RailyardConfiguration, db: Database, clock: any AppClock) throws -> ChainSetup {
        var setup = ChainSetup()
        for chain in ChainRegistry.chains {
            guard let url = config.chainRPCURLs[chain] else {
                let devnet = DevnetChain(chain: chain, db: db, clock: clock)
                setup.devnets[chain] = devnet
                setup.adapters[chain] = devnet
                setup.descriptions[chain] = "devnet"
                continue
            }
            let rpc = try JSONRPCClient(url: url)
            if ChainRegistry.utxoChains.contains(chain) {
                setup.adapters[chain] = try BitcoinCoreChain(chain: chain, rpc: rpc)
            } else if ChainRegistry.evmChains.contains(chain) {
                var tokens: [String: String] = [:]
                for asset in ChainRegistry.assets(on: chain) where asset.tokenStandard != nil {
                    if let contract = config.tokenContracts[asset.code] ?? ChainRegistry.tokenContract(asset.code, config.chainNetwork) {
                        tokens[asset.code] = contract
                    }
                }
                setup.adapters[chain] = try EVMChain(chain: chain, rpc: rpc, tokens: tokens)
            } else {
                throw ConfigurationError("RAILYARD_\(chain)_RPC_URL is set, but the \(chain) node adapter is not available in this build yet; unset it to use devnet")
            }
            setup.descriptions[chain] = "\(config.chainNetwork.rawValue) node \(DatabaseLocation.postgres(url: url).description)"
        }
        return setup
    }
}
