import Chains
import Foundation
import HTTP
import Hummingbird
import Money
import RailyardCrypto
import Storage

/// Business collection: the platform collecting from a business (service charges, subscriptions).
/// Priced and watched like a sale, but 100% of it goes to the platform's treasury wallet; nothing is
/// owed to a merchant, and sales limits do not apply.
struct CollectionView: Encodable, Sendable {
    let id: String
    let business_id: String
    let payment_address: String
    /// The documented fiat amount, as an exact JSON number.
    let amount: Decimal
    let currency: String
    let blockchain: String
    let destination_wallet: String
    let status: String
    let description: String?
    let expires_at: String
    let created_at: String
    // Additions: what to send, progress, forwarding.
    let asset: String
    let amount_crypto: String
    let amount_crypto_units: String
    let network_fee_usd: String
    let received_amount: String
    let confirmations: Int
    let required_confirmations: Int
    let tx_hash: String?
    let forward_tx_hash: String?
    let paid_late: Bool
    let metadata: JSONBox
    let payment_uri: String
    let checkout_url: String
    let qr_url: String
    let forwarded_at: String?

    init(_ p: PaymentRecord, uris: PaymentURI.Context) {
        let asset = p.assetInfo
        id = p.id
        business_id = p.businessID
        payment_address = p.address
        amount = WebhookData.number(p.amountFiat)
        currency = p.fiat
        blockchain = p.chain
        destination_wallet = p.merchantWallet ?? ""
        status = p.status.rawValue
        description = p.description
        expires_at = Timestamp.iso8601(millis: p.expiresAt)
        created_at = Timestamp.iso8601(millis: p.createdAt)
        self.asset = p.asset
        amount_crypto = coinText(p.amountDue, decimals: asset.decimals)
        amount_crypto_units = String(p.amountDue)
        network_fee_usd = p.networkFeeUSD
        received_amount = coinText(p.received, decimals: asset.decimals)
        confirmations = p.confirmations
        required_confirmations = p.requiredConfirmations
        tx_hash = p.txHash
        forward_tx_hash = p.platformTxHash
        paid_late = p.late
        metadata = JSONBox((try? JSONValue.parse(p.metadata)) ?? .object([:]))
        payment_uri = PaymentURI.make(asset: asset, address: p.address, units: p.amountDue, context: uris, label: p.description)
        checkout_url = "/pay/\(p.id)"
        qr_url = "/api/payments/\(p.id)/qr"
        forwarded_at = p.forwardedAt.map(Timestamp.iso8601(millis:))
    }
}

extension PaymentsFeature {
    struct CollectionInput: Decodable {
        let business_id: String?
        let amount: DecimalInput?
        let currency: String?
        let blockchain: String?
        let description: String?
        let metadata: JSONBox?
    }

    struct OneCollection: Encodable { let success = true; let payment: CollectionView }
    struct CollectionPage: Encodable {
        let success = true
        let payments: [CollectionView]
        let pagination: Page.Pagination
    }

    func addCollectionRoutes(to router: Router<RailyardRequestContext>) {
        let feature = self
        router.post("/api/business-collection") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let input = try await APIRequestDecoder().decode(CollectionInput.self, from: request, context: context)
            guard let businessID = input.business_id ?? principal.businessID, !businessID.isEmpty else {
                throw APIError.badRequest("business_id is required", code: "missing_field", field: "business_id")
            }
            guard try await feature.mayAct(on: businessID, principal: principal) else { throw APIError.notFound("Business not found", code: "business_not_found") }
            guard let amount = input.amount else { throw APIError.badRequest("amount is required", code: "missing_field", field: "amount") }
            let fiatCode = (input.currency ?? "USD").uppercased()
            guard let fiat = AssetRegistry.fiatCurrency(fiatCode) else {
                throw APIError.badRequest("Unsupported currency '\(fiatCode)'; expected a fiat code such as USD", code: "unsupported_fiat", field: "currency")
            }
            let asset = try feature.offeredAsset(input.blockchain, field: "blockchain")
            if let description = input.description, description.count > 500 {
                throw APIError.badRequest("description may be at most 500 characters", code: "invalid_field", field: "description")
            }
            let payment = try await feature.insert(NewPayment(
                kind: "collection", businessID: businessID, asset: asset.code, fiat: fiat.code, amount: amount.value.description,
                destination: try await feature.collectionWallet(chain: asset.chain!), description: input.description, redirectURL: nil,
                metadata: try Self.metadataText(input.metadata), expiryMinutes: Self.collectionExpiryMinutes))
            return try JSONResponse.make(OneCollection(payment: CollectionView(payment, uris: feature.deps.uris)), status: .created)
        }
        router.get("/api/business-collection") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let page = try await feature.page(request, principal: principal, kind: "collection")
            return try JSONResponse.make(CollectionPage(payments: page.rows.map { CollectionView($0, uris: feature.deps.uris) },
                                                        pagination: .init(total: page.total, limit: page.limit, offset: page.offset)))
        }
        router.get("/api/business-collection/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            let payment = try await feature.owned(context.parameters.get("id") ?? "", principal: principal, kind: "collection")
            return try JSONResponse.make(OneCollection(payment: CollectionView(payment, uris: feature.deps.uris)))
        }
    }

    /// The platform's collection wallet on a chain: its treasury address (index 0), held in custody.
    func collectionWallet(chain: String) async throws -> String {
        guard let addressChain = AddressChain(rawValue: chain) else { throw ChainError.unsupported("no treasury on \(chain)") }
        return try await deps.fixedAddresses.address(deps, chain: addressChain, purpose: .treasury)
    }
}
