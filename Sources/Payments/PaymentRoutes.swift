import Chains
import Foundation
import HTTP
import Hummingbird
import Money
import RailyardCrypto
import SQLKit
import Storage

/// A payment as the API shows it (the documented fields first, then Railyard's additions).
struct PaymentView: Encodable, Sendable {
    let id: String
    let business_id: String
    let amount_usd: String
    let amount_crypto: String
    let currency: String
    let payment_address: String
    let status: String
    let metadata: JSONBox
    let created_at: String
    let expires_at: String
    // Additions: exact units, chain, progress, forwarding.
    let fiat_currency: String
    let amount_fiat: String
    let amount_crypto_units: String
    let blockchain: String
    let asset: String
    let description: String?
    let redirect_url: String?
    let received_amount: String
    let received_amount_units: String
    let confirmations: Int
    let required_confirmations: Int
    let tx_hash: String?
    let merchant_amount: String?
    let platform_fee: String?
    let merchant_tx_hash: String?
    let platform_tx_hash: String?
    let paid_late: Bool
    /// `custody` (received by the platform and forwarded) or `direct` (paid to the merchant's own derived address).
    let mode: String
    let payment_uri: String
    let checkout_url: String
    let qr_url: String
    let detected_at: String?
    let confirmed_at: String?
    let forwarded_at: String?
    let expired_at: String?
    let last_error: String?

    init(_ p: PaymentRecord, uris: PaymentURI.Context) {
        let asset = p.assetInfo
        func coins(_ units: Int128?) -> String? { units.map { coinText($0, decimals: asset.decimals) } }
        id = p.id
        business_id = p.businessID
        amount_usd = p.amountUSD
        amount_crypto = coins(p.amountDue)!
        currency = p.asset.lowercased()
        payment_address = p.address
        status = p.status.rawValue
        metadata = JSONBox(p.metadataView)
        created_at = Timestamp.iso8601(millis: p.createdAt)
        expires_at = Timestamp.iso8601(millis: p.expiresAt)
        fiat_currency = p.fiat
        amount_fiat = p.amountFiat
        amount_crypto_units = String(p.amountDue)
        blockchain = p.chain
        self.asset = p.asset
        description = p.description
        redirect_url = p.redirectURL
        received_amount = coins(p.received)!
        received_amount_units = String(p.received)
        confirmations = p.confirmations
        required_confirmations = p.requiredConfirmations
        tx_hash = p.txHash
        merchant_amount = coins(p.merchantAmount)
        platform_fee = coins(p.platformFee)
        merchant_tx_hash = p.merchantTxHash
        platform_tx_hash = p.platformTxHash
        paid_late = p.late
        mode = p.mode
        payment_uri = PaymentURI.make(asset: asset, address: p.address, units: p.amountDue, context: uris, label: p.description)
        checkout_url = "/pay/\(p.id)"
        qr_url = "/api/payments/\(p.id)/qr"
        detected_at = p.detectedAt.map(Timestamp.iso8601(millis:))
        confirmed_at = p.confirmedAt.map(Timestamp.iso8601(millis:))
        forwarded_at = p.forwardedAt.map(Timestamp.iso8601(millis:))
        expired_at = p.expiredAt.map(Timestamp.iso8601(millis:))
        last_error = p.lastError
    }
}

extension PaymentRecord {
    /// The documented metadata: the merchant's own keys plus the network fee and total.
    var metadataView: JSONValue {
        var object: [String: JSONValue] = [:]
        if case .object(let merchant)? = try? JSONValue.parse(metadata) { object = merchant }
        object["network_fee_usd"] = .number(networkFeeUSD)
        object["total_amount_usd"] = .number(totalUSD)
        if let redirectURL { object["redirect_url"] = .string(redirectURL) }
        return .object(object)
    }

    var totalUSD: String {
        guard let base = try? ExactDecimal(parsing: amountUSD), let fee = try? ExactDecimal(parsing: networkFeeUSD),
              let a = try? base.scaled(toDecimals: 6, rounding: .down), let b = try? fee.scaled(toDecimals: 6, rounding: .down) else { return amountUSD }
        return ExactDecimal(significand: a + b, exponent: -6).text(minimumPlaces: 2)
    }
}

extension PaymentsFeature {
    struct CreateInput: Decodable {
        let business_id: String?
        let amount_usd: DecimalInput?
        let amount: DecimalInput?
        let fiat_currency: String?
        let currency: String?
        let description: String?
        let redirect_url: String?
        let metadata: JSONBox?
    }

    struct One: Encodable { let success = true; let payment: PaymentView }
    struct Page: Encodable {
        struct Pagination: Encodable { let total: Int; let limit: Int; let offset: Int }
        let success = true
        let payments: [PaymentView]
        let pagination: Pagination
    }

