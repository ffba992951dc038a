import Crypto
import Foundation
import Money
import SQLKit
import Storage

/// The double-entry ledger. Every balance in Railyard changes only through `submit`, inside the
/// caller's database transaction, so a state change, its transfers and its outbox event commit
/// together or not at all.
///
/// All ledger writes serialise on one row (`ledger_head`), which also carries the tail of a hash
/// chain over every transfer: limits are checked against totals no other writer can change
/// mid-transaction, and an edited or deleted transfer is detectable by `verify`.
public struct Ledger: Sendable {
    public static let maxBatchSize = 10_000
    public let clock: any AppClock

    public init(clock: any AppClock) { self.clock = clock }

    // MARK: accounts

    /// Opens accounts that don't exist yet. An existing id with the same fields is left alone; with
    /// different fields it is an error.
    public func createAccounts(_ specs: [AccountSpec], in tx: Transaction) async throws {
        let now = clock.nowMillis()
        for spec in specs {
            guard AssetRegistry.ledgerAsset(spec.asset) != nil else { throw LedgerError.unknownAsset(spec.asset) }
            if let existing = try await LedgerStore.accounts([spec.id], in: tx, lock: false)[spec.id] {
                if existing.asset != spec.asset { throw LedgerError.accountExistsWithDifferentFields(id: spec.id, field: "asset") }
                if existing.kind != spec.kind { throw LedgerError.accountExistsWithDifferentFields(id: spec.id, field: "kind") }
                if existing.owner != spec.owner { throw LedgerError.accountExistsWithDifferentFields(id: spec.id, field: "owner") }
                if existing.flags != spec.flags { throw LedgerError.accountExistsWithDifferentFields(id: spec.id, field: "flags") }
                continue
            }
            try await tx.sql.raw("""
                INSERT INTO ledger_accounts (id, asset, kind, owner, flags, debits_pending, debits_posted, credits_pending, credits_posted, created_at)
                VALUES (\(bind: spec.id), \(bind: spec.asset.uppercased()), \(bind: spec.kind), \(bind: spec.owner), \(bind: spec.flags.rawValue), '0', '0', '0', '0', \(bind: now))
                ON CONFLICT (id) DO NOTHING
                """).run()
        }
    }

    public func account(_ id: String, in db: any SQLDatabase) async throws -> LedgerAccount? {
        try await LedgerStore.accounts([id], in: db)[id]
    }

    public func accounts(owner: String, in db: any SQLDatabase) async throws -> [LedgerAccount] {
        try await LedgerStore.accounts(owner: owner, in: db)
    }

    // MARK: transfers

