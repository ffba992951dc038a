import Chains
import Events
import Foundation
import Ledger
import Logging
import Money
import SQLKit
import ServiceLifecycle
import Storage

/// Moves payments along as the chain layer reports deposits, closes payment windows, and drives
/// forwarding. Every step re-reads the facts (the deposits the watcher recorded, the sends the
/// sender recorded) under a row lock and is idempotent, so two nodes or a crash mid-pass never
/// book or forward anything twice.
public struct PaymentProcessor: Sendable {
    let deps: PaymentsFeature.Dependencies

    /// One pass of everything. Returns how many payments changed.
    @discardableResult
    public func runOnce() async throws -> Int {
        var changed = try await applyDepositEvents()
        changed += try await closeWindows()
        changed += try await startForwarding()
        changed += try await trackForwarding()
        return changed
    }

    // MARK: deposits

    /// Reads deposit events after the stored cursor and re-evaluates each payment they touch.
    @discardableResult
    public func applyDepositEvents() async throws -> Int {
        let cursor = try await deps.db.read { sql in
            try await sql.raw("SELECT seq FROM payments_cursor WHERE name = 'deposits'").first()?.decode(column: "seq", as: Int64.self) ?? 0
        }
        let events = try await deps.db.read { try await ChainWatchList().events(after: cursor, limit: 1_000, in: $0) }
        guard let last = events.last?.sequence else { return 0 }
        var seen = Set<String>()
        var changed = 0
        for event in events where seen.insert("\(event.chain)|\(event.address)").inserted {
            if try await evaluate(chain: event.chain, address: event.address) { changed += 1 }
        }
        try await deps.db.write { tx in
            try await tx.sql.raw("""
                INSERT INTO payments_cursor (name, seq) VALUES ('deposits', \(bind: last))
                ON CONFLICT (name) DO UPDATE SET seq = CASE WHEN payments_cursor.seq > excluded.seq THEN payments_cursor.seq ELSE excluded.seq END
                """).run()
        }
        return changed
    }

    /// Re-evaluates the payment at `address` (if any) from the recorded deposits.
    func evaluate(chain: String, address: String) async throws -> Bool {
        let isEVM = ChainRegistry.evmChains.contains(chain)
        guard let id = try await deps.db.read({ sql in
            try await sql.raw("""
                SELECT id FROM payments WHERE chain = \(bind: chain) AND \(unsafeRaw: isEVM ? "LOWER(address) = LOWER(" : "address = (")\(bind: address))
                """).first()?.decode(column: "id", as: String.self)
        }) else { return false }
        return try await evaluate(id: id, closeWindow: false)
    }

    /// What the deposits to a payment's address add up to.
    struct Deposits: Equatable {
        var total: Int128 = 0
        var confirmed: Int128 = 0
        var allConfirmed = true
        var inBlock = false
        var minConfirmations: Int?
        var latestTxid: String?
    }

    static func deposits(_ tx: Transaction, payment: PaymentRecord) async throws -> Deposits {
        let isEVM = ChainRegistry.evmChains.contains(payment.chain)
        let rows = try await tx.sql.raw("""
            SELECT txid, amount, status, confirmations FROM chain_deposits
            WHERE chain = \(bind: payment.chain) AND asset = \(bind: payment.asset)
              AND \(unsafeRaw: isEVM ? "LOWER(address) = LOWER(" : "address = (")\(bind: payment.address))
            ORDER BY first_seen_at, txid, output_index
            """).all()
        var result = Deposits()
        for row in rows {
            let status = try row.decode(column: "status", as: String.self)
            guard ["seen", "reorged", "confirmed"].contains(status) else { continue }  // double-spent deposits are gone
            guard let amount = Int128(try row.decode(column: "amount", as: String.self)) else { continue }
            let confirmations = status == "reorged" ? 0 : try row.decode(column: "confirmations", as: Int.self)
            result.total += amount
            if status == "confirmed" { result.confirmed += amount } else { result.allConfirmed = false }
            if confirmations > 0 { result.inBlock = true }
            result.minConfirmations = min(result.minConfirmations ?? confirmations, confirmations)
            result.latestTxid = try row.decode(column: "txid", as: String.self)
        }
        return result
    }

    /// The status the deposits call for (forwarding states are never changed by deposits).
    static func target(current: PaymentStatus, due: Int128, deposits d: Deposits, late: Bool) -> PaymentStatus {
        if PaymentStatus.outgoing.contains(current) { return current }
        if d.total == 0 { return (current == .expired || current == .paidLate || late) ? .expired : .pending }
        if !d.allConfirmed {
            if late { return .paidLate }
            if d.total < due { return .underpaid }
            return d.inBlock ? .confirming : .detected
        }
        if d.total < due { return .underpaid }
        return d.total > due ? .overpaid : .confirmed
    }

