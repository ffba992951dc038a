import Foundation
import HTTP
import Hummingbird
import Money
import SQLKit
import Storage

/// Subscriptions & Entitlements: what the merchant's plan allows, what it used this month, and
/// buying or cancelling the paid plan with crypto (a business-collection payment).
extension PaymentsFeature {
    struct CheckoutInput: Decodable {
        let plan_id: String?
        let billing_period: String?
        let blockchain: String?
        let business_id: String?
    }

    struct CheckoutAnswer: Encodable {
        struct PaymentPart: Encodable {
            let id: String
            let payment_address: String
            let amount: Decimal
            let currency: String
            let blockchain: String
            let expires_at: String
            // Additions: exactly what to send and where to follow it.
            let asset: String
            let amount_crypto: String
            let amount_crypto_units: String
            let payment_uri: String
            let checkout_url: String
        }
        struct PlanPart: Encodable { let id: String; let name: String; let billing_period: String; let price: Int }
        let success = true
        let payment: PaymentPart
        let plan: PlanPart
        let instructions: String
    }

    struct StatusView: Encodable {
        let planId: String
        let status: String
        let startedAt: String?
        let endsAt: String?
        let isActive: Bool
        let daysRemaining: Int
    }
    struct StatusAnswer: Encodable { let success = true; let subscription: StatusView }
    struct CancelAnswer: Encodable { let success = true; let message: String; let subscription: StatusView }

    struct EntitlementsAnswer: Encodable {
        struct PlanPart: Encodable { let id: String; let name: String; let description: String; let price_monthly: Int }
        struct Usage: Encodable {
            let transactions_this_month: Int
            let transaction_limit: Int?
            let transactions_remaining: Int?
            let is_unlimited: Bool

