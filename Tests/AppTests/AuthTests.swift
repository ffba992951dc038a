import Foundation
import HTTP
import Testing

@Suite("Authentication and settings")
struct AuthTests {
    @Test func registerLoginAndMe() async throws {
        try await TestApp.with { _, api in
            let register = try await api.call(.post, "/api/auth/register", json: #"{"email":"Owner@Example.com","password":"correct horse battery","name":"Owner"}"#)
            #expect(register.status == .created)
            #expect(register["success"] as? Bool == true)
            #expect(register.object("merchant")["email"] as? String == "owner@example.com")
            let duplicate = try await api.call(.post, "/api/auth/register", json: #"{"email":"owner@example.com","password":"another password"}"#)
            #expect(duplicate.status == .badRequest)
            #expect(duplicate.errorCode == "email_taken")
            #expect(duplicate["success"] as? Bool == false)

            let login = try await api.call(.post, "/api/auth/login", json: #"{"email":"owner@example.com","password":"correct horse battery"}"#)
            #expect(login.status == .ok)
            let token = try #require(login["token"] as? String)
            let me = try await api.call(.get, "/api/auth/me", token: token)
            #expect(me.status == .ok)
            #expect(me.object("merchant")["name"] as? String == "Owner")
            #expect(me.object("merchant")["created_at"] as? String != nil)

            let wrong = try await api.call(.post, "/api/auth/login", json: #"{"email":"owner@example.com","password":"wrong password!"}"#)
            #expect(wrong.status == .unauthorized)
            let unknown = try await api.call(.post, "/api/auth/login", json: #"{"email":"nobody@example.com","password":"whatever123"}"#)
            #expect(unknown.status == .unauthorized)
        }
    }

    @Test func registrationRejectsBadInputNamingTheField() async throws {
        try await TestApp.with { _, api in
            let cases: [(String, String, String?)] = [
                (#"{"email":"not-an-email","password":"long enough"}"#, "invalid_email", "email"),
                (#"{"email":"a@b.co","password":"short"}"#, "weak_password", "password"),
                (#"{"password":"long enough"}"#, "missing_field", "email"),
                (#"{"email":42,"password":"long enough"}"#, "invalid_type", "email"),
                (#"{"email":"a@b.co","password":"long enough""#, "malformed_json", nil),
                ("", "empty_body", nil),
            ]
            for (body, code, field) in cases {
                let response = try await api.call(.post, "/api/auth/register", json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorCode == code, "\(body): \(response.text)")
                #expect(response["field"] as? String == field, "\(body)")
            }
            let wrongType = try await api.call(.post, "/api/auth/register", json: nil, headers: [("Content-Type", "text/plain")])
            #expect(wrongType.status == .unsupportedMediaType)
            let huge = String(repeating: "x", count: 1_100_000)
            let tooBig = try await api.call(.post, "/api/auth/register", json: #"{"email":"\#(huge)"}"#)
            #expect(tooBig.status == .contentTooLarge)
        }
    }

    @Test func tokensAreCheckedAndExpireAfter24Hours() async throws {
        try await TestApp.with { app, api in
            let token = try await api.merchant()
            #expect(try await api.call(.get, "/api/auth/me").status == .unauthorized)
            #expect(try await api.call(.get, "/api/auth/me", token: "garbage").status == .unauthorized)
            #expect(try await api.call(.get, "/api/auth/me", token: token + "x").status == .unauthorized)
            let malformed = try await api.call(.get, "/api/auth/me", headers: [("Authorization", "Basic abc")])
            #expect(malformed.status == .unauthorized)
            app.clock.advance(seconds: 23 * 3600)
            #expect(try await api.call(.get, "/api/auth/me", token: token).status == .ok)
            app.clock.advance(seconds: 3601)
            #expect(try await api.call(.get, "/api/auth/me", token: token).status == .unauthorized)
        }
    }

    @Test func theBearerSchemeIsReadInAnyLetterCaseAndNothingElseIsAToken() async throws {
        try await TestApp.with { _, api in
            let token = try await api.merchant()
            for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
                #expect(try await api.call(.get, "/api/auth/me", headers: [("Authorization", "\(scheme) \(token)")]).status == .ok)
            }
            for header in ["Bearer", "Bearer ", "Bearer\t\(token)", "Bearerx \(token)", "Bear \(token)", "Token \(token)", "Bearer  \(token)", "\(token)"] {
                #expect(try await api.call(.get, "/api/auth/me", headers: [("Authorization", header)]).status == .unauthorized, "\(header)")
            }
        }
    }

    @Test func loginIsRateLimitedWithRetryAfter() async throws {
        try await TestApp.with { _, api in
            _ = try await api.merchant("limit@example.com")
            var statuses: [Int] = []
            var retryAfter: String?
            for _ in 0..<11 {
                let response = try await api.call(.post, "/api/auth/login", json: #"{"email":"limit@example.com","password":"wrong password"}"#)
                statuses.append(Int(response.status.code))
                if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == 401 })
            #expect(statuses.last == 429)
            #expect(Int(retryAfter ?? "") ?? 0 > 0)
        }
    }

    @Test func settingsBelongToTheMerchantSession() async throws {
        try await TestApp.with { _, api in
            let token = try await api.merchant()
            let business = try await api.business(token)
            let key = try await api.apiKey(token, business: business)
            let initial = try await api.call(.get, "/api/settings", token: token)
            #expect(initial.status == .ok)
            #expect(initial.object("settings")["notifications_enabled"] as? Bool == true)
            #expect(initial.object("settings")["web_notifications"] as? Bool == false)
            let updated = try await api.call(.put, "/api/settings", token: token, json: #"{"web_notifications":true,"email_notifications":false}"#)
            #expect(updated.status == .ok)
            #expect(updated.object("settings")["web_notifications"] as? Bool == true)
            #expect(try await api.call(.get, "/api/settings", token: token).object("settings")["email_notifications"] as? Bool == false)
            #expect(try await api.call(.put, "/api/settings", token: token, json: #"{"web_notifications":"yes"}"#).errorCode == "invalid_type")
            #expect(try await api.call(.put, "/api/settings", token: token, json: "{}").status == .badRequest)
            #expect(try await api.call(.get, "/api/settings").status == .unauthorized)
            #expect(try await api.call(.get, "/api/settings", token: key).status == .forbidden)
            // Another merchant sees its own defaults, not these.
            let other = try await api.merchant()
            #expect(try await api.call(.get, "/api/settings", token: other).object("settings")["email_notifications"] as? Bool == true)
        }
    }

    @Test func clientIPHonoursForwardedForOnlyFromTrustedProxies() {
        #expect(RequestBasicsMiddleware.clientIP(peer: "10.0.0.5", forwardedFor: "1.2.3.4", trusted: []) == "10.0.0.5")
        #expect(RequestBasicsMiddleware.clientIP(peer: "10.0.0.5", forwardedFor: "1.2.3.4", trusted: ["10.0.0.5"]) == "1.2.3.4")
        #expect(RequestBasicsMiddleware.clientIP(peer: "10.0.0.5", forwardedFor: "6.6.6.6, 1.2.3.4, 10.0.0.4", trusted: ["10.0.0.5", "10.0.0.4"]) == "1.2.3.4")
        #expect(RequestBasicsMiddleware.clientIP(peer: "10.0.0.5", forwardedFor: nil, trusted: ["10.0.0.5"]) == "10.0.0.5")
    }
}
