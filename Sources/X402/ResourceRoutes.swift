import AsyncHTTPClient
import Events
import Foundation
import HTTP
import HTTPTypes
import Hummingbird
import Money
import NIOCore
import RailyardCrypto
import SQLKit
import Storage

/// What the no-code paywall needs from the rest of the server (provided by App, so this feature
/// does not import Merchants).
public struct X402Catalog: Sendable {
    /// A business's active wallets by coin code (`USDC_ETH` → address).
    public let wallets: @Sendable (String) async throws -> [String: String]
    /// The USD price of a coin (`USDC`).
    public let usdPrice: @Sendable (String) async throws -> ExactDecimal
    /// Where upstream URLs may point (the SSRF policy shared with webhooks).
    public let destinations: WebhookDestinationPolicy
    public let httpClient: HTTPClient
    /// Signs the Bitcoin-family amounts of 402 answers (see `X402QuoteSigner`).
    public let quotes: X402QuoteSigner

    public init(wallets: @escaping @Sendable (String) async throws -> [String: String], usdPrice: @escaping @Sendable (String) async throws -> ExactDecimal,
                destinations: WebhookDestinationPolicy, httpClient: HTTPClient, quotes: X402QuoteSigner) {
        self.wallets = wallets
        self.usdPrice = usdPrice
        self.destinations = destinations
        self.httpClient = httpClient
        self.quotes = quotes
    }
}

/// A paid resource a business defined: Railyard answers 402 at `/x402/r/:id` until paid, then
/// proxies the request to `upstream_url`.
struct PaidResourceRecord: Sendable, Encodable {
    let id: String
    let business_id: String
    let name: String
    let description: String?
    let price_usd: String
    let networks: [String]
    let upstream_url: String
    let mime_type: String
    let created_at: String
    let updated_at: String
}

enum ResourceSchema {
    static let migrations: [Migration] = [
        Migration(id: "0610_x402_resources", [
            """
            CREATE TABLE x402_resources (
                id TEXT PRIMARY KEY, business_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, price_usd TEXT NOT NULL,
                networks TEXT NOT NULL, upstream_url TEXT NOT NULL, mime_type TEXT NOT NULL, created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL, deleted_at BIGINT
            )
            """,
            "CREATE INDEX x402_resources_business ON x402_resources (business_id, created_at)",
        ]),
    ]
}

extension X402Feature {
    public static var migrations: [Migration] { X402Facilitator.migrations + ResourceSchema.migrations + LightningPaywall.migrations }

    struct ResourceInput: Decodable {
        let name: String?
        let description: String?
        let price_usd: DecimalInput?
        let networks: [String]?
        let upstream_url: String?
        let mime_type: String?
    }

    static func validatedPrice(_ input: DecimalInput?) throws -> ExactDecimal {
        guard let input else { throw APIError.badRequest("price_usd is required", code: "missing_field", field: "price_usd") }
        let value = input.value
        let micros: Int128
        do {
            micros = try value.scaled(toDecimals: 6, rounding: .down)
            guard try value.scaled(toDecimals: 6, rounding: .up) == micros else { throw AmountError.tooPrecise(value.description, decimals: 6) }
        } catch {
            throw APIError.badRequest("price_usd must be at most 10000 with no more than 6 decimal places", code: "invalid_amount", field: "price_usd")
        }
        guard micros > 0 else { throw APIError.badRequest("price_usd must be positive", code: "invalid_amount", field: "price_usd") }
        guard micros <= 10_000_000_000 else { throw APIError.badRequest("price_usd may be at most 10000", code: "invalid_amount", field: "price_usd") }
        return value
    }

    func validatedUpstream(_ raw: String?) async throws -> String {
        guard let raw, let url = URL(string: raw), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil, raw.count <= 2_000 else {
            throw APIError.badRequest("upstream_url must be an http(s) URL", code: "invalid_url", field: "upstream_url")
        }
        do { try await catalog.destinations.check(raw) } catch {
            throw APIError.badRequest("upstream_url is not allowed: \(error)", code: "invalid_url", field: "upstream_url")
        }
        return raw
    }