    /// Brings one payment in line with its deposits; `closeWindow` also ends its payment window.
    @discardableResult
    func evaluate(id: String, closeWindow: Bool) async throws -> Bool {
        let (deps, now) = (deps, deps.clock.nowMillis())
        return try await deps.db.write { tx in
            guard var p = try await PaymentStore.lock(tx, id: id) else { return false }
            let before = p
            let d = try await Self.deposits(tx, payment: p)
            if closeWindow { p.windowClosed = true }
            // Money that first shows up after the window closed is late (and still the customer's payment).
            if p.status == .expired && d.total > 0 { p.late = true }
            var next = Self.target(current: p.status, due: p.amountDue, deposits: d, late: p.late)
            if next == .pending && p.windowClosed { next = .expired }
            // One pass may cover several steps (expired → paid_late → confirmed); each is a legal move.
            for step in try p.status.route(to: next) { p.status = try p.status.transition(to: step) }
            if !PaymentStatus.outgoing.contains(p.status) {
                p.received = d.total
                p.confirmedAmount = d.confirmed
                p.confirmations = d.minConfirmations ?? 0
                p.txHash = d.latestTxid ?? p.txHash
            }
            if p.detectedAt == nil && d.total > 0 { p.detectedAt = now }
            // Book confirmed money; reverse a booking whose deposits left the chain.
            let bookable = p.status == .confirmed || p.status == .overpaid || (p.status == .underpaid && p.windowClosed && d.allConfirmed)
            let desired: Int128 = PaymentStatus.outgoing.contains(p.status) ? p.booked : (bookable ? d.confirmed : 0)
            if desired != p.booked {
                if p.booked > 0 {
                    try await self.reverse(tx, &p)
                    if p.kind == "collection" { try await Billing.deactivate(tx, paymentID: p.id, now: now) }
                }
                if desired > 0 {
                    try await self.book(tx, &p, amount: String(desired))
                    // A subscription starts only when its payment is confirmed in full.
                    if p.kind == "collection" && desired >= p.amountDue { try await Billing.activate(tx, paymentID: p.id, now: now) }
                    p.confirmedAt = now
                    try await deps.outbox.publish(tx, businessID: p.businessID, type: "payment.confirmed",
                                                  data: WebhookData.confirmed(p), eventID: "evt_\(p.id)_confirmed_\(p.bookings)")
                }
            }
            if p.status == .expired && before.status != .expired && !p.late || (closeWindow && !before.windowClosed && p.status == .underpaid) {
                p.expiredAt = p.expiredAt ?? now
                try await deps.outbox.publish(tx, businessID: p.businessID, type: "payment.expired", data: WebhookData.expired(p, minutes: Int((p.expiresAt - p.createdAt) / 60_000)),
                                              eventID: "evt_\(p.id)_expired")
            }
            guard p != before else { return false }
            p.updatedAt = now
            try await PaymentStore.save(tx, p)
            return true
        }
    }

    // MARK: windows

    /// Ends the payment window of payments past their expiry, but only once the chain's watcher has
    /// completed a scan after that moment: a node that is down must not expire a paid payment.
    @discardableResult
    public func closeWindows() async throws -> Int {
        let now = deps.clock.nowMillis()
        let due = try await deps.db.read { sql in
            try await sql.raw("""
                SELECT p.id FROM payments p JOIN chain_watchers w ON w.chain = p.chain
                WHERE p.expires_at <= \(bind: now) AND w.cursor_height >= 0 AND w.updated_at >= p.expires_at
                  AND ((p.window_closed = 0 AND p.status IN ('pending', 'underpaid', 'detected', 'confirming'))
                       OR (p.window_closed = 1 AND p.status = 'pending'))
                ORDER BY p.expires_at LIMIT 500
                """).all().map { try $0.decode(column: "id", as: String.self) }
        }
        var changed = 0
        for id in due where try await evaluate(id: id, closeWindow: true) { changed += 1 }
        return changed
    }

    // MARK: ledger

    static func accounts(_ p: PaymentRecord) -> (custody: String, payable: String, revenue: String, reserve: String, receivable: String) {
        ("chain:custody:\(p.asset)", "payments:payable:\(p.businessID):\(p.asset)", "platform:revenue:payments:\(p.asset)",
         "platform:network_reserve:\(p.asset)", "payments:fees_receivable:\(p.businessID):\(p.asset)")
    }

