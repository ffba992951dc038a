import Foundation
import Logging
import RailyardCrypto
import SQLKit
import ServiceLifecycle
import Storage

/// Where a send stands.
public struct SendRecord: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Accepted, not yet built.
        case queued
        /// Built and signed; the raw transaction is stored and will be (re)broadcast until it is mined.
        case signed
        /// Accepted by the node at least once.
        case broadcast
        /// In the active chain with the required confirmations.
        case confirmed
        /// Could not be built (insufficient funds, invalid request). Nothing was signed.
        case failed
        /// A fee bump of this send (or the original it bumped) was mined instead.
        case replaced
        /// Mined but failed (an EVM revert, e.g. an authorization already used): fee spent, nothing moved.
        case reverted
        /// Never mined and can no longer be (an expired Solana blockhash): nothing moved; queue a new send.
        case expired
    }

    public let id: String
    public let chain: String
    public let asset: String
    public let status: Status
    public let txid: String?
    public let raw: String?
    public let fee: Int128?
    public let nonce: Int64?
    public let replaces: String?
    public let replacedBy: String?
    public let broadcasts: Int
    public let lastError: String?
    public let confirmations: Int
    public let required: Int
    public let blockHeight: Int64?
    public let reference: String?
}

/// The sender: every outgoing transaction is a row and a job. The signed transaction is stored
/// before its first broadcast; a retry broadcasts the same bytes again, never a new transaction;
/// completion is tracked to the required confirmations; a fee bump is an explicit call that signs
/// a replacement spending the same inputs (UTXO) or the same nonce (EVM).
public struct ChainSender: Sendable {
    public static let queue = "chain-send"

    let db: Database
    let clock: any AppClock
    let vault: CustodyVault
    let builders: [String: any TransactionBuilder]
    let policy: ConfirmationPolicy
    let jobs: JobQueue
    let logger: Logger

    public init(db: Database, clock: any AppClock, vault: CustodyVault, builders: [any TransactionBuilder],
                policy: ConfirmationPolicy = ConfirmationPolicy(), logger: Logger = Logger(label: "railyard.sender")) {
        self.db = db
        self.clock = clock
        self.vault = vault
        self.builders = Dictionary(builders.map { ($0.chain, $0) }, uniquingKeysWith: { first, _ in first })
        self.policy = policy
        self.logger = logger
        self.jobs = JobQueue(clock: clock)
    }

