import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Money
import RailyardCrypto

/// One way to pay for a resource: an x402 network, the exact amount in the token's smallest unit,
/// and the recipient.
public struct PaymentOption: Sendable, Equatable {
    public let network: X402Network
    public let amount: String
    public let payTo: String
    /// The signed quote of an amount priced from a market rate (see `X402QuoteSigner`), sent as `extra.quote`.
    public let quote: String?

    public init(network: X402Network, amount: String, payTo: String, quote: String? = nil) {
        self.network = network
        self.amount = amount
        self.payTo = payTo
        self.quote = quote
    }

    func quoted(_ quote: String?, amount: String? = nil) -> PaymentOption {
        PaymentOption(network: network, amount: amount ?? self.amount, payTo: payTo, quote: quote)
    }

    /// The price of `usd` (an exact decimal) in the network's token at `tokenUSDPrice`, rounded up to
    /// the next smallest unit (in the merchant's favour) and never zero.
    public static func pricing(usd: ExactDecimal, tokenUSDPrice: ExactDecimal, decimals: Int) throws -> String {
        guard usd.significand > 0, tokenUSDPrice.significand > 0 else { throw X402PricingError("prices must be positive") }
        var minor = usd.significand
        for _ in 0..<max(0, usd.exponent) {
            guard minor <= Int128.max / 10 else { throw X402PricingError("price too large") }
            minor *= 10
        }
        let amount = try Amount(minorUnits: minor).converted(fromDecimals: max(0, -usd.exponent), dividingBy: tokenUSDPrice, toDecimals: decimals,
                                                             rounding: RoundingRule.up)
        return String(max(1, amount.minorUnits))
    }
}

public struct X402PricingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// What is being sold (v1 puts it on every requirement, v2 once at the top).
public struct PaidResource: Sendable {
    public let url: String
    public let description: String
    public let mimeType: String
    public let maxTimeoutSeconds: Int
    /// What the amounts are priced from (e.g. the USD price). Quotes are bound to it, so changing
    /// the price voids the quotes already issued.
    public let pricing: String

    public init(url: String, description: String, mimeType: String = "application/json", maxTimeoutSeconds: Int = 60, pricing: String = "") {
        self.url = url
        self.description = description
        self.mimeType = mimeType
        self.maxTimeoutSeconds = maxTimeoutSeconds
        self.pricing = pricing
    }
}

/// The settled payment a paid handler is serving, readable inside the handler as `X402Payment.current`.
public struct X402Payment: Sendable, Equatable {
    public let payer: String
    public let transaction: String
    public let network: String
    public let amount: String

    @TaskLocal public static var current: X402Payment?
}

/// Verifies and settles for a paywall: in process (this server's facilitator) or remote (any
/// standard facilitator, such as another Railyard's `/api/x402`).
public protocol X402FacilitatorClient: Sendable {
    /// Settles `payload` (a v1/v2 PaymentPayload) against `requirements`; an invalid payment is a
    /// settlement with `success == false`, not an error.
    func settle(payload: JSONValue, requirements: JSONValue, x402Version: Int) async throws -> X402SettleAnswer
}

public struct X402SettleAnswer: Sendable, Equatable {
    public let success: Bool
    public let transaction: String
    public let network: String
    public let payer: String?
    public let errorReason: String?
    public let amount: String?

    public var json: JSONValue {
        var object: [String: JSONValue] = ["success": .bool(success), "transaction": .string(transaction), "network": .string(network)]
        if let payer { object["payer"] = .string(payer) }
        if let errorReason { object["errorReason"] = .string(errorReason) }
        return .object(object)
    }
}

/// This server's own facilitator, settling for `businessID`.
public struct InProcessFacilitatorClient: X402FacilitatorClient {
    let facilitator: X402Facilitator
    let businessID: String
    /// The paid resource, when settling for one (ties Lightning invoices and history to it).
    let resourceID: String?

    public init(facilitator: X402Facilitator, businessID: String, resourceID: String? = nil) {
        self.facilitator = facilitator
        self.businessID = businessID
        self.resourceID = resourceID
    }

    public func settle(payload: JSONValue, requirements: JSONValue, x402Version: Int) async throws -> X402SettleAnswer {
        let network = requirements["network"]?.stringValue ?? ""
        do {
            let body = JSONValue.object(["x402Version": .number(String(x402Version)), "paymentPayload": payload, "paymentRequirements": requirements])
            let settled = try await X402Feature.settleStandard(body, facilitator, businessID: businessID, resourceID: resourceID)
            return X402SettleAnswer(success: settled.success, transaction: settled.transaction, network: network, payer: settled.payer,
                                    errorReason: settled.reason?.rawValue, amount: settled.amount)
        } catch {
            return X402SettleAnswer(success: false, transaction: "", network: network, payer: X402Feature.payer(payload), errorReason: error.reason.rawValue, amount: nil)
        }
    }
}

