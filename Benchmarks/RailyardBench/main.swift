import App
import Foundation
import Hummingbird
import Ledger
import Logging
import CSQLite3
import Storage

// Two measurements, each against a baseline taken in the same run:
//   ledger N   — ledger batch posting vs raw multi-row SQLite inserts of the same rows
//   crypto     — ecrecover and BIP-32 through RailyardCrypto vs raw libsecp256k1 calls; keccak-256 vs SHA-256
//   x402       — x402 exact verification (offline part) vs raw ecrecover of the same digest
//   read       — an indexed point read through Database.read vs a raw prepared sqlite3 statement
//   route BODY — /api/x402/verify through the whole router in process vs a bare Hummingbird router
//   hello PORT — a bare Hummingbird hello-world server (the HTTP ceiling that run.sh loads with wrk)
//   floor PORT — POST /ecrecover: the body collected, one raw ecrecover, a small answer (the floor of an
//                x402 verify over HTTP, loaded by run.sh with the same wrk script as the verify)
//   rawfloor PORT — the same floor on NIO alone (no Hummingbird): what the framework costs per request

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "ledger":
    let count = Int(arguments.dropFirst().first ?? "") ?? 20_000
    try await LedgerBenchmark(transfers: count).run()
case "crypto":
    try CryptoBenchmark().run()
case "x402":
    try X402Benchmark().run()
case "read":
    try await ReadBenchmark().run()
case "route":
    LoggingSystem.bootstrap { LineLogHandler(label: $0) }
    try await RouterBenchmark(bodyFile: String(arguments.dropFirst().first ?? "ours.json")).run()
case "hello":
    let port = Int(arguments.dropFirst().first ?? "") ?? 18181
    try await HelloServer(kind: .hello, port: port).run()
case "rawfloor":
    try await RawFloorServer(port: Int(arguments.dropFirst().first ?? "") ?? 18189).run()
case "floor":
    try await HelloServer(kind: .floor, port: Int(arguments.dropFirst().first ?? "") ?? 18183).run()
default:
    print("usage: RailyardBench ledger [TRANSFERS] | crypto | x402 | read | route BODYFILE | hello [PORT] | floor [PORT] | rawfloor [PORT]")
    exit(2)
}

struct LedgerBenchmark {
    let transfers: Int

    func run() async throws {
        var raw: [Double] = []
        var ledger: [Double] = []
        for round in 1...3 {
            raw.append(try rawInserts())
            ledger.append(try await ledgerBatch())
            print("round \(round): raw SQLite \(Int(raw.last!)) rows/s, ledger \(Int(ledger.last!)) transfers/s")
        }
        let rawMedian = raw.sorted()[1]
        let ledgerMedian = ledger.sorted()[1]
        print("raw SQLite inserts (baseline): \(Int(rawMedian)) rows/s (median of 3, \(transfers) rows in one transaction, WAL, synchronous=FULL)")
        print("ledger batch posting:          \(Int(ledgerMedian)) transfers/s (median of 3, batches of \(Ledger.maxBatchSize) in one transaction each)")
        print(String(format: "ratio ledger/raw:              %.3f", ledgerMedian / rawMedian))
    }

    func temporaryPath() -> String { NSTemporaryDirectory() + "railyard-bench-\(UUID().uuidString).sqlite" }

    func remove(_ path: String) { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }

    /// The same columns the ledger writes, inserted 200 rows per statement, one transaction, through
    /// the SQLite C API itself (one prepared statement, rebound per batch).
    func rawInserts() throws -> Double {
        let path = temporaryPath()
        defer { remove(path) }
        var handle: OpaquePointer?
        precondition(sqlite3_open(path, &handle) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        func exec(_ sql: String) { precondition(sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK, String(cString: sqlite3_errmsg(handle))) }
        exec("PRAGMA journal_mode=WAL")
        exec("PRAGMA synchronous=FULL")
        exec("""
            CREATE TABLE raw_transfers (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, debit_account_id TEXT NOT NULL,
                credit_account_id TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL, flags BIGINT NOT NULL, pending_id TEXT,
                timeout_at BIGINT, code TEXT NOT NULL, reference TEXT, created_at BIGINT NOT NULL, hash TEXT NOT NULL)
            """)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var statements: [Int: OpaquePointer] = [:]
        defer { for statement in statements.values { sqlite3_finalize(statement) } }
        let started = ContinuousClock.now
        exec("BEGIN IMMEDIATE")
        var index = 0
        while index < transfers {
            let n = min(200, transfers - index)
            if statements[n] == nil {
                let placeholders = Array(repeating: "(?,?,?,?,?,?,?,?,?,?,?,?)", count: n).joined(separator: ",")
                var statement: OpaquePointer?
                precondition(sqlite3_prepare_v2(handle, "INSERT INTO raw_transfers (id, debit_account_id, credit_account_id, asset, amount, flags, pending_id, timeout_at, code, reference, created_at, hash) VALUES \(placeholders)", -1, &statement, nil) == SQLITE_OK)
                statements[n] = statement
            }
            let statement = statements[n]!
            let hash = String(repeating: "f", count: 64)
            for row in 0..<n {
                let base = Int32(row * 12)
                sqlite3_bind_text(statement, base + 1, "t\(index + row)", -1, transient)
                for (offset, text) in [(2, "a"), (3, "b"), (4, "USD"), (5, "3")] { sqlite3_bind_text(statement, base + Int32(offset), text, -1, transient) }
                sqlite3_bind_int64(statement, base + 6, 0)
                sqlite3_bind_null(statement, base + 7)
                sqlite3_bind_null(statement, base + 8)
                sqlite3_bind_text(statement, base + 9, "bench", -1, transient)
                sqlite3_bind_null(statement, base + 10)
                sqlite3_bind_int64(statement, base + 11, 1_767_225_600_000)
                sqlite3_bind_text(statement, base + 12, hash, -1, transient)
            }
            precondition(sqlite3_step(statement) == SQLITE_DONE, String(cString: sqlite3_errmsg(handle)))
            sqlite3_reset(statement)
            index += n
        }
        exec("COMMIT")
        let seconds = (ContinuousClock.now - started).seconds
        return Double(transfers) / seconds
    }

    func ledgerBatch() async throws -> Double {
        let path = temporaryPath()
        defer { remove(path) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let db = try await Database.open(.sqlite(path: path), logger: logger)
        try await db.migrate(Ledger.migrations)
        let ledger = Ledger(clock: SystemClock())
        try await db.write { tx in
            try await ledger.createAccounts([AccountSpec(id: "a", asset: "USD", kind: "world"), AccountSpec(id: "b", asset: "USD", kind: "customer")], in: tx)
        }
        let requests = (0..<transfers).map { TransferRequest(id: "t\($0)", debit: "a", credit: "b", asset: "USD", amount: 3, code: "bench") }
        let started = ContinuousClock.now
        var index = 0
        while index < requests.count {
            let batch = Array(requests[index..<min(index + Ledger.maxBatchSize, requests.count)])
            let outcomes = try await db.write { tx in try await ledger.submit(batch, in: tx) }
            precondition(outcomes.allSatisfy { $0 == .created }, "benchmark transfers must all succeed")
            index += batch.count
        }
        let seconds = (ContinuousClock.now - started).seconds
        let report = try await ledger.verify(db)
        precondition(report.isHealthy && report.transfers == transfers, "ledger must verify after the benchmark")
        await db.close()
        return Double(transfers) / seconds
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