    func validatedNetworks(_ raw: [String]?) throws -> [String] {
        let names = raw ?? []
        guard names.count <= 16 else { throw APIError.badRequest("at most 16 networks", field: "networks") }
        for name in names where !facilitator.networks.contains(where: { $0.matches(name) }) {
            let known = facilitator.networks.map(\.caip2).joined(separator: ", ")
            throw APIError.badRequest("\(name) is not a network this server settles on (configured: \(known.isEmpty ? "none" : known))",
                                      code: "unsupported_network", field: "networks")
        }
        return names
    }

    static func decodeResource(_ row: any SQLRow) throws -> PaidResourceRecord {
        let networks = try JSONDecoder().decode([String].self, from: Data(try row.decode(column: "networks", as: String.self).utf8))
        return PaidResourceRecord(
            id: try row.decode(column: "id", as: String.self), business_id: try row.decode(column: "business_id", as: String.self),
            name: try row.decode(column: "name", as: String.self), description: try row.decode(column: "description", as: String?.self),
            price_usd: try row.decode(column: "price_usd", as: String.self), networks: networks,
            upstream_url: try row.decode(column: "upstream_url", as: String.self), mime_type: try row.decode(column: "mime_type", as: String.self),
            created_at: Timestamp.iso8601(millis: try row.decode(column: "created_at", as: Int64.self)),
            updated_at: Timestamp.iso8601(millis: try row.decode(column: "updated_at", as: Int64.self)))
    }

    func resource(_ id: String, in sql: any SQLDatabase) async throws -> PaidResourceRecord? {
        try await sql.raw("SELECT * FROM x402_resources WHERE id = \(bind: id) AND deleted_at IS NULL").first().map(Self.decodeResource)
    }

    /// The caller's own resource, or 404 (another business's id is indistinguishable from a missing one).
    func ownedResource(_ id: String, business: String) async throws -> PaidResourceRecord {
        guard let found = try await db.read({ try await self.resource(id, in: $0) }), found.business_id == business else {
            throw APIError.notFound("Resource not found", code: "resource_not_found")
        }
        return found
    }

    static func ok(_ key: String, _ value: some Encodable & Sendable, status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONResponse.make(Envelope(value: value, key: key), status: status)
    }

    /// The business behind an API key or a merchant session with `business_id` (ownership checked by App).
    func business(_ request: Request, _ context: RailyardRequestContext) async throws -> String {
        let principal = try context.requirePrincipal()
        if let key = principal.businessID {
            if let asked = request.query("business_id"), asked != key { throw APIError.notFound("Business not found", code: "business_not_found") }
            return key
        }
        guard let asked = request.query("business_id") else {
            throw APIError.badRequest("business_id is required with a merchant login token", code: "missing_field", field: "business_id")
        }
        guard try await owns(principal.merchantID, asked) else { throw APIError.notFound("Business not found", code: "business_not_found") }
        return asked
    }

    /// The texts every 402 answer repeats, in its body and in the base64 `PAYMENT-REQUIRED` header,
    /// which clients and proxies cap at 8 KB: a long description would make the resource unpayable.
    static func validateTexts(description: String?, mime: String) throws {
        if let description, description.count > 1000 {
            throw APIError.badRequest("description is too long (at most 1000 characters)", field: "description")
        }
        guard (1...100).contains(mime.count) else { throw APIError.badRequest("mime_type must be 1-100 characters", field: "mime_type") }
    }

