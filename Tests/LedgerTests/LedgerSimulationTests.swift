import Ledger
import Storage
import Testing
import TestSupport

/// A seeded random workload checked against a tiny reference model after every step (the
/// TigerBeetle auditor pattern). A failure prints its seed; the same seed replays the same run.
@Suite("Ledger simulation")
struct LedgerSimulationTests {
    struct Model {
        var balances: [String: (dP: Int128, cP: Int128, dp: Int128, cp: Int128)] = [:]
        var openPending: [String: (debit: String, credit: String, amount: Int128)] = [:]
    }

    @Test(arguments: [7, 42, 2026])
    func randomWorkloadKeepsInvariants(seed: UInt64) async throws {
        try await TestDatabase.with(migrations: Ledger.migrations) { db in
            let clock = ManualClock()
            let ledger = Ledger(clock: clock)
            let customers = ["c1", "c2", "c3", "c4"]
            try await db.write { tx in
                try await ledger.createAccounts([AccountSpec(id: "world", asset: "EUR", kind: "world")] + customers.map {
                    AccountSpec(id: $0, asset: "EUR", kind: "customer", flags: .debitsMustNotExceedCredits)
                }, in: tx)
            }
            var model = Model()
            for id in ["world"] + customers { model.balances[id] = (0, 0, 0, 0) }
            var rng = SplitMix64(seed: seed)
            var nextID = 0
            for step in 0..<120 {
                var batch: [TransferRequest] = []
                for _ in 0..<Int(rng.next() % 4 + 1) {
                    nextID += 1
                    let roll = rng.next() % 10
                    let from = roll < 3 ? "world" : customers[Int(rng.next() % 4)]
                    var to = customers[Int(rng.next() % 4)]
                    if to == from { to = "world" }
                    let amount = Int128(rng.next() % 50 + 1)
                    if roll == 9, let pendingID = model.openPending.keys.sorted().first {
                        batch.append(rng.next() % 2 == 0 ? .post(id: "r\(nextID)", pendingID: pendingID, amount: nil) : .void(id: "r\(nextID)", pendingID: pendingID))
                    } else if roll == 8 {
                        batch.append(TransferRequest(id: "t\(nextID)", debit: from, credit: to, asset: "EUR", amount: amount, kind: .pending(timeoutSeconds: nil), code: "hold"))
                    } else if roll == 7, nextID > 3 {
                        batch.append(TransferRequest(id: "t\(nextID - 2)", debit: from, credit: to, asset: "EUR", amount: amount, code: "retry"))  // a retry, usually with different fields
                    } else {
                        batch.append(TransferRequest(id: "t\(nextID)", debit: from, credit: to, asset: "EUR", amount: amount, linked: rng.next() % 5 == 0, code: "move"))
                    }
                }
                if batch.last?.linked == true { batch[batch.count - 1].linked = false }
                let requests = batch
                let outcomes = try await db.write { tx in try await ledger.submit(requests, in: tx) }
                // Replay successful effects on the model.
                for (request, outcome) in zip(batch, outcomes) where outcome == .created {
                    switch request.kind {
                    case .single:
                        model.balances[request.debitAccountID]!.dP += request.amount!
                        model.balances[request.creditAccountID]!.cP += request.amount!
                    case .pending:
                        model.balances[request.debitAccountID]!.dp += request.amount!
                        model.balances[request.creditAccountID]!.cp += request.amount!
                        model.openPending[request.id] = (request.debitAccountID, request.creditAccountID, request.amount!)
                    case .postPending(let id), .voidPending(let id):
                        let pending = model.openPending.removeValue(forKey: id)!
                        model.balances[pending.debit]!.dp -= pending.amount
                        model.balances[pending.credit]!.cp -= pending.amount
                        if case .postPending = request.kind {
                            model.balances[pending.debit]!.dP += pending.amount
                            model.balances[pending.credit]!.cP += pending.amount
                        }
                    }
                }
                let report = try await ledger.verify(db)
                #expect(report.isHealthy, "seed \(seed) step \(step): \(report.violations)")
                for (id, expected) in model.balances {
                    let account = try #require(try await db.read { try await ledger.account(id, in: $0) })
                    #expect(account.debitsPosted == expected.dP && account.creditsPosted == expected.cP
                            && account.debitsPending == expected.dp && account.creditsPending == expected.cp,
                            "seed \(seed) step \(step): \(id) differs from the model")
                    if id != "world" { #expect(account.debitsPosted + account.debitsPending <= account.creditsPosted, "seed \(seed): \(id) overdrawn") }
                }
                if !report.isHealthy { break }
            }
        }
    }
}
