import App
import Chains
import Crypto
import Foundation
import Ledger
import RailyardCrypto
import Testing

/// The facilitator API through the router: both answer shapes, authentication, and (with the EVM
/// harness) real settlement of EIP-3009 authorizations with the commission booked in the ledger.
@Suite("x402 facilitator API", .serialized)
struct X402RouteTests {
    static func standardBody(network: String, payload: String = #"{"x402Version":2}"#) -> String {
        #"{"x402Version":2,"paymentPayload":\#(payload),"paymentRequirements":{"scheme":"exact","network":"\#(network)","amount":"10000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":60}}"#
    }

    @Test func authenticationAndMalformedRequests() async throws {
        try await TestApp.with { _, api in
            let supported = try await api.call(.get, "/api/x402/supported")
            // On devnet: the Bitcoin-family chains (txid proofs); no EVM token to authorize.
            let networks = Set(supported.array("kinds").compactMap { $0["network"] as? String })
            #expect(supported.status == .ok && networks == ["bitcoin", "litecoin", "bitcoin-cash", "bip122:railyard-devnet-btc", "bip122:railyard-devnet-ltc",
                                                             "bip122:railyard-devnet-bch", "lightning", "bolt11:devnet"], "\(supported.text)")
            #expect(supported.object("signers").isEmpty)
            #expect(supported.array("unsupported").first?["network"] as? String == "stripe")
            let body = Self.standardBody(network: "eip155:84532")
            #expect(try await api.call(.post, "/api/x402/verify", json: body).status == .unauthorized)
            #expect(try await api.call(.post, "/api/x402/settle", json: body).status == .unauthorized)
            let session = try await api.merchant()
            let business = try await api.business(session)
            let login = try await api.call(.post, "/api/x402/verify", token: session, json: body)
            #expect(login.status == .forbidden && login.errorCode == "api_key_required")
            let key = try await api.apiKey(session, business: business)
            // Unreadable: 400. Readable but wrong: 200 with a reason (real facilitator clients need 200).
            #expect(try await api.call(.post, "/api/x402/verify", token: key, json: "{not json").status == .badRequest)
            // The verify body is read as a document (JSONDocument): the same refusals as the tree parser.
            for unreadable in [#"{"paymentPayload":"#, #"[1]"#, #"{"paymentPayload":{},"paymentPayload":{}}"#, #"{"paymentPayload":{"a":1,"\u0061":2}}"#,
                               #"{"paymentPayload":{}} x"#, "{\"paymentPayload\":\"\u{01}\"}"] {
                let refused = try await api.call(.post, "/api/x402/verify", token: key, json: unreadable)
                #expect(refused.status == .badRequest && refused.errorCode == "invalid_json", "\(unreadable): \(refused.text)")
            }
            let notAVersion = try await api.call(.post, "/api/x402/verify", token: key, json: #"{"x402Version":"2","paymentPayload":{},"paymentRequirements":{}}"#)
            #expect(notAVersion.status == .ok && notAVersion["invalidReason"] as? String == "invalid_x402_version", "\(notAVersion.text)")
            let malformed = try await api.call(.post, "/api/x402/verify", token: key, json: body)
            #expect(malformed.status == .ok && malformed["isValid"] as? Bool == false && malformed["invalidReason"] as? String == "invalid_payload", "\(malformed.text)")
            let settle = try await api.call(.post, "/api/x402/settle", token: key, json: body)
            #expect(settle.status == .ok && settle["success"] as? Bool == false && settle["transaction"] as? String == "")
            let documented = try await api.call(.post, "/api/x402/verify", token: key, json: #"{"expectedAmount":"1"}"#)
            #expect(documented.status == .badRequest && documented.json["field"] as? String == "proof")
        }
    }