/// A standard facilitator over HTTP: `POST {baseURL}/settle` with `{x402Version, paymentPayload, paymentRequirements}`.
public struct RemoteFacilitatorClient: X402FacilitatorClient {
    let baseURL: String
    let apiKey: String?
    let client: HTTPClient

    public init(baseURL: String, apiKey: String?, client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.client = client
    }

    public func settle(payload: JSONValue, requirements: JSONValue, x402Version: Int) async throws -> X402SettleAnswer {
        var request = HTTPClientRequest(url: baseURL + "/settle")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        let body = JSONValue.object(["x402Version": .number(String(x402Version)), "paymentPayload": payload, "paymentRequirements": requirements])
        request.body = .bytes(ByteBuffer(string: body.serialized))
        let response = try await client.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok, let answer = try? JSONValue.parse(Array(buffer: bytes)), case .bool(let success)? = answer["success"] else {
            throw X402PricingError("facilitator answered \(response.status.code)")  // never credited
        }
        return X402SettleAnswer(success: success, transaction: answer["transaction"]?.stringValue ?? "", network: answer["network"]?.stringValue ?? "",
                                payer: answer["payer"]?.stringValue, errorReason: answer["errorReason"]?.stringValue, amount: answer["amount"]?.stringValue)
    }
}

/// The 402 exchange: builds the payment-required answer (a v1 JSON body with our documented fields
/// and the standard ones, plus the v2 `PAYMENT-REQUIRED` header), reads `X-PAYMENT` (v1) or
/// `PAYMENT-SIGNATURE` (v2), settles through the facilitator before serving, and answers with
/// `X-PAYMENT-RESPONSE` / `PAYMENT-RESPONSE`.
public struct PaywallGate: Sendable {
    public static let paymentHeaderV1 = HTTPField.Name("X-PAYMENT")!
    public static let paymentHeaderV2 = HTTPField.Name("PAYMENT-SIGNATURE")!
    public static let responseHeaderV1 = HTTPField.Name("X-PAYMENT-RESPONSE")!
    public static let responseHeaderV2 = HTTPField.Name("PAYMENT-RESPONSE")!
    public static let requiredHeader = HTTPField.Name("PAYMENT-REQUIRED")!

    let facilitator: any X402FacilitatorClient
    let quotes: X402QuoteSigner

    /// `quotes` signs the Bitcoin-family amounts (priced from a market rate) so that a paid retry is
    /// held to the amount quoted; give it a stable key when the server restarts or runs in several copies.
    public init(facilitator: any X402FacilitatorClient, quotes: X402QuoteSigner = X402QuoteSigner()) {
        self.facilitator = facilitator
        self.quotes = quotes
    }

    static func svmExtra(_ option: PaymentOption) -> JSONValue {
        .object(["feePayer": .string(option.network.feePayer ?? ""), "label": .string("USDC on Solana"), "decimals": .number("6")])
    }

    static func requirementV1(_ option: PaymentOption, _ resource: PaidResource) -> JSONValue {
        if option.network.kind == .svmExact {
            return .object([
                "scheme": .string("exact"), "network": .string(option.network.v1Name ?? option.network.caip2), "maxAmountRequired": .string(option.amount),
                "asset": .string(option.network.contract), "payTo": .string(option.payTo), "resource": .string(resource.url),
                "description": .string(resource.description), "mimeType": .string(resource.mimeType), "maxTimeoutSeconds": .number(String(resource.maxTimeoutSeconds)),
                "outputSchema": .null, "extra": svmExtra(option),
            ])
        }
        if option.network.kind != .evmExact {
            return .object([
                "scheme": .string("exact"), "network": .string(option.network.v1Name ?? option.network.caip2), "maxAmountRequired": .string(option.amount),
                "asset": .string(option.network.asset), "payTo": .string(option.payTo), "resource": .string(resource.url),
                "description": .string(resource.description), "mimeType": .string(resource.mimeType), "maxTimeoutSeconds": .number(String(resource.maxTimeoutSeconds)),
                "outputSchema": .null, "extra": utxoExtra(option),
            ])
        }
        var extra: [String: JSONValue] = ["name": .string(option.network.tokenName), "version": .string(option.network.tokenVersion),
                                          "label": .string("USDC on \(option.network.chain)"), "chainId": .number(String(option.network.chainID))]
        extra["assetTransferMethod"] = .string("eip3009")
        return .object([
            "scheme": .string("exact"), "network": .string(option.network.v1Name ?? option.network.caip2), "maxAmountRequired": .string(option.amount),
            "asset": .string(option.network.contract), "payTo": .string(option.payTo), "resource": .string(resource.url),
            "description": .string(resource.description), "mimeType": .string(resource.mimeType), "maxTimeoutSeconds": .number(String(resource.maxTimeoutSeconds)),
            "outputSchema": .null, "extra": .object(extra),
        ])
    }

