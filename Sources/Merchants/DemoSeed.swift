import Foundation
import RailyardCrypto
import HTTP
import Money
import SQLKit
import Storage

/// What `railyard serve` prints after seeding an empty embedded database.
public struct DemoCredentials: Sendable {
    public let email: String
    public let password: String
    public let businessID: String
    public let apiKey: String
}

extension MerchantsFeature {
    /// Creates a demo merchant, business and test API key if the database has no merchant yet. The
    /// business gets demo wallets on `walletChains` only: pass the chains that run on devnet, never one
    /// with a real node (the demo key is public; real money sent to it is anyone's).
    public func seedDemoIfEmpty(walletChains: Set<String>) async throws -> DemoCredentials? {
        let deps = self.deps
        let empty = try await deps.db.read { try await $0.raw("SELECT id FROM merchants LIMIT 1").first() == nil }
        guard empty else { return nil }
        var rng = SystemRandomNumberGenerator()
        let password = "demo-" + Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let hash = try await deps.passwords.hash(String(password))
        let merchantID = Identifier.make("mer", clock: deps.clock)
        let businessID = Identifier.make("biz", clock: deps.clock)
        let keyID = Identifier.make("key", clock: deps.clock)
        let apiKey = APIKeyFormat.generate(live: false)
        let now = deps.clock.nowMillis()
        let wallets = try BusinessInput.wallets(single: nil, perCoin: Self.demoWallets(network: deps.network).filter { code, _ in
            AssetRegistry.asset(code)?.chain.map(walletChains.contains) ?? false
        }, network: deps.network)
        let seeded = try await deps.db.write { tx -> Bool in
            let inserted = try await tx.sql.raw("""
                INSERT INTO merchants (id, email, password_hash, name, created_at, updated_at)
                VALUES (\(bind: merchantID), 'demo@railyard.local', \(bind: hash), 'Demo Merchant', \(bind: now), \(bind: now))
                ON CONFLICT (email) DO NOTHING RETURNING id
                """).first() != nil
            guard inserted else { return false }
            try await tx.sql.raw("""
                INSERT INTO businesses (id, merchant_id, name, description, created_at, updated_at)
                VALUES (\(bind: businessID), \(bind: merchantID), 'Demo Store', 'Seeded on first start', \(bind: now), \(bind: now))
                """).run()
            try await self.store.setWallets(wallets, businessID: businessID, in: tx)
            try await tx.sql.raw("""
                INSERT INTO api_keys (id, business_id, merchant_id, name, prefix, key_hash, live, created_at)
                VALUES (\(bind: keyID), \(bind: businessID), \(bind: merchantID), 'demo', \(bind: APIKeyFormat.displayPrefix(apiKey)),
                        \(bind: APIKeyFormat.digest(apiKey)), 0, \(bind: now))
                """).run()
            return true
        }
        return seeded ? DemoCredentials(email: "demo@railyard.local", password: String(password), businessID: businessID, apiKey: apiKey) : nil
    }

    /// A wallet for every coin, so that a payment in any currency can be tried on devnet at once:
    /// addresses of a fixed, publicly known demo key (never for real money).
    static func demoWallets(network: ChainNetwork) -> [String: String] {
        let secret = Hashes.sha256(Array("railyard demo wallet".utf8))
        var wallets: [String: String] = [:]
        for asset in AssetRegistry.crypto {
            guard let code = asset.chain, let chain = AddressChain(rawValue: code) else { continue }
            let publicKey = chain == .sol ? try? Ed25519.publicKey(privateKey: secret) : try? Secp256k1.publicKey(privateKey: secret)
            if let publicKey, let address = try? AddressDerivation.address(publicKey: publicKey, chain: chain, network: network) {
                wallets[asset.code] = address
            }
        }
        return wallets
    }
}
