import Foundation
import RailyardCrypto
import HTTP
import Hummingbird
import SQLKit
import Storage

extension MerchantsFeature {
    struct CreateBusinessBody: Decodable {
        let name: String
        let description: String?
        let wallet_address: String?
        let wallet_addresses: [String: String]?
        let webhook_url: String?
        let payment_expiry_minutes: Int?
    }

    struct UpdateBusinessBody: Decodable {
        let name: String?
        let description: String?
        let wallet_address: String?
        let wallet_addresses: [String: String]?
        let webhook_url: String?
        let payment_expiry_minutes: Int?
    }

    static func newWebhookSecret() -> String {
        var rng = SystemRandomNumberGenerator()
        return "whsec_" + Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    func addBusinessRoutes(to router: Router<RailyardRequestContext>) {
        let deps = self.deps
        let store = self.store
        let feature = self

        router.get("/api/businesses") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let views = try await deps.db.read { db -> [BusinessView] in
                var list = try await store.businesses(merchantID: principal.merchantID, in: db)
                if let only = principal.businessID { list = list.filter { $0.id == only } }
                var views: [BusinessView] = []
                for b in list { views.append(try await store.view(b, in: db)) }
                return views
            }
            return try ok("businesses", views)
        }

        router.post("/api/businesses") { request, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let body = try await request.decode(as: CreateBusinessBody.self, context: context)
            let name = try BusinessInput.name(body.name)
            let description = try BusinessInput.description(body.description)
            let webhookURL = try BusinessInput.webhookURL(body.webhook_url, policy: deps.webhookDestinations)
            let wallets = try BusinessInput.wallets(single: body.wallet_address, perCoin: body.wallet_addresses, network: deps.network)
            let expiry = try BusinessInput.paymentExpiry(body.payment_expiry_minutes)
            let count = try await deps.db.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM businesses WHERE merchant_id = \(bind: merchantID) AND deleted_at IS NULL").first()?.decode(column: "n", as: Int.self) ?? 0
            }
            guard count < 100 else { throw APIError.badRequest("A merchant can have at most 100 businesses", code: "limit_reached") }
            let secret = webhookURL == nil ? nil : Self.newWebhookSecret()
            let sealed = try secret.map { try deps.secrets.seal($0) }
            let id = Identifier.make("biz", clock: deps.clock)
            let now = deps.clock.nowMillis()
            let view = try await deps.db.write { tx -> BusinessView in
                try await tx.sql.raw("""
                    INSERT INTO businesses (id, merchant_id, name, description, webhook_url, webhook_secret_sealed, payment_expiry_minutes, created_at, updated_at)
                    VALUES (\(bind: id), \(bind: merchantID), \(bind: name), \(bind: description), \(bind: webhookURL), \(bind: sealed), \(bind: expiry),
                        \(bind: now), \(bind: now))
                    """).run()
                try await store.setWallets(wallets, businessID: id, in: tx)
                guard let business = try await store.business(id, in: tx.sql) else { throw APIError.internalError() }
                return try await store.view(business, in: tx.sql, secret: secret)
            }
            return try ok("business", view, status: .created)
        }

        router.get("/api/businesses/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let business = try await feature.ownedBusiness(try context.parameters.require("id"), principal: principal)
            return try ok("business", try await deps.db.read { try await store.view(business, in: $0) })
        }

