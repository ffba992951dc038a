import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import Synchronization

/// Which engine a `Database` runs on. Queries are written once against `SQLDatabase`; the few
/// dialect differences (row locks, identity columns, triggers) are switched on this.
public enum DatabaseEngine: String, Sendable { case sqlite, postgres }

/// Where the data lives: an embedded SQLite file (the default) or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// Reads `DATABASE_URL` when set (postgres:// or postgresql://, or sqlite:///path), else an
    /// embedded file `railyard.sqlite` in `dataDirectory`.
    public static func from(databaseURL: String?, dataDirectory: String) throws -> DatabaseLocation {
        guard let url = databaseURL, !url.isEmpty else {
            return .sqlite(path: (dataDirectory as NSString).appendingPathComponent("railyard.sqlite"))
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
        if url.hasPrefix("sqlite://") { return .sqlite(path: String(url.dropFirst("sqlite://".count))) }
        throw StorageError.configuration("DATABASE_URL must start with postgres://, postgresql:// or sqlite:// (got '\(DatabaseLocation.mask(url))')")
    }

    /// The location with any password replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite://\(path)"
        case .postgres(let url): return DatabaseLocation.mask(url)
        }
    }

    static func mask(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "***"
    }
}

public enum StorageError: Error, Sendable, CustomStringConvertible {
    case configuration(String)
    case migration(String)
    case integrity(String)

    public var description: String {
        switch self {
        case .configuration(let m): return "database configuration: \(m)"
        case .migration(let m): return "migration failed: \(m)"
        case .integrity(let m): return "integrity: \(m)"
        }
    }
}

/// A database handle shared by the whole process.
///
/// Writes go through `write`, one transaction per call. On SQLite every write transaction is
/// serialised through one writer connection (SQLite allows one writer anyway; queueing in-process
/// avoids busy-retry storms). On PostgreSQL each write runs on a pooled connection in its own
/// transaction; code that needs mutual exclusion takes row locks with `Transaction.lockClause`.
public final class Database: Sendable {
    public let engine: DatabaseEngine
    public let location: DatabaseLocation
    private let backend: Backend
    let logger: Logger

    private enum Backend: Sendable {
        case sqlite(writer: SQLiteLink, readers: SQLiteReaders, lock: AsyncLock)
        case postgres(client: PostgresClient, runner: Task<Void, Never>)
    }

    public static func open(_ location: DatabaseLocation, logger: Logger = Logger(label: "railyard.db")) async throws -> Database {
        switch location {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let writer = try SQLiteLink(path: path)
            // WAL for concurrent readers; synchronous=FULL so a commit survives power loss.
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000"] {
                _ = try writer.run(pragma, [])
            }
            var readers: [SQLiteLink] = []
            for _ in 0..<4 {
                let reader = try SQLiteLink(path: path)
                _ = try reader.run("PRAGMA busy_timeout=10000", [])
                _ = try reader.run("PRAGMA foreign_keys=ON", [])
                readers.append(reader)
            }
            return Database(engine: .sqlite, location: location, backend: .sqlite(writer: writer, readers: SQLiteReaders(readers), lock: AsyncLock()), logger: logger)
        case .postgres(let url):
            let configuration = try Database.postgresConfiguration(url)
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let runner = Task { await client.run() }
            // Give the pool's run loop a moment to start before the first lease.
            try await Task.sleep(for: .milliseconds(20))
            let db = Database(engine: .postgres, location: location, backend: .postgres(client: client, runner: runner), logger: logger)
            // Fail fast with a clear error when the server is unreachable.
            _ = try await db.read { try await $0.raw("SELECT 1").all() }
            return db
        }
    }

    private init(engine: DatabaseEngine, location: DatabaseLocation, backend: Backend, logger: Logger) {
        self.engine = engine
        self.location = location
        self.backend = backend
        self.logger = logger
    }

    static func postgresConfiguration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let host = components.host, let user = components.user else {
            throw StorageError.configuration("DATABASE_URL '\(DatabaseLocation.mask(url))' needs at least a user and a host")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "disable" {
        case "disable": tls = .disable
        case "require", "verify-full", "verify-ca": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user,
            password: components.password, database: database.isEmpty ? nil : database, tls: tls
        )
        configuration.options.maximumConnections = Int(query["pool_max"] ?? "") ?? 20
        if let searchPath = query["search_path"], !searchPath.isEmpty {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        return configuration
    }

    /// Runs read-only work outside a transaction.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(_, let readers, _):
            return try await body(SQLiteSQLDatabase(target: .readers(readers), logger: logger))
        case .postgres(let client, _):
            return try await client.withConnection { try await body($0.sql()) }
        }
    }

    /// Runs `body` in one database transaction: committed if it returns, rolled back if it throws.
    public func write<T: Sendable>(_ body: @Sendable (Transaction) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let writer, _, let lock):
            return try await lock.withLock {
                try await Database.transaction(SQLiteSQLDatabase(target: .writer(writer), logger: logger), engine: .sqlite, begin: "BEGIN IMMEDIATE", body)
            }
        case .postgres(let client, _):
            return try await client.withConnection { connection in
                try await Database.transaction(connection.sql(), engine: .postgres, begin: "BEGIN", body)
            }
        }
    }

    private static func transaction<T: Sendable>(
        _ sql: any SQLDatabase, engine: DatabaseEngine, begin: String, _ body: @Sendable (Transaction) async throws -> T
    ) async throws -> T {
        try await sql.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(Transaction(sql: sql, engine: engine))
            if engine == .postgres {
                // PostgreSQL answers COMMIT on an aborted transaction with a silent ROLLBACK. If a
                // failed statement's error was swallowed somewhere, this probe throws instead.
                try await sql.raw("SELECT 1").run()
            }
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            do { try await sql.raw("ROLLBACK").run() } catch { /* the connection reports its own failure */ }
            throw error
        }
    }

    /// Closes every connection. The handle must not be used afterwards.
    public func close() async {
        switch backend {
        case .sqlite(let writer, let readers, _):
            for link in [writer] + readers.links { link.close() }
        case .postgres(_, let runner):
            runner.cancel()
            await runner.value
        }
    }
}

/// A database transaction in progress. All statements of one `Database.write` call go through it.
public struct Transaction: Sendable {
    public let sql: any SQLDatabase
    public let engine: DatabaseEngine

    /// ` FOR UPDATE` on PostgreSQL; empty on SQLite, whose writer lock already excludes other writers.
    public var lockClause: String { engine == .postgres ? " FOR UPDATE" : "" }
    /// ` FOR UPDATE SKIP LOCKED` on PostgreSQL, for job leasing by several nodes.
    public var skipLockedClause: String { engine == .postgres ? " FOR UPDATE SKIP LOCKED" : "" }

    /// Runs `body` inside a savepoint: if it throws, only its statements are undone.
    public func savepoint<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T {
        try await sql.raw("SAVEPOINT \(ident: name)").run()
        do {
            let value = try await body()
            try await sql.raw("RELEASE SAVEPOINT \(ident: name)").run()
            return value
        } catch {
            try await sql.raw("ROLLBACK TO SAVEPOINT \(ident: name)").run()
            try await sql.raw("RELEASE SAVEPOINT \(ident: name)").run()
            throw error
        }
    }
}

/// A FIFO async mutex: `withLock` bodies run one at a time, in arrival order.
final class AsyncLock: Sendable {
    private let state = Mutex(State())
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.locked { state.waiters.append(continuation); return false }
                state.locked = true
                return true
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty { state.locked = false; return nil }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
