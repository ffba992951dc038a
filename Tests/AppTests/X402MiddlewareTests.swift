import App
import Chains
import Foundation
import Hummingbird
import HummingbirdTesting
import RailyardCrypto
import Testing
import X402

/// The paywall middleware in an ordinary Hummingbird application (not Railyard's router), settling
/// through Railyard's facilitator in process; the handler reads the payment it is serving.
@Suite("x402 middleware in any Hummingbird app")
struct X402MiddlewareTests {
    @Test func aPaidRouteServesOnlyAfterSettlementAndSeesThePayment() async throws {
        try await TestApp.with { app, api in
            let session = try await api.merchant()
            let business = try await api.business(session)
            let devnet = try #require(app.railyard.devnets["LTC"])
            let network = try #require(app.railyard.x402.networks.first { $0.v1Name == "litecoin" })
            let payTo = "ltc1qg82tqj7n2ffc2fq0gpd5nslhqgx6umpgvlkmn8"
            let router = Router()
            router.add(middleware: X402PaywallMiddleware<BasicRequestContext>(
                facilitator: InProcessFacilitatorClient(facilitator: app.railyard.x402, businessID: business),
                options: { _ in [PaymentOption(network: network, amount: "150000", payTo: payTo)] },
                resource: { request in PaidResource(url: "http://localhost\(request.uri.path)", description: "Premium data") }))
            router.get("/premium") { _, _ -> String in
                let payment = try #require(X402Payment.current)
                return "premium for \(payment.transaction) on \(payment.network)"
            }
            try await Application(router: router).test(.router) { client in
                let unpaid = try await client.execute(uri: "/premium", method: .get)
                #expect(unpaid.status.code == 402 && unpaid.headers[.init("PAYMENT-REQUIRED")!] != nil)
                let txid = try await devnet.pay(to: payTo, asset: "LTC", amount: 150_000)
                try await devnet.mine(6)
                let proof = JSONValue.object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string("litecoin"),
                                              "payload": .object(["txid": .string(txid)])])
                let header = Data(proof.serialized.utf8).base64EncodedString()
                let paid = try await client.execute(uri: "/premium", method: .get, headers: [.init("X-PAYMENT")!: header])
                #expect(paid.status == .ok && String(buffer: paid.body) == "premium for \(txid) on litecoin", "\(String(buffer: paid.body))")
                #expect(paid.headers[.init("X-PAYMENT-RESPONSE")!] != nil)
                let again = try await client.execute(uri: "/premium", method: .get, headers: [.init("X-PAYMENT")!: header])
                #expect(again.status.code == 402)
            }
        }
    }

    /// The same middleware with a remote facilitator: another Hummingbird app settles through
    /// Railyard's standard /api/x402/settle over real HTTP, with a business API key.
    @Test func aRemoteFacilitatorSettlesOverHTTP() async throws {
        try await TestApp.with(live: true) { app, api in
            let port = try #require(api.client.port)
            let payTo = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
            let session = try await api.merchant()
            let business = try await api.business(session, json: #"{"name":"Remote","wallet_addresses":{"BTC":"\#(payTo)"}}"#)
            let key = try await api.apiKey(session, business: business)
            let devnet = try #require(app.railyard.devnets["BTC"])
            let network = try #require(app.railyard.x402.networks.first { $0.v1Name == "bitcoin" })
            let router = Router()
            router.add(middleware: X402PaywallMiddleware<BasicRequestContext>(
                facilitator: RemoteFacilitatorClient(baseURL: "http://127.0.0.1:\(port)/api/x402", apiKey: key),
                options: { _ in [PaymentOption(network: network, amount: "2500", payTo: payTo)] },
                resource: { _ in PaidResource(url: "http://localhost/remote", description: "Remote-settled") }))
            router.get("/remote") { _, _ -> String in "paid: \(X402Payment.current?.transaction ?? "none")" }
            try await Application(router: router).test(.router) { client in
                let txid = try await devnet.pay(to: payTo, asset: "BTC", amount: 2_500)
                try await devnet.mine(3)
                let proof = JSONValue.object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string("bitcoin"),
                                              "payload": .object(["txid": .string(txid)])])
                let header = Data(proof.serialized.utf8).base64EncodedString()
                let paid = try await client.execute(uri: "/remote", method: .get, headers: [.init("X-PAYMENT")!: header])
                #expect(paid.status == .ok && String(buffer: paid.body) == "paid: \(txid)", "\(String(buffer: paid.body))")
                #expect(try await client.execute(uri: "/remote", method: .get, headers: [.init("X-PAYMENT")!: header]).status.code == 402)
            }
            // Without a valid key the remote facilitator refuses, and nothing is served.
            let anonymous = RemoteFacilitatorClient(baseURL: "http://127.0.0.1:\(port)/api/x402", apiKey: "cp_live_wrong")
            await #expect(throws: (any Error).self) {
                _ = try await anonymous.settle(payload: .object([:]), requirements: .object(["network": .string("bitcoin")]), x402Version: 1)
            }
        }
    }
}
