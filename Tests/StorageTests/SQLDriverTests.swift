import Foundation
import SQLKit
import Storage
import Testing
import TestSupport

/// What every query relies on from the database layer, on both engines (SQLite runs through our own
/// driver over the C library: statements prepared once and kept, values bound and read exactly).
@Suite("SQL driver")
struct SQLDriverTests {
    static let table = Migration(id: "t1_values", ["CREATE TABLE vals (id TEXT PRIMARY KEY, big BIGINT, txt TEXT, maybe TEXT)"])

    @Test func valuesRoundTripExactly() async throws {
        try await TestDatabase.with(migrations: [Self.table]) { db in
            let texts = ["Zürich ✓ 💸", "'; DROP TABLE vals; --", "", String(repeating: "x", count: 10_000)]
            try await db.write { tx in
                try await tx.sql.raw("INSERT INTO vals (id, big, txt, maybe) VALUES ('max', \(bind: Int64.max), \(bind: texts[0]), \(bind: String?.none))").run()
                try await tx.sql.raw("INSERT INTO vals (id, big, txt, maybe) VALUES ('min', \(bind: Int64.min), \(bind: texts[1]), \(bind: Optional("kept")))").run()
                try await tx.sql.raw("INSERT INTO vals (id, big, txt, maybe) VALUES ('zero', \(bind: 0), \(bind: texts[2]), NULL)").run()
                try await tx.sql.raw("INSERT INTO vals (id, big, txt, maybe) VALUES ('long', \(bind: Int64(1_767_225_600_000)), \(bind: texts[3]), NULL)").run()
            }
            let rows = try await db.read { try await $0.raw("SELECT id, big, txt, maybe FROM vals ORDER BY big").all() }
            #expect(try rows.map { try $0.decode(column: "id", as: String.self) } == ["min", "zero", "long", "max"])
            #expect(try rows.map { try $0.decode(column: "big", as: Int64.self) } == [Int64.min, 0, 1_767_225_600_000, Int64.max])
            #expect(try rows.map { try $0.decode(column: "txt", as: String.self) } == [texts[1], texts[2], texts[3], texts[0]])
            #expect(try rows.map { try $0.decode(column: "maybe", as: String?.self) } == ["kept", nil, nil, nil])
            #expect(try rows[1].decodeNil(column: "maybe"))
            // NULL is not an empty string, and a missing column is an error, not a default.
            #expect(throws: (any Error).self) { try rows[1].decode(column: "maybe", as: String.self) }
            #expect(throws: (any Error).self) { try rows[1].decode(column: "absent", as: String.self) }
            // Aggregates decode as the integers they are.
            let count = try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM vals WHERE big >= \(bind: 0)").first() }
            #expect(try count?.decode(column: "n", as: Int.self) == 3)
        }
    }