    func addPaymentRoutes(to router: Router<RailyardRequestContext>) {
        let feature = self
        router.post("/api/payments/create") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let input = try await APIRequestDecoder().decode(CreateInput.self, from: request, context: context)
            let payment = try await feature.create(input, principal: principal)
            return try JSONResponse.make(One(payment: PaymentView(payment, uris: feature.deps.uris)), status: .created)
        }
        router.get("/api/payments/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let payment = try await feature.owned(context.parameters.get("id") ?? "", principal: principal)
            return try JSONResponse.make(One(payment: PaymentView(payment, uris: feature.deps.uris)))
        }
        router.get("/api/payments") { request, context -> Response in
            let principal = try context.requirePrincipal()
            return try await feature.list(request, principal: principal)
        }
        // Public like the checkout page (the documented use is an <img> tag): it shows only the address and amount.
        router.get("/api/payments/:id/qr") { request, context -> Response in
            guard let payment = try await feature.deps.db.read({ try await PaymentStore.load($0, id: context.parameters.get("id") ?? "") }) else {
                throw APIError.notFound("Payment not found", code: "payment_not_found")
            }
            let uri = PaymentURI.make(asset: payment.assetInfo, address: payment.address, units: payment.amountDue,
                                      context: feature.deps.uris, label: payment.description)
            let code = try QRCode(encoding: uri)
            let wantsSVG = request.query("format") == "svg" || (request.query("format") == nil && (request.headers[.accept] ?? "").contains("image/svg+xml")
                                                                  && !(request.headers[.accept] ?? "").contains("image/png"))
            guard request.query("format").map({ ["png", "svg"].contains($0) }) ?? true else {
                throw APIError.badRequest("format must be png or svg", code: "invalid_query", field: "format")
            }
            if wantsSVG {
                return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "public, max-age=300"],
                                body: .init(byteBuffer: ByteBuffer(string: code.svg())))
            }
            return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "public, max-age=300"],
                            body: .init(byteBuffer: ByteBuffer(bytes: code.png(scale: 8))))
        }
    }

    /// The payment if the caller may see it (its business's key, or the merchant owning it); otherwise 404.
    func owned(_ id: String, principal: Principal, kind: String = "payment") async throws -> PaymentRecord {
        guard let payment = try await deps.db.read({ try await PaymentStore.load($0, id: id) }), payment.kind == kind,
              try await mayAct(on: payment.businessID, principal: principal) else {
            throw APIError.notFound("Payment not found", code: "payment_not_found")
        }
        return payment
    }

    func mayAct(on businessID: String, principal: Principal) async throws -> Bool {
        if let keyBusiness = principal.businessID { return keyBusiness == businessID }
        return try await deps.directory.owns(principal.merchantID, businessID)
    }

    func create(_ input: CreateInput, principal: Principal) async throws -> PaymentRecord {
        guard let businessID = input.business_id ?? principal.businessID, !businessID.isEmpty else {
            throw APIError.badRequest("business_id is required", code: "missing_field", field: "business_id")
        }
        guard try await mayAct(on: businessID, principal: principal) else { throw APIError.notFound("Business not found", code: "business_not_found") }
        let asset = try offeredAsset(input.currency, field: "currency")
        let fiatCode = (input.amount_usd != nil ? "USD" : (input.fiat_currency ?? "USD")).uppercased()
        guard let fiat = AssetRegistry.fiatCurrency(fiatCode) else {
            throw APIError.badRequest("Unsupported fiat_currency '\(fiatCode)'", code: "unsupported_fiat", field: "fiat_currency")
        }
        guard let amount = input.amount_usd ?? input.amount else {
            throw APIError.badRequest("amount_usd is required", code: "missing_field", field: "amount_usd")
        }
        if input.amount_usd != nil && input.amount != nil {
            throw APIError.badRequest("Give amount_usd, or amount with fiat_currency, not both", code: "invalid_request", field: "amount")
        }
        if let description = input.description, description.count > 500 {
            throw APIError.badRequest("description may be at most 500 characters", code: "invalid_field", field: "description")
        }
        if let redirect = input.redirect_url {
            guard redirect.count <= 2_000, let url = URL(string: redirect), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw APIError.badRequest("redirect_url must be an http(s) URL", code: "invalid_url", field: "redirect_url")
            }
        }
        let metadataText = try Self.metadataText(input.metadata)
        // Direct mode pays the merchant's own derived address; otherwise custody forwards to its wallet.
        let direct = try await deps.db.read { try await DirectModeSchema.source($0, businessID: businessID, chain: asset.chain!) }
        var merchantWallet: String?
        if direct == nil {
            guard let wallet = try await deps.directory.wallets(businessID)[asset.code] else {
                throw APIError.badRequest("The business has no active \(asset.code) wallet to forward payments to", code: "wallet_not_configured", field: "currency")
            }
            merchantWallet = wallet
        }
        // The documented creation limit, per business (replays of an Idempotency-Key never get here).
        try deps.limiter.hit(.init(name: "payment_create", limit: deps.creationsPerMinute), key: businessID)
        return try await insert(NewPayment(kind: "payment", businessID: businessID, asset: asset.code, fiat: fiat.code, amount: amount.value.description,
                                           destination: merchantWallet, description: input.description, redirectURL: input.redirect_url,
                                           metadata: metadataText, expiryMinutes: try await deps.directory.expiryMinutes(businessID) ?? deps.expiryMinutes,
                                           directSource: direct))
    }

    /// What a new payment row needs; text only (Int128-backed values crossing async frames trip the
    /// Swift 6.3 runtime, see PaymentPricing).
    struct NewPayment: Sendable {
        var kind: String
        var businessID: String
        var asset: String
        var fiat: String
        var amount: String
        /// The merchant's wallet (sales) or the platform's (collection); nil in direct mode.
        var destination: String?
        var description: String?
        var redirectURL: String?
        var metadata: String
        var expiryMinutes: Int
        /// Direct mode: the merchant's address source the payment address is derived from.
        var directSource: String?
        /// A subscription bought by this (collection) payment: (merchant, plan, billing period).
        var subscription: (merchantID: String, planID: String, period: String)?
    }

    /// Prices and stores a payment with a fresh custody address; sales are admitted against the
    /// merchant's plan (402/429) in the same transaction.
    func insert(_ new: NewPayment) async throws -> PaymentRecord {
        guard let asset = AssetRegistry.asset(new.asset), let chain = asset.chain, let addressChain = AddressChain(rawValue: chain),
              let fiat = AssetRegistry.fiatCurrency(new.fiat) else { throw APIError.badRequest("Unsupported currency", code: "unsupported_currency") }
        let amount = try ExactDecimal(parsing: new.amount)
        let now = deps.clock.nowMillis()
        let directory = deps.directory
        // No forwarding in direct mode, so no network fee to add.
        let quote = try await deps.pricing.quote(amount: amount, fiat: fiat, asset: asset, addNetworkFee: new.directSource == nil) { coin, fiat in
            try await directory.price(coin, fiat)
        }
        try await deps.custody.prepare(deps.db)
        let id = Identifier.make(new.kind == "payment" ? "pay" : "col", clock: deps.clock)
        let (custody, required, expiry) = (deps.custody, deps.policy.required(for: asset.code), Int64(new.expiryMinutes) * 60_000)
        let amounts = (due: String(quote.amountDue), fee: String(quote.networkFeeCrypto))
        let texts = (fiat: quote.amountFiat.text(minimumPlaces: fiat.decimals), fee: quote.networkFeeFiat.text(minimumPlaces: 2),
                     usd: quote.amountUSD.text(minimumPlaces: 2), feeUSD: quote.networkFeeUSD.text(minimumPlaces: 2), rate: quote.rate.description)
        try await deps.db.write { tx in
            // Sales are admitted against the plan in force, which also sets the commission; collections owe all to the platform.
            let bps = new.kind == "payment" ? try await Billing.admitPayment(tx, businessID: new.businessID, now: now).fee_bps : 10_000
            let address: String
            if let source = new.directSource {
                address = try await AddressBook().nextAddress(tx, sourceID: source, reference: id, now: now).address
            } else {
                address = try await custody.allocate(tx, chain: addressChain, purpose: .deposit, reference: id, now: now).address
            }
            try await tx.sql.raw("""
                INSERT INTO payments (id, business_id, kind, asset, chain, fiat, amount_fiat, network_fee_fiat, amount_usd, network_fee_usd,
                    amount_due, network_fee_crypto, rate, address, mode, merchant_wallet, fee_bps, status, required_confirmations,
                    description, redirect_url, metadata, created_at, expires_at, updated_at)
                VALUES (\(bind: id), \(bind: new.businessID), \(bind: new.kind), \(bind: asset.code), \(bind: chain), \(bind: fiat.code), \(bind: texts.fiat),
                    \(bind: texts.fee), \(bind: texts.usd), \(bind: texts.feeUSD), \(bind: amounts.due), \(bind: amounts.fee), \(bind: texts.rate),
                    \(bind: address), \(bind: new.directSource == nil ? "custody" : "direct"), \(bind: new.destination), \(bind: bps), 'pending', \(bind: required),
                    \(bind: new.description), \(bind: new.redirectURL), \(bind: new.metadata), \(bind: now), \(bind: now + expiry), \(bind: now))
                """).run()
            if let subscription = new.subscription {
                try await tx.sql.raw("""
                    INSERT INTO subscriptions (id, merchant_id, plan_id, billing_period, status, payment_id, created_at, updated_at)
                    VALUES (\(bind: Identifier.make("sub", clock: deps.clock)), \(bind: subscription.merchantID), \(bind: subscription.planID),
                        \(bind: subscription.period), 'pending', \(bind: id), \(bind: now), \(bind: now))
                    """).run()
            }
        }
        guard let payment = try await deps.db.read({ try await PaymentStore.load($0, id: id) }) else { throw StorageError.integrity("payment \(id) vanished") }
        return payment
    }

    /// A crypto asset this server takes payments in, from a request field (400 otherwise).
    func offeredAsset(_ code: String?, field: String) throws -> Asset {
        guard let code, !code.isEmpty else { throw APIError.badRequest("\(field) is required", code: "missing_field", field: field) }
        guard let asset = AssetRegistry.asset(code), !asset.isFiat else {
            throw APIError.badRequest("Unsupported \(field) '\(code)'; expected one of: \(offeredAssets.map { $0.code.lowercased() }.joined(separator: ", "))",
                                      code: "unsupported_currency", field: field)
        }
        guard offeredAssets.contains(asset) else {
            throw APIError.badRequest("\(asset.code.lowercased()) is not enabled on this server", code: "currency_not_enabled", field: field)
        }
        return asset
    }

    /// Merchant metadata: a JSON object of at most 8 KB, stored as text.
    static func metadataText(_ metadata: JSONBox?) throws -> String {
        guard let metadata else { return "{}" }
        guard case .object = metadata.value else { throw APIError.badRequest("metadata must be a JSON object", code: "invalid_field", field: "metadata") }
        let text = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self)
        guard text.utf8.count <= 8_192 else { throw APIError.badRequest("metadata may be at most 8 KB", code: "invalid_field", field: "metadata") }
        return text
    }

    func list(_ request: Request, principal: Principal) async throws -> Response {
        let page = try await page(request, principal: principal, kind: "payment")
        return try JSONResponse.make(Page(payments: page.rows.map { PaymentView($0, uris: deps.uris) },
                                          pagination: .init(total: page.total, limit: page.limit, offset: page.offset)))
    }

    /// One page of a kind of payment the caller may see, newest first, with the filters of the list endpoints.
    func page(_ request: Request, principal: Principal, kind: String) async throws -> (rows: [PaymentRecord], total: Int, limit: Int, offset: Int) {
        let limit = try Self.intQuery(request, "limit", default: 50, range: 1...100)
        let offset = try Self.intQuery(request, "offset", default: 0, range: 0...1_000_000)
        if let status = request.query("status"), PaymentStatus(rawValue: status) == nil {
            throw APIError.badRequest("Unknown status '\(status)'", code: "invalid_query", field: "status")
        }
        if let currency = request.query("currency"), AssetRegistry.asset(currency)?.isFiat != false {
            throw APIError.badRequest("Unknown currency '\(currency)'", code: "invalid_query", field: "currency")
        }
        var conditions: [SQLQueryString] = [try await scope(request, principal: principal, kind: kind)]
        if let status = request.query("status") { conditions.append("p.status = \(bind: status)") }
        if let currency = request.query("currency") { conditions.append("p.asset = \(bind: currency.uppercased())") }
        var whereClause: SQLQueryString = ""
        for (index, condition) in conditions.enumerated() { whereClause = index == 0 ? condition : whereClause + " AND " + condition }
        let filter = whereClause
        let (rows, total) = try await deps.db.read { sql in
            let rows = try await sql.raw("SELECT p.* FROM payments p WHERE \(filter) ORDER BY p.created_at DESC, p.id DESC LIMIT \(literal: limit) OFFSET \(literal: offset)")
                .all().map(PaymentRecord.decode)
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM payments p WHERE \(filter)").first()?.decode(column: "n", as: Int.self) ?? 0
            return (rows, total)
        }
        return (rows, total, limit, offset)
    }

    static func intQuery(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.query(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)", code: "invalid_query", field: name)
        }
        return number
    }
}

/// A coin amount as decimal text without trailing zeros ("0.5", "0").
func coinText(_ units: Int128, decimals: Int) -> String {
    let text = Amount(minorUnits: units).formattedTrimmed(decimals: decimals)
    return units == 0 ? "0" : text
}
