/// The life of a payment. Every change goes through ``transition(to:)``, which rejects moves the
/// graph below does not allow; the whole graph is tested.
///
/// Money in: `pending` → `detected` (seen, unconfirmed) → `confirming` (in a block, not deep
/// enough) → `confirmed` (or `overpaid` when more than asked arrived). Less than asked is
/// `underpaid` until more arrives or the window closes. A reorg or double spend moves a payment back
/// down. After the window, `expired`; money arriving then is `paid_late`, recorded and forwarded
/// like any other once confirmed. Money out: `forwarding` → `forwarded`, or `forwarding_failed` →
/// `retrying` → `forwarding`.
public enum PaymentStatus: String, Sendable, CaseIterable, Codable {
    case pending, detected, confirming, confirmed, overpaid, underpaid, expired
    case paidLate = "paid_late"
    case forwarding, forwarded
    case forwardingFailed = "forwarding_failed"
    case retrying

    /// Statuses a deposit update can produce, from what the chain says (no forwarding involved).
    static let incoming: Set<PaymentStatus> = [.pending, .detected, .confirming, .confirmed, .overpaid, .underpaid]

    /// Where each status may go next.
    public static let graph: [PaymentStatus: Set<PaymentStatus>] = [
        .pending: [.detected, .confirming, .confirmed, .overpaid, .underpaid, .expired],
        .detected: [.pending, .confirming, .confirmed, .overpaid, .underpaid],
        .confirming: [.pending, .detected, .confirmed, .overpaid, .underpaid],
        .underpaid: [.pending, .detected, .confirming, .confirmed, .overpaid, .forwarding],
        // Confirmed money can still be reorged out until forwarding starts.
        .confirmed: [.pending, .detected, .confirming, .underpaid, .overpaid, .forwarding],
        .overpaid: [.pending, .detected, .confirming, .underpaid, .confirmed, .forwarding],
        .expired: [.paidLate],
        // A late deposit that leaves the chain returns the payment to expired.
        .paidLate: [.expired, .confirmed, .overpaid, .underpaid],
        .forwarding: [.forwarded, .forwardingFailed],
        .forwardingFailed: [.retrying],
        .retrying: [.forwarding, .forwardingFailed],
        .forwarded: [],
    ]

    public func canTransition(to next: PaymentStatus) -> Bool {
        next == self || (Self.graph[self]?.contains(next) ?? false)
    }

    /// The next status, or an error naming the illegal move.
    public func transition(to next: PaymentStatus) throws(IllegalTransition) -> PaymentStatus {
        guard canTransition(to: next) else { throw IllegalTransition(from: self, to: next) }
        return next
    }

    /// Money is leaving (or has left) custody: deposits no longer change the payment.
    static let outgoing: Set<PaymentStatus> = [.forwarding, .forwarded, .forwardingFailed, .retrying]

    /// The shortest sequence of legal moves from here to `target` (empty when already there).
    public func route(to target: PaymentStatus) throws(IllegalTransition) -> [PaymentStatus] {
        if target == self { return [] }
        var previous: [PaymentStatus: PaymentStatus] = [self: self]
        var queue = [self]
        while !queue.isEmpty {
            let status = queue.removeFirst()
            for next in (Self.graph[status] ?? []).sorted(by: { $0.rawValue < $1.rawValue }) where previous[next] == nil {
                previous[next] = status
                if next == target {
                    var path = [target]
                    while let back = previous[path[0]], back != self { path.insert(back, at: 0) }
                    return path
                }
                queue.append(next)
            }
        }
        throw IllegalTransition(from: self, to: target)
    }

    /// Money has been confirmed and booked in the ledger (and not yet reversed).
    var holdsConfirmedFunds: Bool { [.confirmed, .overpaid, .forwarding, .forwarded, .forwardingFailed, .retrying].contains(self) }

    /// No further chain activity changes this payment's amounts.
    public var isFinal: Bool { self == .forwarded }
}

public struct IllegalTransition: Error, Sendable, Equatable, CustomStringConvertible {
    public let from: PaymentStatus
    public let to: PaymentStatus
    public var description: String { "a payment cannot go from \(from.rawValue) to \(to.rawValue)" }
}
