import Foundation
import HTTP
import Hummingbird
import Money
import SQLKit
import Storage

/// Dashboard statistics over every sale (never a "last N" sample), with coins summed per asset and
/// only USD figures added across assets.
extension PaymentsFeature {
    /// The SQL condition selecting the caller's payments of `kind`: one business (`business_id`, or the
    /// API key's; 404 for another tenant's), or, for a merchant session, all the merchant's businesses.
    func scope(_ request: Request, principal: Principal, kind: String) async throws -> SQLQueryString {
        if let businessID = request.query("business_id") ?? principal.businessID {
            guard try await mayAct(on: businessID, principal: principal) else { throw APIError.notFound("Business not found", code: "business_not_found") }
            return "p.kind = \(bind: kind) AND p.business_id = \(bind: businessID)"
        }
        return "p.kind = \(bind: kind) AND p.business_id IN (SELECT id FROM businesses WHERE merchant_id = \(bind: principal.merchantID))"
    }

    struct AssetVolume: Encodable {
        let asset: String
        let successful_payments: Int
        let amount: String
        let amount_units: String
        let amount_usd: Decimal
    }

    struct StatsAnswer: Encodable {
        struct Stats: Encodable {
            let total_payments: Int
            let successful_payments: Int
            let pending_payments: Int
            let failed_payments: Int
            /// The documented field. Coins of different assets are never added, so this is the USD total as exact text.
            let total_volume: String
            let total_volume_usd: Decimal
            let volume_by_asset: [AssetVolume]
        }
        let success = true
        let stats: Stats
        let recent_payments: [PaymentView]
    }

    struct AnalyticsAnswer: Encodable {
        struct Day: Encodable { let date: String; let assets: [AssetVolume] }
        let success = true
        let days: Int
        let daily: [Day]
    }

    /// One sale's figures as stored (text, summed outside the database so nothing passes through a float).
    struct SaleRow: Sendable {
        let asset: String
        let status: String
        let booked: String
        let due: String
        let usd: String
        let windowClosed: Bool
        let confirmedAt: Int64?
    }

    func addDashboardRoutes(to router: Router<RailyardRequestContext>) {
        let feature = self
        router.get("/api/dashboard/stats") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let scope = try await feature.scope(request, principal: principal, kind: "payment")
            let (sales, recent) = try await feature.deps.db.read { sql in
                let sales = try await Self.sales(sql, scope: scope, since: nil)
                let recent = try await sql.raw("SELECT p.* FROM payments p WHERE \(scope) ORDER BY p.created_at DESC, p.id DESC LIMIT 10")
                    .all().map(PaymentRecord.decode)
                return (sales, recent)
            }
            var successful = 0, pending = 0, failed = 0
            for sale in sales {
                if sale.booked != "0" { successful += 1 }
                else if ["pending", "detected", "confirming", "paid_late"].contains(sale.status) || (sale.status == "underpaid" && !sale.windowClosed) { pending += 1 }
                else { failed += 1 }
            }
            let (byAsset, totalCents) = try Self.volumes(sales)
            let totalText = ExactDecimal(significand: totalCents, exponent: -2).text(minimumPlaces: 2)
            return try JSONResponse.make(StatsAnswer(
                stats: .init(total_payments: sales.count, successful_payments: successful, pending_payments: pending, failed_payments: failed,
                             total_volume: totalText, total_volume_usd: WebhookData.number(totalText), volume_by_asset: byAsset),
                recent_payments: recent.map { PaymentView($0, uris: feature.deps.uris) }))
        }

        // Advanced analytics (Professional): confirmed volume per day and asset.
        router.get("/api/dashboard/analytics") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let now = feature.deps.clock.nowMillis()
            let merchantID = principal.merchantID
            let state = try await feature.deps.db.read { try await Billing.state($0, merchantID: merchantID, now: now) }
            try Billing.requireFeature("advanced_analytics", state: state)
            let days = try Self.intQuery(request, "days", default: 30, range: 1...366)
            let scope = try await feature.scope(request, principal: principal, kind: "payment")
            let todayStart = now - now % 86_400_000
            let since = todayStart - Int64(days - 1) * 86_400_000
            let sales = try await feature.deps.db.read { try await Self.sales($0, scope: scope, since: since) }
            var byDay: [Int64: [SaleRow]] = [:]
            for sale in sales where sale.booked != "0" {
                guard let at = sale.confirmedAt else { continue }
                byDay[at - at % 86_400_000, default: []].append(sale)
            }
            var daily: [AnalyticsAnswer.Day] = []
            for day in stride(from: since, through: todayStart, by: 86_400_000) {
                let (assets, _) = try Self.volumes(byDay[day] ?? [])
                daily.append(.init(date: String(Timestamp.iso8601(millis: day).prefix(10)), assets: assets))
            }
            return try JSONResponse.make(AnalyticsAnswer(days: days, daily: daily))
        }
    }

    static func sales(_ sql: any SQLDatabase, scope: SQLQueryString, since: Int64?) async throws -> [SaleRow] {
        let window: SQLQueryString = since.map { "AND p.confirmed_at >= \(bind: $0)" } ?? ""
        return try await sql.raw("""
            SELECT p.asset, p.status, p.booked, p.amount_due, p.amount_usd, p.window_closed, p.confirmed_at FROM payments p WHERE \(scope) \(window)
            """).all().map { row in
                SaleRow(asset: try row.decode(column: "asset", as: String.self), status: try row.decode(column: "status", as: String.self),
                        booked: try row.decode(column: "booked", as: String.self), due: try row.decode(column: "amount_due", as: String.self),
                        usd: try row.decode(column: "amount_usd", as: String.self), windowClosed: try row.decode(column: "window_closed", as: Int.self) != 0,
                        confirmedAt: try row.decode(column: "confirmed_at", as: Int64?.self))
            }
    }

    /// Confirmed volume per asset (exact coins) and in USD cents: each sale counts its price, or the
    /// paid share of it when it was paid only in part (rounded down to the cent).
    static func volumes(_ sales: [SaleRow]) throws -> (byAsset: [AssetVolume], totalCents: Int128) {
        var units: [String: Int128] = [:], cents: [String: Int128] = [:], counts: [String: Int] = [:]
        for sale in sales where sale.booked != "0" {
            guard let booked = Int128(sale.booked), let due = Int128(sale.due), due > 0 else {
                throw StorageError.integrity("payment amounts \(sale.booked)/\(sale.due)")
            }
            let price = try ExactDecimal(parsing: sale.usd).scaled(toDecimals: 2, rounding: .down)
            units[sale.asset, default: 0] += booked
            cents[sale.asset, default: 0] += booked >= due ? price : price * booked / due
            counts[sale.asset, default: 0] += 1
        }
        let byAsset = units.keys.sorted().map { code -> AssetVolume in
            let decimals = AssetRegistry.asset(code)?.decimals ?? 0
            let usd = ExactDecimal(significand: cents[code]!, exponent: -2).text(minimumPlaces: 2)
            return AssetVolume(asset: code, successful_payments: counts[code]!, amount: coinText(units[code]!, decimals: decimals),
                               amount_units: String(units[code]!), amount_usd: WebhookData.number(usd))
        }
        return (byAsset, cents.values.reduce(0, +))
    }
}
