import Foundation
import Logging
import Money
import SQLKit
import ServiceLifecycle
import Storage

/// A change in a deposit's standing, announced once: detected, confirmations, confirmed, reorged,
/// double_spent. Ids are derived from (chain, tx, output, kind, block) so a rescan never repeats one.
public struct DepositEvent: Sendable, Equatable {
    public let sequence: Int64
    public let id: String
    public let chain: String
    public let txid: String
    public let outputIndex: Int
    public let address: String
    public let asset: String
    public let amount: Int128
    public let reference: String?
    public let kind: String
    public let confirmations: Int
    public let createdAt: Int64
}

/// Which addresses the watchers look at, and the deposit events they produce.
public struct ChainWatchList: Sendable {
    public init() {}

    public static let migrations: [Migration] = [
        Migration(id: "0410_chain_watch", [
            """
            CREATE TABLE chain_addresses (
                chain TEXT NOT NULL, address TEXT NOT NULL, reference TEXT, created_at BIGINT NOT NULL,
                PRIMARY KEY (chain, address)
            )
            """,
            """
            CREATE TABLE chain_deposits (
                chain TEXT NOT NULL, txid TEXT NOT NULL, output_index BIGINT NOT NULL, address TEXT NOT NULL, asset TEXT NOT NULL,
                amount TEXT NOT NULL, reference TEXT, status TEXT NOT NULL, block_height BIGINT, block_hash TEXT,
                confirmations BIGINT NOT NULL, required BIGINT NOT NULL, reorgs BIGINT NOT NULL DEFAULT 0,
                first_seen_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (chain, txid, output_index)
            )
            """,
            "CREATE INDEX chain_deposits_open ON chain_deposits (chain, status, block_height)",
            """
            CREATE TABLE chain_events (
                seq {{ID_PK}}, id TEXT NOT NULL UNIQUE, chain TEXT NOT NULL, txid TEXT NOT NULL, output_index BIGINT NOT NULL,
                address TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL, reference TEXT, kind TEXT NOT NULL,
                confirmations BIGINT NOT NULL, created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE chain_watchers (
                chain TEXT PRIMARY KEY, owner TEXT NOT NULL, lease_until BIGINT NOT NULL, cursor_height BIGINT NOT NULL, updated_at BIGINT NOT NULL
            )
            """,
        ]),
        // Nodes that must be told which addresses to watch (a Bitcoin Core watch-only wallet) get each address once.
        Migration(id: "0411_chain_address_registration", [
            "ALTER TABLE chain_addresses ADD COLUMN registered BIGINT NOT NULL DEFAULT 0",
            "CREATE INDEX chain_addresses_unregistered ON chain_addresses (chain, registered)",
        ]),
    ]

    /// Starts watching `address` on `chain` (inside the caller's transaction). `reference` ties
    /// deposits back to the business object that handed the address out.
    public func watch(_ tx: Transaction, chain: String, address: String, reference: String?, now: Int64) async throws {
        try await tx.sql.raw("""
            INSERT INTO chain_addresses (chain, address, reference, created_at) VALUES (\(bind: chain.uppercased()), \(bind: address), \(bind: reference), \(bind: now))
            ON CONFLICT (chain, address) DO NOTHING
            """).run()
    }

