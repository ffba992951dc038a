import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import TestSupport
import Testing

/// Boots the whole server on a fresh database with a manual clock, and gives tests a small JSON client.
struct TestApp: @unchecked Sendable {  // the router is only read during tests
    let railyard: Railyard
    let clock: ManualClock

    static func with(
        configure: (inout RailyardConfiguration) -> Void = { _ in },
        live: Bool = false,
        _ body: @Sendable (TestApp, TestAPI) async throws -> Void
    ) async throws {
        var config = RailyardConfiguration()
        config.bcryptCost = 4
        config.masterKey = "test-master-key-0123456789abcdef-0123456789"
        config.dataDirectory = NSTemporaryDirectory() + "railyard-app-\(UUID().uuidString)"
        config.seedDemo = false
        config.runsBackgroundServices = false  // tests call the workers themselves, deterministically
        config.webhookAllowPrivate = true  // test receivers listen on 127.0.0.1
        config.paymentRateLimitPerMinute = 10_000  // the manual clock never moves on; the limit has its own test
        configure(&config)
        let db = try await TestDatabase.make()
        let clock = ManualClock(millis: Timestamp.nowMillis())
        let railyard = try await Railyard.build(config, database: db, clock: clock)
        let app = TestApp(railyard: railyard, clock: clock)
        do {
            // `live` binds a real port on 127.0.0.1 (TestAPI.client.port) for clients outside the router.
            try await railyard.application().test(live ? .live : .router) { client in
                try await body(app, TestAPI(client: client))
            }
        } catch {
            await db.close()
            throw error
        }
        await db.close()
    }
}

struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    subscript(_ key: String) -> Any? { json[key] }
    func object(_ key: String) -> [String: Any] { json[key] as? [String: Any] ?? [:] }
    func array(_ key: String) -> [[String: Any]] { json[key] as? [[String: Any]] ?? [] }
    var errorCode: String? { json["code"] as? String }
}

struct TestAPI: Sendable {
    let client: any TestClientProtocol

    func call(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: String? = nil,
              headers extra: [(String, String)] = []) async throws -> APIResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return APIResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Registers a merchant and returns its session token.
    func merchant(_ email: String = "m\(UUID().uuidString.prefix(8))@example.com") async throws -> String {
        let response = try await call(.post, "/api/auth/register", json: #"{"email":"\#(email)","password":"correct horse battery"}"#)
        #expect(response.status == .created, "\(response.text)")
        return try #require(response["token"] as? String)
    }

    /// Creates a business for the merchant and returns its id.
    func business(_ token: String, json: String = #"{"name":"Shop","wallet_address":"0x52908400098527886E0F7030069857D2E4169EE7"}"#) async throws -> String {
        let response = try await call(.post, "/api/businesses", token: token, json: json)
        #expect(response.status == .created, "\(response.text)")
        return try #require(response.object("business")["id"] as? String)
    }

    /// Defines an x402 paid resource for the business and returns its id.
    func paidResource(_ token: String, business: String, json: String) async throws -> String {
        let created = try await call(.post, "/api/x402/resources?business_id=\(business)", token: token, json: json)
        #expect(created.status == .created, "\(created.text)")
        return try #require(created.object("resource")["id"] as? String)
    }

    func apiKey(_ token: String, business: String, mode: String = "live") async throws -> String {
        let response = try await call(.post, "/api/businesses/\(business)/api-keys", token: token, json: #"{"name":"k","mode":"\#(mode)"}"#)
        #expect(response.status == .created, "\(response.text)")
        return try #require(response.object("api_key")["key"] as? String)
    }
}
