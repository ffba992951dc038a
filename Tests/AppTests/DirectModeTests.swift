import App
import Foundation
import Payments
import Storage
import Testing

@Suite("Direct mode (merchant xpub)")
struct DirectModeTests {
    // BIP-84 test vector: mnemonic "abandon ×11 about", account m/84'/0'/0'.
    static let zpub = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"

    @Test func paymentsGoToDerivedAddressesAreNeverForwardedAndTheFeeIsAReceivable() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let registered = try await api.call(.post, "/api/direct-wallets", token: m.token,
                                                json: #"{"business_id":"\#(m.business)","blockchain":"btc","xpub":"\#(Self.zpub)"}"#)
            #expect(registered.status == .created, "\(registered.text)")
            #expect(registered.object("direct_wallet")["scheme"] as? String == "p2wpkh")
            #expect(registered.object("direct_wallet")["addresses_issued"] as? Int == 0)
            #expect(!registered.text.contains(Self.zpub))  // the key is not echoed back whole

            let p = try await m.create(api, currency: "btc", usd: "50.00").object("payment")
            let id = try #require(p["id"] as? String)
            // The vector's first receive address; no network fee is added (nothing is forwarded).
            #expect(p["payment_address"] as? String == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
            #expect(p["mode"] as? String == "direct")
            #expect((p["metadata"] as? [String: Any])?["network_fee_usd"] as? NSNumber == 0)
            let second = try await m.create(api, currency: "btc").object("payment")
            #expect(second["payment_address"] as? String == "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g")

            try await app.payInFull(p, forward: false)
            try await app.forward("BTC", blocks: 3)
            let done = try await app.payment(id)
            #expect(done["status"] as? String == "confirmed")  // final in direct mode
            let booked = try #require(Int128(done["booked"] as? String ?? ""))
            let fee = try #require(Int128(done["platform_fee"] as? String ?? ""))
            #expect(fee == booked / 100)
            #expect(try await app.railyard.sender.records(reference: id).isEmpty)
            // The business owes the commission; custody never held the money.
            let receivable = try await app.railyard.db.read { try await app.railyard.ledger.account("payments:fees_receivable:\(m.business):BTC", in: $0) }
            #expect(receivable?.debitBalance == fee)
            #expect(try await app.balance("platform:revenue:payments:BTC") == fee)
            #expect(try await app.balance("chain:custody:BTC") == nil)
            #expect(try await app.events(m.business).map(\.type) == ["payment.confirmed"])
            #expect(try await app.ledgerIsHealthy())

            let listed = try await api.call(.get, "/api/direct-wallets", token: m.key)
            #expect(listed.array("direct_wallets").first?["addresses_issued"] as? Int == 2)
            // Leaving direct mode: new payments use custody again.
            #expect(try await api.call(.delete, "/api/direct-wallets/BTC", token: m.key).status == .forbidden)  // a key cannot change where money goes
            #expect(try await api.call(.delete, "/api/direct-wallets/BTC?business_id=\(m.business)", token: m.token).status == .ok)
            #expect(try await m.create(api, currency: "btc").object("payment")["mode"] as? String == "custody")
            #expect(try await api.call(.delete, "/api/direct-wallets/BTC?business_id=\(m.business)", token: m.token).status == .notFound)
        }
    }

    @Test func keysAreValidatedAndEachBusinessOnlySeesItsOwn() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            let other = try await PaymentMerchant.make(api)
            let body = #"{"business_id":"\#(m.business)","blockchain":"BTC","xpub":"\#(Self.zpub)"}"#
            #expect(try await api.call(.post, "/api/direct-wallets", json: body).status == .unauthorized)
            #expect(try await api.call(.get, "/api/direct-wallets?business_id=\(m.business)").status == .unauthorized)
            #expect(try await api.call(.post, "/api/direct-wallets", token: other.token, json: body).status == .notFound)
            #expect(try await api.call(.post, "/api/direct-wallets", token: m.key, json: body).status == .forbidden)
            #expect(try await api.call(.get, "/api/direct-wallets?business_id=\(m.business)", token: other.token).status == .notFound)
            #expect(try await api.call(.delete, "/api/direct-wallets/BTC?business_id=\(m.business)", token: other.token).status == .notFound)
            let xprv = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
            for (json, code) in [(#"{"business_id":"\#(m.business)","blockchain":"BTC","xpub":"\#(xprv)"}"#, "invalid_xpub"),
                                 (#"{"business_id":"\#(m.business)","blockchain":"BTC","xpub":"zpub-not-a-key"}"#, "invalid_xpub"),
                                 (#"{"business_id":"\#(m.business)","blockchain":"SOL","xpub":"\#(Self.zpub)"}"#, "invalid_xpub"),
                                 (#"{"business_id":"\#(m.business)","blockchain":"DOGE","xpub":"\#(Self.zpub)"}"#, "unsupported_blockchain"),
                                 (#"{"business_id":"\#(m.business)","blockchain":"BTC"}"#, "missing_field")] {
                let response = try await api.call(.post, "/api/direct-wallets", token: m.token, json: json)
                #expect(response.status == .badRequest && response.errorCode == code, "\(json): \(response.text)")
            }
            #expect(try await api.call(.get, "/api/direct-wallets", token: m.key).array("direct_wallets").isEmpty)
            // Registered by the owner, invisible to the other tenant.
            #expect(try await api.call(.post, "/api/direct-wallets", token: m.token, json: body).status == .created)
            #expect(try await api.call(.get, "/api/direct-wallets", token: other.key).array("direct_wallets").isEmpty)
            #expect(try await other.create(api, currency: "btc").object("payment")["mode"] as? String == "custody")
            // The same key registered by a second business shares one address counter: never the same address twice.
            let same = #"{"business_id":"\#(other.business)","blockchain":"BTC","xpub":"\#(Self.zpub)"}"#
            #expect(try await api.call(.post, "/api/direct-wallets", token: other.token, json: same).status == .created)
            let mine = try await m.create(api, currency: "btc").object("payment")
            let theirs = try await other.create(api, currency: "btc").object("payment")
            #expect(mine["payment_address"] as? String == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
            #expect(theirs["payment_address"] as? String == "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g")
        }
    }
}

@Suite("Payment window per business")
struct PaymentWindowTests {
    @Test func aBusinessChoosesHowLongItsPaymentsWait() async throws {
        try await TestApp.with { app, api in
            let m = try await PaymentMerchant.make(api)
            func window(_ payment: [String: Any]) throws -> TimeInterval {
                let f = ISO8601DateFormatter()
                return try #require(f.date(from: payment["expires_at"] as? String ?? "")).timeIntervalSince(try #require(f.date(from: payment["created_at"] as? String ?? "")))
            }
            #expect(try window(try await m.create(api, currency: "btc").object("payment")) == 15 * 60)
            let bad = try await api.call(.patch, "/api/businesses/\(m.business)", token: m.token, json: #"{"payment_expiry_minutes":2}"#)
            #expect(bad.status == .badRequest && bad.errorCode == "invalid_field")
            let set = try await api.call(.patch, "/api/businesses/\(m.business)", token: m.token, json: #"{"payment_expiry_minutes":45}"#)
            #expect(set.object("business")["payment_expiry_minutes"] as? Int == 45)
            let p = try await m.create(api, currency: "btc").object("payment")
            #expect(try window(p) == 45 * 60)
            // The window is what the expiry webhook reports.
            try await app.scan("BTC")
            app.clock.advance(seconds: 46 * 60)
            try await app.scan("BTC")
            let expired = try await app.events(m.business).first { $0.type == "payment.expired" && ($0.payload["data"] as? [String: Any])?["payment_id"] as? String == p["id"] as? String }
            #expect(((expired?.payload["data"] as? [String: Any])?["reason"] as? String)?.contains("45 minutes") == true)
            // Another tenant cannot change it.
            let other = try await api.merchant()
            #expect(try await api.call(.patch, "/api/businesses/\(m.business)", token: other, json: #"{"payment_expiry_minutes":60}"#).status == .notFound)
        }
    }
}

@Suite("Demo data")
struct DemoSeedTests {
    @Test(arguments: [ChainNetworkName.mainnet, .regtest])
    func theDemoBusinessCanTakeAPaymentInEveryCurrency(network: ChainNetworkName) async throws {
        try await TestApp.with(configure: { $0.network = network == .mainnet ? .mainnet : .regtest }) { app, api in
            let demo = try #require(try await app.railyard.merchants.seedDemoIfEmpty(walletChains: Set(app.railyard.devnets.keys)))
            #expect(try await app.railyard.merchants.seedDemoIfEmpty(walletChains: []) == nil)  // once only
            let wallets = try await app.railyard.merchants.walletAddresses(businessID: demo.businessID)
            #expect(wallets.count == 11)
            for currency in ["btc", "bch", "ltc", "eth", "pol", "sol", "usdc_pol", "usdc_sol", "usdc_eth", "usdc_base", "usdt"] {
                let created = try await api.call(.post, "/api/payments/create", token: demo.apiKey, json: #"{"amount_usd":"5.00","currency":"\#(currency)"}"#)
                #expect(created.status == .created, "\(currency): \(created.text)")
            }
        }
    }
}

extension DemoSeedTests {
    @Test func chainsWithARealNodeGetNoDemoWallet() async throws {
        try await TestApp.with(configure: { $0.chainRPCURLs["LTC"] = "http://user:pass@127.0.0.1:9" }) { app, _ in
            // The demo key is public: a chain with a real node must not send real money to it.
            let demo = try #require(try await app.railyard.merchants.seedDemoIfEmpty(walletChains: Set(app.railyard.devnets.keys)))
            let wallets = try await app.railyard.merchants.walletAddresses(businessID: demo.businessID)
            #expect(wallets["LTC"] == nil && wallets["BTC"] != nil && wallets.count == 10)
        }
    }
}

enum ChainNetworkName: String, Sendable, CustomTestStringConvertible {
    case mainnet, regtest
    var testDescription: String { rawValue }
}
