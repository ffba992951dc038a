import Foundation
import Logging
import Storage

/// A fresh, empty database for one test: a temporary SQLite file by default, or a new schema on the
/// PostgreSQL server named by `RAILYARD_TEST_DATABASE_URL` (the test script starts one).
public enum TestDatabase {
    public static var engineName: String { postgresURL == nil ? "sqlite" : "postgres" }

    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["RAILYARD_TEST_DATABASE_URL"]
        return (url?.isEmpty ?? true) ? nil : url
    }

    public static func make(migrations: [Migration] = []) async throws -> Database {
        let logger = Logger(label: "test.db")
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let db: Database
        if let base = postgresURL {
            let admin = try await Database.open(.postgres(url: base), logger: logger)
            try await admin.write { tx in try await tx.sql.raw("CREATE SCHEMA \(unsafeRaw: String(name))").run() }
            await admin.close()
            let separator = base.contains("?") ? "&" : "?"
            db = try await Database.open(.postgres(url: base + separator + "search_path=\(name)&pool_max=8"), logger: logger)
        } else {
            let path = NSTemporaryDirectory() + "railyard-test-\(name).sqlite"
            db = try await Database.open(.sqlite(path: path), logger: logger)
        }
        try await db.migrate(migrations)
        return db
    }

    /// Runs `body` with a fresh database and closes it afterwards.
    public static func with<T: Sendable>(migrations: [Migration], _ body: (Database) async throws -> T) async throws -> T {
        let db = try await make(migrations: migrations)
        do {
            let value = try await body(db)
            await db.close()
            cleanup(db)
            return value
        } catch {
            await db.close()
            cleanup(db)
            throw error
        }
    }

    static func cleanup(_ db: Database) {
        if case .sqlite(let path) = db.location {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }
}
