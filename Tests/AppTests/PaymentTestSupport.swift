import App
import Chains
import Foundation
import Ledger
import Payments
import Storage
import Testing

/// A merchant with a business that has a wallet for every coin, and a test API key.
struct PaymentMerchant {
    let token: String
    let business: String
    let key: String
    var email = ""

    static let wallets = """
        {"BTC":"bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu","LTC":"ltc1qjmxnz78nmc8nq77wuxh25n2es7rzm5c2rkk4wh",
         "BCH":"bitcoincash:qqyx49mu0kkn9ftfj6hje6g2wfer34yfnq5tahq3q6","SOL":"HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk",
         "USDC_SOL":"HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk"}
        """

    static func make(_ api: TestAPI) async throws -> PaymentMerchant {
        let email = "m\(UUID().uuidString.prefix(8))@example.com"
        let token = try await api.merchant(email)
        let business = try await api.business(token, json: """
            {"name":"Shop","wallet_address":"0x9858EfFD232B4033E47d90003D41EC34EcaEda94","wallet_addresses":\(wallets),
             "webhook_url":"https://shop.example/hook"}
            """)
        let key = try await api.apiKey(token, business: business, mode: "test")
        return PaymentMerchant(token: token, business: business, key: key, email: email)
    }

    /// A fresh login session (the first one expires when a test moves the clock on by days).
    func login(_ api: TestAPI) async throws -> String {
        let response = try await api.call(.post, "/api/auth/login", json: #"{"email":"\#(email)","password":"correct horse battery"}"#)
        return try #require(response["token"] as? String, "\(response.text)")
    }

    func create(_ api: TestAPI, currency: String, usd: String = "100.00", extra: String = "", headers: [(String, String)] = []) async throws -> APIResponse {
        try await api.call(.post, "/api/payments/create", token: key, json: """
            {"business_id":"\(business)","amount_usd":\(usd),"currency":"\(currency)"\(extra)}
            """, headers: headers)
    }
}

extension TestApp {
    var processor: PaymentProcessor { railyard.payments.processor }

    /// Scans `chain`'s devnet and runs the payment processor (what the background services do).
    func scan(_ chain: String) async throws {
        let devnet = try #require(railyard.devnets[chain])
        _ = try await DepositWatcher(adapter: devnet, db: railyard.db, clock: clock, policy: ConfirmationPolicy(overrides: railyard.configuration.confirmationOverrides),
                                     owner: "test").poll()
        try await processor.runOnce()
    }

    func mine(_ chain: String, _ blocks: Int) async throws {
        _ = try await railyard.devnets[chain]!.mine(blocks)
        try await scan(chain)
    }

    /// Broadcasts queued forwarding sends, mines them deep enough, and lets the processor finish.
    func forward(_ chain: String, blocks: Int) async throws {
        try await processor.runOnce()
        _ = try await railyard.sender.runDue(owner: "test")
        try await mine(chain, blocks)
        try await processor.runOnce()
    }

    func payment(_ id: String) async throws -> [String: Any] {
        let row = try await railyard.db.read { sql in
            try await sql.raw("SELECT status, received, booked, merchant_amount, platform_fee, network_reserve, network_cost, late, merchant_tx_hash FROM payments WHERE id = \(bind: id)").first()
        }
        let r = try #require(row)
        return [
            "status": try r.decode(column: "status", as: String.self), "received": try r.decode(column: "received", as: String.self),
            "booked": try r.decode(column: "booked", as: String.self), "merchant_amount": try r.decode(column: "merchant_amount", as: String?.self) as Any,
            "platform_fee": try r.decode(column: "platform_fee", as: String?.self) as Any, "network_cost": try r.decode(column: "network_cost", as: String?.self) as Any,
            "late": try r.decode(column: "late", as: Int.self) == 1, "merchant_tx_hash": try r.decode(column: "merchant_tx_hash", as: String?.self) as Any,
        ]
    }

    func events(_ business: String) async throws -> [(type: String, payload: [String: Any])] {
        let rows = try await railyard.db.read { sql in
            try await sql.raw("SELECT type, payload FROM outbox_events WHERE business_id = \(bind: business) ORDER BY created_at, id").all().map { row in
                (try row.decode(column: "type", as: String.self), try row.decode(column: "payload", as: String.self))
            }
        }
        return rows.map { ($0.0, (try? JSONSerialization.jsonObject(with: Data($0.1.utf8))) as? [String: Any] ?? [:]) }
    }

    func ledgerIsHealthy() async throws -> Bool {
        try await railyard.ledger.verify(railyard.db).isHealthy
    }

    func balance(_ account: String) async throws -> Int128? {
        try await railyard.db.read { try await railyard.ledger.account(account, in: $0) }.map { $0.creditBalance }
    }
}