    /// The extra of a Bitcoin-family or Lightning requirement: what to show, what proves payment, and the quote if any.
    static func utxoExtra(_ option: PaymentOption) -> JSONValue {
        var extra: [String: JSONValue] = ["label": .string(Self.label(option.network)), "proof": .string(Self.proof(option.network))]
        if let quote = option.quote { extra["quote"] = .string(quote) }
        return .object(extra)
    }

    static func label(_ network: X402Network) -> String {
        ["bitcoin": "Bitcoin", "litecoin": "Litecoin", "bitcoin-cash": "Bitcoin Cash", "lightning": "Lightning"][network.v1Name ?? ""] ?? network.chain
    }

    /// What the payment payload carries: a txid, a preimage (Lightning; amounts in millisatoshis), or an authorization.
    static func proof(_ network: X402Network) -> String {
        switch network.kind {
        case .utxo: return "txid"
        case .lightning: return "preimage"
        case .evmExact: return "authorization"
        case .svmExact: return "transaction"
        }
    }

    static func requirementV2(_ option: PaymentOption, _ resource: PaidResource) -> JSONValue {
        if option.network.kind == .svmExact {
            return .object([
                "scheme": .string("exact"), "network": .string(option.network.caip2), "amount": .string(option.amount), "asset": .string(option.network.contract),
                "payTo": .string(option.payTo), "maxTimeoutSeconds": .number(String(resource.maxTimeoutSeconds)), "extra": svmExtra(option),
            ])
        }
        if option.network.kind != .evmExact {
            return .object([
                "scheme": .string("exact"), "network": .string(option.network.caip2), "amount": .string(option.amount), "asset": .string(option.network.asset),
                "payTo": .string(option.payTo), "maxTimeoutSeconds": .number(String(resource.maxTimeoutSeconds)),
                "extra": utxoExtra(option),
            ])
        }
        return .object([
            "scheme": .string("exact"), "network": .string(option.network.caip2), "amount": .string(option.amount), "asset": .string(option.network.contract),
            "payTo": .string(option.payTo), "maxTimeoutSeconds": .number(String(resource.maxTimeoutSeconds)),
            "extra": .object(["name": .string(option.network.tokenName), "version": .string(option.network.tokenVersion)]),
        ])
    }

