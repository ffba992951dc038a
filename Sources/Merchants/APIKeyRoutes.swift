import Foundation
import HTTP
import Hummingbird
import SQLKit
import Storage

extension MerchantsFeature {
    enum KeyMode: String, APIEnum { case live, test }
    struct CreateKeyBody: Decodable { let name: String?; let mode: KeyMode? }

    struct KeyView: Encodable {
        let id: String
        let business_id: String
        let name: String?
        let prefix: String
        let mode: String
        let created_at: String
        let revoked: Bool
        /// The full key: present only in the answer that creates it.
        var key: String?
    }

    func addAPIKeyRoutes(to router: Router<RailyardRequestContext>) {
        let deps = self.deps
        let feature = self

        router.post("/api/businesses/:id/api-keys") { request, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let business = try await feature.ownedBusiness(try context.parameters.require("id"), principal: .merchant(id: merchantID))
            // An empty body means a live key with no name.
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            let body = buffer.readableBytes == 0 ? CreateKeyBody(name: nil, mode: nil) : try APIRequestDecoder.decode(CreateKeyBody.self, from: Data(buffer: buffer))
            if let name = body.name, name.count > 100 { throw APIError.badRequest("name must be at most 100 characters", field: "name") }
            let live = (body.mode ?? .live) == .live
            let key = APIKeyFormat.generate(live: live)
            let id = Identifier.make("key", clock: deps.clock)
            let now = deps.clock.nowMillis()
            let active = try await deps.db.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM api_keys WHERE business_id = \(bind: business.id) AND revoked_at IS NULL").first()?.decode(column: "n", as: Int.self) ?? 0
            }
            guard active < 25 else { throw APIError.badRequest("A business can have at most 25 active API keys", code: "limit_reached") }
            try await deps.db.write { tx in
                try await tx.sql.raw("""
                    INSERT INTO api_keys (id, business_id, merchant_id, name, prefix, key_hash, live, created_at)
                    VALUES (\(bind: id), \(bind: business.id), \(bind: merchantID), \(bind: body.name), \(bind: APIKeyFormat.displayPrefix(key)),
                            \(bind: APIKeyFormat.digest(key)), \(bind: live ? 1 : 0), \(bind: now))
                    """).run()
            }
            let view = KeyView(id: id, business_id: business.id, name: body.name, prefix: APIKeyFormat.displayPrefix(key), mode: live ? "live" : "test",
                               created_at: Timestamp.iso8601(millis: now), revoked: false, key: key)
            return try ok("api_key", view, status: .created)
        }

        router.get("/api/businesses/:id/api-keys") { _, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let business = try await feature.ownedBusiness(try context.parameters.require("id"), principal: .merchant(id: merchantID))
            let keys = try await deps.db.read { db in
                try await db.raw("SELECT id, name, prefix, live, created_at, revoked_at FROM api_keys WHERE business_id = \(bind: business.id) ORDER BY created_at, id")
                    .all().map { row in
                        KeyView(id: try row.decode(column: "id", as: String.self), business_id: business.id,
                                name: try row.decode(column: "name", as: String?.self), prefix: try row.decode(column: "prefix", as: String.self),
                                mode: try row.decode(column: "live", as: Int.self) == 1 ? "live" : "test",
                                created_at: Timestamp.iso8601(millis: try row.decode(column: "created_at", as: Int64.self)),
                                revoked: try row.decode(column: "revoked_at", as: Int64?.self) != nil, key: nil)
                    }
            }
            return try ok("api_keys", keys)
        }

        router.delete("/api/businesses/:id/api-keys/:keyId") { _, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let business = try await feature.ownedBusiness(try context.parameters.require("id"), principal: .merchant(id: merchantID))
            let keyID = try context.parameters.require("keyId")
            let now = deps.clock.nowMillis()
            let revoked = try await deps.db.write { tx in
                try await tx.sql.raw("""
                    UPDATE api_keys SET revoked_at = \(bind: now)
                    WHERE id = \(bind: keyID) AND business_id = \(bind: business.id) AND revoked_at IS NULL RETURNING id
                    """).first() != nil
            }
            guard revoked else { throw APIError.notFound("API key not found", code: "api_key_not_found") }
            feature.apiKeys.forget(keyID: keyID)
            return try JSONResponse.make(["success": AnyEncodable(true), "message": AnyEncodable("API key revoked")])
        }
    }
}
