import Foundation
import Chains
import Money
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
    /// The documented payment-creation limit, per business per minute.
    public var paymentRateLimitPerMinute = 10
    public var logLevel = "info"
    /// Seed a demo merchant on the first start of an empty embedded database.
    public var seedDemo = true
    /// Chain code → node JSON-RPC URL (credentials in the URL). Chains without one run on devnet.
    public var chainRPCURLs: [String: String] = [:]
    /// Asset code → token contract, overriding the published ones (so a test token can stand in for USDC).
    public var tokenContracts: [String: String] = [:]
    /// The network configured chains talk to (RAILYARD_NETWORK; devnet when no node is configured).
    public var chainNetwork: ChainDeployment { ChainDeployment(rawValue: network.rawValue) ?? .mainnet }
    /// Asset code → required confirmations (RAILYARD_CONFIRMATIONS_<ASSET>), overriding the documented defaults.
    public var confirmationOverrides: [String: Int] = [:]
    /// UTXO chain → sat/vB used when the node has no fee estimate (RAILYARD_<CHAIN>_FALLBACK_FEE_RATE).
    public var fallbackFeeRates: [String: Int] = [:]  // Int, not Int128: a 16-byte-aligned value in this struct crashes the Swift 6.3 runtime when copied across async frames
    /// Run the workers (webhook delivery, chain watchers, expiry sweeper) inside `application()`.
    /// Tests turn this off and drive the workers step by step.
    public var runsBackgroundServices = true
    /// Allow webhook URLs on loopback/private networks (off by default: SSRF protection).
    public var webhookAllowPrivate = false
    /// Lets non-loopback clients use the devnet cheat API when presented as X-Railyard-Dev-Token.
    public var devToken: String?

    public init() {}

    /// Reads `RAILYARD_*` variables and `DATABASE_URL`, then applies command-line overrides.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment, port: Int? = nil, dataDirectory: String? = nil,
                            configFile: String? = nil) throws -> RailyardConfiguration {
        var config = RailyardConfiguration()
        var env = environment
        // A settings file gives the same variables; the environment wins where both set one.
        if let path = configFile ?? environment["RAILYARD_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError("cannot read the settings file \(path)")
            }
            for (key, value) in try parseSettingsFile(text, path: path) where env[key] == nil { env[key] = value }
        }
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
        if let value = env["RAILYARD_PAYMENT_RATE_LIMIT"], !value.isEmpty {
            guard let limit = Int(value), limit > 0 else { throw ConfigurationError("RAILYARD_PAYMENT_RATE_LIMIT must be a positive integer") }
            config.paymentRateLimitPerMinute = limit
        }
        for chain in ChainRegistry.chains {
            if let value = env["RAILYARD_\(chain)_RPC_URL"], !value.isEmpty {
                guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw ConfigurationError("RAILYARD_\(chain)_RPC_URL must be an http(s) URL")
                }
                config.chainRPCURLs[chain] = value
            }
        }
        for asset in AssetRegistry.crypto.map(\.code) {
            if let value = env["RAILYARD_CONFIRMATIONS_\(asset)"], !value.isEmpty {
                guard let count = Int(value), (1...10_000).contains(count) else { throw ConfigurationError("RAILYARD_CONFIRMATIONS_\(asset) must be 1-10000") }
                config.confirmationOverrides[asset] = count
            }
        }
        for chain in ChainRegistry.utxoChains.sorted() {
            if let value = env["RAILYARD_\(chain)_FALLBACK_FEE_RATE"], !value.isEmpty {
                guard let rate = Int(value), (1...100_000).contains(rate) else { throw ConfigurationError("RAILYARD_\(chain)_FALLBACK_FEE_RATE must be 1-100000 sat/vB") }
                config.fallbackFeeRates[chain] = rate
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

    /// The names a settings file may set: the environment variables `load` reads.
    static func isSettingName(_ key: String) -> Bool {
        key.hasPrefix("RAILYARD_") || ["DATABASE_URL", "PORT", "LOG_LEVEL"].contains(key)
    }

    /// `KEY=value` lines; blank lines and `#` comments are skipped; a value may be wrapped in
    /// single or double quotes. Unknown names and malformed lines are errors with their line number.
    static func parseSettingsFile(_ text: String, path: String) throws -> [String: String] {
        var settings: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else { throw ConfigurationError("\(path):\(number + 1): expected NAME=value") }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard isSettingName(key), key.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) else {
                throw ConfigurationError("\(path):\(number + 1): \(key) is not a Railyard setting (names start with RAILYARD_, or are DATABASE_URL, PORT, LOG_LEVEL)")
            }
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard settings[key] == nil else { throw ConfigurationError("\(path):\(number + 1): \(key) is set twice") }
            settings[key] = value
        }
        return settings
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
            ("api_rate_limit_per_minute", String(apiRateLimitPerMinute)),
            ("payment_rate_limit_per_minute", String(paymentRateLimitPerMinute)), ("log_level", logLevel),
            ("webhook_allow_private", String(webhookAllowPrivate)),
            ("chains", ChainRegistry.chains.map { chain in chainRPCURLs[chain].map { "\(chain)=\(DatabaseLocation.postgres(url: $0).description)" } ?? "\(chain)=devnet" }.joined(separator: " ")), ("dev_token", devToken == nil ? "(none: dev API for loopback only)" : "***"),
            ("confirmations", ChainRegistry.chains.flatMap(ChainRegistry.assets(on:)).map { asset in
                "\(asset.code)=\(ConfirmationPolicy(overrides: confirmationOverrides).required(for: asset.code))" }.joined(separator: " ")),
            ("fallback_fee_rates", fallbackFeeRates.isEmpty ? "(2 sat/vB)" : fallbackFeeRates.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")),
        ]
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
