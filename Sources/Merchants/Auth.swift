import Crypto
import Foundation
import RailyardCrypto
import HTTP
import HummingbirdBcrypt
import JWTKit
import NIOPosix
import SQLKit
import Storage
import Synchronization

/// Issues and checks merchant session tokens (JWT, HS256, 24 h).
public struct TokenService: Sendable {
    public static let lifetimeSeconds: Int64 = 24 * 3600
    let keys: JWTKeyCollection
    let clock: any AppClock

    struct SessionPayload: JWTPayload {
        var sub: SubjectClaim
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        // Expiry is checked against the injected clock after signature verification.
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    public init(secret: [UInt8], clock: any AppClock) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        self.keys = keys
        self.clock = clock
    }

    public func issue(merchantID: String) async throws -> String {
        let now = clock.now()
        let payload = SessionPayload(sub: .init(value: merchantID), iat: .init(value: now),
                                     exp: .init(value: now.addingTimeInterval(TimeInterval(Self.lifetimeSeconds))))
        return try await keys.sign(payload)
    }

    /// The merchant id in a valid, unexpired token; nil otherwise.
    public func verify(_ token: String) async -> String? {
        guard let payload = try? await keys.verify(token, as: SessionPayload.self) else { return nil }
        guard payload.exp.value > clock.now() else { return nil }
        return payload.sub.value
    }
}

/// Slow password hashing (bcrypt) run off the event loops.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    /// Verified against when the account doesn't exist, so a login takes as long either way.
    let dummyHash: String

    public init(cost: UInt8) {
        self.cost = cost
        self.dummyHash = Bcrypt.hash("not-a-real-password", cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

/// API keys: `cp_live_…` / `cp_test_…` with 190 bits of randomness, stored only as a SHA-256 digest
/// (a fast hash is right for keys this random; a slow KDF would only slow every request).
public enum APIKeyFormat {
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    public static func generate(live: Bool) -> String {
        var rng = SystemRandomNumberGenerator()
        let body = String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
        return (live ? "cp_live_" : "cp_test_") + body
    }

    public static func digest(_ key: String) -> String {
        Hex.encode(Array(rawDigest(key)))
    }

    /// The SHA-256 of a key, unformatted: what the in-memory cache is keyed by (the hex form is only
    /// needed for the database).
    static func rawDigest(_ key: String) -> SHA256Digest {
        var key = key
        return key.withUTF8 { SHA256.hash(data: $0) }
    }

    public static func looksLikeKey(_ token: String) -> Bool {
        (token.hasPrefix("cp_live_") || token.hasPrefix("cp_test_")) && token.utf8.count == 40
    }

    /// What lists show: enough to recognise a key, useless to an attacker.
    public static func displayPrefix(_ key: String) -> String { String(key.prefix(12)) }
}

/// API keys verified in the last second, by digest: a stream of requests with one key costs one
/// database read a second instead of one each. Revoking a key or deleting its business forgets it
/// here at once; another node of a cluster sees a revocation within `ttlMillis`. Only found keys are
/// kept, so an unknown or revoked key is always looked up.
public final class APIKeyCache: Sendable {
    struct Entry {
        let principal: Principal
        let checkedAt: Int64
    }
    private struct State {
        var entries: [SHA256Digest: Entry] = [:]
        /// Bumped by every forget: a lookup that started before one does not store its answer.
        var generation: UInt64 = 0
    }
    private let state = Mutex(State())
    let clock: any AppClock
    let ttlMillis: Int64
    let maxEntries: Int

    public init(clock: any AppClock, ttlMillis: Int64 = 1000, maxEntries: Int = 10_000) {
        self.clock = clock
        self.ttlMillis = ttlMillis
        self.maxEntries = maxEntries
    }

    /// The cached caller of a key digest, or nil with the generation a lookup must store under.
    func principal(digest: SHA256Digest) -> (Principal?, generation: UInt64) {
        let now = clock.nowMillis()
        return state.withLock { state in
            guard let entry = state.entries[digest] else { return (nil, state.generation) }
            // A clock that stepped back does not stretch an entry's life.
            guard now >= entry.checkedAt, now - entry.checkedAt < ttlMillis else {
                state.entries[digest] = nil
                return (nil, state.generation)
            }
            return (entry.principal, state.generation)
        }
    }

    func store(_ principal: Principal, digest: SHA256Digest, checkedAt: Int64, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= maxEntries { state.entries = [:] }
            state.entries[digest] = Entry(principal: principal, checkedAt: checkedAt)
        }
    }

    /// Forgets a revoked key.
    public func forget(keyID: String) {
        state.withLock { state in
            state.generation &+= 1
            state.entries = state.entries.filter { if case .apiKey(keyID, _, _, _) = $0.value.principal { return false } else { return true } }
        }
    }

    /// Forgets every key of a deleted business.
    public func forget(businessID: String) {
        state.withLock { state in
            state.generation &+= 1
            state.entries = state.entries.filter { $0.value.principal.businessID != businessID }
        }
    }
}

/// Resolves bearer tokens to callers: API keys by digest, anything else as a session JWT.
public struct MerchantAuthenticator: Authenticator {
    let db: Database
    let tokens: TokenService
    let apiKeys: APIKeyCache

    public init(db: Database, tokens: TokenService, apiKeys: APIKeyCache) {
        self.db = db
        self.tokens = tokens
        self.apiKeys = apiKeys
    }

    public func authenticate(bearer token: String) async throws -> Principal? {
        if APIKeyFormat.looksLikeKey(token) {
            let rawDigest = APIKeyFormat.rawDigest(token)
            let (cached, generation) = apiKeys.principal(digest: rawDigest)
            if let cached { return cached }
            // Taken before the query, so an entry never outlives the second after the row was read.
            let checkedAt = apiKeys.clock.nowMillis()
            guard let row = try await db.read({ db in
                try await db.raw("""
                    SELECT k.id, k.business_id, k.merchant_id, k.live FROM api_keys k
                    JOIN businesses b ON b.id = k.business_id
                    WHERE k.key_hash = \(bind: Hex.encode(Array(rawDigest))) AND k.revoked_at IS NULL AND b.deleted_at IS NULL
                    """).first()
            }) else { return nil }
            let principal = Principal.apiKey(keyID: try row.decode(column: "id", as: String.self),
                                             businessID: try row.decode(column: "business_id", as: String.self),
                                             merchantID: try row.decode(column: "merchant_id", as: String.self),
                                             live: try row.decode(column: "live", as: Int.self) == 1)
            apiKeys.store(principal, digest: rawDigest, checkedAt: checkedAt, generation: generation)
            return principal
        }
        guard let merchantID = await tokens.verify(token) else { return nil }
        let exists = try await db.read { db in
            try await db.raw("SELECT id FROM merchants WHERE id = \(bind: merchantID)").first() != nil
        }
        return exists ? .merchant(id: merchantID) : nil
    }
}
