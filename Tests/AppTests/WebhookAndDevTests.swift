import Events
import Foundation
import Testing
import TestSupport

@Suite("Webhooks API and devnet cheat API")
struct WebhookAndDevTests {
    @Test func testWebhookIsSignedDeliveredLoggedAndRedeliveredWithTheSameID() async throws {
        try await Receiver.with(failFirst: 1) { receiver in
            try await TestApp.with { app, api in
                let token = try await api.merchant()
                let business = try await api.business(token, json: #"{"name":"Hooked","webhook_url":"\#(receiver.url)"}"#)
                let secret = try #require(try await api.call(.get, "/api/businesses/\(business)/webhook-secret", token: token)["webhook_secret"] as? String)
                let key = try await api.apiKey(token, business: business)

                let sent = try await api.call(.post, "/api/webhooks/test", token: key, json: "{}")
                #expect(sent.status == .created, "\(sent.text)")
                let eventID = try #require(sent.object("event")["id"] as? String)
                let delivery = try #require(app.railyard.services.first { $0 is WebhookDeliveryService } as? WebhookDeliveryService)
                #expect(try await delivery.deliverDue() == 1)  // the receiver fails the first attempt
                app.clock.advance(seconds: 40)
                #expect(try await delivery.deliverDue() == 1)
                #expect(receiver.requests.count == 2)
                let received = try #require(receiver.requests.last)
                let signature = try #require(received.headers["x-coinpay-signature"])
                #expect(WebhookSignature.verify(header: signature, body: received.body, secret: secret, now: app.clock.nowMillis() / 1000))
                let payload = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
                #expect(payload["id"] as? String == eventID)
                #expect(payload["type"] as? String == "test.webhook")
                #expect(payload["business_id"] as? String == business)

                let attempts = try await api.call(.get, "/api/webhooks/events/\(eventID)/deliveries", token: token)
                #expect(attempts.array("deliveries").map { $0["status"] as? String } == ["failed", "delivered"])
                #expect(attempts.array("deliveries").first?["response_code"] as? Int == 500)
                let listed = try await api.call(.get, "/api/webhooks/events?business_id=\(business)", token: token)
                #expect(listed.array("events").first?["id"] as? String == eventID)

                #expect(try await api.call(.post, "/api/webhooks/events/\(eventID)/redeliver", token: token).status == .accepted)
                #expect(try await delivery.deliverDue() == 1)
                #expect(receiver.requests.count == 3)
                #expect(receiver.requests[2].body == received.body)

                // Another tenant can't see, list, redeliver or trigger these.
                let other = try await api.merchant()
                let otherBusiness = try await api.business(other)
                #expect(try await api.call(.get, "/api/webhooks/events/\(eventID)/deliveries", token: other).status == .notFound)
                #expect(try await api.call(.post, "/api/webhooks/events/\(eventID)/redeliver", token: other).status == .notFound)
                #expect(try await api.call(.get, "/api/webhooks/events?business_id=\(business)", token: other).status == .notFound)
                #expect(try await api.call(.post, "/api/webhooks/test", token: other, json: #"{"business_id":"\#(business)"}"#).status == .notFound)
                #expect(try await api.call(.post, "/api/webhooks/test", token: other, json: #"{"business_id":"\#(otherBusiness)"}"#).errorCode == "no_webhook_url")
                #expect(try await api.call(.get, "/api/webhooks/events/\(eventID)/deliveries").status == .unauthorized)
                #expect(try await api.call(.post, "/api/webhooks/test", json: "{}").status == .unauthorized)
            }
        }
    }

    @Test func devAPIPaysMinesAndReorgsOnlyForAllowedCallers() async throws {
        try await TestApp.with(configure: { $0.devToken = "dev-token-0123456789" }) { app, api in
            let auth = [("X-Railyard-Dev-Token", "dev-token-0123456789")]
            // The router test client is not loopback, so without the token it is refused.
            #expect(try await api.call(.post, "/api/dev/mine", json: #"{"chain":"ETH"}"#).status == .forbidden)
            #expect(try await api.call(.post, "/api/dev/mine", json: #"{"chain":"ETH"}"#, headers: [("X-Railyard-Dev-Token", "wrong-token-000000")]).status == .forbidden)

            let paid = try await api.call(.post, "/api/dev/pay", json: #"{"chain":"eth","to":"0xabc","amount":"0.5"}"#, headers: auth)
            #expect(paid.status == .created, "\(paid.text)")
            #expect(paid["amount"] as? String == "500000000000000000")
            let usdc = try await api.call(.post, "/api/dev/pay", json: #"{"chain":"POL","to":"0xabc","amount":12.5,"asset":"USDC_POL"}"#, headers: auth)
            #expect(usdc["amount"] as? String == "12500000")
            #expect(try await api.call(.post, "/api/dev/pay", json: #"{"chain":"BTC","to":"x","amount":"0.000000001"}"#, headers: auth).field == "amount")
            #expect(try await api.call(.post, "/api/dev/pay", json: #"{"chain":"BTC","to":"x","amount":"1","asset":"ETH"}"#, headers: auth).field == "asset")
            #expect(try await api.call(.post, "/api/dev/pay", json: #"{"chain":"DOGE","to":"x","amount":"1"}"#, headers: auth).field == "chain")

            let mined = try await api.call(.post, "/api/dev/mine", json: #"{"chain":"ETH","blocks":3}"#, headers: auth)
            #expect(mined["height"] as? Int == 3)
            let txid = try #require(paid["txid"] as? String)
            #expect(try await app.railyard.devnets["ETH"]!.status(txid: txid, outputIndex: 0) != .mempool)
            let reorged = try await api.call(.post, "/api/dev/reorg", json: #"{"chain":"ETH","depth":2}"#, headers: auth)
            #expect(reorged["height"] as? Int == 4)
            #expect(try await api.call(.post, "/api/dev/reorg", json: #"{"chain":"ETH","depth":99}"#, headers: auth).field == "depth")
            #expect(try await api.call(.post, "/api/dev/double-spend", json: #"{"chain":"ETH","txid":"\#(txid)"}"#, headers: auth).field == "txid")
        }
    }
}

@Suite("Webhook destinations")
struct WebhookDestinationTests {
    @Test func privateWebhookURLsAreRefusedUnlessTheOperatorAllowsThem() async throws {
        try await TestApp.with(configure: { $0.webhookAllowPrivate = false }) { _, api in
            let token = try await api.merchant()
            for url in ["http://127.0.0.1:9000/hook", "http://169.254.169.254/latest", "http://localhost/x", "http://[::1]/x"] {
                let refused = try await api.call(.post, "/api/businesses", token: token, json: #"{"name":"S","webhook_url":"\#(url)"}"#)
                #expect(refused.status == .badRequest, "\(url)")
                #expect(refused.errorCode == "webhook_destination_refused", "\(url)")
                #expect(refused.field == "webhook_url")
            }
            let business = try await api.business(token)
            let patched = try await api.call(.patch, "/api/businesses/\(business)", token: token, json: #"{"webhook_url":"http://10.0.0.5/hook"}"#)
            #expect(patched.errorCode == "webhook_destination_refused")
            #expect(try await api.call(.post, "/api/businesses", token: token, json: #"{"name":"S","webhook_url":"https://hooks.example.com/x"}"#).status == .created)
        }
    }
}
