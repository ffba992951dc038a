import Foundation
import HTTPTypes
import HTTP
import Money
import SQLKit
import Storage

/// Subscriptions: a merchant's paid plan periods, bought with a business-collection payment.
///
/// A period exists once its payment is confirmed (activated in the same transaction as the booking)
/// and is undone if that payment leaves the chain before forwarding. A merchant without a current
/// period is on the free Starter plan. A paid period that ran out without being cancelled makes the
/// subscription `past_due` (documented 402) until the merchant pays again or cancels.
enum BillingSchema {
    static let migration = Migration(id: "0710_subscriptions", [
        """
        CREATE TABLE subscriptions (
            id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, plan_id TEXT NOT NULL, billing_period TEXT NOT NULL,
            status TEXT NOT NULL, payment_id TEXT NOT NULL UNIQUE, started_at BIGINT, ends_at BIGINT, cancelled_at BIGINT,
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX subscriptions_merchant ON subscriptions (merchant_id, status, ends_at)",
        "CREATE INDEX payments_created ON payments (kind, created_at)",
    ])
}

/// Where a merchant stands: the plan in force and the documented status.
public struct SubscriptionState: Sendable, Equatable {
    /// The plan whose limits, features and fee apply now (Starter when nothing paid is in force).
    public let plan: Plan.ID
    /// The plan the merchant subscribed to (differs from `plan` when past due).
    public let subscribedPlan: Plan.ID
    /// `active`, `cancelled` (paid period still running) or `past_due` (paid period over, not renewed).
    public let status: String
    public let startedAt: Int64?
    public let endsAt: Int64?

    public var isActive: Bool { status != "past_due" }
    public var effectivePlan: Plan { Plan.named(plan) ?? .starter }

    public func daysRemaining(now: Int64) -> Int {
        guard let endsAt, endsAt > now else { return 0 }
        return Int((endsAt - now + 86_399_999) / 86_400_000)
    }
}

extension Plan { public typealias ID = String }

enum Billing {
    /// The merchant's subscription as of `now`, from its activated periods.
    static func state(_ sql: any SQLDatabase, merchantID: String, now: Int64, withStart: Bool = true) async throws -> SubscriptionState {
        let row = try await sql.raw("""
            SELECT plan_id, status, started_at, ends_at FROM subscriptions
            WHERE merchant_id = \(bind: merchantID) AND status IN ('active', 'cancelled')
            ORDER BY ends_at DESC, created_at DESC LIMIT 1
            """).first()
        guard let row, let endsAt = try row.decode(column: "ends_at", as: Int64?.self) else {
            return SubscriptionState(plan: Plan.starter.id, subscribedPlan: Plan.starter.id, status: "active", startedAt: nil, endsAt: nil)
        }
        let planID = try row.decode(column: "plan_id", as: String.self)
        let status = try row.decode(column: "status", as: String.self)
        // The start of the continuous run of periods that ends with this one.
        let startedAt = withStart ? try await continuousStart(sql, merchantID: merchantID, endingAt: endsAt) : nil
        if now < endsAt {
            return SubscriptionState(plan: planID, subscribedPlan: planID, status: status, startedAt: startedAt, endsAt: endsAt)
        }
        if status == "cancelled" {
            // Cancelled on purpose and over: back on the free plan.
            return SubscriptionState(plan: Plan.starter.id, subscribedPlan: Plan.starter.id, status: "active", startedAt: nil, endsAt: nil)
        }
        return SubscriptionState(plan: Plan.starter.id, subscribedPlan: planID, status: "past_due", startedAt: startedAt, endsAt: endsAt)
    }

    static func continuousStart(_ sql: any SQLDatabase, merchantID: String, endingAt: Int64) async throws -> Int64? {
        let rows = try await sql.raw("""
            SELECT started_at, ends_at FROM subscriptions
            WHERE merchant_id = \(bind: merchantID) AND status IN ('active', 'cancelled') AND ends_at <= \(bind: endingAt)
            ORDER BY ends_at DESC
            """).all()
        var start: Int64?
        for row in rows {
            guard let s = try row.decode(column: "started_at", as: Int64?.self), let e = try row.decode(column: "ends_at", as: Int64?.self) else { continue }
            if let current = start, e < current { break }
            start = s
        }
        return start
    }

    /// The merchant owning a business (nil when the business does not exist).
    static func merchant(ofBusiness businessID: String, _ sql: any SQLDatabase) async throws -> String? {
        try await sql.raw("SELECT merchant_id FROM businesses WHERE id = \(bind: businessID)").first()?.decode(column: "merchant_id", as: String.self)
    }

    /// Start of the current calendar month (UTC), in milliseconds.
    static func monthStart(_ now: Int64) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: TimeInterval(now / 1000))
        let start = calendar.date(from: calendar.dateComponents([.year, .month], from: date))!
        return Int64(start.timeIntervalSince1970) * 1000
    }

    /// `months` calendar months after `millis` (UTC; the 31st of a month lands on the last day of a short one).
    static func adding(months: Int, to millis: Int64) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: TimeInterval(millis / 1000))
        let later = calendar.date(byAdding: .month, value: months, to: date)!
        return Int64(later.timeIntervalSince1970) * 1000 + millis % 1000
    }

    /// Payments (sales, not collections) created this month by all of a merchant's businesses.
    static func transactionsThisMonth(_ sql: any SQLDatabase, merchantID: String, now: Int64) async throws -> Int {
        try await sql.raw("""
            SELECT COUNT(*) AS n FROM payments
            WHERE kind = 'payment' AND created_at >= \(bind: monthStart(now))
              AND business_id IN (SELECT id FROM businesses WHERE merchant_id = \(bind: merchantID))
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Throws the documented 402 / 429 when the merchant may not take another payment, else returns the
    /// plan in force. Run inside the creating transaction: it locks the merchant, so concurrent creates
    /// cannot overshoot the limit.
    static func admitPayment(_ tx: Transaction, businessID: String, now: Int64) async throws -> Plan {
        // Serialises creates per merchant on PostgreSQL (SQLite writers are serialised already).
        let lock = tx.engine == .postgres ? " FOR UPDATE OF m" : ""
        guard let merchantID = try await tx.sql.raw("""
            SELECT m.id FROM merchants m JOIN businesses b ON b.merchant_id = m.id WHERE b.id = \(bind: businessID)\(unsafeRaw: lock)
            """).first()?.decode(column: "id", as: String.self) else { throw APIError.notFound("Business not found", code: "business_not_found") }
        let state = try await state(tx.sql, merchantID: merchantID, now: now, withStart: false)
        guard state.isActive else { throw subscriptionInactive(state) }
        let plan = state.effectivePlan
        guard let limit = plan.limits.monthly_transactions else { return plan }
        let used = try await transactionsThisMonth(tx.sql, merchantID: merchantID, now: now)
        if used >= limit {
            throw APIError(.tooManyRequests, code: "transaction_limit_exceeded",
                           "Monthly transaction limit reached (\(used)/\(limit)). Upgrade to Professional for unlimited transactions.")
        }
        return plan
    }

    /// The documented 403 / 402 for a feature the merchant's plan lacks or no longer pays for.
    static func requireFeature(_ feature: String, state: SubscriptionState) throws {
        if !state.isActive, let subscribed = Plan.named(state.subscribedPlan), subscribed.includes(feature) == true {
            throw subscriptionInactive(state)
        }
        guard state.effectivePlan.includes(feature) == true else {
            let name = feature.replacingOccurrences(of: "_", with: " ").capitalized
            throw APIError(.forbidden, code: "feature_not_available", "\(name) is not available on your current plan. Upgrade to Professional to use it.")
        }
    }

    static func subscriptionInactive(_ state: SubscriptionState) -> APIError {
        APIError(HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required"), code: "subscription_inactive",
                 "Subscription is \(state.status): the \(state.subscribedPlan) period ended without renewal. Renew with POST /api/subscriptions/checkout or cancel with DELETE /api/subscriptions/status.")
    }

    /// Called in the transaction that books a collection payment: starts the period it paid for.
    /// A renewal paid while a period runs starts when that one ends.
    static func activate(_ tx: Transaction, paymentID: String, now: Int64) async throws {
        guard let row = try await tx.sql.raw("""
            SELECT id, merchant_id, billing_period FROM subscriptions WHERE payment_id = \(bind: paymentID) AND status = 'pending'
            """).first() else { return }
        let id = try row.decode(column: "id", as: String.self)
        let merchantID = try row.decode(column: "merchant_id", as: String.self)
        // Two renewals confirming at once (or a cancel) must see each other's periods.
        _ = try await tx.sql.raw("SELECT id FROM merchants WHERE id = \(bind: merchantID)\(unsafeRaw: tx.lockClause)").first()
        let months = try row.decode(column: "billing_period", as: String.self) == "yearly" ? 12 : 1
        let latestEnd = try await tx.sql.raw("""
            SELECT MAX(ends_at) AS e FROM subscriptions WHERE merchant_id = \(bind: merchantID) AND status IN ('active', 'cancelled')
            """).first()?.decode(column: "e", as: Int64?.self)
        let start = max(now, latestEnd ?? now)
        // Paying again revokes an earlier cancellation: the subscription continues.
        try await tx.sql.raw("""
            UPDATE subscriptions SET status = 'active', cancelled_at = NULL, updated_at = \(bind: now)
            WHERE merchant_id = \(bind: merchantID) AND status = 'cancelled' AND ends_at > \(bind: now)
            """).run()
        try await tx.sql.raw("""
            UPDATE subscriptions SET status = 'active', started_at = \(bind: start), ends_at = \(bind: adding(months: months, to: start)),
                updated_at = \(bind: now) WHERE id = \(bind: id)
            """).run()
    }

    /// Called when the booking of a collection payment is reversed (its deposit left the chain).
    static func deactivate(_ tx: Transaction, paymentID: String, now: Int64) async throws {
        try await tx.sql.raw("""
            UPDATE subscriptions SET status = 'pending', started_at = NULL, ends_at = NULL, updated_at = \(bind: now)
            WHERE payment_id = \(bind: paymentID) AND status IN ('active', 'cancelled')
            """).run()
    }
}

extension PaymentsFeature {
    /// The platform commission (basis points) of a business, from its merchant's plan in force.
    /// Other fee-taking features (x402) are given this through App.
    public func feeBasisPoints(businessID: String) async throws -> Int {
        let now = deps.clock.nowMillis()
        return try await deps.db.read { sql in
            guard let merchantID = try await Billing.merchant(ofBusiness: businessID, sql) else {
                throw APIError.notFound("Business not found", code: "business_not_found")
            }
            return try await Billing.state(sql, merchantID: merchantID, now: now).effectivePlan.fee_bps
        }
    }
}
