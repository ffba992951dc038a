import Foundation
import Chains
import RailyardCrypto
import Storage

/// Everything Railyard reads from its environment, with the embedded defaults.
public struct RailyardConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./data"
    public var databaseURL: String?
    public var masterKey: String?
    public var network: ChainNetwork = .mainnet
    public var bcryptCost: UInt8 = 12
    public var trustedProxies: Set<String> = []
    public var ratesURL: String?
    public var ratesFile: String?
    public var apiRateLimitPerMinute = 100
    public var logLevel = "info"
    /// Seed a demo merchant on the first start of an empty embedded database.
    public var seedDemo = true
    /// Chain code → node JSON-RPC URL (credentials in the URL). Chains without one run on devnet.
    public var chainRPCURLs: [String: String] = [:]
    /// Asset code → token contract, overriding the published ones (so a test token can stand in for USDC).
    public var tokenContracts: [String: String] = [:]
    /// The network configured chains talk to (RAILYARD_NETWORK; devnet when no node is configured).
    public var chainNetwork: ChainDeployment { ChainDeployment(rawValue: network.rawValue) ?? .mainnet }
    /// Run the workers (webhook delivery, chain watchers, expiry sweeper) inside `application()`.
    /// Tests turn this off and drive the workers step by step.
    public var runsBackgroundServices = true
    /// Allow webhook URLs on loopback/private networks (off by default: SSRF protection).
    public var webhookAllowPrivate = false
    /// Lets non-loopback clients use the devnet cheat API when presented as X-Railyard-Dev-Token.
    public var devToken: String?

    public init() {}

    /// Reads `RAILYARD_*` variables and `DATABASE_URL`, then applies command-line overrides.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment, port: Int? = nil, dataDirectory: String? = nil) throws -> RailyardConfiguration {
        var config = RailyardConfiguration()
        let env = environment
        if let value = env["RAILYARD_HOST"], !value.isEmpty { config.host = value }
        if let value = env["RAILYARD_PORT"] ?? env["PORT"], !value.isEmpty {
            guard let port = Int(value), (1...65535).contains(port) else { throw ConfigurationError("RAILYARD_PORT must be 1-65535, got '\(value)'") }
            config.port = port
        }
        if let value = env["RAILYARD_DATA_DIR"], !value.isEmpty { config.dataDirectory = value }
        if let value = env["DATABASE_URL"], !value.isEmpty { config.databaseURL = value }
        if let value = env["RAILYARD_MASTER_KEY"], !value.isEmpty {
            guard value.count >= 32 else { throw ConfigurationError("RAILYARD_MASTER_KEY must be at least 32 characters") }
            config.masterKey = value
        }
        if let value = env["RAILYARD_NETWORK"], !value.isEmpty {
            guard let network = ChainNetwork(rawValue: value.lowercased()) else {
                throw ConfigurationError("RAILYARD_NETWORK must be one of \(ChainNetwork.allCases.map(\.rawValue).joined(separator: ", ")), got '\(value)'")
            }
            config.network = network
        }
        if let value = env["RAILYARD_BCRYPT_COST"], !value.isEmpty {
            guard let cost = UInt8(value), (4...31).contains(cost) else { throw ConfigurationError("RAILYARD_BCRYPT_COST must be 4-31") }
            config.bcryptCost = cost
        }
        if let value = env["RAILYARD_TRUSTED_PROXIES"], !value.isEmpty {
            config.trustedProxies = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        if let value = env["RAILYARD_RATES_URL"], !value.isEmpty { config.ratesURL = value }
        if let value = env["RAILYARD_RATES_FILE"], !value.isEmpty { config.ratesFile = value }
        if let value = env["RAILYARD_API_RATE_LIMIT"], !value.isEmpty {
            guard let limit = Int(value), limit > 0 else { throw ConfigurationError("RAILYARD_API_RATE_LIMIT must be a positive integer") }
            config.apiRateLimitPerMinute = limit
        }
        for chain in ChainRegistry.chains {
            if let value = env["RAILYARD_\(chain)_RPC_URL"], !value.isEmpty {
                guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw ConfigurationError("RAILYARD_\(chain)_RPC_URL must be an http(s) URL")
                }
                config.chainRPCURLs[chain] = value
            }
        }
        for asset in ["USDC_ETH", "USDC_POL", "USDC_BASE", "USDC_SOL", "USDT"] {
            if let value = env["RAILYARD_\(asset)_CONTRACT"], !value.isEmpty { config.tokenContracts[asset] = value }
        }
        if let value = env["RAILYARD_WEBHOOK_ALLOW_PRIVATE"], !value.isEmpty {
            guard let flag = ["true": true, "1": true, "false": false, "0": false][value.lowercased()] else {
                throw ConfigurationError("RAILYARD_WEBHOOK_ALLOW_PRIVATE must be true or false")
            }
            config.webhookAllowPrivate = flag
        }
        if let value = env["RAILYARD_DEV_TOKEN"], !value.isEmpty {
            guard value.count >= 16 else { throw ConfigurationError("RAILYARD_DEV_TOKEN must be at least 16 characters") }
            config.devToken = value
        }
        if let value = env["RAILYARD_LOG_LEVEL"] ?? env["LOG_LEVEL"], !value.isEmpty { config.logLevel = value }
        if let port { config.port = port }
        if let dataDirectory { config.dataDirectory = dataDirectory }
        return config
    }

    public func databaseLocation() throws -> DatabaseLocation {
        try DatabaseLocation.from(databaseURL: databaseURL, dataDirectory: dataDirectory)
    }

    /// The effective configuration as `key = value` lines, secrets masked.
    public func describe() throws -> [(String, String)] {
        [
            ("host", host), ("port", String(port)), ("data_dir", dataDirectory),
            ("database", try databaseLocation().description),
            ("master_key", masterKey == nil ? "(generated, stored in data_dir/master.key)" : "***"),
            ("network", network.rawValue), ("bcrypt_cost", String(bcryptCost)),
            ("trusted_proxies", trustedProxies.isEmpty ? "(none)" : trustedProxies.sorted().joined(separator: ",")),
            ("rates", ratesURL.map { "http: \($0)" } ?? ratesFile.map { "file: \($0)" } ?? "shipped table"),
            ("api_rate_limit_per_minute", String(apiRateLimitPerMinute)), ("log_level", logLevel),
            ("webhook_allow_private", String(webhookAllowPrivate)),
            ("chains", ChainRegistry.chains.map { chain in chainRPCURLs[chain].map { "\(chain)=\(DatabaseLocation.postgres(url: $0).description)" } ?? "\(chain)=devnet" }.joined(separator: " ")), ("dev_token", devToken == nil ? "(none: dev API for loopback only)" : "***"),
        ]
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
