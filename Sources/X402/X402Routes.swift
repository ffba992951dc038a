import Foundation
import HTTP
import Hummingbird
import RailyardCrypto
import Storage

/// The facilitator API: `/api/x402/verify` and `/api/x402/settle` answer both our documented shape
/// (`{proof, expected…}` → `{valid…}` / `{settled…}`) and the standard x402 shape
/// (`{x402Version, paymentPayload, paymentRequirements}` → `{isValid…}` / `{success…}`), so that a
/// standard facilitator client configured with `<server>/api/x402` works unchanged.
/// `GET /api/x402/supported` lists the kinds. Invalid payments answer 200 with a reason (real
/// clients treat any other status as a transport failure); only unreadable requests get a 4xx.
public struct X402Feature: Sendable {
    let facilitator: X402Facilitator
    let db: Database
    let clock: any AppClock
    let catalog: X402Catalog
    /// Whether a merchant owns a business (merchant sessions may manage any of their businesses).
    let owns: @Sendable (String, String) async throws -> Bool

    public init(facilitator: X402Facilitator, db: Database, clock: any AppClock, catalog: X402Catalog,
                owns: @escaping @Sendable (String, String) async throws -> Bool) {
        self.facilitator = facilitator
        self.db = db
        self.clock = clock
        self.catalog = catalog
        self.owns = owns
    }

    static func respond(_ value: JSONValue) -> Response { respond(json: value.serialized) }

    static func respond(json text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The business of a facilitator call: only a business API key may verify and settle.
    static func businessID(_ context: RailyardRequestContext) throws -> String {
        let principal = try context.requirePrincipal()
        guard let business = principal.businessID else {
            throw APIError.forbidden("The facilitator needs a business API key (Authorization: Bearer cp_live_…), not a login token", code: "api_key_required")
        }
        return business
    }

    static func body(_ request: Request, _ context: RailyardRequestContext) async throws -> JSONValue {
        try await document(request, context).jsonValue
    }

    /// The body as a document, for routes that read a few fields of it (see `JSONDocument`).
    static func document(_ request: Request, _ context: RailyardRequestContext) async throws -> JSONDocument.Element {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            let document = try buffer.withUnsafeReadableBytes { bytes throws(JSONValue.ParseError) in try JSONDocument.parse(bytes: bytes) }
            guard document.root.isObject else { throw APIError.badRequest("The body must be a JSON object", code: "invalid_json") }
            return document.root
        } catch let error as JSONValue.ParseError {
            throw APIError.badRequest("The body is not valid JSON: \(error)", code: "invalid_json")
        }
    }

