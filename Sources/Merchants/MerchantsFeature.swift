import Events
import Foundation
import HTTP
import Hummingbird
import Money
import RailyardCrypto
import SQLKit
import Storage

/// Tenancy and the merchant-facing catalogue: accounts, businesses, API keys, settings, plans,
/// supported coins, exchange rates and webhook management.
public struct MerchantsFeature: Sendable {
    public struct Dependencies: Sendable {
        public var db: Database
        public var clock: any AppClock
        public var tokens: TokenService
        public var passwords: PasswordHasher
        public var limiter: RateLimiter
        public var secrets: SecretBox
        public var outbox: Outbox
        public var rates: RatesService
        /// Which network's address formats business wallets must use.
        public var network: ChainNetwork
        /// Which webhook URLs are acceptable (literal private addresses are refused when saving).
        public var webhookDestinations: WebhookDestinationPolicy

        public init(db: Database, clock: any AppClock, tokens: TokenService, passwords: PasswordHasher, limiter: RateLimiter,
                    secrets: SecretBox, outbox: Outbox, rates: RatesService, network: ChainNetwork,
                    webhookDestinations: WebhookDestinationPolicy = .publicOnly) {
            self.webhookDestinations = webhookDestinations
            self.db = db
            self.clock = clock
            self.tokens = tokens
            self.passwords = passwords
            self.limiter = limiter
            self.secrets = secrets
            self.outbox = outbox
            self.rates = rates
            self.network = network
        }
    }

    let deps: Dependencies
    let store: BusinessStore
    /// Recently verified API keys (revocations here forget them).
    let apiKeys: APIKeyCache

    public init(_ deps: Dependencies) {
        self.deps = deps
        self.store = BusinessStore(clock: deps.clock)
        self.apiKeys = APIKeyCache(clock: deps.clock)
    }

    /// Resolves the bearer tokens of every request (the router's `AuthMiddleware`).
    public var authenticator: MerchantAuthenticator { MerchantAuthenticator(db: deps.db, tokens: deps.tokens, apiKeys: apiKeys) }

    public static var migrations: [Migration] { MerchantsSchema.migrations }

    static let loginRule = RateLimiter.Rule(name: "login", limit: 10)
    static let loginPerEmailRule = RateLimiter.Rule(name: "login-email", limit: 10, windowSeconds: 900)
    static let registerRule = RateLimiter.Rule(name: "register", limit: 10)

    public func addRoutes(to router: Router<RailyardRequestContext>) {
        addAccountRoutes(to: router)
        addBusinessRoutes(to: router)
        addAPIKeyRoutes(to: router)
        addCatalogRoutes(to: router)
        addWebhookRoutes(to: router)
    }

    /// The business `id` if the caller may act on it; another tenant's business is a 404, as is a
    /// business other than the one an API key is scoped to.
    func ownedBusiness(_ id: String, principal: Principal) async throws -> Business {
        let store = self.store
        guard let business = try await deps.db.read({ try await store.business(id, in: $0) }),
              business.merchantID == principal.merchantID,
              principal.businessID == nil || principal.businessID == id else {
            throw APIError.notFound("Business not found", code: "business_not_found")
        }
        return business
    }

    /// The business a request is about: the API key's own, or `business_id` for a merchant session.
    func requestBusiness(_ request: Request, principal: Principal, businessID: String? = nil) async throws -> Business {
        if let keyBusiness = principal.businessID {
            if let asked = businessID ?? request.query("business_id"), asked != keyBusiness {
                throw APIError.notFound("Business not found", code: "business_not_found")
            }
            return try await ownedBusiness(keyBusiness, principal: principal)
        }
        guard let id = businessID ?? request.query("business_id") else {
            throw APIError.badRequest("business_id is required with a merchant login token", code: "missing_field", field: "business_id")
        }
        return try await ownedBusiness(id, principal: principal)
    }
}

/// Decoded success envelope helpers.
struct Success<T: Encodable>: Encodable {
    let success = true
    let value: T
    let key: String

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(true, forKey: DynamicKey("success"))
        try container.encode(value, forKey: DynamicKey(key))
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

func ok<T: Encodable>(_ key: String, _ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    try JSONResponse.make(Success(value: value, key: key), status: status)
}
