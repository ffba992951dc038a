import CSQLite3
import Foundation
import Storage

/// An indexed point read (the API-key lookup every authenticated request makes) through
/// `Database.read` and SQLKit, vs the same query on a raw prepared sqlite3 statement.
struct ReadBenchmark {
    let iterations = 20_000

    func run() async throws {
        let path = NSTemporaryDirectory() + "railyard-read-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try await Database.open(.sqlite(path: path))
        try await db.write { tx in
            try await tx.sql.raw("CREATE TABLE keys (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, business_id TEXT NOT NULL, live INTEGER NOT NULL)").run()
            for index in 0..<1000 {
                try await tx.sql.raw("INSERT INTO keys VALUES (\(bind: "k\(index)"), \(bind: "h\(index)"), \(bind: "b\(index)"), 0)").run()
            }
        }

        var handle: OpaquePointer?
        precondition(sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        var statement: OpaquePointer?
        precondition(sqlite3_prepare_v2(handle, "SELECT id, business_id, live FROM keys WHERE key_hash = ?1", -1, &statement, nil) == SQLITE_OK)
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var rawFound = 0
        let rawStart = ContinuousClock.now
        for index in 0..<iterations {
            sqlite3_bind_text(statement, 1, "h\(index % 1000)", -1, transient)
            if sqlite3_step(statement) == SQLITE_ROW {
                _ = String(cString: sqlite3_column_text(statement, 0))
                _ = String(cString: sqlite3_column_text(statement, 1))
                _ = sqlite3_column_int64(statement, 2)
                rawFound += 1
            }
            sqlite3_reset(statement)
        }
        let raw = Double(iterations) / (ContinuousClock.now - rawStart).seconds

        var ourFound = 0
        let ourStart = ContinuousClock.now
        for index in 0..<iterations {
            let hash = "h\(index % 1000)"
            let row = try await db.read { try await $0.raw("SELECT id, business_id, live FROM keys WHERE key_hash = \(bind: hash)").first() }
            if let row {
                _ = try row.decode(column: "id", as: String.self)
                _ = try row.decode(column: "business_id", as: String.self)
                _ = try row.decode(column: "live", as: Int.self)
                ourFound += 1
            }
        }
        let ours = Double(iterations) / (ContinuousClock.now - ourStart).seconds
        precondition(rawFound == iterations && ourFound == iterations, "every lookup finds its row")
        await db.close()
        print("point read by an indexed key (\(iterations) reads):")
        print("  raw prepared sqlite3 statement (baseline): \(Int(raw))/s")
        print("  Database.read + SQLKit + row decode:       \(Int(ours))/s")
        print(String(format: "  ratio ours/raw: %.3f", ours / raw))
    }
}

