import Chains
import Events
import Foundation
import HTTP
import Hummingbird
import Ledger
import Logging
import Money
import RailyardCrypto
import Storage
import Synchronization

/// What payments need from the rest of the server, provided by App so that this feature does not
/// import Merchants.
public struct PaymentsDirectory: Sendable {
    /// A business's active wallets by coin code.
    public let wallets: @Sendable (String) async throws -> [String: String]
    /// Whether a merchant owns a business.
    public let owns: @Sendable (_ merchantID: String, _ businessID: String) async throws -> Bool
    /// The price of one whole coin (`BTC`, `USDC`) in a fiat (`USD`).
    public let price: @Sendable (_ coin: String, _ fiat: String) async throws -> ExactDecimal
    /// The payment window a business chose, in minutes (nil: the server default).
    public let expiryMinutes: @Sendable (String) async throws -> Int?

    public init(wallets: @escaping @Sendable (String) async throws -> [String: String],
                owns: @escaping @Sendable (String, String) async throws -> Bool, price: @escaping @Sendable (String, String) async throws -> ExactDecimal,
                expiryMinutes: @escaping @Sendable (String) async throws -> Int? = { _ in nil }) {
        self.wallets = wallets
        self.owns = owns
        self.price = price
        self.expiryMinutes = expiryMinutes
    }
}

/// Crypto payments: create, look up, hosted checkout, confirmations, forwarding with fees.
/// A class: as a large struct inside `Railyard` it tripped a Swift 6.3 runtime fault in `railyard serve`.
public final class PaymentsFeature: Sendable {
    public struct Dependencies: Sendable {
        public var db: Database
        public var clock: any AppClock
        public var ledger: Ledger
        public var outbox: Outbox
        public var custody: CustodyVault
        public var sender: ChainSender
        public var policy: ConfirmationPolicy
        public var directory: PaymentsDirectory
        /// Chains with a watcher (devnet or node); payments are offered only on these.
        public var chains: Set<String>
        /// Chains running on devnet (the checkout page offers "simulate payment" there).
        public var devnets: [String: DevnetChain]
        var devnetChains: Set<String> { Set(devnets.keys) }
        /// Token contracts / mints by asset code, for wallet URIs and forwarding.
        public var tokenContracts: [String: String]
        /// EVM chain ids by chain code, for EIP-681 links.
        public var evmChainIDs: [String: Int64]
        public var pricing: PaymentPricing
        /// Minutes a payment waits for money.
        public var expiryMinutes: Int
        /// The chain network (xpubs of direct mode must match it).
        public var network: ChainNetwork
        /// Per-node request counters, and the documented payment-creation limit per business per minute.
        public var limiter: RateLimiter
        public var creationsPerMinute: Int
        /// The platform's fixed addresses (gas wallet, treasury), registered once per process.
        let fixedAddresses = FixedAddresses()
        /// This node's watcher lease owner (devnet cheats scan as the running watcher).
        public var watcherOwner: String
        public var logger: Logger

        public init(db: Database, clock: any AppClock, ledger: Ledger, outbox: Outbox, custody: CustodyVault, sender: ChainSender,
                    policy: ConfirmationPolicy, directory: PaymentsDirectory, chains: Set<String>, devnets: [String: DevnetChain],
                    tokenContracts: [String: String], evmChainIDs: [String: Int64] = [:], pricing: PaymentPricing = PaymentPricing(), expiryMinutes: Int = 15,
                    limiter: RateLimiter, creationsPerMinute: Int = 10, network: ChainNetwork = .mainnet, watcherOwner: String = "railyard", logger: Logger = Logger(label: "railyard.payments")) {
            self.db = db
            self.clock = clock
            self.ledger = ledger
            self.outbox = outbox
            self.custody = custody
            self.sender = sender
            self.policy = policy
            self.directory = directory
            self.chains = chains
            self.devnets = devnets
            self.tokenContracts = tokenContracts
            self.evmChainIDs = evmChainIDs
            self.pricing = pricing
            self.expiryMinutes = expiryMinutes
            self.limiter = limiter
            self.network = network
            self.creationsPerMinute = creationsPerMinute
            self.watcherOwner = watcherOwner
            self.logger = logger
        }
    }

    public let deps: Dependencies
    public let processor: PaymentProcessor

    public init(_ deps: Dependencies) {
        self.deps = deps
        self.processor = PaymentProcessor(deps: deps)
    }

    public static var migrations: [Migration] { PaymentsSchema.migrations + [BillingSchema.migration, DirectModeSchema.migration] }

    /// Business collection payments wait a day (the documented example), not the 15 minutes of a sale.
    static let collectionExpiryMinutes = 24 * 60

    public func addRoutes(to router: Router<RailyardRequestContext>) {
        addPaymentRoutes(to: router)
        addCollectionRoutes(to: router)
        addDirectModeRoutes(to: router)
        addSubscriptionRoutes(to: router)
        addDashboardRoutes(to: router)
        addCheckoutRoutes(to: router)
    }

    /// The assets a payment can be taken in on this server (configured chains only).
    var offeredAssets: [Asset] {
        AssetRegistry.crypto.filter { asset in
            guard let chain = asset.chain, deps.chains.contains(chain) else { return false }
            // A token needs a contract on a real node; devnet simulates every asset.
            return asset.tokenStandard == nil || deps.devnetChains.contains(chain) || deps.tokenContracts[asset.code] != nil
        }
    }
}

extension PaymentsFeature.Dependencies {
    var uris: PaymentURI.Context { PaymentURI.Context(contracts: tokenContracts, evmChainIDs: evmChainIDs) }
}

/// The platform's fixed custody addresses by chain and purpose: derived and registered on first use,
/// then served from memory (forwarding asks for them on every pass).
final class FixedAddresses: Sendable {
    private let known = Mutex<[String: String]>([:])

    func address(_ deps: PaymentsFeature.Dependencies, chain: AddressChain, purpose: CustodyPurpose) async throws -> String {
        let key = "\(chain.rawValue):\(purpose.rawValue)"
        if let address = known.withLock({ $0[key] }) { return address }
        let address = try await deps.custody.register(deps.db, chain: chain, purpose: purpose, index: 0, now: deps.clock.nowMillis()).address
        known.withLock { $0[key] = address }
        return address
    }
}
