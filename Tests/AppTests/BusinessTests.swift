import Foundation
import Testing

@Suite("Businesses and API keys")
struct BusinessTests {
    @Test func createListUpdateDeleteBusiness() async throws {
        try await TestApp.with { _, api in
            let token = try await api.merchant()
            let created = try await api.call(.post, "/api/businesses", token: token, json: """
                {"name":"My Store","description":"Online retail","wallet_address":"0x52908400098527886e0f7030069857d2e4169ee7",
                 "wallet_addresses":{"BTC":"bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"},"webhook_url":"https://mystore.example/webhook"}
                """)
            #expect(created.status == .created)
            let business = created.object("business")
            let id = try #require(business["id"] as? String)
            let wallets = business["wallet_addresses"] as? [String: String] ?? [:]
            // One EVM address fits every EVM coin, normalised to its EIP-55 checksum.
            #expect(wallets["ETH"] == "0x52908400098527886E0F7030069857D2E4169EE7")
            #expect(wallets["USDC_POL"] == "0x52908400098527886E0F7030069857D2E4169EE7")
            #expect(wallets["BTC"] == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
            #expect(wallets["SOL"] == nil)
            #expect((business["webhook_secret"] as? String)?.hasPrefix("whsec_") == true)
            #expect(business["has_webhook_secret"] as? Bool == true)

            let list = try await api.call(.get, "/api/businesses", token: token)
            #expect(list.array("businesses").count == 1)
            #expect(list.array("businesses").first?["webhook_secret"] == nil)

            let patched = try await api.call(.patch, "/api/businesses/\(id)", token: token, json: #"{"name":"Renamed","wallet_addresses":{"LTC":"ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9"}}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.object("business")["name"] as? String == "Renamed")
            #expect((patched.object("business")["wallet_addresses"] as? [String: String])?["LTC"] != nil)

            let secret = try await api.call(.get, "/api/businesses/\(id)/webhook-secret", token: token)
            #expect(secret["webhook_secret"] as? String == business["webhook_secret"] as? String)
            let rotated = try await api.call(.post, "/api/businesses/\(id)/webhook-secret", token: token)
            #expect(rotated["webhook_secret"] as? String != business["webhook_secret"] as? String)

            #expect(try await api.call(.delete, "/api/businesses/\(id)", token: token).status == .ok)
            #expect(try await api.call(.get, "/api/businesses/\(id)", token: token).status == .notFound)
            #expect(try await api.call(.get, "/api/businesses", token: token).array("businesses").isEmpty)
        }
    }

    @Test func walletAddressesAreValidatedPerChain() async throws {
        try await TestApp.with { _, api in
            let token = try await api.merchant()
            let cases: [(String, String)] = [
                (#"{"name":"x","wallet_address":"0x1234"}"#, "wallet_address"),
                (#"{"name":"x","wallet_addresses":{"BTC":"0x52908400098527886E0F7030069857D2E4169EE7"}}"#, "wallet_addresses.BTC"),
                (#"{"name":"x","wallet_addresses":{"LTC":"bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"}}"#, "wallet_addresses.LTC"),
                (#"{"name":"x","wallet_addresses":{"ETH":"0x52908400098527886E0F7030069857D2E4169ee7"}}"#, "wallet_addresses.ETH"),
                (#"{"name":"x","wallet_addresses":{"DOGE":"D8vFz4p1L37jdg47HXKtSHA5uYLYxbGgPD"}}"#, "wallet_addresses.DOGE"),
                (#"{"name":"","wallet_address":"0x52908400098527886E0F7030069857D2E4169EE7"}"#, "name"),
                (#"{"name":"x","webhook_url":"ftp://example.com/hook"}"#, "webhook_url"),
                (#"{"wallet_address":"0x52908400098527886E0F7030069857D2E4169EE7"}"#, "name"),
            ]
            for (body, field) in cases {
                let response = try await api.call(.post, "/api/businesses", token: token, json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response["field"] as? String == field, "\(body): \(response.text)")
            }
            // Nothing half-written: no business exists after the failures.
            #expect(try await api.call(.get, "/api/businesses", token: token).array("businesses").isEmpty)
        }
    }

    @Test func tenantsCannotSeeOrTouchEachOther() async throws {
        try await TestApp.with { _, api in
            let alice = try await api.merchant()
            let bob = try await api.merchant()
            let aliceBiz = try await api.business(alice)
            let bobBiz = try await api.business(bob)
            let bobKey = try await api.apiKey(bob, business: bobBiz)
            for (method, path) in [(.get, "/api/businesses/\(aliceBiz)"), (.patch, "/api/businesses/\(aliceBiz)"), (.delete, "/api/businesses/\(aliceBiz)"),
                                   (.get, "/api/businesses/\(aliceBiz)/api-keys"), (.post, "/api/businesses/\(aliceBiz)/api-keys"),
                                   (.get, "/api/businesses/\(aliceBiz)/webhook-secret"), (.post, "/api/businesses/\(aliceBiz)/webhook-secret")] as [(HTTPRequestMethod, String)] {
                let response = try await api.call(method, path, token: bob, json: method == .patch ? #"{"name":"pwned"}"# : nil)
                #expect(response.status == .notFound, "\(method) \(path)")
                let missing = try await api.call(method, path)
                #expect(missing.status == .unauthorized, "no auth: \(method) \(path)")
            }
            // Bob's API key sees only Bob's business.
            #expect(try await api.call(.get, "/api/businesses/\(aliceBiz)", token: bobKey).status == .notFound)
            let listed = try await api.call(.get, "/api/businesses", token: bobKey)
            #expect(listed.array("businesses").map { $0["id"] as? String } == [bobBiz])
            #expect(try await api.call(.get, "/api/supported-coins?business_id=\(aliceBiz)", token: bob).status == .notFound)
            #expect(try await api.call(.get, "/api/supported-coins?business_id=\(aliceBiz)", token: bobKey).status == .notFound)
            #expect(try await api.call(.get, "/api/businesses/\(aliceBiz)", token: alice).object("business")["name"] as? String == "Shop")
        }
    }

    @Test func apiKeysAreShownOnceStoredHashedAndRevocable() async throws {
        try await TestApp.with { app, api in
            let token = try await api.merchant()
            let business = try await api.business(token)
            let created = try await api.call(.post, "/api/businesses/\(business)/api-keys", token: token, json: #"{"name":"server","mode":"test"}"#)
            #expect(created.status == .created)
            let key = try #require(created.object("api_key")["key"] as? String)
            #expect(key.hasPrefix("cp_test_"))
            let keyID = try #require(created.object("api_key")["id"] as? String)
            let live = try await api.apiKey(token, business: business)
            #expect(live.hasPrefix("cp_live_"))

            let list = try await api.call(.get, "/api/businesses/\(business)/api-keys", token: token)
            #expect(list.array("api_keys").count == 2)
            #expect(list.array("api_keys").allSatisfy { $0["key"] == nil })
            #expect(list.array("api_keys").contains { $0["prefix"] as? String == String(key.prefix(12)) })
            #expect(!list.text.contains(key))

            // At rest only a digest exists.
            let stored = try await app.railyard.db.read { db in try await db.raw("SELECT key_hash, prefix FROM api_keys").all() }
            for row in stored { #expect(try row.decode(column: "key_hash", as: String.self) != key) }

            #expect(try await api.call(.get, "/api/auth/me", token: key).status == .ok)
            #expect(try await api.call(.post, "/api/businesses/\(business)/api-keys", token: key, json: "{}").status == .forbidden)
            #expect(try await api.call(.post, "/api/businesses", token: key, json: #"{"name":"x"}"#).status == .forbidden)
            #expect(try await api.call(.post, "/api/businesses/\(business)/api-keys", token: token, json: #"{"mode":"sandbox"}"#).field == "mode")

            #expect(try await api.call(.delete, "/api/businesses/\(business)/api-keys/\(keyID)", token: token).status == .ok)
            #expect(try await api.call(.delete, "/api/businesses/\(business)/api-keys/\(keyID)", token: token).status == .notFound)
            #expect(try await api.call(.get, "/api/auth/me", token: key).status == .unauthorized)
            #expect(try await api.call(.get, "/api/auth/me", token: live).status == .ok)
            // Deleting the business disables its remaining keys.
            #expect(try await api.call(.delete, "/api/businesses/\(business)", token: token).status == .ok)
            #expect(try await api.call(.get, "/api/auth/me", token: live).status == .unauthorized)
        }
    }

    /// A key is looked up at most once a second: a revocation written by another node (here straight
    /// into the database) takes effect within that second, never later; an unknown key is never cached.
    @Test func aKeyRevokedElsewhereStopsWorkingWithinASecond() async throws {
        try await TestApp.with { app, api in
            let token = try await api.merchant()
            let business = try await api.business(token)
            let key = try await api.apiKey(token, business: business)
            #expect(try await api.call(.get, "/api/auth/me", token: key).status == .ok)
            let now = app.clock.nowMillis()
            try await app.railyard.db.write { tx in try await tx.sql.raw("UPDATE api_keys SET revoked_at = \(bind: now)").run() }
            #expect(try await api.call(.get, "/api/auth/me", token: key).status == .ok, "answered from the second-old lookup")
            app.clock.advance(seconds: 1)
            #expect(try await api.call(.get, "/api/auth/me", token: key).status == .unauthorized)
            // A refusal is not remembered: the key works again the moment its row does.
            try await app.railyard.db.write { tx in try await tx.sql.raw("UPDATE api_keys SET revoked_at = NULL").run() }
            #expect(try await api.call(.get, "/api/auth/me", token: key).status == .ok)
        }
    }
}

typealias HTTPRequestMethod = HTTPTypes.HTTPRequest.Method
import HTTPTypes

extension APIResponse {
    var field: String? { json["field"] as? String }
}