    /// A documented `proof`: the base64 X-PAYMENT header, or the decoded JSON object itself.
    static func proof(_ value: JSONValue?) throws -> JSONValue {
        switch value {
        case .object?: return value!
        case .string(let text)?:
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)) ?? Data(base64Encoded: Self.padded(text)),
                  let json = try? JSONValue.parse(Array(data)), json.objectValue != nil else {
                throw APIError.badRequest("proof must be the base64-encoded X-Payment header (JSON)", code: "invalid_proof", field: "proof")
            }
            return json
        default:
            throw APIError.badRequest("proof is required", code: "missing_field", field: "proof")
        }
    }

    static func padded(_ text: String) -> String {
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
    }

    /// A business settles only payments to its own wallets: the chain is public, so without this any
    /// other business could settle (and so take over the record of) a payment made to someone else,
    /// whose own settle would then be refused as a duplicate.
    func requireOwnWallet(_ payTo: String, businessID: String) async throws(ExactEVMError) {
        let wallets: [String: String]
        do { wallets = try await catalog.wallets(businessID) } catch { throw ExactEVMError(.unexpectedSettleError, "\(error)") }
        let owned = wallets.values.contains { wallet in
            wallet == payTo || (wallet.hasPrefix("0x") && ExactEVMVerifier.sameIgnoringASCIICase(wallet, payTo))
        }
        guard owned else {
            throw ExactEVMError(.invalidPaymentRequirements, "payTo \(payTo) is not a wallet of this business (set it in the business's wallet addresses)")
        }
    }

    public func addRoutes(to router: Router<RailyardRequestContext>) {
        let feature = self
        let facilitator = self.facilitator
        addResourceRoutes(to: router)
        X402Dashboard.add(to: router)

        router.get("/api/x402/supported") { _, _ -> Response in
            var kinds: [JSONValue] = []
            for network in facilitator.networks {
                var kind: [String: JSONValue] = ["scheme": .string("exact")]
                if let feePayer = network.feePayer { kind["extra"] = .object(["feePayer": .string(feePayer)]) }
                if let name = network.v1Name {
                    kind["x402Version"] = .number("1"); kind["network"] = .string(name)
                    kinds.append(.object(kind))
                }
                kind["x402Version"] = .number("2"); kind["network"] = .string(network.caip2)
                kinds.append(.object(kind))
            }
            var signers: [String: JSONValue] = [:]
            let evm = try await facilitator.signers()
            if !evm.isEmpty { signers["eip155:*"] = .array(evm.map(JSONValue.string)) }
            if let feePayer = facilitator.svm?.network.feePayer { signers["solana:*"] = .array([.string(feePayer)]) }
            // Our documentation promises card (Stripe) payments; the card rail does not exist yet, and we say so.
            let unsupported = JSONValue.array([.object(["network": .string("stripe"), "scheme": .string("exact"),
                                                        "reason": .string("card payments need the card rail, which this server does not have yet")])])
            return Self.respond(.object(["kinds": .array(kinds), "extensions": .array([]), "signers": .object(signers), "unsupported": unsupported]))
        }

        router.post("/api/x402/verify") { request, context -> Response in
            _ = try Self.businessID(context)
            let document = try await Self.document(request, context)
            if document["paymentPayload"] != nil || document["paymentRequirements"] != nil {
                do {
                    let payer = try await Self.verifyStandard(document, facilitator, businessID: try Self.businessID(context))
                    // The answer to every valid payment, written out directly (keys in sorted order,
                    // as `serialized` writes them) instead of through a dictionary and a sort.
                    return Self.respond(json: #"{"isValid":true,"payer":"# + JSONValue.string(payer).serialized + "}")
                } catch let error as ExactEVMError {
                    var answer: [String: JSONValue] = ["isValid": .bool(false), "invalidReason": .string(error.reason.rawValue), "invalidMessage": .string(error.message)]
                    if let payer = Self.payer(document["paymentPayload"]) { answer["payer"] = .string(payer) }
                    return Self.respond(.object(answer))
                }
            }
            // Documented shape.
            let body = document.jsonValue
            let proof = try Self.proof(body["proof"])
            func field(_ name: String) throws -> String {
                guard let value = body[name]?.stringValue ?? body[name]?.numberText else {
                    throw APIError.badRequest("\(name) is required", code: "missing_field", field: name)
                }
                return value
            }
            let requirements = ExactRequirements(scheme: proof["scheme"]?.stringValue ?? "exact", network: try field("expectedNetwork"), amount: try field("expectedAmount"),
                                                 asset: try field("expectedAsset"), payTo: try field("expectedPayTo"), tokenName: nil, tokenVersion: nil)
            do {
                if let network = facilitator.utxo.network(named: requirements.network) {
                    let payment = try UTXOPayment.parse(proof)
                    let (received, _) = try await facilitator.utxo.verify(payment, requirements)
                    _ = try await facilitator.verify(payment, requirements)
                    return Self.respond(.object(["valid": .bool(true), "network": .string(requirements.network), "asset": .string(network.asset),
                                                 "amount": .string(String(received)), "from": .string(""), "to": .string(requirements.payTo), "txid": .string(payment.txid)]))
                }
                let payment = try ExactPayment.parse(proof)
                let result = try await facilitator.verify(payment, Self.resolvingAssetCode(requirements, facilitator))
                return Self.respond(.object([
                    "valid": .bool(true), "network": .string(requirements.network), "asset": .string(Self.displayAsset(result.network.asset)),
                    "amount": .string(payment.authorization.value.decimalString), "from": .string(result.payer), "to": .string(payment.authorization.to),
                ]))
            } catch let error as ExactEVMError {
                return Self.respond(.object(["valid": .bool(false), "reason": .string(error.message), "code": .string(error.reason.rawValue)]))
            }
        }

        router.post("/api/x402/settle") { request, context -> Response in
            let business = try Self.businessID(context)
            let body = try await Self.body(request, context)
            if body["paymentPayload"] != nil || body["paymentRequirements"] != nil {
                let network = body["paymentRequirements"]?["network"]?.stringValue ?? ""
                do {
                    // A Lightning payTo is our own invoice, already tied to the business that issued it.
                    if facilitator.lightning?.network.matches(network) != true, let payTo = body["paymentRequirements"]?["payTo"]?.stringValue {
                        try await feature.requireOwnWallet(payTo, businessID: business)
                    }
                    let settled = try await Self.settleStandard(body, facilitator, businessID: business)
                    var answer: [String: JSONValue] = [
                        "success": .bool(settled.success), "transaction": .string(settled.transaction), "network": .string(network),
                        "payer": .string(settled.payer), "amount": .string(settled.amount),
                    ]
                    if let reason = settled.reason { answer["errorReason"] = .string(reason.rawValue) }
                    if let message = settled.message { answer["errorMessage"] = .string(message) }
                    return Self.respond(.object(answer))
                } catch let error as ExactEVMError {
                    var answer: [String: JSONValue] = ["success": .bool(false), "transaction": .string(""), "network": .string(network),
                                                       "errorReason": .string(error.reason.rawValue), "errorMessage": .string(error.message)]
                    if let payer = Self.payer(body["paymentPayload"]) { answer["payer"] = .string(payer) }
                    return Self.respond(.object(answer))
                }
            }
            // Documented shape: settle what the proof authorizes on `network`.
            let proof = try Self.proof(body["proof"])
            guard let networkName = body["network"]?.stringValue ?? proof["network"]?.stringValue else {
                throw APIError.badRequest("network is required", code: "missing_field", field: "network")
            }
            do {
                if let network = facilitator.utxo.network(named: networkName) {
                    // A txid names no recipient or price: the documented settle must say what it expects.
                    guard let payTo = body["expectedPayTo"]?.stringValue, let amount = body["expectedAmount"]?.stringValue ?? body["expectedAmount"]?.numberText else {
                        throw APIError.badRequest("Bitcoin-family settlements need expectedPayTo and expectedAmount", code: "missing_field", field: "expectedPayTo")
                    }
                    let payment = try UTXOPayment.parse(proof)
                    try await feature.requireOwnWallet(payTo, businessID: business)
                    let requirements = ExactRequirements(scheme: "exact", network: networkName, amount: amount, asset: network.asset, payTo: payTo, tokenName: nil, tokenVersion: nil)
                    let settled = try await facilitator.settle(payment, requirements, businessID: business)
                    var answer: [String: JSONValue] = ["settled": .bool(settled.success), "txHash": .string(payment.txid), "network": .string(networkName),
                                                       "amount": .string(settled.amount), "asset": .string(network.asset)]
                    if let reason = settled.reason { answer["reason"] = .string(settled.message ?? reason.rawValue); answer["code"] = .string(reason.rawValue) }
                    return Self.respond(.object(answer))
                }
                let payment = try ExactPayment.parse(proof)
                guard let network = facilitator.verifier.network(named: networkName) else {
                    throw ExactEVMError(.invalidNetwork, "\(networkName) is not a network this facilitator settles on")
                }
                let requirements = ExactRequirements(scheme: payment.scheme, network: payment.network, amount: payment.authorization.value.decimalString,
                                                     asset: network.contract, payTo: payment.authorization.to, tokenName: nil, tokenVersion: nil)
                guard network.matches(payment.network) else { throw ExactEVMError(.networkMismatch, "the proof is for \(payment.network), not \(networkName)") }
                try await feature.requireOwnWallet(payment.authorization.to, businessID: business)
                let settled = try await facilitator.settle(payment, requirements, businessID: business)
                var answer: [String: JSONValue] = ["settled": .bool(settled.success), "txHash": .string(settled.transaction), "network": .string(networkName),
                                                   "amount": .string(settled.amount), "asset": .string(Self.displayAsset(network.asset))]
                if let reason = settled.reason { answer["reason"] = .string(settled.message ?? reason.rawValue); answer["code"] = .string(reason.rawValue) }
                return Self.respond(.object(answer))
            } catch let error as ExactEVMError {
                return Self.respond(.object(["settled": .bool(false), "reason": .string(error.message), "code": .string(error.reason.rawValue), "network": .string(networkName)]))
            }
        }
    }

    /// Verifies a standard body on whichever scheme its network uses; returns the payer.
    /// A standard body on the Solana network: the base64 transaction, or nil.
    static func svmStandard<JSON: JSONReadable>(_ body: JSON, _ facilitator: X402Facilitator) throws(ExactEVMError) -> (String, ExactRequirements)? {
        guard let network = body["paymentRequirements"]?["network"]?.stringValue, facilitator.svm?.network.matches(network) == true else { return nil }
        guard let transaction = body["paymentPayload"]?["payload"]?["transaction"]?.stringValue else { throw ExactEVMError(.invalidPayload, "payload.transaction is required") }
        return (transaction, try ExactRequirements.parse(body["paymentRequirements"]!))
    }

    static func verifyStandard<JSON: JSONReadable>(_ body: JSON, _ facilitator: X402Facilitator, businessID: String) async throws(ExactEVMError) -> String {
        if let (transaction, requirements) = try svmStandard(body, facilitator) {
            return try await facilitator.verifySVM(transaction: transaction, requirements)
        }
        if let (preimage, payTo) = try lightningStandard(body, facilitator), let lightning = facilitator.lightning {
            let (hash, _) = try await lightning.verify(preimageHex: preimage, businessID: businessID, resourceID: nil, payTo: payTo)
            let used: Bool
            // Keyed as settlement writes it: the payment hash's bytes, stored as their hex.
            do { used = try await facilitator.settlement(network: lightning.network, payer: "", nonce: try Hex.decode(hash)) != nil } catch {
                throw ExactEVMError(.unexpectedVerifyError, "\(error)")
            }
            if used { throw ExactEVMError(.duplicateSettlement, "this preimage already paid for a request") }
            return ""
        }
        if let (payment, requirements) = try utxoStandard(body, facilitator) {
            _ = try await facilitator.verify(payment, requirements)
            return ""
        }
        let (payment, requirements) = try standard(body)
        return try await facilitator.verify(payment, requirements).payer
    }

    static func settleStandard<JSON: JSONReadable>(_ body: JSON, _ facilitator: X402Facilitator, businessID: String, resourceID: String? = nil) async throws(ExactEVMError) -> X402Settlement {
        if let (transaction, requirements) = try svmStandard(body, facilitator) {
            return try await facilitator.settleSVM(transaction: transaction, requirements, businessID: businessID, resourceID: resourceID)
        }
        if let (preimage, payTo) = try lightningStandard(body, facilitator) {
            return try await facilitator.settleLightning(preimage: preimage, payTo: payTo, resourceID: resourceID, businessID: businessID)
        }
        if let (payment, requirements) = try utxoStandard(body, facilitator) {
            return try await facilitator.settle(payment, requirements, businessID: businessID, resourceID: resourceID)
        }
        let (payment, requirements) = try standard(body)
        return try await facilitator.settle(payment, requirements, businessID: businessID, resourceID: resourceID)
    }

    /// A standard body on the Lightning network: the preimage and the invoice it pays, or nil.
    static func lightningStandard<JSON: JSONReadable>(_ body: JSON, _ facilitator: X402Facilitator) throws(ExactEVMError) -> (String, String?)? {
        guard let network = body["paymentRequirements"]?["network"]?.stringValue, facilitator.lightning?.network.matches(network) == true else { return nil }
        guard let preimage = body["paymentPayload"]?["payload"]?["preimage"]?.stringValue else { throw ExactEVMError(.invalidPayload, "payload.preimage is required") }
        return (preimage.lowercased(), body["paymentRequirements"]?["payTo"]?.stringValue)
    }

    /// A standard body whose requirements are on a Bitcoin-family network, or nil.
    static func utxoStandard<JSON: JSONReadable>(_ body: JSON, _ facilitator: X402Facilitator) throws(ExactEVMError) -> (UTXOPayment, ExactRequirements)? {
        guard let network = body["paymentRequirements"]?["network"]?.stringValue, facilitator.utxo.network(named: network) != nil else { return nil }
        guard let payload = body["paymentPayload"], payload.isObject else { throw ExactEVMError(.invalidPayload, "paymentPayload must be an object") }
        return (try UTXOPayment.parse(payload), try ExactRequirements.parse(body["paymentRequirements"]!))
    }

    static func standard<JSON: JSONReadable>(_ body: JSON) throws(ExactEVMError) -> (ExactPayment, ExactRequirements) {
        guard let payload = body["paymentPayload"], payload.isObject else { throw ExactEVMError(.invalidPayload, "paymentPayload must be an object") }
        guard let requirementsJSON = body["paymentRequirements"], requirementsJSON.isObject else {
            throw ExactEVMError(.invalidPaymentRequirements, "paymentRequirements must be an object")
        }
        if let version = body["x402Version"], version.numberText != "1", version.numberText != "2" {
            throw ExactEVMError(.invalidX402Version, "x402Version must be 1 or 2")
        }
        let payment = try ExactPayment.parse(payload)
        let requirements = try ExactRequirements.parse(requirementsJSON)
        // The v2 payload repeats the accepted requirement: it must be the one being verified.
        if payment.x402Version == 2, let accepted = payload["accepted"] {
            let echoed = try ExactRequirements.parse(accepted)
            guard echoed.amount == requirements.amount, ExactEVMVerifier.sameIgnoringASCIICase(echoed.asset, requirements.asset),
                  ExactEVMVerifier.sameIgnoringASCIICase(echoed.payTo, requirements.payTo), echoed.network == requirements.network else {
                throw ExactEVMError(.invalidPaymentRequirements, "paymentPayload.accepted differs from paymentRequirements")
            }
        }
        return (payment, requirements)
    }

    static func payer<JSON: JSONReadable>(_ payload: JSON?) -> String? { payload?["payload"]?["authorization"]?["from"]?.stringValue }

    /// `USDC_BASE` → `USDC` (the documented answers name the coin, not the deployment).
    static func displayAsset(_ code: String) -> String { code.split(separator: "_").first.map(String.init) ?? code }

    /// The documented request may name the asset by code (`USDC`) instead of its contract.
    static func resolvingAssetCode(_ requirements: ExactRequirements, _ facilitator: X402Facilitator) -> ExactRequirements {
        guard !requirements.asset.hasPrefix("0x"), let network = facilitator.verifier.network(named: requirements.network),
              displayAsset(network.asset).caseInsensitiveCompare(requirements.asset) == .orderedSame else { return requirements }
        return ExactRequirements(scheme: requirements.scheme, network: requirements.network, amount: requirements.amount, asset: network.contract,
                                 payTo: requirements.payTo, tokenName: nil, tokenVersion: nil)
    }
}
