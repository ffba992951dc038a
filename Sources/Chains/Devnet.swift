import Crypto
import Foundation
import RailyardCrypto
import Money
import SQLKit
import Storage

/// A simulated chain kept in Railyard's own database, so `railyard serve` works with no node and a
/// restart keeps its state. Deterministic: block and transaction ids come from a seed and a counter.
/// It can pay any address, mine, reorganise and double-spend (cheat mode for demos and tests).
public struct DevnetChain: ChainAdapter, TransactionLookup {
    public let chain: String
    let db: Database
    let clock: any AppClock
    let seed: String

    public init(chain: String, db: Database, clock: any AppClock, seed: String = "railyard-devnet") {
        self.chain = chain.uppercased()
        self.db = db
        self.clock = clock
        self.seed = seed
    }

    public static let migrations: [Migration] = [
        Migration(id: "0400_devnet", [
            """
            CREATE TABLE devnet_blocks (
                chain TEXT NOT NULL, hash TEXT NOT NULL, height BIGINT NOT NULL, parent_hash TEXT NOT NULL,
                active BIGINT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (chain, hash)
            )
            """,
            "CREATE INDEX devnet_blocks_active ON devnet_blocks (chain, active, height)",
            """
            CREATE TABLE devnet_outputs (
                chain TEXT NOT NULL, txid TEXT NOT NULL, output_index BIGINT NOT NULL, address TEXT NOT NULL, asset TEXT NOT NULL,
                amount TEXT NOT NULL, status TEXT NOT NULL, block_hash TEXT, created_at BIGINT NOT NULL,
                PRIMARY KEY (chain, txid, output_index)
            )
            """,
            "CREATE INDEX devnet_outputs_address ON devnet_outputs (chain, address)",
            "CREATE TABLE devnet_counters (chain TEXT PRIMARY KEY, counter BIGINT NOT NULL)",
        ]),
        // Coins spent by transactions Railyard sends (DevnetSender).
        Migration(id: "0401_devnet_spends", ["ALTER TABLE devnet_outputs ADD COLUMN spent_by TEXT"]),
    ]

    // MARK: ChainAdapter

    public func tip() async throws -> ChainTip {
        try await db.write { tx in try await self.ensureGenesis(tx) }
    }

    /// A first scan looks at everything: cheap here (the watched addresses' own history only).
    public func height(atOrBefore unixTime: Int64) async throws -> Int64? { 0 }

    public func transfers(to addresses: Set<String>, fromHeight: Int64) async throws -> [ObservedTransfer] {
        guard !addresses.isEmpty else { return [] }
        let chain = self.chain
        return try await db.read { db in
            var found: [ObservedTransfer] = []
            for chunk in Array(addresses).sorted().chunked(500) {
                let rows = try await db.raw("""
                    SELECT o.txid, o.output_index, o.address, o.asset, o.amount FROM devnet_outputs o
                    LEFT JOIN devnet_blocks b ON b.chain = o.chain AND b.hash = o.block_hash
                    WHERE o.chain = \(bind: chain) AND o.address IN (\(binds: Array(chunk)))
                      AND (o.status = 'mempool' OR (o.status = 'included' AND b.active = 1 AND b.height >= \(bind: fromHeight)))
                    ORDER BY o.created_at, o.txid, o.output_index
                    """).all()
                for row in rows {
                    guard let amount = Int128(try row.decode(column: "amount", as: String.self)) else { throw ChainError.invalid("bad devnet amount") }
                    found.append(ObservedTransfer(txid: try row.decode(column: "txid", as: String.self),
                                                  outputIndex: try row.decode(column: "output_index", as: Int.self),
                                                  address: try row.decode(column: "address", as: String.self),
                                                  asset: try row.decode(column: "asset", as: String.self), amount: amount))
                }
            }
            return found
        }
    }

    public func status(txid: String, outputIndex: Int) async throws -> TransferStatus {
        let chain = self.chain
        return try await db.read { db in
            guard let row = try await db.raw("""
                SELECT o.status, b.height, b.hash, b.active FROM devnet_outputs o
                LEFT JOIN devnet_blocks b ON b.chain = o.chain AND b.hash = o.block_hash
                WHERE o.chain = \(bind: chain) AND o.txid = \(bind: txid) AND o.output_index = \(bind: outputIndex)
                """).first() else { return .notFound }
            switch try row.decode(column: "status", as: String.self) {
            case "mempool": return .mempool
            case "included":
                guard try row.decode(column: "active", as: Int?.self) == 1 else { return .mempool }
                return .included(height: try row.decode(column: "height", as: Int64.self), blockHash: try row.decode(column: "hash", as: String.self))
            default: return .notFound
            }
        }
    }

    public func payments(inTransaction txid: String) async throws -> TransactionPayments? {
        let chain = self.chain
        let outputs = try await db.read { db in
            try await db.raw("""
                SELECT txid, output_index, address, asset, amount FROM devnet_outputs WHERE chain = \(bind: chain) AND txid = \(bind: txid) ORDER BY output_index
                """).all().map { row in
                guard let amount = Int128(try row.decode(column: "amount", as: String.self)) else { throw ChainError.invalid("bad devnet amount") }
                return ObservedTransfer(txid: txid, outputIndex: try row.decode(column: "output_index", as: Int.self),
                                        address: try row.decode(column: "address", as: String.self), asset: try row.decode(column: "asset", as: String.self), amount: amount)
            }
        }
        guard let first = outputs.first else { return nil }
        return TransactionPayments(outputs: outputs, status: try await status(txid: txid, outputIndex: first.outputIndex))
    }

    // MARK: cheat mode