    /// Events after `sequence`, oldest first.
    public func events(after sequence: Int64, limit: Int = 500, in db: any SQLDatabase) async throws -> [DepositEvent] {
        try await db.raw("""
            SELECT seq, id, chain, txid, output_index, address, asset, amount, reference, kind, confirmations, created_at
            FROM chain_events WHERE seq > \(bind: sequence) ORDER BY seq LIMIT \(literal: max(1, min(limit, 5000)))
            """).all().map { row in
                DepositEvent(sequence: try row.decode(column: "seq", as: Int64.self), id: try row.decode(column: "id", as: String.self),
                             chain: try row.decode(column: "chain", as: String.self), txid: try row.decode(column: "txid", as: String.self),
                             outputIndex: try row.decode(column: "output_index", as: Int.self), address: try row.decode(column: "address", as: String.self),
                             asset: try row.decode(column: "asset", as: String.self),
                             amount: Int128(try row.decode(column: "amount", as: String.self)) ?? 0,
                             reference: try row.decode(column: "reference", as: String?.self), kind: try row.decode(column: "kind", as: String.self),
                             confirmations: try row.decode(column: "confirmations", as: Int.self), createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
    }
}

/// Scans one chain for deposits to watched addresses and keeps their confirmation counts honest.
///
/// Only one node scans a chain at a time (a lease row in `chain_watchers`; another node takes over
/// when it expires). Each pass asks the node first, then records everything it learned — deposit
/// states, events, the new cursor — in one transaction, so a crash between passes neither loses nor
/// repeats anything. A node error aborts the pass; it is never read as "no deposits".
public struct DepositWatcher: Sendable {
    public let adapter: any ChainAdapter
    let db: Database
    let clock: any AppClock
    let policy: ConfirmationPolicy
    let owner: String
    let leaseSeconds: Int64
    /// Blocks below the cursor that every pass looks at again, so transactions that move between
    /// blocks during a reorg are found again.
    let rescanDepth: Int64

    public init(adapter: any ChainAdapter, db: Database, clock: any AppClock, policy: ConfirmationPolicy = .init(), owner: String,
                leaseSeconds: Int64 = 30, rescanDepth: Int64 = 100) {
        self.adapter = adapter
        self.db = db
        self.clock = clock
        self.policy = policy
        self.owner = owner
        self.leaseSeconds = leaseSeconds
        self.rescanDepth = rescanDepth
    }

    struct Tracked {
        var status: String
        var blockHeight: Int64?
        var blockHash: String?
        var confirmations: Int
        let required: Int
        /// How many times this deposit left the active chain; part of event ids, so a deposit that
        /// returns to the very same block is announced again.
        var reorgs: Int
        let address: String
        let asset: String
        let amount: Int128
        let reference: String?
    }

    public struct PassResult: Sendable, Equatable {
        public let leader: Bool
        public let events: Int
        public let tip: Int64?
        /// False while a backend that scans a bounded block range per pass is catching up.
        public var caughtUp = true
    }

    /// One scan. Returns whether this node held the lease and how many events it recorded.
    @discardableResult
    public func poll() async throws -> PassResult {
        let chain = adapter.chain
        guard let cursor = try await acquireLease() else { return PassResult(leader: false, events: 0, tip: nil) }
        let tip = try await adapter.tip()
        // The first pass ever starts where the oldest watched address was handed out (less ten minutes),
        // or near the tip: addresses handed out while the node was still unreachable are covered.
        var from = max(0, cursor - rescanDepth)
        if cursor < 0 {
            from = max(0, tip.height - rescanDepth)
            let earliest = try await db.read { sql in
                try await sql.raw("SELECT MIN(created_at) AS t FROM chain_addresses WHERE chain = \(bind: chain)").first()?.decode(column: "t", as: Int64?.self)
            }
            if let earliest, let start = try await adapter.height(atOrBefore: earliest / 1000 - 600) { from = min(from, start) }
        }
        // Later, new addresses were handed out after the previous pass fetched its tip (the cursor): a
        // few blocks of margin below it cover every block that can hold a payment to them.
        try await registerNewAddresses(fromHeight: cursor < 0 ? from : max(0, cursor - 6))
        let addresses = try await db.read { db in
            Set(try await db.raw("SELECT address FROM chain_addresses WHERE chain = \(bind: chain)").all().map { try $0.decode(column: "address", as: String.self) })
        }
        // A backend that scans a bounded range per pass (EVM) advances the cursor only as far as it looked.
        let through = adapter.maxScanBlocks.map { min(tip.height, from + $0 - 1) } ?? tip.height
        let caughtUp = through >= tip.height
        let found = try await adapter.transfers(to: addresses, fromHeight: from)
        var tracked = try await openDeposits(tipHeight: tip.height)
        let references = try await db.read { db in
            var map: [String: String] = [:]
            for row in try await db.raw("SELECT address, reference FROM chain_addresses WHERE chain = \(bind: chain) AND reference IS NOT NULL").all() {
                map[try row.decode(column: "address", as: String.self)] = try row.decode(column: "reference", as: String.self)
            }
            return map
        }
        var fresh: Set<String> = []
        for transfer in found where tracked[Self.key(transfer.txid, transfer.outputIndex)] == nil {
            let key = Self.key(transfer.txid, transfer.outputIndex)
            fresh.insert(key)
            tracked[key] = Tracked(status: "new", blockHeight: nil, blockHash: nil, confirmations: 0, required: policy.required(for: transfer.asset), reorgs: 0,
                                   address: transfer.address, asset: transfer.asset, amount: transfer.amount, reference: references[transfer.address])
        }
        var statuses: [String: TransferStatus] = [:]
        for key in tracked.keys.sorted() {
            let (txid, index) = Self.split(key)
            statuses[key] = try await adapter.status(txid: txid, outputIndex: index)
        }

        let now = clock.nowMillis()
        let observed = tracked
        let newKeys = fresh
        let current = statuses
        return try await db.write { tx in
            // Still the leader? Otherwise another node owns this chain now; record nothing.
            // `updated_at` means "looked at the chain up to its tip at this time": payment windows close
            // only after such a pass, so it does not move while catching up.
            guard try await tx.sql.raw("""
                UPDATE chain_watchers SET cursor_height = \(bind: through),
                    updated_at = \(unsafeRaw: caughtUp ? String(now) : "updated_at")
                WHERE chain = \(bind: chain) AND owner = \(bind: owner) AND lease_until > \(bind: now) RETURNING chain
                """).first() != nil else { return PassResult(leader: false, events: 0, tip: nil) }
            var events = 0
            for key in observed.keys.sorted() {
                guard var deposit = observed[key], let status = current[key] else { continue }
                let (txid, index) = Self.split(key)
                let previous = deposit
                var kinds: [(String, String)] = []  // (kind, id suffix)
                switch status {
                case .notFound:
                    if deposit.status == "new" { continue }  // seen and gone between calls: nothing to report
                    deposit.status = "double_spent"
                    deposit.confirmations = 0
                    kinds.append(("double_spent", "double_spent"))
                case .mempool:
                    if previous.blockHash != nil {
                        deposit.reorgs += 1
                        kinds.append(("reorged", "reorged:\(previous.blockHash!):g\(deposit.reorgs)"))
                        deposit.status = "reorged"
                    } else if deposit.status == "new" {
                        deposit.status = "seen"
                    }
                    deposit.blockHash = nil
                    deposit.blockHeight = nil
                    deposit.confirmations = 0
                case .included(let height, let hash):
                    if let lost = previous.blockHash, lost != hash {
                        deposit.reorgs += 1
                        kinds.append(("reorged", "reorged:\(lost):g\(deposit.reorgs)"))
                    }
                    deposit.blockHeight = height
                    deposit.blockHash = hash
                    deposit.confirmations = Int(max(0, tip.height - height + 1))
                    deposit.status = deposit.confirmations >= deposit.required ? "confirmed" : "seen"
                    if deposit.confirmations != previous.confirmations || hash != previous.blockHash {
                        kinds.append(("confirmations", "confirmations:\(deposit.confirmations):\(hash):g\(deposit.reorgs)"))
                    }
                    if deposit.status == "confirmed" && (previous.status != "confirmed" || previous.blockHash != hash) {
                        kinds.append(("confirmed", "confirmed:\(hash):g\(deposit.reorgs)"))
                    }
                }
                if newKeys.contains(key) { kinds.insert(("detected", "detected"), at: 0) }
                if newKeys.contains(key) {
                    try await tx.sql.raw("""
                        INSERT INTO chain_deposits (chain, txid, output_index, address, asset, amount, reference, status, block_height, block_hash,
                            confirmations, required, reorgs, first_seen_at, updated_at)
                        VALUES (\(bind: chain), \(bind: txid), \(bind: index), \(bind: deposit.address), \(bind: deposit.asset), \(bind: String(deposit.amount)),
                            \(bind: deposit.reference), \(bind: deposit.status), \(bind: deposit.blockHeight), \(bind: deposit.blockHash),
                            \(bind: deposit.confirmations), \(bind: deposit.required), \(bind: deposit.reorgs), \(bind: now), \(bind: now))
                        ON CONFLICT (chain, txid, output_index) DO NOTHING
                        """).run()
                } else if deposit.status != previous.status || deposit.confirmations != previous.confirmations || deposit.blockHash != previous.blockHash
                            || deposit.reorgs != previous.reorgs {
                    try await tx.sql.raw("""
                        UPDATE chain_deposits SET status = \(bind: deposit.status), block_height = \(bind: deposit.blockHeight), block_hash = \(bind: deposit.blockHash),
                            confirmations = \(bind: deposit.confirmations), reorgs = \(bind: deposit.reorgs), updated_at = \(bind: now)
                        WHERE chain = \(bind: chain) AND txid = \(bind: txid) AND output_index = \(bind: index)
                        """).run()
                }
                for (kind, suffix) in kinds {
                    let inserted = try await tx.sql.raw("""
                        INSERT INTO chain_events (id, chain, txid, output_index, address, asset, amount, reference, kind, confirmations, created_at)
                        VALUES (\(bind: "\(chain):\(txid):\(index):\(suffix)"), \(bind: chain), \(bind: txid), \(bind: index), \(bind: deposit.address),
                            \(bind: deposit.asset), \(bind: String(deposit.amount)), \(bind: deposit.reference), \(bind: kind), \(bind: deposit.confirmations), \(bind: now))
                        ON CONFLICT (id) DO NOTHING RETURNING id
                        """).first()
                    if inserted != nil { events += 1 }
                }
            }
            return PassResult(leader: true, events: events, tip: tip.height, caughtUp: caughtUp)
        }
    }

    /// Takes or renews the lease on this chain; returns the cursor height, or nil if another node holds it.
    /// Tells the node about addresses it has not been given yet (no-op for nodes that need no registration).
    func registerNewAddresses(fromHeight: Int64?) async throws {
        let chain = adapter.chain
        while true {
            let pending = try await db.read { db in
                try await db.raw("SELECT address FROM chain_addresses WHERE chain = \(bind: chain) AND registered = 0 ORDER BY created_at, address LIMIT 500")
                    .all().map { try $0.decode(column: "address", as: String.self) }
            }
            guard !pending.isEmpty else { return }
            try await adapter.register(addresses: pending, fromHeight: fromHeight)
            try await db.write { tx in
                try await tx.sql.raw("UPDATE chain_addresses SET registered = 1 WHERE chain = \(bind: chain) AND address IN (\(binds: pending))").run()
            }
        }
    }

    func acquireLease() async throws -> Int64? {
        let chain = adapter.chain
        let now = clock.nowMillis()
        let until = now + leaseSeconds * 1000
        return try await db.write { tx in
            try await tx.sql.raw("""
                INSERT INTO chain_watchers (chain, owner, lease_until, cursor_height, updated_at)
                VALUES (\(bind: chain), \(bind: owner), \(bind: until), -1, \(bind: now)) ON CONFLICT (chain) DO NOTHING
                """).run()
            return try await tx.sql.raw("""
                UPDATE chain_watchers SET owner = \(bind: owner), lease_until = \(bind: until)
                WHERE chain = \(bind: chain) AND (owner = \(bind: owner) OR lease_until <= \(bind: now)) RETURNING cursor_height
                """).first()?.decode(column: "cursor_height", as: Int64.self)
        }
    }

    /// Deposits whose standing can still change: unconfirmed ones, and confirmed ones near the tip.
    func openDeposits(tipHeight: Int64) async throws -> [String: Tracked] {
        let chain = adapter.chain
        return try await db.read { db in
            var result: [String: Tracked] = [:]
            for row in try await db.raw("""
                SELECT txid, output_index, address, asset, amount, reference, status, block_height, block_hash, confirmations, required, reorgs
                FROM chain_deposits WHERE chain = \(bind: chain)
                  AND (status IN ('seen', 'reorged') OR (status = 'confirmed' AND block_height > \(bind: tipHeight - 200)))
                """).all() {
                let key = Self.key(try row.decode(column: "txid", as: String.self), try row.decode(column: "output_index", as: Int.self))
                result[key] = Tracked(status: try row.decode(column: "status", as: String.self),
                                      blockHeight: try row.decode(column: "block_height", as: Int64?.self),
                                      blockHash: try row.decode(column: "block_hash", as: String?.self),
                                      confirmations: try row.decode(column: "confirmations", as: Int.self),
                                      required: try row.decode(column: "required", as: Int.self),
                                      reorgs: try row.decode(column: "reorgs", as: Int.self),
                                      address: try row.decode(column: "address", as: String.self), asset: try row.decode(column: "asset", as: String.self),
                                      amount: Int128(try row.decode(column: "amount", as: String.self)) ?? 0,
                                      reference: try row.decode(column: "reference", as: String?.self))
            }
            return result
        }
    }

    static func key(_ txid: String, _ index: Int) -> String { "\(txid)#\(index)" }
    static func split(_ key: String) -> (String, Int) {
        let parts = key.split(separator: "#")
        return (String(parts[0]), Int(parts[1]) ?? 0)
    }
}

/// Runs a watcher every `interval` until shutdown, or sooner when `wakeup` is signalled (a devnet
/// block was mined here); `onEvents` is called after a pass that recorded events.
public struct DepositWatcherService: Service {
    let watcher: DepositWatcher
    let interval: Duration
    let wakeup: Wakeup
    let onEvents: @Sendable () -> Void
    let logger: Logger

    public init(watcher: DepositWatcher, interval: Duration = .seconds(1), wakeup: Wakeup = Wakeup(), onEvents: @escaping @Sendable () -> Void = {},
                logger: Logger) {
        self.watcher = watcher
        self.interval = interval
        self.wakeup = wakeup
        self.onEvents = onEvents
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var waited = false
                do {
                    let pass = try await watcher.poll()
                    if pass.events > 0 { onEvents() }
                    if !pass.caughtUp { continue }  // behind the tip: scan the next range at once
                    // A node that can long-poll for the next block is waited on instead of slept on.
                    if let tip = pass.tip { waited = try await watcher.adapter.waitForBlock(above: tip, timeout: interval) }
                } catch {
                    logger.error("chain scan failed; will retry", metadata: ["chain": .string(watcher.adapter.chain), "error": .string(String(describing: error))])
                }
                if !waited { try await wakeup.wait(upTo: interval) }
            }
        }
    }
}
