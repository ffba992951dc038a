import Foundation
import Ledger
import Storage
import Testing
import TestSupport

/// Ledger behaviour on the engine selected by the test script (SQLite, or PostgreSQL when
/// RAILYARD_TEST_DATABASE_URL is set).
@Suite("Ledger")
struct LedgerTests {
    static let migrations = Ledger.migrations

    func setup(_ db: Database, clock: ManualClock = ManualClock()) async throws -> Ledger {
        let ledger = Ledger(clock: clock)
        try await db.write { tx in
            try await ledger.createAccounts([
                AccountSpec(id: "world", asset: "USD", kind: "world"),
                AccountSpec(id: "alice", asset: "USD", kind: "customer", owner: "u1", flags: .debitsMustNotExceedCredits),
                AccountSpec(id: "bob", asset: "USD", kind: "customer", owner: "u2", flags: .debitsMustNotExceedCredits),
                AccountSpec(id: "btc-world", asset: "BTC", kind: "world"),
            ], in: tx)
        }
        return ledger
    }

    func submit(_ ledger: Ledger, _ db: Database, _ requests: [TransferRequest]) async throws -> [TransferOutcome] {
        try await db.write { tx in try await ledger.submit(requests, in: tx) }
    }

    func account(_ ledger: Ledger, _ db: Database, _ id: String) async throws -> LedgerAccount {
        try #require(try await db.read { try await ledger.account(id, in: $0) })
    }

