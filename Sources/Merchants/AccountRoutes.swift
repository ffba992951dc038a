import Foundation
import HTTP
import Hummingbird
import SQLKit
import Storage

struct MerchantView: Encodable {
    let id: String
    let email: String
    let name: String?
    let created_at: String?
}

struct SettingsView: Codable {
    let notifications_enabled: Bool
    let email_notifications: Bool
    let web_notifications: Bool
}

extension MerchantsFeature {
    struct RegisterBody: Decodable { let email: String; let password: String; let name: String? }
    struct LoginBody: Decodable { let email: String; let password: String }
    struct SettingsBody: Decodable { let notifications_enabled: Bool?; let email_notifications: Bool?; let web_notifications: Bool? }

    struct AuthAnswer: Encodable {
        let success = true
        let token: String
        let merchant: MerchantView
    }

    static func normalizedEmail(_ raw: String) throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace }) else {
            throw APIError.badRequest("email is not a valid email address", code: "invalid_email", field: "email")
        }
        return email
    }

    func addAccountRoutes(to router: Router<RailyardRequestContext>) {
        let deps = self.deps

        router.post("/api/auth/register") { request, context -> Response in
            try deps.limiter.hit(Self.registerRule, key: context.clientIP)
            let body = try await request.decode(as: RegisterBody.self, context: context)
            let email = try Self.normalizedEmail(body.email)
            guard body.password.count >= 8, body.password.utf8.count <= 72 else {
                throw APIError.badRequest("password must be 8 to 72 bytes long", code: "weak_password", field: "password")
            }
            if let name = body.name, name.count > 100 { throw APIError.badRequest("name must be at most 100 characters", field: "name") }
            let hash = try await deps.passwords.hash(body.password)
            let id = Identifier.make("mer", clock: deps.clock)
            let now = deps.clock.nowMillis()
            let created = try await deps.db.write { tx -> Bool in
                try await tx.sql.raw("""
                    INSERT INTO merchants (id, email, password_hash, name, created_at, updated_at)
                    VALUES (\(bind: id), \(bind: email), \(bind: hash), \(bind: body.name), \(bind: now), \(bind: now))
                    ON CONFLICT (email) DO NOTHING RETURNING id
                    """).first() != nil
            }
            guard created else { throw APIError.badRequest("An account with this email already exists", code: "email_taken", field: "email") }
            let token = try await deps.tokens.issue(merchantID: id)
            return try JSONResponse.make(AuthAnswer(token: token, merchant: MerchantView(id: id, email: email, name: body.name, created_at: Timestamp.iso8601(millis: now))), status: .created)
        }

        router.post("/api/auth/login") { request, context -> Response in
            try deps.limiter.hit(Self.loginRule, key: context.clientIP)
            let body = try await request.decode(as: LoginBody.self, context: context)
            let email = body.email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            try deps.limiter.hit(Self.loginPerEmailRule, key: email)
            let row = try await deps.db.read { db in
                try await db.raw("SELECT id, password_hash, name, created_at FROM merchants WHERE email = \(bind: email)").first()
            }
            // Hash even when the account doesn't exist, so timing doesn't reveal which emails are registered.
            let hash = try row?.decode(column: "password_hash", as: String.self) ?? deps.passwords.dummyHash
            let valid = try await deps.passwords.verify(body.password, hash: hash)
            guard let row, valid else { throw APIError.unauthorized("Invalid email or password", code: "invalid_credentials") }
            let id = try row.decode(column: "id", as: String.self)
            let token = try await deps.tokens.issue(merchantID: id)
            return try JSONResponse.make(AuthAnswer(token: token, merchant: MerchantView(
                id: id, email: email, name: try row.decode(column: "name", as: String?.self),
                created_at: Timestamp.iso8601(millis: try row.decode(column: "created_at", as: Int64.self)))))
        }

        router.get("/api/auth/me") { _, context -> Response in
            let principal = try context.requirePrincipal()
            guard let row = try await deps.db.read({ db in
                try await db.raw("SELECT id, email, name, created_at FROM merchants WHERE id = \(bind: principal.merchantID)").first()
            }) else { throw APIError.unauthorized() }
            return try ok("merchant", MerchantView(
                id: try row.decode(column: "id", as: String.self), email: try row.decode(column: "email", as: String.self),
                name: try row.decode(column: "name", as: String?.self),
                created_at: Timestamp.iso8601(millis: try row.decode(column: "created_at", as: Int64.self))))
        }

        router.get("/api/settings") { _, context -> Response in
            let merchantID = try context.requireMerchantSession()
            return try ok("settings", try await Self.settings(merchantID, db: deps.db))
        }

        router.put("/api/settings") { request, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let body = try await request.decode(as: SettingsBody.self, context: context)
            guard body.notifications_enabled != nil || body.email_notifications != nil || body.web_notifications != nil else {
                throw APIError.badRequest("Provide at least one of notifications_enabled, email_notifications, web_notifications", code: "missing_field")
            }
            let current = try await Self.settings(merchantID, db: deps.db)
            let next = SettingsView(notifications_enabled: body.notifications_enabled ?? current.notifications_enabled,
                                    email_notifications: body.email_notifications ?? current.email_notifications,
                                    web_notifications: body.web_notifications ?? current.web_notifications)
            let now = deps.clock.nowMillis()
            try await deps.db.write { tx in
                try await tx.sql.raw("""
                    UPDATE merchants SET notifications_enabled = \(bind: next.notifications_enabled ? 1 : 0),
                        email_notifications = \(bind: next.email_notifications ? 1 : 0), web_notifications = \(bind: next.web_notifications ? 1 : 0),
                        updated_at = \(bind: now)
                    WHERE id = \(bind: merchantID)
                    """).run()
            }
            return try ok("settings", next)
        }
    }

    static func settings(_ merchantID: String, db: Database) async throws -> SettingsView {
        guard let row = try await db.read({ db in
            try await db.raw("SELECT notifications_enabled, email_notifications, web_notifications FROM merchants WHERE id = \(bind: merchantID)").first()
        }) else { throw APIError.unauthorized() }
        return SettingsView(notifications_enabled: try row.decode(column: "notifications_enabled", as: Int.self) == 1,
                            email_notifications: try row.decode(column: "email_notifications", as: Int.self) == 1,
                            web_notifications: try row.decode(column: "web_notifications", as: Int.self) == 1)
    }
}