    @Test(.enabled(if: EVMHarness.available, "needs the EVM harness"))
    func standardAndDocumentedShapesVerifyAndSettleOnTheEVMServer() async throws {
        try await TestApp.with(configure: EVMHarness.configure) { app, api in
            let evm = try await EVMHarness.connect()
            let contract = evm.contract
            let supported = try await api.call(.get, "/api/x402/supported")
            #expect(supported.array("kinds").compactMap { $0["network"] as? String }.filter { $0.hasPrefix("eip155:") } == ["eip155:31337"], "\(supported.text)")
            try await evm.fundGas(api)
            let (payerKey, payer) = try await evm.fundedPayer(1_000_000)
            let payTo = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())

            let session = try await api.merchant()
            let business = try await api.business(session, json: #"{"name":"Facilitated","wallet_address":"\#(payTo)"}"#)
            let key = try await api.apiKey(session, business: business)

            func signed(_ value: UInt64) throws -> JSONValue { try evm.signedPayload(key: payerKey, payTo: payTo, value: String(value)) }
            let requirements = JSONValue.object([
                "scheme": .string("exact"), "network": .string("eip155:31337"), "amount": .string("250000"), "asset": .string(contract),
                "payTo": .string(payTo), "maxTimeoutSeconds": .number("60"), "extra": .object(["name": .string("USD Coin"), "version": .string("2")]),
            ])
            let standard = JSONValue.object(["x402Version": .number("2"), "paymentRequirements": requirements,
                                             "paymentPayload": .object(["x402Version": .number("2"), "accepted": requirements, "payload": try signed(250_000)])])
            let verified = try await api.call(.post, "/api/x402/verify", token: key, json: standard.serialized)
            #expect(verified.status == .ok && verified["isValid"] as? Bool == true && (verified["payer"] as? String)?.lowercased() == payer.lowercased(), "\(verified.text)")
            let settled = try await api.call(.post, "/api/x402/settle", token: key, json: standard.serialized)
            #expect(settled["success"] as? Bool == true && (settled["transaction"] as? String)?.hasPrefix("0x") == true
                    && settled["network"] as? String == "eip155:31337", "\(settled.text)")
            let replay = try await api.call(.post, "/api/x402/settle", token: key, json: standard.serialized)
            #expect(replay.status == .ok && replay["success"] as? Bool == false && replay["errorReason"] as? String == "invalid_exact_evm_nonce_already_used")
            // Another business cannot settle a payment made to this one's wallet (it would take over its record).
            let stranger = try await api.apiKey(session, business: try await api.business(session))
            let foreign = JSONValue.object(["x402Version": .number("2"), "paymentRequirements": requirements,
                                            "paymentPayload": .object(["x402Version": .number("2"), "accepted": requirements, "payload": try signed(250_000)])])
            let refused = try await api.call(.post, "/api/x402/settle", token: stranger, json: foreign.serialized)
            #expect(refused.status == .ok && refused["success"] as? Bool == false && refused["errorReason"] as? String == "invalid_payment_requirements", "\(refused.text)")
            #expect(try await evm.balance(payTo) == 250_000)

            // The documented shape: a base64 X-Payment proof (with `asset`, without x402Version).
            let proof = JSONValue.object(["scheme": .string("exact"), "network": .string("eip155:31337"), "asset": .string(contract), "payload": try signed(500_000)])
            let encoded = Data(proof.serialized.utf8).base64EncodedString()
            let documentedVerify = try await api.call(.post, "/api/x402/verify", token: key, json: JSONValue.object([
                "proof": .string(encoded), "expectedAmount": .string("500000"), "expectedAsset": .string("USDC"),
                "expectedNetwork": .string("eip155:31337"), "expectedPayTo": .string(payTo),
            ]).serialized)
            #expect(documentedVerify["valid"] as? Bool == true && documentedVerify["asset"] as? String == "USDC"
                    && documentedVerify["amount"] as? String == "500000", "\(documentedVerify.text)")
            let short = try await api.call(.post, "/api/x402/verify", token: key, json: JSONValue.object([
                "proof": .string(encoded), "expectedAmount": .string("500001"), "expectedAsset": .string(contract),
                "expectedNetwork": .string("eip155:31337"), "expectedPayTo": .string(payTo),
            ]).serialized)
            #expect(short["valid"] as? Bool == false && short["code"] as? String == "invalid_exact_evm_payload_authorization_value_mismatch")
            let documentedSettle = try await api.call(.post, "/api/x402/settle", token: key, json: JSONValue.object([
                "proof": .string(encoded), "network": .string("eip155:31337"),
            ]).serialized)
            #expect(documentedSettle["settled"] as? Bool == true && (documentedSettle["txHash"] as? String)?.hasPrefix("0x") == true
                    && documentedSettle["asset"] as? String == "USDC", "\(documentedSettle.text)")

            #expect(try await evm.balance(payTo) == 750_000)
            // 1% Starter commission on 750,000: 7,500 owed by the business.
            let receivable = try await app.railyard.db.read { try await app.railyard.ledger.account("x402:fees_receivable:\(business):USDC_ETH", in: $0) }
            #expect(receivable?.debitsPosted == 7_500)
        }
    }
}