    public static let migrations: [Migration] = [
        Migration(id: "0440_chain_sends", [
            """
            CREATE TABLE chain_sends (
                id TEXT PRIMARY KEY, chain TEXT NOT NULL, asset TEXT NOT NULL, request TEXT NOT NULL, status TEXT NOT NULL,
                txid TEXT, raw_tx TEXT, fee TEXT, nonce BIGINT, replaces TEXT, replaced_by TEXT, broadcasts BIGINT NOT NULL DEFAULT 0,
                last_error TEXT, confirmations BIGINT NOT NULL DEFAULT 0, required BIGINT NOT NULL, block_height BIGINT,
                reference TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX chain_sends_open ON chain_sends (status, chain)",
            "CREATE INDEX chain_sends_reference ON chain_sends (reference)",
            "CREATE UNIQUE INDEX chain_sends_txid ON chain_sends (chain, txid)",
            // UTXOs claimed by a send (so two sends never spend the same coin) and EVM nonces handed out.
            """
            CREATE TABLE chain_claimed_outputs (
                chain TEXT NOT NULL, txid TEXT NOT NULL, vout BIGINT NOT NULL, amount TEXT NOT NULL, address TEXT NOT NULL,
                send_id TEXT NOT NULL, PRIMARY KEY (chain, txid, vout)
            )
            """,
            "CREATE TABLE chain_nonces (chain TEXT NOT NULL, address TEXT NOT NULL, next_nonce BIGINT NOT NULL, PRIMARY KEY (chain, address))",
        ]),
    ]

    // MARK: requests

    /// Records `request` and queues its job, in the caller's transaction. The same id with the same
    /// request is a no-op; the same id with a different request is an error.
    public func enqueue(_ tx: Transaction, _ request: SendRequest) async throws {
        try request.validate()
        guard builders[request.chain] != nil else { throw ChainError.unsupported("no sender configured for \(request.chain)") }
        let json = String(decoding: try Self.encoder.encode(request), as: UTF8.self)
        let now = clock.nowMillis()
        if let existing = try await tx.sql.raw("SELECT request FROM chain_sends WHERE id = \(bind: request.id)").first() {
            guard try existing.decode(column: "request", as: String.self) == json else {
                throw ChainError.invalid("send \(request.id) already exists with a different request")
            }
            return
        }
        try await tx.sql.raw("""
            INSERT INTO chain_sends (id, chain, asset, request, status, required, reference, created_at, updated_at)
            VALUES (\(bind: request.id), \(bind: request.chain), \(bind: request.asset), \(bind: json), 'queued',
                    \(bind: policy.required(for: request.asset)), \(bind: request.reference), \(bind: now), \(bind: now))
            """).run()
        try await jobs.enqueue(tx, id: "send:\(request.id)", queue: Self.queue, payload: request.id, maxAttempts: 1_000)
    }

    /// Queues `request` in its own transaction.
    public func enqueue(_ request: SendRequest) async throws {
        try await db.write { tx in try await self.enqueue(tx, request) }
    }

    public func record(_ id: String) async throws -> SendRecord? {
        try await db.read { sql in try await Self.load(sql, id: id) }
    }

    public func records(reference: String) async throws -> [SendRecord] {
        try await db.read { sql in
            try await sql.raw("SELECT * FROM chain_sends WHERE reference = \(bind: reference) ORDER BY created_at, id").all().map(Self.decode)
        }
    }

    // MARK: processing

    /// Builds and stores a queued send, or (re)broadcasts a stored one. Throws on failures worth retrying.
    public func process(_ id: String) async throws {
        guard var record = try await record(id) else { throw ChainError.invalid("no send \(id)") }
        guard let builder = builders[record.chain] else { throw ChainError.unsupported("no sender configured for \(record.chain)") }
        if record.status == .queued {
            let request = try await request(id)
            do {
                let keys = try await signingKeys(for: request)
                _ = try await builder.build(request, context: BuildContext(sendID: id, keys: keys, replacing: nil, bump: nil), db: db) { tx, signed in
                    try await self.storeSigned(tx, id: id, signed)
                }
            } catch is AlreadySigned {
                // Another worker signed it first: carry on with its stored transaction.
            } catch {
                // A node or database that fails is retried; a request that cannot be built (funds, addresses,
                // amounts, keys) fails now, before anything is signed, instead of retrying forever.
                guard Self.isPermanent(error) else { throw error }
                try await markFailed(id, "\(error)")
                return
            }
            guard let stored = try await self.record(id) else { return }
            record = stored
        }
        guard [.signed, .broadcast].contains(record.status), let raw = record.raw, let txid = record.txid else { return }
        do {
            _ = try await builder.broadcast(raw)
        } catch {
            // The node may already have it (or have mined it): that is success, not a reason to build anew.
            let status = try? await builder.adapter.status(txid: txid, outputIndex: 0)
            if status == nil || status == .notFound {
                try await note(id, error: "\(error)")
                throw error
            }
        }
        try await db.write { tx in
            try await tx.sql.raw("""
                UPDATE chain_sends SET status = CASE WHEN status = 'signed' THEN 'broadcast' ELSE status END,
                    broadcasts = broadcasts + 1, last_error = NULL, updated_at = \(bind: self.clock.nowMillis())
                WHERE id = \(bind: id)
                """).run()
        }
    }

    /// Leases due send jobs and processes them; failed ones retry with backoff. Returns how many ran.
    @discardableResult
    public func runDue(owner: String, limit: Int = 20) async throws -> Int {
        let leased = try await jobs.lease(db, queue: Self.queue, owner: owner, limit: limit, leaseSeconds: 120)
        for job in leased {
            do {
                try await process(job.payload)
                _ = try await jobs.complete(db, job)
            } catch {
                let delay = Int64(min(300, 5 << min(job.attempts, 6))) * 1000
                logger.warning("send \(job.payload) failed, retrying", metadata: ["error": "\(error)"])
                _ = try await jobs.fail(db, job, error: "\(error)", retryAt: clock.nowMillis() + delay)
            }
        }
        return leased.count
    }

    /// Re-reads every unfinished send from its chain: counts confirmations on the active chain,
    /// marks confirmed ones, notices reorgs, and re-queues a broadcast the node has forgotten.
    @discardableResult
    public func track(only id: String? = nil) async throws -> [SendRecord] {
        let open = try await db.read { sql in
            if let id {
                return try await sql.raw("""
                    SELECT * FROM chain_sends WHERE id = \(bind: id) AND status IN ('signed', 'broadcast', 'confirmed') AND txid IS NOT NULL
                    """).all().map(Self.decode)
            }
            return try await sql.raw("SELECT * FROM chain_sends WHERE status IN ('signed', 'broadcast', 'confirmed') AND txid IS NOT NULL ORDER BY created_at")
                .all().map(Self.decode)
        }
        var tips: [String: ChainTip] = [:]
        var changed: [SendRecord] = []
        for record in open {
            guard let builder = builders[record.chain], let txid = record.txid else { continue }
            let tip: ChainTip
            if let known = tips[record.chain] { tip = known } else { tip = try await builder.adapter.tip(); tips[record.chain] = tip }
            // Confirmed sends are re-checked only near the tip, where a reorg can still undo them.
            if record.status == .confirmed, let height = record.blockHeight, tip.height - height > Int64(record.required) * 2 { continue }
            let status = try await builder.adapter.status(txid: txid, outputIndex: 0)
            let now = clock.nowMillis()
            var newStatus = record.status
            var confirmations = 0
            var height: Int64?
            switch status {
            case .included(let at, _):
                confirmations = Int(max(0, tip.height - at + 1))
                height = at
                newStatus = confirmations >= record.required ? .confirmed : .broadcast
            case .mempool:
                newStatus = record.status == .signed ? .signed : .broadcast
            case .notFound:
                // Dropped or never seen: broadcast the same bytes again, unless a replacement won.
                if record.status == .confirmed { newStatus = .broadcast }
                if try await builder.reverted(txid: txid) {
                    newStatus = .reverted
                } else if let raw = record.raw, try await builder.expired(SignedSend(raw: raw, txid: txid, fee: record.fee ?? 0, nonce: record.nonce)) {
                    newStatus = .expired
                } else if record.replacedBy == nil && record.replaces == nil {
                    try await db.write { tx in _ = try await self.jobs.requeue(tx, id: "send:\(record.id)", resetAttempts: false) }
                } else if !(try await siblingConfirmed(record)) {
                    try await db.write { tx in _ = try await self.jobs.requeue(tx, id: "send:\(record.id)", resetAttempts: false) }
                } else {
                    newStatus = .replaced
                }
            }
            guard newStatus != record.status || confirmations != record.confirmations || height != record.blockHeight else { continue }
            let (finalStatus, finalConfirmations, finalHeight) = (newStatus, confirmations, height)
            // Once mined for good, record what the transaction really paid (EVM pays less than it may).
            let paid = finalStatus == .confirmed && record.status != .confirmed ? try await builder.paidFee(txid: txid).map { String($0) } : nil
            try await db.write { tx in
                if let paid { try await tx.sql.raw("UPDATE chain_sends SET fee = \(bind: paid) WHERE id = \(bind: record.id)").run() }
                try await tx.sql.raw("""
                    UPDATE chain_sends SET status = \(bind: finalStatus.rawValue), confirmations = \(bind: finalConfirmations),
                        block_height = \(bind: finalHeight), updated_at = \(bind: now) WHERE id = \(bind: record.id)
                    """).run()
                if finalStatus == .confirmed {
                    // The other member of a replacement pair can no longer be mined.
                    try await tx.sql.raw("""
                        UPDATE chain_sends SET status = 'replaced', updated_at = \(bind: now)
                        WHERE id <> \(bind: record.id) AND status IN ('signed', 'broadcast')
                          AND (id = \(bind: record.replaces) OR id = \(bind: record.replacedBy) OR replaces = \(bind: record.id) OR replaced_by = \(bind: record.id))
                        """).run()
                }
            }
            if let updated = try await self.record(record.id) { changed.append(updated) }
        }
        return changed
    }

    /// Signs a replacement of an unconfirmed send with a higher fee (explicit: never automatic).
    /// The replacement spends the same inputs (UTXO chains, which must signal RBF, as ours do) or
    /// uses the same nonce (EVM), so at most one of the two can be mined. Returns the new send's id.
    public func bumpFee(_ id: String, _ bump: FeeBump) async throws -> String {
        guard let record = try await record(id), let txid = record.txid, let raw = record.raw else { throw ChainError.invalid("send \(id) has no signed transaction to replace") }
        guard [.signed, .broadcast].contains(record.status), record.replacedBy == nil else {
            throw ChainError.invalid("send \(id) is \(record.status.rawValue)\(record.replacedBy.map { ", already replaced by \($0)" } ?? ""); only the latest unconfirmed transaction can be bumped")
        }
        guard let builder = builders[record.chain] else { throw ChainError.unsupported("no sender configured for \(record.chain)") }
        var request = try await request(id)
        let newID = Self.bumpID(id)
        let keys = try await signingKeys(for: request)
        request.id = newID
        let replacing = SignedSend(raw: raw, txid: txid, fee: record.fee ?? 0, nonce: record.nonce)
        let json = String(decoding: try Self.encoder.encode(request), as: UTF8.self)
        _ = try await builder.build(request, context: BuildContext(sendID: newID, keys: keys, replacing: replacing, bump: bump), db: db) { tx, signed in
            let now = self.clock.nowMillis()
            let claimed = try await tx.sql.raw("""
                UPDATE chain_sends SET replaced_by = \(bind: newID), updated_at = \(bind: now) WHERE id = \(bind: id) AND replaced_by IS NULL RETURNING id
                """).all()
            guard !claimed.isEmpty else { throw ChainError.invalid("send \(id) was replaced concurrently") }
            try await tx.sql.raw("""
                INSERT INTO chain_sends (id, chain, asset, request, status, replaces, required, reference, created_at, updated_at)
                VALUES (\(bind: newID), \(bind: record.chain), \(bind: record.asset), \(bind: json), 'queued', \(bind: id),
                        \(bind: record.required), \(bind: record.reference), \(bind: now), \(bind: now))
                """).run()
            try await self.storeSigned(tx, id: newID, signed)
            try await self.jobs.enqueue(tx, id: "send:\(newID)", queue: Self.queue, payload: newID, maxAttempts: 1_000)
        }
        return newID
    }

    // MARK: internals

    static func isPermanent(_ error: any Error) -> Bool {
        switch error {
        case let chain as ChainError:
            if case .node = chain { return false }
            return true
        case is CustodyVault.Error, is AddressError, is BitcoinTransaction.Error, is EthereumTransaction.Error, is Solana.Error,
             is ABI.Error, is EIP712.Error, is Word256.Error, is DecodingError:
            return true
        default:
            return false
        }
    }

    static func bumpID(_ id: String) -> String {
        if let range = id.range(of: "~bump", options: .backwards), let n = Int(id[range.upperBound...]) {
            return id[..<range.lowerBound] + "~bump\(n + 1)"
        }
        return id + "~bump1"
    }

    func request(_ id: String) async throws -> SendRequest {
        guard let row = try await db.read({ sql in try await sql.raw("SELECT request FROM chain_sends WHERE id = \(bind: id)").first() }) else {
            throw ChainError.invalid("no send \(id)")
        }
        return try JSONDecoder().decode(SendRequest.self, from: Data(try row.decode(column: "request", as: String.self).utf8))
    }

    func signingKeys(for request: SendRequest) async throws -> [[UInt8]] {
        guard let chain = AddressChain(rawValue: request.chain) else { throw ChainError.unknownChain(request.chain) }
        var keys: [[UInt8]] = []
        for address in request.from { keys.append(try await vault.signingKey(db, chain: chain, address: address)) }
        return keys
    }

    func storeSigned(_ tx: Transaction, id: String, _ signed: SignedSend) async throws {
        let updated = try await tx.sql.raw("""
            UPDATE chain_sends SET status = 'signed', txid = \(bind: signed.txid), raw_tx = \(bind: signed.raw), fee = \(bind: String(signed.fee)),
                nonce = \(bind: signed.nonce), updated_at = \(bind: clock.nowMillis())
            WHERE id = \(bind: id) AND status = 'queued' RETURNING id
            """).all()
        guard !updated.isEmpty else { throw AlreadySigned() }
    }

    /// The send left `queued` while this worker was building it (another worker stored its transaction).
    struct AlreadySigned: Error {}

    func markFailed(_ id: String, _ reason: String) async throws {
        logger.error("send \(id) cannot be built", metadata: ["reason": "\(reason)"])
        try await db.write { tx in
            let failed = try await tx.sql.raw("""
                UPDATE chain_sends SET status = 'failed', last_error = \(bind: reason), updated_at = \(bind: self.clock.nowMillis())
                WHERE id = \(bind: id) AND status = 'queued' RETURNING id
                """).all()
            // Coins are released only when nothing was signed with them.
            guard !failed.isEmpty else { return }
            try await tx.sql.raw("DELETE FROM chain_claimed_outputs WHERE send_id = \(bind: id)").run()
        }
    }

    func note(_ id: String, error: String) async throws {
        try await db.write { tx in
            try await tx.sql.raw("UPDATE chain_sends SET last_error = \(bind: error), updated_at = \(bind: self.clock.nowMillis()) WHERE id = \(bind: id)").run()
        }
    }

    func siblingConfirmed(_ record: SendRecord) async throws -> Bool {
        try await db.read { sql in
            try await sql.raw("""
                SELECT 1 AS one FROM chain_sends WHERE status = 'confirmed'
                  AND (id = \(bind: record.replaces) OR id = \(bind: record.replacedBy) OR replaces = \(bind: record.id) OR replaced_by = \(bind: record.id))
                """).first() != nil
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static func load(_ sql: any SQLDatabase, id: String) async throws -> SendRecord? {
        try await sql.raw("SELECT * FROM chain_sends WHERE id = \(bind: id)").first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> SendRecord {
        let status = try row.decode(column: "status", as: String.self)
        guard let parsed = SendRecord.Status(rawValue: status) else { throw StorageError.integrity("unknown send status \(status)") }
        return SendRecord(
            id: try row.decode(column: "id", as: String.self), chain: try row.decode(column: "chain", as: String.self),
            asset: try row.decode(column: "asset", as: String.self), status: parsed,
            txid: try row.decode(column: "txid", as: String?.self), raw: try row.decode(column: "raw_tx", as: String?.self),
            fee: try row.decode(column: "fee", as: String?.self).flatMap { Int128($0) }, nonce: try row.decode(column: "nonce", as: Int64?.self),
            replaces: try row.decode(column: "replaces", as: String?.self), replacedBy: try row.decode(column: "replaced_by", as: String?.self),
            broadcasts: try row.decode(column: "broadcasts", as: Int.self), lastError: try row.decode(column: "last_error", as: String?.self),
            confirmations: try row.decode(column: "confirmations", as: Int.self), required: try row.decode(column: "required", as: Int.self),
            blockHeight: try row.decode(column: "block_height", as: Int64?.self), reference: try row.decode(column: "reference", as: String?.self))
    }
}

/// Runs the sender: due jobs and confirmation tracking, every `interval`.
public struct ChainSenderService: Service {
    let sender: ChainSender
    let owner: String
    let interval: Duration

    public init(sender: ChainSender, owner: String, interval: Duration = .seconds(5)) {
        self.sender = sender
        self.owner = owner
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await sender.runDue(owner: owner)
                try await sender.track()
            } catch {
                sender.logger.warning("sender pass failed", metadata: ["error": "\(error)"])
            }
            // A pass in progress finishes; the wait for the next one ends at a graceful shutdown.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
