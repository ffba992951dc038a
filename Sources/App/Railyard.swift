import AsyncHTTPClient
import Chains
import Events
import Foundation
import HTTP
import Hummingbird
import Ledger
import Logging
import Merchants
import Metrics
import Payments
import Prometheus
import RailyardCrypto
import ServiceLifecycle
import Storage
import X402

/// The assembled server: router, database, background services. `railyard serve` runs it; tests
/// drive `router` directly through HummingbirdTesting.
public struct Railyard {
    public let configuration: RailyardConfiguration
    public let db: Database
    public let clock: any AppClock
    public let ledger: Ledger
    public let jobs: JobQueue
    public let outbox: Outbox
    public let merchants: MerchantsFeature
    /// The simulated chains (every chain runs on devnet until a node is configured for it).
    public let devnets: [String: DevnetChain]
    /// The devnet Lightning node (BTC on devnet only): issues the invoices of x402 Lightning payments.
    public let lightning: FakeLightningNode?
    /// The x402 facilitator (also usable in process by the paywall middleware).
    public let x402: X402Facilitator
    /// Crypto payments (its processor moves payments along; tests drive it directly).
    public let payments: PaymentsFeature
    /// The platform hot wallet (sealed seed) and the outgoing-transaction sender.
    public let custody: CustodyVault
    public let sender: ChainSender
    public let router: Router<RailyardRequestContext>
    public let services: [any Service]
    public let logger: Logger

    /// Every migration, in the order they must run.
    public static var migrations: [Migration] {
        JobQueue.migrations + IdempotencyMiddleware.migrations + Ledger.migrations + Outbox.migrations + MerchantsFeature.migrations
            + DevnetChain.migrations + ChainWatchList.migrations + AddressBook.migrations + CustodyVault.migrations + ChainSender.migrations
            + X402Feature.migrations + PaymentsFeature.migrations
    }