    func addResourceRoutes(to router: Router<RailyardRequestContext>) {
        let feature = self
        let db = self.db
        let clock = self.clock

        router.post("/api/x402/resources") { request, context -> Response in
            let business = try await feature.business(request, context)
            let input = try await request.decode(as: ResourceInput.self, context: context)
            guard let name = input.name?.trimmingCharacters(in: .whitespaces), (1...200).contains(name.count) else {
                throw APIError.badRequest("name is required (1-200 characters)", code: "missing_field", field: "name")
            }
            let mime = input.mime_type ?? "application/json"
            try Self.validateTexts(description: input.description, mime: mime)
            let price = try Self.validatedPrice(input.price_usd)
            let networks = try feature.validatedNetworks(input.networks)
            let upstream = try await feature.validatedUpstream(input.upstream_url)
            let id = Identifier.make("x402r", clock: clock)
            let now = clock.nowMillis()
            let json = String(decoding: try JSONEncoder().encode(networks), as: UTF8.self)
            // Plain values only inside the transaction closure (see the PATCH route).
            let description = input.description
            let priceText = price.description
            let created = try await db.write { tx in
                try await tx.sql.raw("""
                    INSERT INTO x402_resources (id, business_id, name, description, price_usd, networks, upstream_url, mime_type, created_at, updated_at)
                    VALUES (\(bind: id), \(bind: business), \(bind: name), \(bind: description), \(bind: priceText), \(bind: json),
                            \(bind: upstream), \(bind: mime), \(bind: now), \(bind: now))
                    """).run()
                return try await feature.resource(id, in: tx.sql)
            }
            return try Self.ok("resource", created, status: .created)
        }

        router.get("/api/x402/resources") { request, context -> Response in
            let business = try await feature.business(request, context)
            let rows = try await db.read { sql in
                try await sql.raw("SELECT * FROM x402_resources WHERE business_id = \(bind: business) AND deleted_at IS NULL ORDER BY created_at DESC")
                    .all().map(Self.decodeResource)
            }
            return try Self.ok("resources", rows)
        }

        router.patch("/api/x402/resources/:id") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let existing = try await feature.ownedResourceFor(principal, try context.parameters.require("id"))
            let input = try await request.decode(as: ResourceInput.self, context: context)
            let name = input.name?.trimmingCharacters(in: .whitespaces) ?? existing.name
            guard (1...200).contains(name.count) else { throw APIError.badRequest("name must be 1-200 characters", field: "name") }
            // Plain values only inside the transaction closure: capturing the decoded input (which holds an
            // Int128 through DecimalInput) in an escaping async closure crashed the Swift 6.3 runtime here.
            let description = input.description ?? existing.description, mime = input.mime_type ?? existing.mime_type
            try Self.validateTexts(description: description, mime: mime)
            let price = input.price_usd == nil ? existing.price_usd : try Self.validatedPrice(input.price_usd).description
            let networks = input.networks == nil ? existing.networks : try feature.validatedNetworks(input.networks)
            let upstream = input.upstream_url == nil ? existing.upstream_url : try await feature.validatedUpstream(input.upstream_url)
            let json = String(decoding: try JSONEncoder().encode(networks), as: UTF8.self)
            let updated = try await db.write { tx in
                try await tx.sql.raw("""
                    UPDATE x402_resources SET name = \(bind: name), description = \(bind: description), price_usd = \(bind: price),
                        networks = \(bind: json), upstream_url = \(bind: upstream), mime_type = \(bind: mime),
                        updated_at = \(bind: clock.nowMillis())
                    WHERE id = \(bind: existing.id)
                    """).run()
                return try await feature.resource(existing.id, in: tx.sql)
            }
            return try Self.ok("resource", updated)
        }

        router.delete("/api/x402/resources/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let existing = try await feature.ownedResourceFor(principal, try context.parameters.require("id"))
            try await db.write { tx in
                try await tx.sql.raw("UPDATE x402_resources SET deleted_at = \(bind: clock.nowMillis()) WHERE id = \(bind: existing.id)").run()
            }
            return try Self.ok("deleted", existing.id)
        }