            // Unlimited is written as explicit nulls, as documented.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(transactions_this_month, forKey: .transactions_this_month)
                try container.encode(transaction_limit, forKey: .transaction_limit)
                try container.encode(transactions_remaining, forKey: .transactions_remaining)
                try container.encode(is_unlimited, forKey: .is_unlimited)
            }
            enum CodingKeys: String, CodingKey { case transactions_this_month, transaction_limit, transactions_remaining, is_unlimited }
        }
        struct Body: Encodable {
            let plan: PlanPart
            let features: Plan.Features
            let usage: Usage
            let status: String
            let fee_percent: String
        }
        let success = true
        let entitlements: Body
    }

    func addSubscriptionRoutes(to router: Router<RailyardRequestContext>) {
        let feature = self
        router.get("/api/entitlements") { _, context -> Response in
            let merchantID = try context.requirePrincipal().merchantID
            let now = feature.deps.clock.nowMillis()
            let (state, used) = try await feature.deps.db.read { sql in
                (try await Billing.state(sql, merchantID: merchantID, now: now), try await Billing.transactionsThisMonth(sql, merchantID: merchantID, now: now))
            }
            let plan = state.effectivePlan
            let limit = plan.limits.monthly_transactions
            return try JSONResponse.make(EntitlementsAnswer(entitlements: .init(
                plan: .init(id: plan.id, name: plan.name, description: plan.description, price_monthly: plan.pricing.monthly),
                features: plan.features,
                usage: .init(transactions_this_month: used, transaction_limit: limit, transactions_remaining: limit.map { max(0, $0 - used) },
                             is_unlimited: limit == nil),
                status: state.status,
                fee_percent: ExactDecimal(significand: Int128(plan.fee_bps), exponent: -2).text(minimumPlaces: 1))))
        }

        // The plan covers every business of the merchant: buying or cancelling it needs the merchant's
        // login, not one business's API key.
        router.post("/api/subscriptions/checkout") { request, context -> Response in
            let principal = Principal.merchant(id: try context.requireMerchantSession())
            let input = try await APIRequestDecoder().decode(CheckoutInput.self, from: request, context: context)
            guard let planID = input.plan_id?.lowercased(), !planID.isEmpty else {
                throw APIError.badRequest("plan_id is required", code: "missing_field", field: "plan_id")
            }
            guard let plan = Plan.named(planID) else {
                throw APIError.badRequest("Unknown plan '\(planID)'; expected one of: \(Plan.all.map(\.id).joined(separator: ", "))", code: "invalid_plan", field: "plan_id")
            }
            guard plan.pricing.monthly > 0 else {
                throw APIError.badRequest("The \(plan.name) plan is free; cancel the paid plan to return to it", code: "invalid_plan", field: "plan_id")
            }
            let period = (input.billing_period ?? "monthly").lowercased()
            guard period == "monthly" || period == "yearly" else {
                throw APIError.badRequest("billing_period must be monthly or yearly", code: "invalid_field", field: "billing_period")
            }
            let asset = try feature.offeredAsset(input.blockchain, field: "blockchain")
            let businessID = try await feature.billingBusiness(principal: principal, requested: input.business_id)
            let price = period == "yearly" ? plan.pricing.yearly : plan.pricing.monthly
            let metadata = #"{"purpose":"subscription","plan_id":"\#(plan.id)","billing_period":"\#(period)"}"#
            let payment = try await feature.insert(NewPayment(
                kind: "collection", businessID: businessID, asset: asset.code, fiat: "USD", amount: String(price),
                destination: try await feature.collectionWallet(chain: asset.chain!), description: "\(plan.name) plan (\(period))", redirectURL: nil,
                metadata: metadata, expiryMinutes: Self.collectionExpiryMinutes,
                subscription: (merchantID: principal.merchantID, planID: plan.id, period: period)))
            let crypto = coinText(payment.amountDue, decimals: payment.assetInfo.decimals)
            return try JSONResponse.make(CheckoutAnswer(
                payment: .init(id: payment.id, payment_address: payment.address, amount: Decimal(price), currency: "USD", blockchain: payment.chain,
                               expires_at: Timestamp.iso8601(millis: payment.expiresAt), asset: payment.asset, amount_crypto: crypto,
                               amount_crypto_units: String(payment.amountDue),
                               payment_uri: PaymentURI.make(asset: payment.assetInfo, address: payment.address, units: payment.amountDue,
                                                            context: feature.deps.uris, label: payment.description),
                               checkout_url: "/pay/\(payment.id)"),
                plan: .init(id: plan.id, name: plan.name, billing_period: period, price: price),
                instructions: "Send exactly \(crypto) \(payment.asset) ($\(price) plus a $\(payment.networkFeeUSD) network fee) to \(payment.address) before \(Timestamp.iso8601(millis: payment.expiresAt)). The plan starts when the payment has \(payment.requiredConfirmations) confirmations."),
                status: .created)
        }

        router.get("/api/subscriptions/status") { _, context -> Response in
            let merchantID = try context.requirePrincipal().merchantID
            let now = feature.deps.clock.nowMillis()
            let state = try await feature.deps.db.read { try await Billing.state($0, merchantID: merchantID, now: now) }
            return try JSONResponse.make(StatusAnswer(subscription: Self.statusView(state, now: now)))
        }

        router.delete("/api/subscriptions/status") { _, context -> Response in
            let merchantID = try context.requireMerchantSession()
            let now = feature.deps.clock.nowMillis()
            let state = try await feature.deps.db.write { tx -> SubscriptionState in
                _ = try await tx.sql.raw("SELECT id FROM merchants WHERE id = \(bind: merchantID)\(unsafeRaw: tx.lockClause)").first()
                let before = try await Billing.state(tx.sql, merchantID: merchantID, now: now)
                guard before.subscribedPlan != Plan.starter.id else {
                    throw APIError(.notFound, code: "no_subscription", "There is no paid subscription to cancel; the Starter plan is free")
                }
                // Every paid period (the running one and any renewal after it) ends the subscription.
                try await tx.sql.raw("""
                    UPDATE subscriptions SET status = 'cancelled', cancelled_at = \(bind: now), updated_at = \(bind: now)
                    WHERE merchant_id = \(bind: merchantID) AND status = 'active'
                    """).run()
                return try await Billing.state(tx.sql, merchantID: merchantID, now: now)
            }
            let message = state.status == "cancelled"
                ? "Subscription cancelled. You will retain access until the end of your billing period."
                : "Subscription cancelled. Your paid period had ended, so you are on the Starter plan."
            return try JSONResponse.make(CancelAnswer(message: message, subscription: Self.statusView(state, now: now)))
        }
    }

    static func statusView(_ state: SubscriptionState, now: Int64) -> StatusView {
        StatusView(planId: state.status == "past_due" ? state.subscribedPlan : state.plan, status: state.status,
                   startedAt: state.startedAt.map(Timestamp.iso8601(millis:)), endsAt: state.endsAt.map(Timestamp.iso8601(millis:)),
                   isActive: state.isActive, daysRemaining: state.daysRemaining(now: now))
    }

    /// The business a subscription payment is recorded under: the one asked for, or the merchant's oldest.
    func billingBusiness(principal: Principal, requested: String?) async throws -> String {
        if let requested {
            guard try await mayAct(on: requested, principal: principal) else { throw APIError.notFound("Business not found", code: "business_not_found") }
            return requested
        }
        let merchantID = principal.merchantID
        guard let oldest = try await deps.db.read({ sql in
            try await sql.raw("""
                SELECT id FROM businesses WHERE merchant_id = \(bind: merchantID) AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1
                """).first()?.decode(column: "id", as: String.self)
        }) else {
            throw APIError.badRequest("Create a business first: the subscription payment is recorded under one", code: "business_required", field: "business_id")
        }
        return oldest
    }
}