    @Test func aFailedStatementUndoesTheWholeTransactionAndTheConnectionCarriesOn() async throws {
        try await TestDatabase.with(migrations: [Self.table]) { db in
            await #expect(throws: (any Error).self) {
                try await db.write { tx in
                    try await tx.sql.raw("INSERT INTO vals (id, big) VALUES ('a', 1)").run()
                    try await tx.sql.raw("INSERT INTO vals (id, big) VALUES ('a', 2)").run()
                }
            }
            #expect(try await db.read { try await $0.raw("SELECT id FROM vals").all() }.isEmpty)
            // The same statements again, now valid: the cached statements were reset after the failure.
            try await db.write { tx in try await tx.sql.raw("INSERT INTO vals (id, big) VALUES ('a', 1)").run() }
            let big = try await db.read { try await $0.raw("SELECT big FROM vals WHERE id = \(bind: "a")").first()?.decode(column: "big", as: Int64.self) }
            #expect(big == 1)
        }
    }

    @Test func aSchemaChangeIsSeenByStatementsPreparedBeforeIt() async throws {
        try await TestDatabase.with(migrations: [Self.table]) { db in
            try await db.write { tx in try await tx.sql.raw("INSERT INTO vals (id, big) VALUES ('a', 1)").run() }
            // Every reader prepares (and keeps) the statement.
            for _ in 0..<8 { _ = try await db.read { try await $0.raw("SELECT * FROM vals").all() } }
            try await db.write { tx in try await tx.sql.raw("ALTER TABLE vals ADD COLUMN extra TEXT").run() }
            for _ in 0..<8 {
                let row = try await db.read { try await $0.raw("SELECT * FROM vals").first() }
                #expect(row?.allColumns.contains("extra") == true)
            }
        }
    }

    /// Readers never see half of a transaction: every write adds a pair of rows, so any count a
    /// reader sees is even, while 4 writers and 8 readers run at once.
    @Test func readersSeeWholeTransactionsUnderConcurrency() async throws {
        try await TestDatabase.with(migrations: [Self.table]) { db in
            let counts = try await withThrowingTaskGroup(of: [Int].self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for step in 0..<25 {
                            try await db.write { tx in
                                for half in 0..<2 {
                                    try await tx.sql.raw("INSERT INTO vals (id, big) VALUES (\(bind: "w\(writer)-\(step)-\(half)"), \(bind: step))").run()
                                }
                            }
                        }
                        return []
                    }
                }
                for _ in 0..<8 {
                    group.addTask {
                        var seen: [Int] = []
                        for _ in 0..<40 {
                            let row = try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM vals").first() }
                            seen.append(try row?.decode(column: "n", as: Int.self) ?? -1)
                        }
                        return seen
                    }
                }
                return try await group.reduce(into: [Int]()) { $0 += $1 }
            }
            #expect(counts.count == 320 && counts.allSatisfy { $0 >= 0 && $0 % 2 == 0 })
            let total = try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM vals").first()?.decode(column: "n", as: Int.self) }
            #expect(total == 200)
        }
    }

    /// Work done by a task that is cancelled before its transaction commits is committed, not
    /// silently rolled back (shutdown cancels background loops in the middle of their writes).
    @Test func aTransactionOfACancelledTaskStillCommits() async throws {
        try await TestDatabase.with(migrations: [Self.table]) { db in
            guard db.engine == .sqlite else { return }
            let task = Task {
                try await db.write { tx in
                    withUnsafeCurrentTask { $0?.cancel() }
                    try await tx.sql.raw("INSERT INTO vals (id, big) VALUES ('cancelled', 1)").run()
                }
            }
            try await task.value
            let row = try await db.read { try await $0.raw("SELECT big FROM vals WHERE id = 'cancelled'").first() }
            #expect(try row?.decode(column: "big", as: Int.self) == 1)
        }
    }

    /// SQLite stores text by its length (an embedded NUL does not cut it) and an empty blob as an
    /// empty blob, not NULL.
    @Test func textWithANulAndAnEmptyBlobRoundTripOnSQLite() async throws {
        try await TestDatabase.with(migrations: [Self.table]) { db in
            guard db.engine == .sqlite else { return }
            try await db.write { tx in
                try await tx.sql.raw("INSERT INTO vals (id, txt) VALUES ('nul', \(bind: "a\u{0}b"))").run()
                try await tx.sql.raw("INSERT INTO vals (id, maybe) VALUES ('blob', \(bind: [UInt8]()))").run()
            }
            let text = try await db.read { try await $0.raw("SELECT txt, length(CAST(txt AS BLOB)) AS n FROM vals WHERE id = 'nul'").first() }
            #expect(try text?.decode(column: "txt", as: String.self) == "a\u{0}b")
            #expect(try text?.decode(column: "n", as: Int.self) == 3)
            let blob = try await db.read { try await $0.raw("SELECT maybe, typeof(maybe) AS kind FROM vals WHERE id = 'blob'").first() }
            #expect(try blob?.decode(column: "kind", as: String.self) == "blob")
            #expect(try blob?.decode(column: "maybe", as: [UInt8].self) == [])
        }
    }

    /// An unsigned value SQLite cannot hold is refused, never wrapped into a negative number.
    @Test func anUnsignedValueBeyondSixtyFourBitsIsRefusedOnSQLite() async throws {
        try await TestDatabase.with(migrations: [Self.table]) { db in
            guard db.engine == .sqlite else { return }
            await #expect(throws: (any Error).self) {
                try await db.write { tx in try await tx.sql.raw("INSERT INTO vals (id, big) VALUES ('u', \(bind: UInt64.max))").run() }
            }
            try await db.write { tx in try await tx.sql.raw("INSERT INTO vals (id, big) VALUES ('u', \(bind: UInt64(Int64.max)))").run() }
            let big = try await db.read { try await $0.raw("SELECT big FROM vals").first()?.decode(column: "big", as: UInt64.self) }
            #expect(big == UInt64(Int64.max))
        }
    }
}