    /// Applies `requests` in order and reports one outcome per request. Successful transfers are
    /// written; failed ones are not (a failure inside a linked chain fails the whole chain).
    public func submit(_ requests: [TransferRequest], in tx: Transaction) async throws -> [TransferOutcome] {
        guard requests.count <= Ledger.maxBatchSize else { throw LedgerError.batchTooLarge(requests.count) }
        if requests.isEmpty { return [] }
        let now = clock.nowMillis()
        var head = try await LedgerStore.lockHead(in: tx)

        let existing = try await LedgerStore.transfers(ids: requests.map(\.id), in: tx.sql)
        let pendingIDs = requests.compactMap { request -> String? in
            switch request.kind {
            case .postPending(let id), .voidPending(let id): return id
            default: return nil
            }
        }
        let pendings = try await LedgerStore.transfers(ids: pendingIDs, in: tx.sql)
        let resolutions = try await LedgerStore.resolutions(of: pendingIDs, in: tx.sql)
        var accountIDs = Set(requests.flatMap { [$0.debitAccountID, $0.creditAccountID] }.filter { !$0.isEmpty })
        for pending in pendings.values { accountIDs.insert(pending.debitAccountID); accountIDs.insert(pending.creditAccountID) }
        var state = BatchState(
            accounts: try await LedgerStore.accounts(Array(accountIDs), in: tx, lock: true),
            existing: existing, pendings: pendings, resolutions: resolutions, now: now
        )

        var outcomes: [TransferOutcome] = []
        outcomes.reserveCapacity(requests.count)
        var index = 0
        while index < requests.count {
            // A chain runs from `index` through the first request without `linked`.
            var end = index
            while end < requests.count - 1 && requests[end].linked { end += 1 }
            let chainOpen = requests[end].linked
            state.beginChain()
            var chainOutcomes: [TransferOutcome] = []
            var failedAt: Int?
            for i in index...end {
                let outcome = chainOpen && i == end ? .failed(.linkedEventChainOpen) : state.apply(requests[i])
                chainOutcomes.append(outcome)
                if case .failed = outcome, failedAt == nil { failedAt = i - index; if end > index { break } }
            }
            if let failedAt, end > index || chainOpen {
                state.rollbackChain()
                chainOutcomes = (index...end).enumerated().map { offset, _ in
                    offset == failedAt ? chainOutcomes[failedAt] : .failed(.linkedEventFailed)
                }
            }
            outcomes.append(contentsOf: chainOutcomes)
            index = end + 1
        }

        // Write: new transfers in order (extending the hash chain), then the touched accounts.
        var rows: [LedgerTransfer] = []
        rows.reserveCapacity(state.created.count)
        for draft in state.created {
            head.count += 1
            let hash = Ledger.chainHash(previous: head.lastHash, draft)
            head.lastHash = hash
            rows.append(LedgerTransfer(sequence: 0, id: draft.id, debitAccountID: draft.debitAccountID, creditAccountID: draft.creditAccountID,
                                       asset: draft.asset, amount: draft.amount, flags: draft.flags, pendingID: draft.pendingID,
                                       timeoutAt: draft.timeoutAt, code: draft.code, reference: draft.reference, createdAt: draft.createdAt, hash: hash))
        }
        if !rows.isEmpty {
            try await LedgerStore.insert(rows, in: tx.sql)
            try await LedgerStore.update(state.dirtyAccounts.compactMap { state.accounts[$0] }, in: tx.sql)
            try await LedgerStore.saveHead(head, in: tx.sql)
        }
        return outcomes
    }

    /// Applies `requests` all-or-nothing: throws on the first failure (the caller's transaction then
    /// rolls back). Transfers that already exist with identical fields are accepted.
    public func post(_ requests: [TransferRequest], in tx: Transaction) async throws {
        let outcomes = try await submit(requests, in: tx)
        for (request, outcome) in zip(requests, outcomes) {
            if case .failed(let error) = outcome, error != .linkedEventFailed {
                throw LedgerError.transferFailed(id: request.id, error)
            }
        }
        if let failed = zip(requests, outcomes).first(where: { if case .failed = $0.1 { return true } else { return false } }) {
            throw LedgerError.transferFailed(id: failed.0.id, .linkedEventFailed)
        }
    }

    /// Voids pending transfers whose timeout has passed. Returns how many it voided.
    public func expirePendingTransfers(in db: Database, limit: Int = 500) async throws -> Int {
        let now = clock.nowMillis()
        return try await db.write { tx in
            let due = try await LedgerStore.expiredPending(now: now, limit: limit, in: tx.sql)
            if due.isEmpty { return 0 }
            let voids = due.map { TransferRequest.void(id: "expire_\($0)", pendingID: $0, code: "expired") }
            let outcomes = try await self.submit(voids, in: tx)
            return outcomes.filter { $0 == .created }.count
        }
    }

    static func chainHash(previous: String, _ t: TransferDraft) -> String {
        let fields = [previous, t.id, t.debitAccountID, t.creditAccountID, t.asset, String(t.amount), String(t.flags.rawValue),
                      t.pendingID ?? "", t.timeoutAt.map { String($0) } ?? "", t.code, t.reference ?? "", String(t.createdAt)]
        let digest = SHA256.hash(data: Data(fields.joined(separator: "\u{1f}").utf8))
        return Array(digest).lowercaseHex
    }
}

/// A transfer decided on but not yet written.
struct TransferDraft: Sendable {
    let id: String
    let debitAccountID: String
    let creditAccountID: String
    let asset: String
    let amount: Int128
    let flags: LedgerTransfer.Flags
    let pendingID: String?
    let timeoutAt: Int64?
    let code: String
    let reference: String?
    let createdAt: Int64
}

struct LedgerHead: Sendable {
    var count: Int64
    var lastHash: String
}