        router.get("/api/x402/payments") { request, context -> Response in
            let business = try await feature.business(request, context)
            let limit = try request.intQuery("limit", default: 50, range: 1...200)
            let rows = try await db.read { sql in
                try await sql.raw("""
                    SELECT id, resource_id, network, asset, payer, recipient, amount, fee, status, txid, reason, created_at FROM x402_settlements
                    WHERE business_id = \(bind: business) ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                    """).all().map { row in
                    SettlementView(id: try row.decode(column: "id", as: String.self), resource_id: try row.decode(column: "resource_id", as: String?.self),
                                   network: try row.decode(column: "network", as: String.self), asset: try row.decode(column: "asset", as: String.self),
                                   payer: try row.decode(column: "payer", as: String.self), pay_to: try row.decode(column: "recipient", as: String.self),
                                   amount: try row.decode(column: "amount", as: String.self),
                                   amount_decimal: Self.decimal(try row.decode(column: "amount", as: String.self), asset: try row.decode(column: "asset", as: String.self)),
                                   platform_fee: try row.decode(column: "fee", as: String?.self),
                                   status: try row.decode(column: "status", as: String.self), tx_hash: try row.decode(column: "txid", as: String?.self),
                                   reason: try row.decode(column: "reason", as: String?.self),
                                   created_at: Timestamp.iso8601(millis: try row.decode(column: "created_at", as: Int64.self)))
                }
            }
            return try Self.ok("payments", rows)
        }