    /// Broadcasts a payment of `amount` (smallest unit of `asset`) to `address`; it sits in the
    /// mempool until mined. Returns the transaction id.
    public func pay(to address: String, asset: String, amount: Int128) async throws -> String {
        guard amount > 0 else { throw ChainError.invalid("amount must be positive") }
        guard let known = AssetRegistry.asset(asset), known.chain == chain else { throw ChainError.invalid("\(asset) is not an asset of \(chain)") }
        return try await db.write { tx in
            _ = try await self.ensureGenesis(tx)
            let txid = try await self.nextID(tx, kind: "tx")
            try await tx.sql.raw("""
                INSERT INTO devnet_outputs (chain, txid, output_index, address, asset, amount, status, block_hash, created_at)
                VALUES (\(bind: self.chain), \(bind: txid), 0, \(bind: address), \(bind: known.code), \(bind: String(amount)), 'mempool', NULL, \(bind: self.clock.nowMillis()))
                """).run()
            return txid
        }
    }

    /// Mines `count` blocks on the active tip; the first takes every mempool transaction.
    @discardableResult
    public func mine(_ count: Int = 1) async throws -> ChainTip {
        guard (1...10_000).contains(count) else { throw ChainError.invalid("blocks must be 1-10000") }
        return try await db.write { tx in try await self.mine(count, in: tx) }
    }

    /// Takes the top `depth` blocks off the active chain; their transactions return to the mempool.
    /// With `remine`, mines `depth + 1` replacement blocks (re-including them), so the new chain wins.
    @discardableResult
    public func reorg(depth: Int, remine: Bool = false) async throws -> ChainTip {
        try await db.write { tx in
            let tip = try await self.ensureGenesis(tx)
            guard depth >= 1, Int64(depth) <= tip.height else { throw ChainError.invalid("depth must be 1-\(tip.height)") }
            let orphaned = try await tx.sql.raw("""
                SELECT hash FROM devnet_blocks WHERE chain = \(bind: self.chain) AND active = 1 AND height > \(bind: tip.height - Int64(depth))
                """).all().map { try $0.decode(column: "hash", as: String.self) }
            try await tx.sql.raw("UPDATE devnet_blocks SET active = 0 WHERE chain = \(bind: self.chain) AND hash IN (\(binds: orphaned))").run()
            try await tx.sql.raw("""
                UPDATE devnet_outputs SET status = 'mempool', block_hash = NULL
                WHERE chain = \(bind: self.chain) AND status = 'included' AND block_hash IN (\(binds: orphaned))
                """).run()
            return remine ? try await self.mine(depth + 1, in: tx) : try await self.ensureGenesis(tx)
        }
    }

    /// Replaces an unconfirmed transaction with a conflicting one: it disappears for good.
    public func doubleSpend(txid: String) async throws {
        try await db.write { tx in
            let changed = try await tx.sql.raw("""
                UPDATE devnet_outputs SET status = 'conflicted' WHERE chain = \(bind: self.chain) AND txid = \(bind: txid) AND status = 'mempool' RETURNING txid
                """).all()
            guard !changed.isEmpty else { throw ChainError.invalid("only a transaction in the mempool can be double-spent (reorg it out first)") }
        }
    }

    // MARK: internals

    private func mine(_ count: Int, in tx: Transaction) async throws -> ChainTip {
        var tip = try await ensureGenesis(tx)
        for index in 0..<count {
            let hash = try await nextID(tx, kind: "block")
            let height = tip.height + 1
            try await tx.sql.raw("""
                INSERT INTO devnet_blocks (chain, hash, height, parent_hash, active, created_at)
                VALUES (\(bind: chain), \(bind: hash), \(bind: height), \(bind: tip.hash), 1, \(bind: clock.nowMillis()))
                """).run()
            if index == 0 {
                try await tx.sql.raw("UPDATE devnet_outputs SET status = 'included', block_hash = \(bind: hash) WHERE chain = \(bind: chain) AND status = 'mempool'").run()
            }
            tip = ChainTip(height: height, hash: hash)
        }
        return tip
    }

    private func ensureGenesis(_ tx: Transaction) async throws -> ChainTip {
        if let row = try await tx.sql.raw("""
            SELECT height, hash FROM devnet_blocks WHERE chain = \(bind: chain) AND active = 1 ORDER BY height DESC LIMIT 1
            """).first() {
            return ChainTip(height: try row.decode(column: "height", as: Int64.self), hash: try row.decode(column: "hash", as: String.self))
        }
        let hash = Self.digest("\(seed)|\(chain)|genesis")
        try await tx.sql.raw("""
            INSERT INTO devnet_blocks (chain, hash, height, parent_hash, active, created_at)
            VALUES (\(bind: chain), \(bind: hash), 0, '', 1, \(bind: clock.nowMillis())) ON CONFLICT (chain, hash) DO NOTHING
            """).run()
        return ChainTip(height: 0, hash: hash)
    }

    private func nextID(_ tx: Transaction, kind: String) async throws -> String {
        try await tx.sql.raw("INSERT INTO devnet_counters (chain, counter) VALUES (\(bind: chain), 0) ON CONFLICT (chain) DO NOTHING").run()
        guard let row = try await tx.sql.raw("UPDATE devnet_counters SET counter = counter + 1 WHERE chain = \(bind: chain) RETURNING counter").first() else {
            throw ChainError.invalid("devnet counter missing")
        }
        let counter = try row.decode(column: "counter", as: Int64.self)
        return Self.digest("\(seed)|\(chain)|\(kind)|\(counter)")
    }

    static func digest(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }
}


extension DevnetChain {
    /// The id the devnet gives the `counter`-th object of a chain (exposed so tests can pin determinism).
    public static func expectedID(seed: String, chain: String, kind: String, counter: Int64) -> String {
        digest("\(seed)|\(chain.uppercased())|\(kind)|\(counter)")
    }
}
