import App
import Chains
import Crypto
import Foundation
import RailyardCrypto
import Testing
import TestSupport

/// The no-code paywall: resources defined over the API, served at /x402/r/:id as 402 until paid.
@Suite("x402 paid resources", .serialized)
struct X402ResourceTests {
    @Test func resourcesAreValidatedAndBelongToOneBusiness() async throws {
        try await TestApp.with { _, api in
            let session = try await api.merchant()
            let business = try await api.business(session)
            let body = #"{"name":"Weather","price_usd":"0.01","upstream_url":"https://api.example.com/weather","networks":["bitcoin"]}"#
            #expect(try await api.call(.post, "/api/x402/resources", json: body).status == .unauthorized)
            #expect(try await api.call(.post, "/api/x402/resources", token: session, json: body).json["field"] as? String == "business_id")
            for (bad, field) in [(#"{"name":"W","price_usd":"0","upstream_url":"https://a.example"}"#, "price_usd"),
                                 (#"{"name":"W","price_usd":"0.0000001","upstream_url":"https://a.example"}"#, "price_usd"),
                                 (#"{"name":"W","price_usd":"0.0000011","upstream_url":"https://a.example"}"#, "price_usd"),
                                 (#"{"name":"W","price_usd":"10000.01","upstream_url":"https://a.example"}"#, "price_usd"),
                                 (#"{"name":"W","price_usd":"1","upstream_url":"ftp://a.example"}"#, "upstream_url"),
                                 (#"{"name":"W","price_usd":"1","upstream_url":"https://a.example","networks":["solana"]}"#, "networks"),
                                 (#"{"price_usd":"1","upstream_url":"https://a.example"}"#, "name"),
                                 (#"{"name":"W","price_usd":"1","upstream_url":"https://a.example","description":"\#(String(repeating: "d", count: 1001))"}"#, "description"),
                                 (#"{"name":"W","price_usd":"1","upstream_url":"https://a.example","mime_type":""}"#, "mime_type")] {
                let refused = try await api.call(.post, "/api/x402/resources?business_id=\(business)", token: session, json: bad)
                #expect(refused.status == .badRequest && refused.json["field"] as? String == field, "\(bad): \(refused.text)")
            }
            let created = try await api.call(.post, "/api/x402/resources?business_id=\(business)", token: session, json: body)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object("resource")["id"] as? String)
            #expect(created.object("resource")["price_usd"] as? String == "0.01")
            let key = try await api.apiKey(session, business: business)
            #expect(try await api.call(.get, "/api/x402/resources", token: key).array("resources").count == 1)
            let patched = try await api.call(.patch, "/api/x402/resources/\(id)", token: key, json: #"{"price_usd":0.05}"#)
            #expect(patched.status == .ok && patched.object("resource")["price_usd"] as? String == "0.05", "\(patched.text)")
            // An edit is held to the same limits, and a refused one changes nothing.
            for (bad, field) in [(#"{"mime_type":"\#(String(repeating: "m", count: 101))"}"#, "mime_type"),
                                 (#"{"description":"\#(String(repeating: "d", count: 1001))","price_usd":"9"}"#, "description")] {
                let refused = try await api.call(.patch, "/api/x402/resources/\(id)", token: key, json: bad)
                #expect(refused.status == .badRequest && refused.json["field"] as? String == field, "\(bad): \(refused.text)")
            }
            #expect(try await api.call(.get, "/api/x402/resources", token: key).array("resources").first?["price_usd"] as? String == "0.05")

            // Another merchant's credentials: the resource does not exist for them.
            let other = try await api.merchant()
            let otherBusiness = try await api.business(other)
            let otherKey = try await api.apiKey(other, business: otherBusiness)
            #expect(try await api.call(.patch, "/api/x402/resources/\(id)", token: otherKey, json: #"{"name":"x"}"#).status == .notFound)
            #expect(try await api.call(.delete, "/api/x402/resources/\(id)", token: other).status == .notFound)
            #expect(try await api.call(.get, "/api/x402/resources?business_id=\(business)", token: other).status == .notFound)
            #expect(try await api.call(.get, "/api/x402/payments?business_id=\(business)", token: otherKey).status == .notFound)
            #expect(try await api.call(.get, "/api/x402/payments", token: key).array("payments").isEmpty)
            // Bitcoin only, and the business has no BTC wallet: the resource says so rather than pretending.
            let unpaid = try await api.call(.get, "/x402/r/\(id)")
            #expect(unpaid.status == .serviceUnavailable && unpaid.errorCode == "no_payment_network", "\(unpaid.text)")
            #expect(try await api.call(.delete, "/api/x402/resources/\(id)", token: session).status == .ok)
            #expect(try await api.call(.get, "/x402/r/\(id)").status == .notFound)
        }
    }

    @Test func theDashboardPageIsServedAndHoldsNoData() async throws {
        try await TestApp.with { _, api in
            let page = try await api.call(.get, "/dashboard/x402")
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("<title>x402 — Railyard</title>") && page.text.contains("/api/x402/payments") && page.text.contains("<noscript>"))
            // The key is typed by the user and kept in the tab; the page itself carries none.
            #expect(page.text.contains("sessionStorage") && page.text.contains(#"placeholder="cp_live_…""#))
        }
    }

    @Test func privateUpstreamsAreRefusedUnlessAllowed() async throws {
        try await TestApp.with(configure: { $0.webhookAllowPrivate = false }) { _, api in
            let session = try await api.merchant()
            let business = try await api.business(session)
            let refused = try await api.call(.post, "/api/x402/resources?business_id=\(business)", token: session,
                                             json: #"{"name":"W","price_usd":"1","upstream_url":"http://169.254.169.254/latest"}"#)
            #expect(refused.status == .badRequest && refused.json["field"] as? String == "upstream_url", "\(refused.text)")
        }
    }

    @Test(.enabled(if: EVMHarness.available, "needs the EVM harness"))
    func aResourceIsPaidWithV1AndV2HeadersAndProxied() async throws {
        try await Receiver.with { rates in
          // USDC a little under par on the market: x402 prices it at par all the same.
          rates.setRates(#"{"usd-coin":{"usd":"0.9998"},"bitcoin":{"usd":"97250"}}"#)
          try await Receiver.with { upstream in
            try await TestApp.with(configure: { EVMHarness.configure(&$0); $0.ratesURL = rates.url }) { app, api in
                let evm = try await EVMHarness.connect()
                try await evm.fundGas(api)
                let (payerKey, _) = try await evm.fundedPayer(5_000_000)
                let payTo = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
                let session = try await api.merchant()
                let business = try await api.business(session, json: #"{"name":"API shop","wallet_address":"\#(payTo)"}"#)
                let id = try await api.paidResource(session, business: business, json: #"{"name":"Premium","price_usd":"0.25","upstream_url":"\#(upstream.url)"}"#)

                // Unpaid: 402 with a v1 body (documented + standard fields) and the v2 header.
                let unpaid = try await api.call(.get, "/x402/r/\(id)?city=Oslo")
                #expect(unpaid.status.code == 402 && unpaid.json["x402Version"] as? Int == 1)
                let accept = try #require(unpaid.array("accepts").first)
                #expect(accept["network"] as? String == "eip155:31337" && (accept["payTo"] as? String)?.lowercased() == payTo.lowercased())
                #expect(accept["resource"] as? String != nil && accept["maxTimeoutSeconds"] as? Int == 60 && accept["mimeType"] as? String == "application/json")
                let extra = try #require(accept["extra"] as? [String: Any])
                #expect(extra["name"] as? String == "USD Coin" && extra["version"] as? String == "2" && extra["chainId"] as? Int == 31_337 && extra["label"] != nil)
                let amount = try #require(accept["maxAmountRequired"] as? String)
                #expect(amount == "250000", "$0.25 is 0.25 USDC exactly")
                let headerText = try #require(unpaid.headers[.init("PAYMENT-REQUIRED")!])
                let headerData = try #require(Data(base64Encoded: headerText))
                let v2 = try JSONValue.parse(Array(headerData))
                #expect(v2["x402Version"] == .number("2") && v2["accepts"]?.arrayValue?.first?["amount"]?.stringValue == amount)
                #expect(upstream.requests.isEmpty, "nothing reaches the upstream before payment")

                func signed(_ value: String) throws -> JSONValue { try evm.signedPayload(key: payerKey, payTo: payTo, value: value) }
                // v2: PAYMENT-SIGNATURE with the accepted requirement.
                let accepted = try #require(v2["accepts"]?.arrayValue?.first)
                let v2Payment = JSONValue.object(["x402Version": .number("2"), "accepted": accepted, "payload": try signed(amount)])
                let v2Header = Data(v2Payment.serialized.utf8).base64EncodedString()
                let paid = try await api.call(.get, "/x402/r/\(id)?city=Oslo", headers: [("PAYMENT-SIGNATURE", v2Header)])
                #expect(paid.status == .ok && paid.json["premium"] as? Bool == true && paid.json["query"] as? String == "city=Oslo", "\(paid.text)")
                let receiptHeader = try #require(paid.headers[.init("PAYMENT-RESPONSE")!])
                let receiptData = try #require(Data(base64Encoded: receiptHeader))
                let receipt = try JSONValue.parse(Array(receiptData))
                #expect(receipt["success"] == .bool(true) && receipt["transaction"]?.stringValue?.hasPrefix("0x") == true)
                // The same header again is a replay: 402, and the upstream is not called again.
                let replay = try await api.call(.get, "/x402/r/\(id)", headers: [("PAYMENT-SIGNATURE", v2Header)])
                #expect(replay.status.code == 402 && upstream.requests.count == 1)

                // v1: X-PAYMENT with scheme/network at the top.
                let v1Payment = JSONValue.object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string("eip155:31337"), "payload": try signed(amount)])
                let v1Paid = try await api.call(.get, "/x402/r/\(id)", headers: [("X-PAYMENT", Data(v1Payment.serialized.utf8).base64EncodedString())])
                #expect(v1Paid.status == .ok && v1Paid.headers[.init("X-PAYMENT-RESPONSE")!] != nil, "\(v1Paid.text)")
                // Underpaying is refused.
                let short = JSONValue.object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string("eip155:31337"),
                                              "payload": try signed(String(Int(amount)! - 1))])
                #expect(try await api.call(.get, "/x402/r/\(id)", headers: [("X-PAYMENT", Data(short.serialized.utf8).base64EncodedString())]).status.code == 402)

                #expect(try await evm.balance(payTo) == 2 * Int128(amount)!)
                let history = try await api.call(.get, "/api/x402/payments?business_id=\(business)", token: session)
                #expect(history.array("payments").count == 2 && history.array("payments").allSatisfy {
                    $0["resource_id"] as? String == id && $0["status"] as? String == "settled" && ($0["amount_decimal"] as? String)?.hasPrefix("0.") == true },
                        "\(history.text)")
                #expect(upstream.requests.count == 2)
                // The business's webhook event names the resource each payment unlocked.
                let settledEvents = try await app.events(business).filter { $0.type == "x402.payment.settled" }
                #expect(settledEvents.count == 2 && settledEvents.allSatisfy { ($0.payload["data"] as? [String: Any])?["resource_id"] as? String == id },
                        "\(settledEvents.map(\.payload))")
            }
          }
        }
    }
}