        // The paid resource itself: 402 until paid, then the upstream's answer.
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/x402/r/:id", method: method) { request, context -> Response in
                try await feature.servePaidResource(request, context, id: try context.parameters.require("id"))
            }
        }
    }

    static func decimal(_ minor: String, asset: String) -> String? {
        guard let value = Int128(minor), let known = AssetRegistry.ledgerAsset(asset) else { return nil }
        return Amount(minorUnits: value).formattedTrimmed(decimals: known.decimals)
    }

    func ownedResourceFor(_ principal: Principal, _ id: String) async throws -> PaidResourceRecord {
        guard let found = try await db.read({ try await self.resource(id, in: $0) }) else { throw APIError.notFound("Resource not found", code: "resource_not_found") }
        if let key = principal.businessID {
            guard key == found.business_id else { throw APIError.notFound("Resource not found", code: "resource_not_found") }
        } else {
            guard try await owns(principal.merchantID, found.business_id) else { throw APIError.notFound("Resource not found", code: "resource_not_found") }
        }
        return found
    }

    /// The payment options of a resource: each configured network (or the resource's subset) where the
    /// business has a wallet for the token: USDC at par, Bitcoin-family coins and Lightning through
    /// the rates service.
    func options(for resource: PaidResourceRecord, issueInvoice: Bool) async throws -> [PaymentOption] {
        let wallets = try await catalog.wallets(resource.business_id)
        let usd = try ExactDecimal(parsing: resource.price_usd)
        var options: [PaymentOption] = []
        for network in facilitator.networks where resource.networks.isEmpty || resource.networks.contains(where: network.matches) {
            if network.kind == .lightning, let lightning = facilitator.lightning {
                // Priced in millisatoshis (BTC with 11 decimals), never rounded to zero; paid to our node.
                let msat = try PaymentOption.pricing(usd: usd, tokenUSDPrice: try await catalog.usdPrice("BTC"), decimals: 11)
                let invoice = issueInvoice ? try await lightning.invoice(amountMsat: msat, businessID: resource.business_id, resourceID: resource.id,
                                                                        description: resource.name) : ""
                options.append(PaymentOption(network: network, amount: msat, payTo: invoice))
                continue
            }
            guard let payTo = wallets[network.asset] ?? wallets[network.chain], let asset = AssetRegistry.asset(network.asset) else { continue }
            // USDC is priced at par (1 USDC = 1 USD), as x402 prices stablecoins: the exact amount a payer
            // signs must not move with a market rate between the 402 and the paid retry. Bitcoin-family
            // amounts follow the market, and their quote holds them (see `X402QuoteSigner`).
            let price = network.kind == .utxo ? try await catalog.usdPrice(network.asset) : ExactDecimal(1)
            options.append(PaymentOption(network: network, amount: try PaymentOption.pricing(usd: usd, tokenUSDPrice: price, decimals: asset.decimals), payTo: payTo))
        }
        return options
    }

    func servePaidResource(_ request: Request, _ context: RailyardRequestContext, id: String) async throws -> Response {
        guard let resource = try await db.read({ try await self.resource(id, in: $0) }) else {
            throw APIError.notFound("Resource not found", code: "resource_not_found")
        }
        let host = request.head.authority ?? "localhost"
        let info = PaidResource(url: "http://\(host)/x402/r/\(id)", description: resource.description ?? resource.name, mimeType: resource.mime_type,
                                pricing: "usd:\(resource.price_usd)")
        let paying = request.headers[PaywallGate.paymentHeaderV1] != nil || request.headers[PaywallGate.paymentHeaderV2] != nil
        let options = try await options(for: resource, issueInvoice: !paying)
        guard !options.isEmpty else {
            throw APIError(.serviceUnavailable, code: "no_payment_network", "This resource has no payment network: the business has no wallet on a network this server settles on")
        }
        // What can refuse the request without the upstream (its body, where the upstream points) is
        // checked before any payment is settled, so a refusal never costs the payer.
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        if paying {
            do { try await catalog.destinations.check(resource.upstream_url) } catch {
                throw APIError(.badGateway, code: "upstream_refused", "The resource's upstream may not be called: \(error)")
            }
        }
        let gate = PaywallGate(facilitator: InProcessFacilitatorClient(facilitator: facilitator, businessID: resource.business_id, resourceID: id),
                               quotes: catalog.quotes)
        switch try await gate.decide(request, options: options, resource: info) {
        case .respond(let response):
            return response
        case .paid(let payment, let header, let value):
            return try await PaywallGate.serve(payment, header: header, value: value) {
                do {
                    return try await self.proxy(request, body: body, to: resource.upstream_url)
                } catch let error as APIError {
                    // The payment is settled: the 502 still carries the payment response, the payer's
                    // receipt (and the business's record for a refund).
                    context.logger.warning("paid x402 request not served", metadata: ["resource": .string(id), "error": .string(error.message)])
                    return try error.response(from: request, context: context)
                }
            }
        }
    }

    /// Forwards the paid request to the upstream (same method, query and body) and relays its answer.
    /// The destination was checked before the payment was settled.
    func proxy(_ request: Request, body: ByteBuffer, to upstream: String) async throws -> Response {
        var url = upstream
        if let query = request.uri.query, !query.isEmpty { url += (upstream.contains("?") ? "&" : "?") + query }
        var outbound = HTTPClientRequest(url: url)
        outbound.method = request.method == .post ? .POST : .GET
        if let type = request.headers[.contentType] { outbound.headers.add(name: "Content-Type", value: type) }
        if body.readableBytes > 0 { outbound.body = .bytes(body) }
        do {
            let answer = try await catalog.httpClient.execute(outbound, timeout: .seconds(30))
            let bytes = try await answer.body.collect(upTo: 10 << 20)
            var headers: HTTPFields = [:]
            headers[.contentType] = answer.headers.first(name: "Content-Type") ?? "application/octet-stream"
            return Response(status: HTTPResponse.Status(code: Int(answer.status.code)), headers: headers, body: .init(byteBuffer: bytes))
        } catch {
            throw APIError(.badGateway, code: "upstream_failed", "The upstream did not answer: \(error)")
        }
    }
}

struct SettlementView: Encodable, Sendable {
    let id: String
    let resource_id: String?
    let network: String
    let asset: String
    let payer: String
    let pay_to: String
    /// Smallest units of `asset`.
    let amount: String
    /// The same amount in whole units, exactly (`0.25` USDC).
    let amount_decimal: String?
    let platform_fee: String?
    let status: String
    let tx_hash: String?
    let reason: String?
    let created_at: String
}

/// `{"success": true, "<key>": value}`, the API's success envelope.
struct Envelope<T: Encodable>: Encodable {
    let value: T
    let key: String
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(true, forKey: DynamicKey("success"))
        try container.encode(value, forKey: DynamicKey(key))
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
