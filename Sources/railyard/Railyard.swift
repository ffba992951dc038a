import App
import AsyncHTTPClient
import ArgumentParser
import Foundation
import Hummingbird
import Ledger
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Storage

/// Log lines go through `LineLogHandler` (swift-log's format, metadata formatted only when a line is written).
@main
enum Entrypoint {
    static func main() async {
        LoggingSystem.bootstrap { LineLogHandler(label: $0) }
        await RailyardCommand.main()
    }
}

struct RailyardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "railyard",
        abstract: "Railyard: a self-hosted payments server.",
        subcommands: [Serve.self, Migrate.self, LedgerCommand.self, ConfigCommand.self, KeysCommand.self, DevCommand.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every command shares, so each reads the same configuration as `serve`.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for the embedded database and generated keys (default ./data).")
    var dataDirectory: String?

    @Option(name: .customLong("config"), help: "A settings file of RAILYARD_*=value lines (the environment overrides it; also RAILYARD_CONFIG).")
    var configFile: String?

    func configuration(port: Int? = nil) throws -> RailyardConfiguration {
        try RailyardConfiguration.load(port: port, dataDirectory: dataDirectory, configFile: configFile)
    }
}

func makeLogger(_ config: RailyardConfiguration) -> Logger {
    var logger = Logger(label: "railyard")
    logger.logLevel = Logger.Level(rawValue: config.logLevel.lowercased()) ?? .info
    return logger
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server and background workers.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Port to listen on (default 8080).") var port: Int?

    func run() async throws {
        let config = try common.configuration(port: port)
        let logger = makeLogger(config)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Railyard.webhookClientConfiguration)
        let railyard: Railyard
        do {
            railyard = try await Railyard.build(config, httpClient: httpClient, metrics: registry, logger: logger)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        var demo = ""
        if case .sqlite = railyard.db.location, config.seedDemo, let credentials = try await railyard.merchants.seedDemoIfEmpty(walletChains: Set(railyard.devnets.keys)) {
            demo = " — demo merchant \(credentials.email) / \(credentials.password), business \(credentials.businessID), test API key \(credentials.apiKey)"
        }
        let message: Logger.Message = "Railyard is listening on http://\(config.host):\(config.port) (API under /api, docs at /openapi.json, database \(railyard.db.location))\(demo)"
        let app = railyard.application(onListening: { [logger] in logger.notice(message) })
        // Hummingbird's service group handles SIGTERM/SIGINT and shuts the workers down gracefully.
        do {
            try await app.runService()
        } catch {
            // A port already in use ends here: close what was opened, then report it (a client
            // dropped without a shutdown would trap instead of printing the reason).
            await railyard.db.close()
            try? await httpClient.shutdown()
            throw error
        }
        await railyard.db.close()
        try await httpClient.shutdown()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let config = try common.configuration()
        let db = try await Database.open(try config.databaseLocation(), logger: makeLogger(config))
        let applied = try await db.migrate(Railyard.migrations)
        print(applied.isEmpty ? "Database is up to date (\(db.location))." : "Applied \(applied.count) migration(s) to \(db.location): \(applied.joined(separator: ", "))")
        await db.close()
    }
}

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Ledger operations.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute every account from its transfers and check the ledger invariants.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let config = try common.configuration()
            let db = try await Database.open(try config.databaseLocation(), logger: makeLogger(config))
            try await db.migrate(Railyard.migrations)
            let report = try await Ledger(clock: SystemClock()).verify(db)
            await db.close()
            print("Checked \(report.accounts) accounts and \(report.transfers) transfers in \(report.assets.count) asset(s) on \(db.location).")
            if report.isHealthy {
                print("OK: all ledger invariants hold.")
                return
            }
            for violation in report.violations { print("VIOLATION \(violation)") }
            print("\(report.violations.count) violation(s) found.")
            throw ExitCode(2)
        }
    }
}

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Print the effective configuration (secrets masked).")
    @OptionGroup var common: CommonOptions
    @Option(help: "Port override, as for serve.") var port: Int?

    func run() async throws {
        for (key, value) in try common.configuration(port: port).describe() { print("\(key) = \(value)") }
    }
}
