import CSQLite3
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import Synchronization

/// One SQLite connection, called directly from the task that runs the query. SQLite answers an
/// indexed read in microseconds, so a hop to a thread pool and back (what a pooled driver does)
/// costs far more than the query; statements are prepared once and kept. Only COMMIT, which waits
/// for the disk, runs on the blocking-I/O pool. A lock keeps each connection to one query at a time.
final class SQLiteLink: Sendable {
    let path: String
    private let connection: Mutex<SQLiteConnectionState>

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteFailure(code: code, message: "open \(path): \(message)")
        }
        sqlite3_extended_result_codes(handle, 1)
        self.path = path
        self.connection = Mutex(SQLiteConnectionState(handle: handle))
    }

    /// Threads that wait for COMMITs' fsyncs.
    static let commitPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    /// Runs one statement and returns its rows.
    func run(_ sql: String, _ binds: [any Encodable & Sendable]) throws -> [SQLiteResultRow] {
        try connection.withLock { try $0.run(sql, binds) }
    }

    /// Runs one statement if no other query holds this connection; nil when it is busy.
    func runIfIdle(_ sql: String, _ binds: [any Encodable & Sendable]) throws -> [SQLiteResultRow]? {
        try connection.withLockIfAvailable { try $0.run(sql, binds) }
    }

    func close() {
        connection.withLock { $0.close() }
    }
}

/// Why SQLite refused a statement, with its (extended) result code.
public struct SQLiteFailure: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "SQLite error \(code): \(message)" }
}

/// A value read from a result column.
enum SQLiteValue: Sendable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

struct SQLiteConnectionState: ~Copyable {
    private var handle: OpaquePointer?
    /// Prepared statements by SQL text. Queries are written with binds, so the texts are few; a
    /// flood of distinct texts (generated IN lists) starts the cache over instead of growing it.
    private var statements: [String: OpaquePointer] = [:]
    private static let maxStatements = 256

    init(handle: OpaquePointer) { self.handle = handle }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        if let handle { sqlite3_close_v2(handle) }
    }

    mutating func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements = [:]
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    private func failure(_ code: Int32, _ context: String) -> SQLiteFailure {
        SQLiteFailure(code: code, message: "\(context): \(handle.map { String(cString: sqlite3_errmsg($0)) } ?? "connection closed")")
    }

    private mutating func statement(_ sql: String) throws -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        guard let handle else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "connection closed") }
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard code == SQLITE_OK else { throw failure(code, "prepare") }
        guard let prepared else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "no statement in: \(sql.prefix(80))") }
        if statements.count >= Self.maxStatements {
            for old in statements.values { sqlite3_finalize(old) }
            statements = [:]
        }
        statements[sql] = prepared
        return prepared
    }

    mutating func run(_ sql: String, _ binds: [any Encodable & Sendable]) throws -> [SQLiteResultRow] {
        let statement = try statement(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, value) in binds.enumerated() {
            let code = try Self.bind(value, at: Int32(offset + 1), to: statement)
            guard code == SQLITE_OK else { throw failure(code, "bind ?\(offset + 1)") }
        }
        var rows: [SQLiteResultRow] = []
        var count = 0
        var columns: [String] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw failure(code, "step") }
            if rows.isEmpty {
                // Read after the first step: a schema change re-prepares the statement inside it.
                count = Int(sqlite3_column_count(statement))
                columns.reserveCapacity(count)
                for index in 0..<count { columns.append(String(cString: sqlite3_column_name(statement, Int32(index)))) }
            }
            var values: [SQLiteValue] = []
            values.reserveCapacity(count)
            for index in 0..<Int32(count) { values.append(Self.column(index, of: statement)) }
            rows.append(SQLiteResultRow(columns: columns, values: values))
        }
        return rows
    }

    private static func column(_ index: Int32, of statement: OpaquePointer) -> SQLiteValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, index) else { return .text("") }
            let length = Int(sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite3_column_bytes(statement, index))
            guard length > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: length)))
        default: return .null
        }
    }

    /// SQLite's "copy the bytes now" destructor.
    private static var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

    /// The whole string, by its byte length (a length of -1 would stop at an embedded NUL).
    private static func bindText(_ text: String, at index: Int32, to statement: OpaquePointer) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, transient) }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text64(statement, index, $0, sqlite3_uint64(bytes.count), transient, UInt8(SQLITE_UTF8))
            }
        }
    }

    /// An empty blob stays an empty blob (a nil pointer would store NULL).
    private static func bindBlob(_ bytes: UnsafeRawBufferPointer, at index: Int32, to statement: OpaquePointer) -> Int32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_zeroblob(statement, index, 0) }
        return sqlite3_bind_blob64(statement, index, base, sqlite3_uint64(bytes.count), transient)
    }

    private static func bind(_ value: Any, at index: Int32, to statement: OpaquePointer) throws -> Int32 {
        // Concrete types first: a cast to a protocol is the slow kind (an optional holding a value
        // matches its wrapped type here anyway; only nil reaches the optional case).
        switch value {
        case let text as String: return bindText(text, at: index, to: statement)
        case let text as Substring: return bindText(String(text), at: index, to: statement)
        case let number as Int: return sqlite3_bind_int64(statement, index, Int64(number))
        case let number as Int64: return sqlite3_bind_int64(statement, index, number)
        case let number as Int32: return sqlite3_bind_int64(statement, index, Int64(number))
        case let number as UInt32: return sqlite3_bind_int64(statement, index, Int64(number))
        case let number as UInt64:
            guard let exact = Int64(exactly: number) else { throw SQLiteFailure(code: SQLITE_RANGE, message: "bind ?\(index): \(number) exceeds a 64-bit integer") }
            return sqlite3_bind_int64(statement, index, exact)
        case let number as UInt:
            guard let exact = Int64(exactly: number) else { throw SQLiteFailure(code: SQLITE_RANGE, message: "bind ?\(index): \(number) exceeds a 64-bit integer") }
            return sqlite3_bind_int64(statement, index, exact)
        case let flag as Bool: return sqlite3_bind_int64(statement, index, flag ? 1 : 0)
        case let number as Double: return sqlite3_bind_double(statement, index, number)
        case let bytes as [UInt8]: return bytes.withUnsafeBytes { bindBlob($0, at: index, to: statement) }
        case let data as Data: return data.withUnsafeBytes { bindBlob($0, at: index, to: statement) }
        case let optional as any OptionalBind:
            guard let wrapped = optional.wrappedBind else { return sqlite3_bind_null(statement, index) }
            return try bind(wrapped, at: index, to: statement)
        case let raw as any RawRepresentable: return try bind(raw.rawValue, at: index, to: statement)
        default:
            throw SQLiteFailure(code: SQLITE_MISMATCH, message: "bind ?\(index): cannot store a \(type(of: value))")
        }
    }
}

