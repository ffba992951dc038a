import Storage
import Testing
import TestSupport

@Suite("Job queue and database")
struct JobQueueTests {
    @Test func leasesAreExclusiveAndExpiredLeasesArePickedUpAgain() async throws {
        try await TestDatabase.with(migrations: JobQueue.migrations) { db in
            let clock = ManualClock()
            let jobs = JobQueue(clock: clock)
            try await db.write { tx in
                for i in 0..<3 { try await jobs.enqueue(tx, id: "j\(i)", queue: "work", payload: "p\(i)") }
                try await jobs.enqueue(tx, id: "j0", queue: "work", payload: "duplicate is ignored")
                try await jobs.enqueue(tx, id: "later", queue: "work", payload: "x", runAt: clock.nowMillis() + 60_000)
            }
            let first = try await jobs.lease(db, queue: "work", owner: "node-a", limit: 10, leaseSeconds: 30)
            #expect(first.map(\.id) == ["j0", "j1", "j2"])
            #expect(first[0].payload == "p0")
            #expect(first.allSatisfy { $0.attempts == 1 })
            #expect(try await jobs.lease(db, queue: "work", owner: "node-b").isEmpty)

            #expect(try await jobs.complete(db, first[0]))
            clock.advance(seconds: 31)  // node-a died holding j1 and j2
            let second = try await jobs.lease(db, queue: "work", owner: "node-b", limit: 10, leaseSeconds: 30)
            #expect(second.map(\.id).sorted() == ["j1", "j2"])
            #expect(second.allSatisfy { $0.attempts == 2 })
            // The old owner can no longer complete what it lost.
            #expect(try await jobs.complete(db, first[1]) == false)
            #expect(try await jobs.complete(db, second[0]))

            #expect(try await jobs.fail(db, second[1], error: "boom", retryAt: clock.nowMillis() + 10_000) == "queued")
            #expect(try await jobs.lease(db, queue: "work", owner: "node-c").isEmpty)
            clock.advance(seconds: 50)
            let third = try await jobs.lease(db, queue: "work", owner: "node-c", limit: 10)
            #expect(Set(third.map(\.id)) == ["j2", "later"])
            let j2 = try #require(third.first { $0.id == "j2" })
            #expect(try await jobs.fail(db, j2, error: "gave up", retryAt: nil) == "dead")
        }
    }

    @Test func concurrentWorkersNeverLeaseTheSameJob() async throws {
        try await TestDatabase.with(migrations: JobQueue.migrations) { db in
            let jobs = JobQueue(clock: ManualClock())
            try await db.write { tx in
                for i in 0..<60 { try await jobs.enqueue(tx, id: "j\(i)", queue: "work", payload: "") }
            }
            let leased = try await withThrowingTaskGroup(of: [Job].self) { group in
                for worker in 0..<6 {
                    group.addTask { try await jobs.lease(db, queue: "work", owner: "w\(worker)", limit: 15) }
                }
                return try await group.reduce(into: [Job]()) { $0 += $1 }
            }
            #expect(leased.count == 60)
            #expect(Set(leased.map(\.id)).count == 60)
        }
    }

    @Test func transactionsRollBackAndSavepointsUndoOnlyTheirPart() async throws {
        try await TestDatabase.with(migrations: JobQueue.migrations) { db in
            let jobs = JobQueue(clock: ManualClock())
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await db.write { tx in
                    try await jobs.enqueue(tx, id: "rolled-back", queue: "q", payload: "")
                    throw Boom()
                }
            }
            try await db.write { tx in
                try await jobs.enqueue(tx, id: "kept", queue: "q", payload: "")
                _ = try? await tx.savepoint("inner") {
                    try await jobs.enqueue(tx, id: "undone", queue: "q", payload: "")
                    throw Boom()
                }
            }
            let ids = try await db.read { try await $0.raw("SELECT id FROM jobs ORDER BY id").all().map { try $0.decode(column: "id", as: String.self) } }
            #expect(ids == ["kept"])
            // A failed statement whose error is swallowed must not let the transaction "commit".
            await #expect(throws: (any Error).self) {
                try await db.write { tx in
                    try await jobs.enqueue(tx, id: "after-swallowed-error", queue: "q", payload: "")
                    try? await tx.sql.raw("SELECT * FROM no_such_table").run()
                    if tx.engine == .sqlite { throw Boom() }  // SQLite keeps going after a failed statement; PostgreSQL must refuse
                }
            }
            let after = try await db.read { try await $0.raw("SELECT id FROM jobs ORDER BY id").all().map { try $0.decode(column: "id", as: String.self) } }
            #expect(after == ["kept"])
            // Migrations are recorded and applied once.
            #expect(try await db.migrate(JobQueue.migrations).isEmpty)
            #expect(try await db.appliedMigrations() == ["0001_jobs"])
        }
    }

    @Test func databaseURLParsingAndMasking() throws {
        #expect(try DatabaseLocation.from(databaseURL: nil, dataDirectory: "/srv/data") == .sqlite(path: "/srv/data/railyard.sqlite"))
        #expect(try DatabaseLocation.from(databaseURL: "sqlite:///tmp/x.db", dataDirectory: "d") == .sqlite(path: "/tmp/x.db"))
        let pg = try DatabaseLocation.from(databaseURL: "postgres://app:s3cret@db:5432/pay", dataDirectory: "d")
        #expect(pg == .postgres(url: "postgres://app:s3cret@db:5432/pay"))
        #expect(!pg.description.contains("s3cret"))
        #expect(throws: StorageError.self) { try DatabaseLocation.from(databaseURL: "mysql://x", dataDirectory: "d") }
    }
}
