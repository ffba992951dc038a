import AsyncHTTPClient
import Chains
import Foundation
import Storage
import X402

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
                setup.builders.append(BitcoinCoreSender(node: node, network: config.network, fallbackFeeRate: Int128(config.fallbackFeeRates[chain] ?? 2)))
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

    /// EVM nodes by chain code.
    var evmNodes: [String: EVMChain] { adapters.compactMapValues { $0 as? EVMChain } }

    /// The x402 networks this server can settle on: the published USDC deployments of the
    /// configured network whose chain has a node (a configured contract replaces the published one),
    /// or on regtest every EVM node with a configured USDC contract (EIP-712 domain "USD Coin"/"2").
    func x402Networks(_ config: RailyardConfiguration) -> [X402Network] {
        var networks: [X402Network] = []
        for (chain, _) in evmNodes.sorted(by: { $0.key < $1.key }) {
            let asset = "USDC_\(chain)"
            if let published = X402Network.published(config.chainNetwork).first(where: { $0.chain == chain }) {
                networks.append(X402Network(v1Name: published.v1Name, caip2: published.caip2, chain: chain, chainID: published.chainID, asset: asset,
                                            contract: config.tokenContracts[asset] ?? published.contract, tokenName: published.tokenName, tokenVersion: published.tokenVersion))
            } else if config.chainNetwork == .regtest, let contract = config.tokenContracts[asset], let chainID = ChainRegistry.evmChainID(chain, .regtest) {
                networks.append(X402Network(v1Name: nil, caip2: "eip155:\(chainID)", chain: chain, chainID: chainID, asset: asset, contract: contract,
                                            tokenName: "USD Coin", tokenVersion: "2"))
            }
        }
        return networks
    }

    /// UTXO chains whose backend can look up any transaction (the devnet; Bitcoin Core with txindex).
    var transactionLookups: [String: any TransactionLookup] {
        adapters.filter { ChainRegistry.utxoChains.contains($0.key) }.compactMapValues { $0 as? any TransactionLookup }
    }

    /// The Bitcoin-family x402 networks (txid proofs) of the configured chains.
    func x402UTXONetworks(_ config: RailyardConfiguration) -> [X402Network] {
        transactionLookups.keys.sorted().compactMap { chain in
            X402Network.utxo(chain: chain, deployment: devnets[chain] != nil ? .devnet : config.chainNetwork)
        }
    }
}

extension ChainSetup {
    /// Token contracts (EVM) and mints (Solana) of the chains served by nodes, for wallet links.
    func tokenContracts(_ config: RailyardConfiguration) -> [String: String] {
        var result: [String: String] = [:]
        for chain in adapters.keys where devnets[chain] == nil {
            for asset in ChainRegistry.assets(on: chain) where asset.tokenStandard != nil {
                if let contract = config.tokenContracts[asset.code] ?? ChainRegistry.tokenContract(asset.code, config.chainNetwork) {
                    result[asset.code] = contract
                }
            }
        }
        return result
    }

    /// EVM chain ids of the chains served by nodes (devnet chains have none).
    func evmChainIDs(_ config: RailyardConfiguration) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for chain in ChainRegistry.evmChains where devnets[chain] == nil {
            if let id = ChainRegistry.evmChainID(chain, config.chainNetwork) { result[chain] = id }
        }
        return result
    }
}