    /// Builds the server. `database` and `clock` let tests inject their own.
    public static func build(
        _ configuration: RailyardConfiguration,
        database: Database? = nil,
        clock: any AppClock = SystemClock(),
        httpClient: HTTPClient = .shared,
        metrics: PrometheusCollectorRegistry? = nil,
        logger: Logger = Logger(label: "railyard")
    ) async throws -> Railyard {
        let location = try configuration.databaseLocation()
        let db: Database
        if let database { db = database } else { db = try await Database.open(location, logger: logger) }
        try await db.migrate(migrations)

        let root = try MasterKey.load(configuration, location: db.location)
        let secrets = SecretBox(key: MasterKey.subkey(root, "secret-box"))
        let jwtSecret = MasterKey.subkey(root, "jwt").withUnsafeBytes { Array($0) }
        let tokens = await TokenService(secret: jwtSecret, clock: clock)
        let jobs = JobQueue(clock: clock)
        let outbox = Outbox(jobs: jobs, clock: clock)
        let ledger = Ledger(clock: clock)
        let limiter = RateLimiter(clock: clock)

        let ratesProvider: any RatesProvider
        if let url = configuration.ratesURL {
            ratesProvider = HTTPRatesProvider(baseURL: url, client: httpClient, clock: clock)
        } else if let file = configuration.ratesFile {
            guard let data = FileManager.default.contents(atPath: file) else { throw ConfigurationError("cannot read RAILYARD_RATES_FILE \(file)") }
            ratesProvider = try StaticRatesProvider(json: data, clock: clock)
        } else {
            ratesProvider = StaticRatesProvider.shipped(clock: clock)
        }
        let rates = RatesService(provider: ratesProvider, clock: clock)

        let destinations = WebhookDestinationPolicy(allowsPrivateAddresses: configuration.webhookAllowPrivate)
        let merchants = MerchantsFeature(.init(
            db: db, clock: clock, tokens: tokens, passwords: PasswordHasher(cost: configuration.bcryptCost), limiter: limiter,
            secrets: secrets, outbox: outbox, rates: rates, network: configuration.network, webhookDestinations: destinations
        ))

        let router = Router(context: RailyardRequestContext.self)
        router.add(middleware: APIMiddlewareStack(
            basics: RequestBasicsMiddleware(trustedProxies: configuration.trustedProxies),
            metrics: MetricsMiddleware(),
            auth: AuthMiddleware(authenticator: merchants.authenticator),
            rateLimit: RateLimitMiddleware(limiter: limiter, rule: .init(name: "api", limit: configuration.apiRateLimitPerMinute)),
            idempotency: IdempotencyMiddleware(db: db, clock: clock)))
        let chains = try ChainSetup.build(configuration, db: db, clock: clock)
        let devnets = chains.devnets
        addOperationalRoutes(router, db: db, metrics: metrics, chains: chains)
        merchants.addRoutes(to: router)
        // The cheat API exists only for chains that run on devnet.
        // Background loops nudge each other: a devnet cheat → its watcher → payments → webhooks.
        let watcherWakeups = Dictionary(uniqueKeysWithValues: chains.adapters.keys.map { ($0, Wakeup()) })
        let processorWakeup = Wakeup(), webhookWakeup = Wakeup()
        DevRoutes(chains: devnets, adminToken: configuration.devToken, changed: { watcherWakeups[$0]?.signal() }).add(to: router)
        router.get("/openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
        }

        let policy = ConfirmationPolicy(overrides: configuration.confirmationOverrides)
        let custody = CustodyVault(key: MasterKey.subkey(root, "custody"), network: configuration.network)
        let sender = ChainSender(db: db, clock: clock, vault: custody, builders: chains.builders, policy: policy, logger: logger)
        let owner = ProcessInfo.processInfo.hostName + ":" + String(ProcessInfo.processInfo.processIdentifier)
        let merchantsForPayments = merchants
        let payments = PaymentsFeature(.init(
            db: db, clock: clock, ledger: ledger, outbox: outbox, custody: custody, sender: sender, policy: policy,
            directory: PaymentsDirectory(
                wallets: { try await merchantsForPayments.walletAddresses(businessID: $0) },
                owns: { try await merchantsForPayments.merchant($0, owns: $1) },
                price: { try await merchantsForPayments.price(coin: $0, fiat: $1) },
                expiryMinutes: { try await merchantsForPayments.paymentExpiryMinutes(businessID: $0) }),
            chains: Set(chains.adapters.keys), devnets: devnets, tokenContracts: chains.tokenContracts(configuration),
            evmChainIDs: chains.evmChainIDs(configuration), limiter: limiter,
            creationsPerMinute: configuration.paymentRateLimitPerMinute, network: configuration.network, watcherOwner: owner, logger: logger))
        // Lightning: no real node adapter exists yet, so invoices come from the devnet node, offered only
        // while BTC itself runs on devnet (a real payer could never pay them).
        let lightningNode: FakeLightningNode? = devnets["BTC"] == nil ? nil
            : try FakeLightningNode(privateKey: MasterKey.subkey(root, "lightning-devnet").withUnsafeBytes { Array($0) }, clock: clock)
        // Solana exact: a Solana node with a USDC mint; the platform's Solana gas key pays the fees.
        var svm: SVMExact?
        if let node = chains.adapters["SOL"] as? SolanaChain,
           let mint = configuration.tokenContracts["USDC_SOL"] ?? ChainRegistry.tokenContract("USDC_SOL", configuration.chainNetwork) {
            let feePayer = try await custody.register(db, chain: .sol, purpose: .gas, index: 0, now: clock.nowMillis())
            svm = SVMExact(network: SVMExact.network(configuration.chainNetwork, mint: mint, feePayer: feePayer.address), node: node, custody: custody, db: db)
        }
        let facilitator = X402Facilitator(
            verifier: ExactEVMVerifier(networks: chains.x402Networks(configuration), nodes: chains.evmNodes),
            utxo: UTXOVerifier(networks: chains.x402UTXONetworks(configuration), chains: chains.transactionLookups, policy: policy),
            lightning: lightningNode.map { LightningPaywall(network: LightningPaywall.network(.devnet), node: $0, db: db, clock: clock) }, svm: svm,
            db: db, clock: clock,
            sender: sender, custody: custody, ledger: ledger, outbox: outbox,
            feeBasisPoints: { [payments] business in try await payments.feeBasisPoints(businessID: business) })
        let submittedCount = try await facilitator.loadSubmittedAuthorizations()
        if submittedCount > 0 { logger.info("x402: \(submittedCount) submitted authorizations read into memory") }
        let catalog = X402Catalog(
            wallets: { [merchants] in try await merchants.walletAddresses(businessID: $0) }, usdPrice: { [merchants] in try await merchants.usdPrice($0) },
            destinations: destinations, httpClient: httpClient,
            quotes: X402QuoteSigner(key: MasterKey.subkey(root, "x402-quotes"), now: { [clock] in clock.nowMillis() / 1000 }))
        X402Feature(facilitator: facilitator, db: db, clock: clock, catalog: catalog,
                    owns: { [merchants] merchant, business in try await merchants.merchant(merchant, owns: business) }).addRoutes(to: router)
        payments.addRoutes(to: router)
        var services: [any Service] = [
            WebhookDeliveryService(db: db, jobs: jobs, directory: merchants.webhookDirectory, httpClient: httpClient, clock: clock,
                                   schedule: .default, logger: logger, owner: owner, destinations: destinations, wakeup: webhookWakeup),
            SweepService(name: "voided expired pending transfers", interval: .seconds(5), logger: logger) { try await ledger.expirePendingTransfers(in: db) },
            // x402 settlements left settlement_pending whose payer never settled again: booked or closed.
            SweepService(name: "reconciled pending x402 settlements", interval: .seconds(30), logger: logger) { try await facilitator.reconcilePendingSettlements() },
        ]
        for code in chains.adapters.keys.sorted() {
            services.append(DepositWatcherService(watcher: DepositWatcher(adapter: chains.adapters[code]!, db: db, clock: clock, policy: policy, owner: owner),
                                                  wakeup: watcherWakeups[code]!, onEvents: { processorWakeup.signal() }, logger: logger))
        }
        services.append(ChainSenderService(sender: sender, owner: owner))
        services.append(PaymentProcessorService(processor: payments.processor, wakeup: processorWakeup, webhooks: webhookWakeup, logger: logger))
        return Railyard(configuration: configuration, db: db, clock: clock, ledger: ledger, jobs: jobs, outbox: outbox, merchants: merchants,
                        devnets: devnets, lightning: lightningNode, x402: facilitator, payments: payments, custody: custody, sender: sender, router: router, services: services, logger: logger)
    }