    /// Splits confirmed money: the network-fee part the customer added is held for the forwarding
    /// transaction, the commission (rounded down, in the merchant's favour) goes to revenue, the rest
    /// is owed to the merchant. Collection payments owe nothing to a merchant: all of it is revenue.
    func book(_ tx: Transaction, _ p: inout PaymentRecord, amount text: String) async throws {
        guard let amount = Int128(text) else { return }
        let a = Self.accounts(p)
        p.bookings += 1
        if p.mode == "direct" {
            // The money is in the merchant's own wallet: only the commission it owes is recorded.
            let commission = try Amount(minorUnits: amount).multiplied(by: Int128(p.feeBasisPoints), dividedBy: 10_000, rounding: .down).minorUnits
            try await deps.ledger.createAccounts([AccountSpec(id: a.receivable, asset: p.asset, kind: "receivable", owner: p.businessID),
                                                  AccountSpec(id: a.revenue, asset: p.asset, kind: "revenue")], in: tx)
            if commission > 0 {
                try await deps.ledger.post([TransferRequest(id: "pay-fee:\(p.id):\(p.bookings)", debit: a.receivable, credit: a.revenue, asset: p.asset,
                                                            amount: commission, code: "payment_fee_receivable", reference: p.id)], in: tx)
            }
            p.booked = amount
            p.networkReserve = 0
            p.platformFee = commission
            p.merchantAmount = amount - commission
            return
        }
        // A collection paid in full is all platform revenue; one paid only in part is owed back to the
        // business in full (held for a refund, not forwarded) — it bought nothing.
        let refundable = p.kind == "collection" && amount < p.amountDue
        let reserve = refundable ? 0 : min(p.networkFeeCrypto, amount)
        let gross = amount - reserve
        let commission = refundable ? 0 : p.kind == "collection" ? gross
            : try Amount(minorUnits: gross).multiplied(by: Int128(p.feeBasisPoints), dividedBy: 10_000, rounding: .down).minorUnits
        let n = p.bookings
        try await deps.ledger.createAccounts([
            AccountSpec(id: a.custody, asset: p.asset, kind: "custody"),
            AccountSpec(id: a.payable, asset: p.asset, kind: "payable", owner: p.businessID),
            AccountSpec(id: a.revenue, asset: p.asset, kind: "revenue"),
            AccountSpec(id: a.reserve, asset: p.asset, kind: "network_fees"),
        ], in: tx)
        var transfers = [TransferRequest(id: "pay-in:\(p.id):\(n)", debit: a.custody, credit: a.payable, asset: p.asset, amount: gross, code: "payment_received", reference: p.id)]
        if reserve > 0 {
            transfers.append(TransferRequest(id: "pay-reserve:\(p.id):\(n)", debit: a.custody, credit: a.reserve, asset: p.asset, amount: reserve,
                                             code: "payment_network_fee", reference: p.id))
        }
        if commission > 0 {
            transfers.append(TransferRequest(id: "pay-fee:\(p.id):\(n)", debit: a.payable, credit: a.revenue, asset: p.asset, amount: commission,
                                             code: "payment_fee", reference: p.id))
        }
        transfers = transfers.filter { ($0.amount ?? 0) > 0 }
        if !transfers.isEmpty { try await deps.ledger.post(transfers, in: tx) }
        p.booked = amount
        p.networkReserve = reserve
        p.platformFee = commission
        p.merchantAmount = gross - commission
    }

    /// Undoes the current booking with opposite transfers (corrections are new transfers, never edits).
    func reverse(_ tx: Transaction, _ p: inout PaymentRecord) async throws {
        let a = Self.accounts(p)
        let n = p.bookings
        if p.mode == "direct" {
            if let fee = p.platformFee, fee > 0 {
                try await deps.ledger.post([TransferRequest(id: "pay-fee-rev:\(p.id):\(n)", debit: a.revenue, credit: a.receivable, asset: p.asset,
                                                            amount: fee, code: "payment_reorged", reference: p.id)], in: tx)
            }
            p.booked = 0
            p.networkReserve = nil
            p.platformFee = nil
            p.merchantAmount = nil
            p.confirmedAt = nil
            return
        }
        let gross = p.booked - (p.networkReserve ?? 0)
        var transfers = [TransferRequest(id: "pay-in-rev:\(p.id):\(n)", debit: a.payable, credit: a.custody, asset: p.asset, amount: gross, code: "payment_reorged", reference: p.id)]
        if let reserve = p.networkReserve, reserve > 0 {
            transfers.append(TransferRequest(id: "pay-reserve-rev:\(p.id):\(n)", debit: a.reserve, credit: a.custody, asset: p.asset, amount: reserve,
                                             code: "payment_reorged", reference: p.id))
        }
        if let fee = p.platformFee, fee > 0 {
            transfers.append(TransferRequest(id: "pay-fee-rev:\(p.id):\(n)", debit: a.revenue, credit: a.payable, asset: p.asset, amount: fee,
                                             code: "payment_reorged", reference: p.id))
        }
        transfers = transfers.filter { ($0.amount ?? 0) > 0 }
        if !transfers.isEmpty { try await deps.ledger.post(transfers, in: tx) }
        p.booked = 0
        p.networkReserve = nil
        p.platformFee = nil
        p.merchantAmount = nil
        p.confirmedAt = nil
    }
}

/// Runs the processor every `interval` until shutdown, or sooner when `wakeup` is signalled (a
/// watcher recorded deposits); signals `webhooks` after a pass that changed payments.
public struct PaymentProcessorService: Service {
    let processor: PaymentProcessor
    let interval: Duration
    let wakeup: Wakeup
    let webhooks: Wakeup
    let logger: Logger

    public init(processor: PaymentProcessor, interval: Duration = .seconds(2), wakeup: Wakeup = Wakeup(), webhooks: Wakeup = Wakeup(), logger: Logger) {
        self.processor = processor
        self.interval = interval
        self.wakeup = wakeup
        self.webhooks = webhooks
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await processor.runOnce() > 0 { webhooks.signal() }
                } catch {
                    logger.error("payment processing pass failed", metadata: ["error": "\(error)"])
                }
                try await wakeup.wait(upTo: interval)
            }
        }
    }
}
