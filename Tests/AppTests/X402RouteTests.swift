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
    static let env = ProcessInfo.processInfo.environment
    static let evmURL = env["RAILYARD_TEST_EVM_RPC_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let usdc = env["RAILYARD_TEST_USDC_CONTRACT"].flatMap { $0.isEmpty ? nil : $0 }

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
            let malformed = try await api.call(.post, "/api/x402/verify", token: key, json: body)
            #expect(malformed.status == .ok && malformed["isValid"] as? Bool == false && malformed["invalidReason"] as? String == "invalid_payload", "\(malformed.text)")
            let settle = try await api.call(.post, "/api/x402/settle", token: key, json: body)
            #expect(settle.status == .ok && settle["success"] as? Bool == false && settle["transaction"] as? String == "")
            let documented = try await api.call(.post, "/api/x402/verify", token: key, json: #"{"expectedAmount":"1"}"#)
            #expect(documented.status == .badRequest && documented.json["field"] as? String == "proof")
        }
    }

    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness"))
    func standardAndDocumentedShapesVerifyAndSettleOnTheEVMServer() async throws {
        let contract = Self.usdc!
        try await TestApp.with(configure: { config in
            config.network = .regtest
            config.chainRPCURLs["ETH"] = Self.evmURL!
            config.tokenContracts["USDC_ETH"] = contract
        }) { app, api in
            let rpc = try JSONRPCClient(url: Self.evmURL!)
            let funded = try #require(try await rpc.call("eth_accounts").arrayValue?.first?.stringValue)
            let supported = try await api.call(.get, "/api/x402/supported")
            #expect(supported.array("kinds").compactMap { $0["network"] as? String }.filter { $0.hasPrefix("eip155:") } == ["eip155:31337"], "\(supported.text)")
            let gas = try #require((supported.object("signers")["eip155:*"] as? [String])?.first)
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(gas), "value": .string("0x8ac7230489e80000")])])
            let payerKey = Secp256k1.generatePrivateKey()
            let payer = try Ethereum.address(privateKey: payerKey)
            let fund = try ERC20.transfer(to: payer, amount: Word256(1_000_000))
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(contract), "data": .string(Hex.encode(fund, prefix: true))])])
            let payTo = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())

            let session = try await api.merchant()
            let business = try await api.business(session)
            let key = try await api.apiKey(session, business: business)

            func signed(_ value: UInt64) throws -> JSONValue {
                let authorization = EIP3009.Authorization(from: payer, to: payTo, value: Word256(value), validAfter: .zero,
                                                          validBefore: Word256(UInt64(Date().timeIntervalSince1970) + 600),
                                                          nonce: Array(SHA256.hash(data: Data(UUID().uuidString.utf8))))
                let domain = EIP3009.Domain(name: "USD Coin", version: "2", chainId: 31_337, verifyingContract: contract)
                let signature = try EIP3009.transferWithAuthorization(authorization, domain: domain).sign(privateKey: payerKey)
                return .object(["signature": .string(Hex.encode(signature, prefix: true)), "authorization": .object([
                    "from": .string(payer), "to": .string(payTo), "value": .string(String(value)), "validAfter": .string("0"),
                    "validBefore": .string(authorization.validBefore.decimalString), "nonce": .string(Hex.encode(authorization.nonce, prefix: true)),
                ])])
            }
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

            let node = try EVMChain(chain: "ETH", rpc: rpc, tokens: [:])
            #expect(try await node.tokenBalance(contract: contract, owner: payTo) == 750_000)
            // 1% Starter commission on 750,000: 7,500 owed by the business.
            let receivable = try await app.railyard.db.read { try await app.railyard.ledger.account("x402:fees_receivable:\(business):USDC_ETH", in: $0) }
            #expect(receivable?.debitsPosted == 7_500)
        }
    }
}