    /// The HTTP application with the background services attached.
    /// `onListening` runs once the port is bound (a "listening" message before that would invite
    /// clients into a refused connection).
    public func application(onListening: @escaping @Sendable () async -> Void = {}) -> some ApplicationProtocol {
        Application(
            router: router,
            server: .eventLoopBoundHTTP1(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Railyard"),
            services: configuration.runsBackgroundServices ? services : [],
            onServerRunning: { _ in await onListening() },
            logger: logger
        )
    }

    /// Settings for the client that delivers webhooks: short connect timeout, no redirects (a
    /// receiver must not bounce signed payloads elsewhere), no connection retries inside one attempt.
    public static var webhookClientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    static func addOperationalRoutes(_ router: Router<RailyardRequestContext>, db: Database, metrics: PrometheusCollectorRegistry?, chains: ChainSetup) {
        router.get("/healthz") { _, _ -> Response in
            try JSONResponse.make(["status": "ok"])
        }
        let adapters = chains.adapters
        router.get("/readyz") { _, _ -> Response in
            var ready = true
            var database = db.engine.rawValue
            do { _ = try await db.read { try await $0.raw("SELECT 1 AS one").first() } } catch {
                ready = false
                database = "unreachable"
            }
            // Each chain backend answers its tip, or is reported unreachable.
            var report: [String: String] = [:]
            for (code, adapter) in adapters {
                let kind = adapter is DevnetChain ? "devnet" : "node"
                do {
                    let tip = try await adapter.tip()
                    report[code] = "\(kind) reachable, height \(tip.height)"
                } catch {
                    report[code] = "\(kind) unreachable"
                    if !(adapter is DevnetChain) { ready = false }
                }
            }
            return try JSONResponse.make(Readiness(status: ready ? "ready" : "unavailable", database: database, chains: report),
                                         status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ -> Response in
            let text = metrics?.emitToBuffer() ?? Array("# metrics are not enabled in this process\n".utf8)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
    }
}

struct Readiness: Encodable {
    let status: String
    let database: String
    /// Chain → how it is served ("devnet", or a node's reachability once nodes are configured).
    let chains: [String: String]
}

/// Runs one background sweep every `interval` (voiding expired pending transfers, reconciling pending
/// x402 settlements) and logs how many items it changed, or why it failed.
struct SweepService: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let sweep: @Sendable () async throws -> Int

    func run() async throws {
        // Graceful shutdown cancels the loop, so a sleeping sweeper stops at once.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let changed = try await sweep()
                    if changed > 0 { logger.info("\(name)", metadata: ["count": .stringConvertible(changed)]) }
                } catch {
                    logger.error("\(name) failed", metadata: ["error": .string(String(describing: error))])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}

/// Every request's middleware, outermost first, called directly: one router layer for all five
/// instead of one type-erased layer (a closure and a task switch each) per middleware.
struct APIMiddlewareStack: RouterMiddleware {
    typealias Context = RailyardRequestContext
    let basics: RequestBasicsMiddleware
    let metrics: MetricsMiddleware<Context>
    let auth: AuthMiddleware
    let rateLimit: RateLimitMiddleware
    let idempotency: IdempotencyMiddleware

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await basics.handle(request, context: context) { request, context in
            try await metrics.handle(request, context: context) { request, context in
                try await auth.handle(request, context: context) { request, context in
                    try await rateLimit.handle(request, context: context) { request, context in
                        try await idempotency.handle(request, context: context, next: next)
                    }
                }
            }
        }
    }
}
