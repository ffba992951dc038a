import SQLKit
import Storage

/// One broken ledger invariant, named so an operator can find it.
public struct LedgerViolation: Sendable, Equatable, CustomStringConvertible {
    public let invariant: String
    public let detail: String
    public var description: String { "\(invariant): \(detail)" }
}

public struct LedgerReport: Sendable {
    public let accounts: Int
    public let transfers: Int
    public let assets: [String]
    public let violations: [LedgerViolation]
    public var isHealthy: Bool { violations.isEmpty }
}

extension Ledger {
    /// Recomputes every account from its transfers and checks the invariants (research/anchors.md):
    /// I1 per-asset debits = credits (pending and posted), I3 stored totals = recomputation,
    /// I4 limits hold, I5 no transfer edited or deleted (hash chain + head), I7 each pending transfer
    /// resolved at most once and none left past its timeout for longer than `expiryGraceSeconds`,
    /// I8 transfer asset = account assets, amounts positive.
    public func verify(_ db: Database, expiryGraceSeconds: Int64 = 300) async throws -> LedgerReport {
        try await db.write { tx in
            // A write transaction gives one consistent snapshot and keeps writers out while we read.
            let head = try await LedgerStore.lockHead(in: tx)
            var violations: [LedgerViolation] = []
            func fail(_ invariant: String, _ detail: String) {
                if violations.count < 1000 { violations.append(LedgerViolation(invariant: invariant, detail: detail)) }
            }

            let stored = try await tx.sql.raw("SELECT \(unsafeRaw: LedgerStore.accountColumns) FROM ledger_accounts").all().map(LedgerStore.account)
            var recomputed: [String: (dp: Int128, dP: Int128, cp: Int128, cP: Int128)] = [:]
            var assetOf: [String: String] = [:]
            for account in stored {
                recomputed[account.id] = (0, 0, 0, 0)
                assetOf[account.id] = account.asset
            }

            var pendingByID: [String: LedgerTransfer] = [:]
            var resolved: [String: String] = [:]
            var previousHash = "genesis"
            var count: Int64 = 0
            var lastSeq: Int64 = 0
            let now = clock.nowMillis()

            while true {
                let page = try await tx.sql.raw("""
                    SELECT \(unsafeRaw: LedgerStore.transferColumns) FROM ledger_transfers WHERE seq > \(bind: lastSeq) ORDER BY seq LIMIT 5000
                    """).all().map(LedgerStore.transfer)
                if page.isEmpty { break }
                for t in page {
                    lastSeq = t.sequence
                    count += 1
                    let draft = TransferDraft(id: t.id, debitAccountID: t.debitAccountID, creditAccountID: t.creditAccountID, asset: t.asset,
                                              amount: t.amount, flags: t.flags, pendingID: t.pendingID, timeoutAt: t.timeoutAt,
                                              code: t.code, reference: t.reference, createdAt: t.createdAt)
                    let expected = Ledger.chainHash(previous: previousHash, draft)
                    if expected != t.hash { fail("I5 immutability", "transfer \(t.id) (seq \(t.sequence)) does not match the hash chain: edited, inserted out of band, or a predecessor was deleted") }
                    previousHash = t.hash
                    if t.amount <= 0 && !t.flags.contains(.postPending) { fail("I8 amounts", "transfer \(t.id) has non-positive amount \(t.amount)") }
                    if assetOf[t.debitAccountID] != t.asset || assetOf[t.creditAccountID] != t.asset {
                        fail("I8 asset consistency", "transfer \(t.id) in \(t.asset) touches accounts of another asset")
                    }

                    if t.flags.contains(.pending) {
                        pendingByID[t.id] = t
                        recomputed[t.debitAccountID]?.dp += t.amount
                        recomputed[t.creditAccountID]?.cp += t.amount
                    } else if t.flags.contains(.postPending) || t.flags.contains(.voidPending) {
                        guard let pendingID = t.pendingID, let pending = pendingByID[pendingID] else {
                            fail("I7 pending lifecycle", "transfer \(t.id) resolves unknown or later pending transfer \(t.pendingID ?? "nil")")
                            continue
                        }
                        if let first = resolved[pendingID] {
                            fail("I7 pending lifecycle", "pending transfer \(pendingID) resolved twice (\(first), \(t.id))")
                            continue
                        }
                        resolved[pendingID] = t.id
                        if t.amount > pending.amount { fail("I7 pending lifecycle", "post \(t.id) exceeds its pending amount") }
                        let posted = t.flags.contains(.postPending) ? t.amount : 0
                        recomputed[pending.debitAccountID]?.dp -= pending.amount
                        recomputed[pending.debitAccountID]?.dP += posted
                        recomputed[pending.creditAccountID]?.cp -= pending.amount
                        recomputed[pending.creditAccountID]?.cP += posted
                    } else {
                        recomputed[t.debitAccountID]?.dP += t.amount
                        recomputed[t.creditAccountID]?.cP += t.amount
                    }
                }
            }

            if count != head.count { fail("I5 immutability", "ledger head records \(head.count) transfers but \(count) exist") }
            if count > 0 && previousHash != head.lastHash { fail("I5 immutability", "last transfer hash differs from the ledger head") }
            for (id, pending) in pendingByID where resolved[id] == nil {
                if let timeoutAt = pending.timeoutAt, timeoutAt + expiryGraceSeconds * 1000 < now {
                    fail("I7 pending lifecycle", "pending transfer \(id) timed out at \(timeoutAt) and is still unresolved")
                }
            }

            var totals: [String: (dp: Int128, dP: Int128, cp: Int128, cP: Int128)] = [:]
            for account in stored {
                guard let r = recomputed[account.id] else { continue }
                if r.dp != account.debitsPending || r.dP != account.debitsPosted || r.cp != account.creditsPending || r.cP != account.creditsPosted {
                    fail("I3 totals", "account \(account.id) stores dp=\(account.debitsPending) dP=\(account.debitsPosted) cp=\(account.creditsPending) cP=\(account.creditsPosted) but transfers give dp=\(r.dp) dP=\(r.dP) cp=\(r.cp) cP=\(r.cP)")
                }
                if account.flags.contains(.debitsMustNotExceedCredits) && r.dp + r.dP > r.cP {
                    fail("I4 limits", "account \(account.id) has debits \(r.dp + r.dP) above posted credits \(r.cP)")
                }
                if account.flags.contains(.creditsMustNotExceedDebits) && r.cp + r.cP > r.dP {
                    fail("I4 limits", "account \(account.id) has credits \(r.cp + r.cP) above posted debits \(r.dP)")
                }
                var t = totals[account.asset] ?? (0, 0, 0, 0)
                t.dp += account.debitsPending; t.dP += account.debitsPosted; t.cp += account.creditsPending; t.cP += account.creditsPosted
                totals[account.asset] = t
            }
            for (asset, t) in totals.sorted(by: { $0.key < $1.key }) {
                if t.dP != t.cP { fail("I1 double entry", "\(asset): posted debits \(t.dP) ≠ posted credits \(t.cP)") }
                if t.dp != t.cp { fail("I1 double entry", "\(asset): pending debits \(t.dp) ≠ pending credits \(t.cp)") }
            }
            return LedgerReport(accounts: stored.count, transfers: Int(count), assets: totals.keys.sorted(), violations: violations)
        }
    }
}