    @Test func singleTransferMovesMoneyAndRetriesAreIdempotent() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            let deposit = TransferRequest(id: "t1", debit: "world", credit: "alice", asset: "USD", amount: 10_000, code: "deposit", reference: "p1")
            #expect(try await submit(ledger, db, [deposit]) == [.created])
            #expect(try await submit(ledger, db, [deposit]) == [.exists])
            var changed = deposit
            changed.amount = 10_001
            #expect(try await submit(ledger, db, [changed]) == [.failed(.existsWithDifferentAmount)])
            changed = deposit
            changed.creditAccountID = "bob"
            #expect(try await submit(ledger, db, [changed]) == [.failed(.existsWithDifferentCreditAccount)])
            let alice = try await account(ledger, db, "alice")
            #expect(alice.creditsPosted == 10_000)
            #expect(alice.creditBalance == 10_000)
            #expect(try await account(ledger, db, "world").debitsPosted == 10_000)
            #expect(try await ledger.verify(db).isHealthy)
        }
    }

    @Test func rejectsInvalidTransfersInPrecedenceOrder() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            let cases: [(TransferRequest, TransferError)] = [
                (TransferRequest(id: "", debit: "world", credit: "alice", asset: "USD", amount: 1, code: "x"), .idMustNotBeEmpty),
                (TransferRequest(id: "a", debit: "world", credit: "alice", asset: "USD", amount: 0, code: "x"), .amountMustBePositive),
                (TransferRequest(id: "b", debit: "world", credit: "alice", asset: "USD", amount: -5, code: "x"), .amountMustBePositive),
                (TransferRequest(id: "c", debit: "alice", credit: "alice", asset: "USD", amount: 1, code: "x"), .accountsMustBeDifferent),
                (TransferRequest(id: "d", debit: "nobody", credit: "alice", asset: "USD", amount: 1, code: "x"), .debitAccountNotFound),
                (TransferRequest(id: "e", debit: "world", credit: "nobody", asset: "USD", amount: 1, code: "x"), .creditAccountNotFound),
                (TransferRequest(id: "f", debit: "btc-world", credit: "alice", asset: "USD", amount: 1, code: "x"), .assetMustMatchAccounts),
                (TransferRequest(id: "g", debit: "alice", credit: "bob", asset: "USD", amount: 1, code: "x"), .exceedsCredits),
                (TransferRequest(id: "h", debit: "world", credit: "alice", asset: "USD", amount: 1, code: ""), .codeMustNotBeEmpty),
            ]
            for (request, error) in cases {
                #expect(try await submit(ledger, db, [request]) == [.failed(error)], "\(request.id)")
            }
            let report = try await ledger.verify(db)
            #expect(report.transfers == 0)
            #expect(report.isHealthy)
        }
    }

    @Test func balanceLimitStopsOverdraft() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            _ = try await submit(ledger, db, [TransferRequest(id: "in", debit: "world", credit: "alice", asset: "USD", amount: 500, code: "deposit")])
            let spend = TransferRequest(id: "s1", debit: "alice", credit: "bob", asset: "USD", amount: 300, code: "pay")
            let overdraft = TransferRequest(id: "s2", debit: "alice", credit: "bob", asset: "USD", amount: 201, code: "pay")
            let exact = TransferRequest(id: "s3", debit: "alice", credit: "bob", asset: "USD", amount: 200, code: "pay")
            #expect(try await submit(ledger, db, [spend, overdraft, exact]) == [.created, .failed(.exceedsCredits), .created])
            #expect(try await account(ledger, db, "alice").creditBalance == 0)
            #expect(try await account(ledger, db, "bob").creditBalance == 500)
        }
    }

    @Test func twoPhaseTransfersPostPartiallyAndResolveOnce() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            _ = try await submit(ledger, db, [TransferRequest(id: "in", debit: "world", credit: "alice", asset: "USD", amount: 1_000, code: "deposit")])
            let hold = TransferRequest(id: "hold", debit: "alice", credit: "bob", asset: "USD", amount: 600, kind: .pending(timeoutSeconds: nil), code: "hold")
            #expect(try await submit(ledger, db, [hold]) == [.created])
            // The reservation counts against the limit.
            let tooMuch = TransferRequest(id: "x", debit: "alice", credit: "bob", asset: "USD", amount: 401, code: "pay")
            #expect(try await submit(ledger, db, [tooMuch]) == [.failed(.exceedsCredits)])
            var alice = try await account(ledger, db, "alice")
            #expect(alice.debitsPending == 600)
            #expect(alice.availableCreditBalance == 400)

            #expect(try await submit(ledger, db, [.post(id: "post", pendingID: "hold", amount: 700)]) == [.failed(.exceedsPendingTransferAmount)])
            #expect(try await submit(ledger, db, [.post(id: "post", pendingID: "hold", amount: 250)]) == [.created])
            #expect(try await submit(ledger, db, [.post(id: "post", pendingID: "hold", amount: 250)]) == [.exists])
            #expect(try await submit(ledger, db, [.post(id: "post2", pendingID: "hold")]) == [.failed(.pendingTransferAlreadyPosted)])
            #expect(try await submit(ledger, db, [.void(id: "void", pendingID: "hold")]) == [.failed(.pendingTransferAlreadyPosted)])
            #expect(try await submit(ledger, db, [.post(id: "p3", pendingID: "in")]) == [.failed(.pendingTransferNotPending)])
            #expect(try await submit(ledger, db, [.post(id: "p4", pendingID: "missing")]) == [.failed(.pendingTransferNotFound)])
            alice = try await account(ledger, db, "alice")
            #expect(alice.debitsPending == 0)
            #expect(alice.debitsPosted == 250)
            #expect(try await account(ledger, db, "bob").creditsPosted == 250)

            let hold2 = TransferRequest(id: "hold2", debit: "alice", credit: "bob", asset: "USD", amount: 100, kind: .pending(timeoutSeconds: nil), code: "hold")
            #expect(try await submit(ledger, db, [hold2, .void(id: "void2", pendingID: "hold2")]) == [.created, .created])
            #expect(try await submit(ledger, db, [.post(id: "post3", pendingID: "hold2")]) == [.failed(.pendingTransferAlreadyVoided)])
            #expect(try await account(ledger, db, "alice").creditBalance == 750)
            #expect(try await ledger.verify(db).isHealthy)
        }
    }

    @Test func expiredPendingTransfersAreVoidedAndCannotBePosted() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let ledger = try await setup(db, clock: clock)
            _ = try await submit(ledger, db, [
                TransferRequest(id: "in", debit: "world", credit: "alice", asset: "USD", amount: 100, code: "deposit"),
                TransferRequest(id: "hold", debit: "alice", credit: "bob", asset: "USD", amount: 80, kind: .pending(timeoutSeconds: 30), code: "hold"),
            ])
            #expect(try await ledger.expirePendingTransfers(in: db) == 0)
            clock.advance(seconds: 31)
            #expect(try await submit(ledger, db, [.post(id: "late", pendingID: "hold")]) == [.failed(.pendingTransferExpired)])
            // Not yet swept: verify reports it once the grace period has passed.
            #expect(try await ledger.verify(db, expiryGraceSeconds: 0).violations.map(\.invariant) == ["I7 pending lifecycle"])
            #expect(try await ledger.expirePendingTransfers(in: db) == 1)
            #expect(try await ledger.expirePendingTransfers(in: db) == 0)
            let alice = try await account(ledger, db, "alice")
            #expect(alice.debitsPending == 0)
            #expect(alice.creditBalance == 100)
            #expect(try await ledger.verify(db, expiryGraceSeconds: 0).isHealthy)
        }
    }

    @Test func linkedChainsCommitOrFailTogether() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            let chain = [
                TransferRequest(id: "l1", debit: "world", credit: "alice", asset: "USD", amount: 100, linked: true, code: "deposit"),
                TransferRequest(id: "l2", debit: "alice", credit: "bob", asset: "USD", amount: 150, linked: true, code: "pay"),
                TransferRequest(id: "l3", debit: "world", credit: "bob", asset: "USD", amount: 1, code: "tip"),
                TransferRequest(id: "solo", debit: "world", credit: "bob", asset: "USD", amount: 7, code: "tip"),
            ]
            #expect(try await submit(ledger, db, chain) == [.failed(.linkedEventFailed), .failed(.exceedsCredits), .failed(.linkedEventFailed), .created])
            #expect(try await account(ledger, db, "alice").creditsPosted == 0)
            #expect(try await account(ledger, db, "bob").creditsPosted == 7)

            let open = [TransferRequest(id: "o1", debit: "world", credit: "alice", asset: "USD", amount: 5, linked: true, code: "deposit")]
            #expect(try await submit(ledger, db, open) == [.failed(.linkedEventChainOpen)])

            var fixed = chain
            fixed[1].amount = 100
            #expect(try await submit(ledger, db, Array(fixed[0...2])) == [.created, .created, .created])
            #expect(try await account(ledger, db, "bob").creditsPosted == 108)
            await #expect(throws: LedgerError.self) {
                try await db.write { tx in
                    try await ledger.post([TransferRequest(id: "z", debit: "alice", credit: "bob", asset: "USD", amount: 1, code: "pay")], in: tx)
                }
            }
            #expect(try await ledger.verify(db).isHealthy)
        }
    }

    @Test func postsThousandsOfTransfersInOneTransaction() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            let batch = (0..<5_000).map { i in
                TransferRequest(id: "b\(i)", debit: i % 2 == 0 ? "world" : "alice", credit: i % 2 == 0 ? "alice" : "bob",
                                asset: "USD", amount: 3, code: "batch")
            }
            let outcomes = try await submit(ledger, db, batch)
            #expect(outcomes.allSatisfy { $0 == .created })
            #expect(try await account(ledger, db, "alice").creditBalance == 0)
            #expect(try await account(ledger, db, "bob").creditBalance == 7_500)
            let report = try await ledger.verify(db)
            #expect(report.transfers == 5_000)
            #expect(report.isHealthy)
        }
    }

    @Test func concurrentSpendsNeverOverdraw() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            _ = try await submit(ledger, db, [TransferRequest(id: "in", debit: "world", credit: "alice", asset: "USD", amount: 10, code: "deposit")])
            let outcomes = try await withThrowingTaskGroup(of: TransferOutcome.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        try await db.write { tx in
                            try await ledger.submit([TransferRequest(id: "spend\(i)", debit: "alice", credit: "bob", asset: "USD", amount: 1, code: "pay")], in: tx)[0]
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .created }.count == 10)
            #expect(outcomes.filter { $0 == .failed(.exceedsCredits) }.count == 30)
            #expect(try await account(ledger, db, "alice").creditBalance == 0)
            #expect(try await ledger.verify(db).isHealthy)
        }
    }

    @Test func racingPostAndVoidResolveAPendingTransferOnce() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            _ = try await submit(ledger, db, [TransferRequest(id: "in", debit: "world", credit: "alice", asset: "USD", amount: 100, code: "deposit")])
            for round in 0..<5 {
                _ = try await submit(ledger, db, [TransferRequest(id: "h\(round)", debit: "alice", credit: "bob", asset: "USD", amount: 10,
                                                                  kind: .pending(timeoutSeconds: nil), code: "hold")])
                let outcomes = try await withThrowingTaskGroup(of: TransferOutcome.self) { group in
                    for i in 0..<6 {
                        group.addTask {
                            let request: TransferRequest = i % 2 == 0 ? .post(id: "p\(round)-\(i)", pendingID: "h\(round)") : .void(id: "v\(round)-\(i)", pendingID: "h\(round)")
                            return try await db.write { tx in try await ledger.submit([request], in: tx)[0] }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == .created }.count == 1)
            }
            #expect(try await account(ledger, db, "alice").debitsPending == 0)
            #expect(try await ledger.verify(db).isHealthy)
        }
    }

    @Test func transfersAreImmutableAndTamperingIsDetected() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            _ = try await submit(ledger, db, [
                TransferRequest(id: "t1", debit: "world", credit: "alice", asset: "USD", amount: 100, code: "deposit"),
                TransferRequest(id: "t2", debit: "alice", credit: "bob", asset: "USD", amount: 40, code: "pay"),
            ])
            await #expect(throws: (any Error).self) {
                try await db.write { tx in try await tx.sql.raw("UPDATE ledger_transfers SET amount = '1' WHERE id = 't1'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await db.write { tx in try await tx.sql.raw("DELETE FROM ledger_transfers WHERE id = 't2'").run() }
            }
            #expect(try await ledger.verify(db).isHealthy)

            // An operator bypassing the guard is still caught by verify.
            try await db.write { tx in
                if tx.engine == .sqlite {
                    try await tx.sql.raw("DROP TRIGGER ledger_transfers_no_update").run()
                } else {
                    try await tx.sql.raw("ALTER TABLE ledger_transfers DISABLE TRIGGER ledger_transfers_no_change").run()
                }
                try await tx.sql.raw("UPDATE ledger_transfers SET amount = '1' WHERE id = 't2'").run()
                try await tx.sql.raw("UPDATE ledger_accounts SET credits_posted = '999' WHERE id = 'bob'").run()
            }
            let invariants = Set(try await ledger.verify(db).violations.map(\.invariant))
            #expect(invariants.contains("I5 immutability"))
            #expect(invariants.contains("I3 totals"))
            #expect(invariants.contains("I1 double entry"))
        }
    }

    @Test func accountCreationIsIdempotentButRejectsChangedFields() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let ledger = try await setup(db)
            try await db.write { tx in try await ledger.createAccounts([AccountSpec(id: "alice", asset: "USD", kind: "customer", owner: "u1", flags: .debitsMustNotExceedCredits)], in: tx) }
            await #expect(throws: LedgerError.accountExistsWithDifferentFields(id: "alice", field: "asset")) {
                try await db.write { tx in try await ledger.createAccounts([AccountSpec(id: "alice", asset: "EUR", kind: "customer", owner: "u1")], in: tx) }
            }
            await #expect(throws: LedgerError.unknownAsset("DOGE")) {
                try await db.write { tx in try await ledger.createAccounts([AccountSpec(id: "d", asset: "DOGE", kind: "x")], in: tx) }
            }
        }
    }
}