        router.patch("/api/businesses/:id") { request, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let business = try await feature.ownedBusiness(try context.parameters.require("id"), principal: .merchant(id: merchantID))
            let body = try await request.decode(as: UpdateBusinessBody.self, context: context)
            let name = try body.name.map(BusinessInput.name) ?? business.name
            let description = body.description == nil ? business.description : try BusinessInput.description(body.description)
            let wallets = try BusinessInput.wallets(single: body.wallet_address, perCoin: body.wallet_addresses, network: deps.network)
            let expiry = try BusinessInput.paymentExpiry(body.payment_expiry_minutes) ?? business.paymentExpiryMinutes
            var webhookURL = business.webhookURL
            var sealed = business.webhookSecretSealed
            var newSecret: String?
            if let raw = body.webhook_url {
                webhookURL = try BusinessInput.webhookURL(raw, policy: deps.webhookDestinations)
                if webhookURL == nil {
                    sealed = nil
                } else if sealed == nil {
                    newSecret = Self.newWebhookSecret()
                    sealed = try deps.secrets.seal(newSecret!)
                }
            }
            let now = deps.clock.nowMillis()
            let finalURL = webhookURL
            let finalSealed = sealed
            let secret = newSecret
            let view = try await deps.db.write { tx -> BusinessView in
                try await tx.sql.raw("""
                    UPDATE businesses SET name = \(bind: name), description = \(bind: description), webhook_url = \(bind: finalURL),
                        webhook_secret_sealed = \(bind: finalSealed), payment_expiry_minutes = \(bind: expiry), updated_at = \(bind: now)
                    WHERE id = \(bind: business.id) AND deleted_at IS NULL
                    """).run()
                try await store.setWallets(wallets, businessID: business.id, in: tx)
                guard let updated = try await store.business(business.id, in: tx.sql) else { throw APIError.notFound("Business not found", code: "business_not_found") }
                return try await store.view(updated, in: tx.sql, secret: secret)
            }
            return try ok("business", view)
        }

        router.delete("/api/businesses/:id") { _, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let business = try await feature.ownedBusiness(try context.parameters.require("id"), principal: .merchant(id: merchantID))
            let now = deps.clock.nowMillis()
            // Soft delete: payments and ledger entries keep pointing at it; its API keys stop working.
            try await deps.db.write { tx in
                try await tx.sql.raw("UPDATE businesses SET deleted_at = \(bind: now), updated_at = \(bind: now) WHERE id = \(bind: business.id)").run()
                try await tx.sql.raw("UPDATE api_keys SET revoked_at = \(bind: now) WHERE business_id = \(bind: business.id) AND revoked_at IS NULL").run()
            }
            feature.apiKeys.forget(businessID: business.id)
            return try JSONResponse.make(["success": AnyEncodable(true), "message": AnyEncodable("Business deleted")])
        }

        router.post("/api/businesses/:id/webhook-secret") { _, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let business = try await feature.ownedBusiness(try context.parameters.require("id"), principal: .merchant(id: merchantID))
            guard business.webhookURL != nil else {
                throw APIError.badRequest("Set a webhook_url before rotating its secret", code: "no_webhook_url", field: "webhook_url")
            }
            let secret = Self.newWebhookSecret()
            let sealed = try deps.secrets.seal(secret)
            let now = deps.clock.nowMillis()
            try await deps.db.write { tx in
                try await tx.sql.raw("UPDATE businesses SET webhook_secret_sealed = \(bind: sealed), updated_at = \(bind: now) WHERE id = \(bind: business.id)").run()
            }
            return try JSONResponse.make(["success": AnyEncodable(true), "webhook_secret": AnyEncodable(secret)])
        }

        router.get("/api/businesses/:id/webhook-secret") { _, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let business = try await feature.ownedBusiness(try context.parameters.require("id"), principal: .merchant(id: merchantID))
            guard let sealed = business.webhookSecretSealed else { throw APIError.notFound("This business has no webhook secret", code: "no_webhook_secret") }
            return try JSONResponse.make(["success": AnyEncodable(true), "webhook_secret": AnyEncodable(try deps.secrets.open(sealed))])
        }
    }
}

/// Type erasure for small ad-hoc JSON answers.
struct AnyEncodable: Encodable, Sendable {
    let encodeValue: @Sendable (any Encoder) throws -> Void
    init<T: Encodable & Sendable>(_ value: T) { encodeValue = { try value.encode(to: $0) } }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