    /// The 402 answer for `options`.
    public func paymentRequired(_ options: [PaymentOption], _ resource: PaidResource, error: String) -> Response {
        let options = options.map { $0.network.kind == .utxo ? $0.quoted(quotes.quote($0, resource: resource)) : $0 }
        let v1 = JSONValue.object(["x402Version": .number("1"), "error": .string(error), "accepts": .array(options.map { Self.requirementV1($0, resource) })])
        let v2 = JSONValue.object([
            "x402Version": .number("2"), "error": .string(error),
            "resource": .object(["url": .string(resource.url), "description": .string(resource.description), "mimeType": .string(resource.mimeType)]),
            "accepts": .array(options.map { Self.requirementV2($0, resource) }), "extensions": .object([:]),
        ])
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        headers[Self.requiredHeader] = Base64.encode(Array(v2.serialized.utf8))
        return Response(status: HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), headers: headers, body: .init(byteBuffer: ByteBuffer(string: v1.serialized)))
    }

    static func decodeHeader(_ text: String) -> JSONValue? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let data = Data(base64Encoded: trimmed) ?? Data(base64Encoded: X402Feature.padded(trimmed)),
              let json = try? JSONValue.parse(Array(data)), json.objectValue != nil else { return nil }
        return json
    }

    /// What to do with a request: answer it (402) or serve it as paid.
    public enum Decision: Sendable {
        case respond(Response)
        case paid(X402Payment, responseHeader: HTTPField.Name, value: String)
    }

    /// Settles the request's payment for one of `options`, or says what to answer instead.
    public func decide(_ request: Request, options: [PaymentOption], resource: PaidResource) async throws -> Decision {
        guard !options.isEmpty else {
            throw HTTPError(.serviceUnavailable, message: "No payment network is configured for this resource")
        }
        let v2Header = request.headers[Self.paymentHeaderV2]
        guard let header = v2Header ?? request.headers[Self.paymentHeaderV1] else {
            return .respond(paymentRequired(options, resource, error: "X-PAYMENT or PAYMENT-SIGNATURE header is required"))
        }
        guard let payload = Self.decodeHeader(header) else {
            return .respond(paymentRequired(options, resource, error: "the payment header is not base64-encoded JSON"))
        }
        let version = payload["x402Version"] == .number("2") ? 2 : 1
        // The requirement the payment is for: v2 names it in `accepted`; v1 by network.
        let chosen: PaymentOption?
        if version == 2 {
            let accepted = payload["accepted"]
            func offers(_ option: PaymentOption) -> Bool {
                accepted?["network"]?.stringValue == option.network.caip2 && accepted?["payTo"]?.stringValue?.lowercased() == option.payTo.lowercased()
                    && accepted?["asset"]?.stringValue?.lowercased() == (option.network.kind == .evmExact || option.network.kind == .svmExact
                        ? option.network.contract : option.network.asset).lowercased()
            }
            chosen = options.first { option in
                // A Lightning answer carries a fresh invoice each time: the invoice itself is checked at settlement.
                if option.network.kind == .lightning { return accepted?["network"]?.stringValue == option.network.caip2 }
                return offers(option) && accepted?["amount"]?.stringValue == option.amount
            } ?? options.lazy.compactMap { option -> PaymentOption? in
                // The price moved since the 402: an amount we quoted still holds until its quote expires.
                guard option.network.kind == .utxo, offers(option), let amount = accepted?["amount"]?.stringValue,
                      let quote = accepted?["extra"]?["quote"]?.stringValue,
                      quotes.honours(quote, amount: amount, option: option, resource: resource) else { return nil }
                return option.quoted(quote, amount: amount)
            }.first
                // No quote holds (it expired, or the payer dropped it): priced now. A txid proof pays at
                // least the amount, so a payment that covers today's price is still taken.
                ?? options.first { $0.network.kind == .utxo && offers($0) }
        } else {
            let network = payload["network"]?.stringValue ?? ""
            chosen = options.first { $0.network.matches(network) }
        }
        guard let option = chosen else { return .respond(paymentRequired(options, resource, error: "the payment does not match any accepted requirement")) }
        let requirements = version == 2 ? Self.requirementV2(option, resource) : Self.requirementV1(option, resource)
        let answer = try await facilitator.settle(payload: payload, requirements: requirements, x402Version: version)
        guard answer.success else {
            return .respond(paymentRequired(options, resource, error: "payment not settled: \(answer.errorReason ?? "unknown")"))
        }
        let payment = X402Payment(payer: answer.payer ?? "", transaction: answer.transaction, network: answer.network, amount: answer.amount ?? option.amount)
        return .paid(payment, responseHeader: version == 2 ? Self.responseHeaderV2 : Self.responseHeaderV1, value: Base64.encode(Array(answer.json.serialized.utf8)))
    }

    /// Runs `serve` for a paid request with the payment in `X402Payment.current`, and adds the payment response header.
    public static func serve(_ payment: X402Payment, header: HTTPField.Name, value: String, _ body: () async throws -> Response) async throws -> Response {
        var response = try await X402Payment.$current.withValue(payment) { try await body() }
        response.headers[header] = value
        response.headers[.cacheControl] = "private"
        return response
    }
}

/// Paywalls every route behind it, for any Hummingbird application: `options` prices the request.
public struct X402PaywallMiddleware<Context: RequestContext>: RouterMiddleware {
    let gate: PaywallGate
    let options: @Sendable (Request) async throws -> [PaymentOption]
    let resource: @Sendable (Request) -> PaidResource

    public init(facilitator: any X402FacilitatorClient, options: @escaping @Sendable (Request) async throws -> [PaymentOption],
                resource: @escaping @Sendable (Request) -> PaidResource, quotes: X402QuoteSigner = X402QuoteSigner()) {
        self.gate = PaywallGate(facilitator: facilitator, quotes: quotes)
        self.options = options
        self.resource = resource
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch try await gate.decide(request, options: try await options(request), resource: resource(request)) {
        case .respond(let response):
            return response
        case .paid(let payment, let header, let value):
            return try await PaywallGate.serve(payment, header: header, value: value) {
                do {
                    return try await next(request, context)
                } catch let error as any HTTPResponseError {
                    // The payment is settled: the handler's error answer still carries the payer's receipt.
                    return try error.response(from: request, context: context)
                }
            }
        }
    }
}
