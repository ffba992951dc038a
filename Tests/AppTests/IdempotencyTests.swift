import Foundation
import Testing

@Suite("Idempotency-Key")
struct IdempotencyTests {
    @Test func fiftyConcurrentIdenticalRequestsHaveOneEffectAndOneAnswer() async throws {
        try await TestApp.with { app, api in
            let token = try await api.merchant()
            let body = #"{"name":"Once","wallet_address":"0x52908400098527886E0F7030069857D2E4169EE7"}"#
            let responses = try await withThrowingTaskGroup(of: APIResponse.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await api.call(.post, "/api/businesses", token: token, json: body, headers: [("Idempotency-Key", "create-once")]) }
                }
                return try await group.reduce(into: [APIResponse]()) { $0.append($1) }
            }
            #expect(responses.allSatisfy { $0.status == .created }, "\(Set(responses.map { $0.status.code }))")
            #expect(Set(responses.map(\.text)).count == 1)
            #expect(responses.filter { $0.headers[.init("Idempotent-Replayed")!] == "true" }.count == 49)
            let count = try await app.railyard.db.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM businesses").first()?.decode(column: "n", as: Int.self)
            }
            #expect(count == 1)
        }
    }

    @Test func sameKeyWithDifferentBodyIsRejectedAndKeysAreScopedPerCaller() async throws {
        try await TestApp.with { app, api in
            var alice = try await api.merchant("alice@example.com")
            let bob = try await api.merchant()
            let first = try await api.call(.post, "/api/businesses", token: alice, json: #"{"name":"A"}"#, headers: [("Idempotency-Key", "k1")])
            #expect(first.status == .created)
            let replay = try await api.call(.post, "/api/businesses", token: alice, json: #"{"name":"A"}"#, headers: [("Idempotency-Key", "k1")])
            #expect(replay.text == first.text)
            let changed = try await api.call(.post, "/api/businesses", token: alice, json: #"{"name":"B"}"#, headers: [("Idempotency-Key", "k1")])
            #expect(changed.status == .badRequest)
            #expect(changed.errorCode == "idempotency_key_reused")
            // Another merchant's identical key is a different request.
            let other = try await api.call(.post, "/api/businesses", token: bob, json: #"{"name":"A"}"#, headers: [("Idempotency-Key", "k1")])
            #expect(other.status == .created)
            #expect(other.text != first.text)
            // Errors from validation are replayed too, and a key is forgotten after 24 hours.
            let invalid = try await api.call(.post, "/api/businesses", token: alice, json: #"{"name":""}"#, headers: [("Idempotency-Key", "k2")])
            #expect(invalid.status == .badRequest)
            #expect(try await api.call(.post, "/api/businesses", token: alice, json: #"{"name":""}"#, headers: [("Idempotency-Key", "k2")]).text == invalid.text)
            app.clock.advance(seconds: 86_401)
            let login = try await api.call(.post, "/api/auth/login", json: #"{"email":"alice@example.com","password":"correct horse battery"}"#)
            alice = try #require(login["token"] as? String)
            let fresh = try await api.call(.post, "/api/businesses", token: alice, json: #"{"name":"B"}"#, headers: [("Idempotency-Key", "k1")])
            #expect(fresh.status == .created)
            #expect(fresh.text != first.text)
            let tooLong = try await api.call(.post, "/api/businesses", token: alice, json: #"{"name":"C"}"#, headers: [("Idempotency-Key", String(repeating: "x", count: 256))])
            #expect(tooLong.errorCode == "invalid_idempotency_key")
        }
    }
}
