import Foundation
import Hummingbird
import Ledger
import Logging
import SQLiteKit
import Storage

// Two measurements, each against a baseline taken in the same run:
//   ledger N   — ledger batch posting vs raw multi-row SQLite inserts of the same rows
//   crypto     — ecrecover and BIP-32 through RailyardCrypto vs raw libsecp256k1 calls; keccak-256 vs SHA-256
//   x402       — x402 exact verification (offline part) vs raw ecrecover of the same digest
//   hello PORT — a bare Hummingbird hello-world server (the HTTP ceiling that run.sh loads with wrk)

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "ledger":
    let count = Int(arguments.dropFirst().first ?? "") ?? 20_000
    try await LedgerBenchmark(transfers: count).run()
case "crypto":
    try CryptoBenchmark().run()
case "x402":
    try X402Benchmark().run()
case "hello":
    let port = Int(arguments.dropFirst().first ?? "") ?? 18181
    let router = Router()
    router.get("/hello") { _, _ in "Hello, world!" }
    var logger = Logger(label: "hello")
    logger.logLevel = .error
    try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger).runService()
default:
    print("usage: RailyardBench ledger [TRANSFERS] | crypto | x402 | hello [PORT]")
    exit(2)
}

struct LedgerBenchmark {
    let transfers: Int

    func run() async throws {
        var raw: [Double] = []
        var ledger: [Double] = []
        for round in 1...3 {
            raw.append(try await rawInserts())
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

    /// The same columns the ledger writes, inserted 200 rows per statement, one transaction.
    func rawInserts() async throws -> Double {
        let path = temporaryPath()
        defer { remove(path) }
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"] { _ = try await connection.query(pragma) }
        _ = try await connection.query("""
            CREATE TABLE raw_transfers (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, debit_account_id TEXT NOT NULL,
                credit_account_id TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL, flags BIGINT NOT NULL, pending_id TEXT,
                timeout_at BIGINT, code TEXT NOT NULL, reference TEXT, created_at BIGINT NOT NULL, hash TEXT NOT NULL)
            """)
        let started = ContinuousClock.now
        _ = try await connection.query("BEGIN IMMEDIATE")
        var index = 0
        while index < transfers {
            let n = min(200, transfers - index)
            let placeholders = Array(repeating: "(?,?,?,?,?,?,?,?,?,?,?,?)", count: n).joined(separator: ",")
            var binds: [SQLiteData] = []
            for i in index..<(index + n) {
                binds += [.text("t\(i)"), .text("a"), .text("b"), .text("USD"), .text("3"), .integer(0), .null, .null, .text("bench"), .null,
                          .integer(1_767_225_600_000), .text(String(repeating: "f", count: 64))]
            }
            _ = try await connection.query("INSERT INTO raw_transfers (id, debit_account_id, credit_account_id, asset, amount, flags, pending_id, timeout_at, code, reference, created_at, hash) VALUES \(placeholders)", binds)
            index += n
        }
        _ = try await connection.query("COMMIT")
        let seconds = (ContinuousClock.now - started).seconds
        try await connection.close()
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