/// Lets `bind` see through an optional held as `Any`.
protocol OptionalBind {
    var wrappedBind: Any? { get }
}

extension Optional: OptionalBind {
    var wrappedBind: Any? { self.map { $0 as Any } }
}

/// A result row: column names shared by all rows of a statement, values by position.
struct SQLiteResultRow: SQLRow {
    let columns: [String]
    let values: [SQLiteValue]

    var allColumns: [String] { columns }

    func contains(column: String) -> Bool { columns.contains(column) }

    private func value(_ column: String) throws -> SQLiteValue {
        guard let index = columns.firstIndex(of: column) else {
            throw DecodingError.keyNotFound(SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "no column \(column) in \(columns)"))
        }
        return values[index]
    }

    func decodeNil(column: String) throws -> Bool {
        if case .null = try value(column) { return true }
        return false
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        let decoder = SQLiteValueDecoder(value: try value(column), column: column)
        // The column types nearly every query reads, without the Decoder machinery.
        if D.self == String.self { return try decoder.decode(String.self) as! D }
        if D.self == Int.self { return try decoder.decode(Int.self) as! D }
        if D.self == Int64.self { return try decoder.decode(Int64.self) as! D }
        if D.self == String?.self { return (decoder.decodeNil() ? nil : try decoder.decode(String.self)) as! D }
        if D.self == Int64?.self { return (decoder.decodeNil() ? nil : try decoder.decode(Int64.self)) as! D }
        return try decoder.decode(D.self)
    }
}

struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Decodes one column value into a Swift scalar, with SQLite's own conversions (an integer column
/// read as text, digits read as an integer); anything lossy is an error.
struct SQLiteValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: SQLiteValue
    let column: String
    var codingPath: [any CodingKey] { [SQLiteColumnKey(column)] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw mismatch(type, "a keyed container")
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self, "an unkeyed container") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    private func mismatch(_ type: Any.Type, _ what: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "column \(column) holds \(value), not \(what)"))
    }

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: String.Type) throws -> String {
        switch value {
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .null: throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "column \(column) is NULL"))
        }
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let exact: T?
        switch value {
        case .integer(let number): exact = T(exactly: number)
        case .text(let text): exact = T(text)
        case .real(let number): exact = T(exactly: number)
        case .null: throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "column \(column) is NULL"))
        case .blob: exact = nil
        }
        guard let exact else { throw mismatch(type, "a \(type)") }
        return exact
    }

    func decode(_ type: Bool.Type) throws -> Bool { try integer(Int64.self) != 0 }
    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .real(let number): return number
        case .integer(let number): return Double(number)
        case .text(let text): if let number = Double(text) { return number }
        default: break
        }
        throw mismatch(type, "a number")
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == [UInt8].self, case .blob(let bytes) = value { return bytes as! T }
        if type == Data.self, case .blob(let bytes) = value { return Data(bytes) as! T }
        return try T(from: self)
    }
}

/// Read-only connections: each statement takes the first idle one, starting from a rotating offset,
/// and waits for its own only when all are busy.
final class SQLiteReaders: Sendable {
    let links: [SQLiteLink]
    private let next = Atomic<Int>(0)

    init(_ links: [SQLiteLink]) {
        precondition(!links.isEmpty)
        self.links = links
    }

    func run(_ sql: String, _ binds: [any Encodable & Sendable]) throws -> [SQLiteResultRow] {
        let start = next.wrappingAdd(1, ordering: .relaxed).oldValue
        for offset in 0..<links.count {
            if let rows = try links[(start &+ offset) % links.count].runIfIdle(sql, binds) { return rows }
        }
        return try links[start % links.count].run(sql, binds)
    }
}

/// SQLKit's view of SQLite: the writer connection (inside a write transaction) or the readers.
struct SQLiteSQLDatabase: SQLDatabase {
    enum Target: Sendable {
        case writer(SQLiteLink)
        case readers(SQLiteReaders)
    }
    let target: Target
    let logger: Logger
    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteSQLDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let loop = eventLoop
        do {
            let (sql, binds) = serialize(query)
            for row in try run(sql, binds) { onRow(row) }
            return loop.makeSucceededVoidFuture()
        } catch {
            return loop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        let result: [SQLiteResultRow]
        if sql == "COMMIT", case .writer(let link) = target {
            // The one statement that waits for fsync: keep it off the request threads, on a pool of
            // its own (nothing else queues in front of it) and whole even if the caller is cancelled
            // (a cancelled COMMIT would silently roll back work the caller already did).
            result = try await SQLiteLink.commitPool.runIfActive(eventLoop: eventLoop) { try link.run(sql, []) }.get()
        } else {
            result = try run(sql, binds)
        }
        for row in result { onRow(row) }
    }

    private func run(_ sql: String, _ binds: [any Encodable & Sendable]) throws -> [SQLiteResultRow] {
        switch target {
        case .writer(let link): return try link.run(sql, binds)
        case .readers(let readers): return try readers.run(sql, binds)
        }
    }
}

/// SQLite's SQL dialect (the library is 3.40 or newer: UPSERT and RETURNING are available).
struct SQLiteSQLDialect: SQLDialect {
    var name: String { "sqlite" }
    var identifierQuote: any SQLExpression { SQLRaw("\"") }
    var literalStringQuote: any SQLExpression { SQLRaw("'") }
    func bindPlaceholder(at position: Int) -> any SQLExpression { SQLRaw("?\(position)") }
    func literalBoolean(_ value: Bool) -> any SQLExpression { SQLRaw(value ? "TRUE" : "FALSE") }
    var literalDefault: any SQLExpression { SQLLiteral.null }
    var supportsIfExists: Bool { true }
    var supportsDropBehavior: Bool { false }
    var supportsAutoIncrement: Bool { false }
    var autoIncrementClause: any SQLExpression { SQLRaw("AUTOINCREMENT") }
    var enumSyntax: SQLEnumSyntax { .unsupported }
    var triggerSyntax: SQLTriggerSyntax { .init(create: [.supportsBody, .supportsCondition, .supportsUpdateColumns], drop: []) }
    var alterTableSyntax: SQLAlterTableSyntax { .init(allowsBatch: false) }
    var upsertSyntax: SQLUpsertSyntax { .standard }
    var supportsReturning: Bool { true }
    var unionFeatures: SQLUnionFeatures { [.union, .unionAll, .intersect, .except] }
}
