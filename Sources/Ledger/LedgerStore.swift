import SQLKit
import Storage

/// The ledger's SQL. Amounts are stored as decimal text: exact on both engines and wide enough for
/// 128-bit values, which neither engine's native integer holds.
enum LedgerStore {
    static let migrations: [Migration] = [
        Migration(id: "0100_ledger", [
            """
            CREATE TABLE ledger_accounts (
                id TEXT PRIMARY KEY,
                asset TEXT NOT NULL,
                kind TEXT NOT NULL,
                owner TEXT,
                flags BIGINT NOT NULL,
                debits_pending TEXT NOT NULL,
                debits_posted TEXT NOT NULL,
                credits_pending TEXT NOT NULL,
                credits_posted TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX ledger_accounts_owner ON ledger_accounts (owner)",
            """
            CREATE TABLE ledger_transfers (
                seq {{ID_PK}},
                id TEXT NOT NULL UNIQUE,
                debit_account_id TEXT NOT NULL REFERENCES ledger_accounts (id),
                credit_account_id TEXT NOT NULL REFERENCES ledger_accounts (id),
                asset TEXT NOT NULL,
                amount TEXT NOT NULL,
                flags BIGINT NOT NULL,
                pending_id TEXT,
                timeout_at BIGINT,
                code TEXT NOT NULL,
                reference TEXT,
                created_at BIGINT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            // The database itself guarantees a pending transfer is resolved at most once.
            "CREATE UNIQUE INDEX ledger_transfers_resolution ON ledger_transfers (pending_id) WHERE pending_id IS NOT NULL",
            "CREATE INDEX ledger_transfers_timeout ON ledger_transfers (timeout_at) WHERE timeout_at IS NOT NULL",
            "CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id)",
            "CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id)",
            "CREATE INDEX ledger_transfers_reference ON ledger_transfers (reference)",
            "CREATE TABLE ledger_head (id BIGINT PRIMARY KEY, transfer_count BIGINT NOT NULL, last_hash TEXT NOT NULL)",
            "INSERT INTO ledger_head (id, transfer_count, last_hash) VALUES (1, 0, 'genesis')",
        ], sqliteOnly: [
            "CREATE TRIGGER ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers BEGIN SELECT RAISE(ABORT, 'ledger transfers are immutable'); END",
            "CREATE TRIGGER ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers BEGIN SELECT RAISE(ABORT, 'ledger transfers are immutable'); END",
        ], postgresOnly: [
            """
            CREATE FUNCTION ledger_transfers_immutable() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'ledger transfers are immutable'; END;
            $$ LANGUAGE plpgsql
            """,
            "CREATE TRIGGER ledger_transfers_no_change BEFORE UPDATE OR DELETE ON ledger_transfers FOR EACH ROW EXECUTE FUNCTION ledger_transfers_immutable()",
        ]),
    ]

    static let accountColumns = "id, asset, kind, owner, flags, debits_pending, debits_posted, credits_pending, credits_posted, created_at"
    static let transferColumns = "seq, id, debit_account_id, credit_account_id, asset, amount, flags, pending_id, timeout_at, code, reference, created_at, hash"

    static func lockHead(in tx: Transaction) async throws -> LedgerHead {
        guard let row = try await tx.sql.raw("SELECT transfer_count, last_hash FROM ledger_head WHERE id = 1\(unsafeRaw: tx.lockClause)").first() else {
            throw StorageError.integrity("ledger_head row is missing")
        }
        return LedgerHead(count: try row.decode(column: "transfer_count", as: Int64.self), lastHash: try row.decode(column: "last_hash", as: String.self))
    }

    static func saveHead(_ head: LedgerHead, in db: any SQLDatabase) async throws {
        try await db.raw("UPDATE ledger_head SET transfer_count = \(bind: head.count), last_hash = \(bind: head.lastHash) WHERE id = 1").run()
    }

    static func accounts(_ ids: [String], in tx: Transaction, lock: Bool) async throws -> [String: LedgerAccount] {
        try await accounts(ids, in: tx.sql, suffix: lock ? tx.lockClause : "")
    }

    static func accounts(_ ids: [String], in db: any SQLDatabase, suffix: String = "") async throws -> [String: LedgerAccount] {
        var result: [String: LedgerAccount] = [:]
        for chunk in ids.chunked(500) {
            let rows = try await db.raw("SELECT \(unsafeRaw: accountColumns) FROM ledger_accounts WHERE id IN (\(binds: Array(chunk)))\(unsafeRaw: suffix)").all()
            for row in rows {
                let account = try account(row)
                result[account.id] = account
            }
        }
        return result
    }

    static func accounts(owner: String, in db: any SQLDatabase) async throws -> [LedgerAccount] {
        try await db.raw("SELECT \(unsafeRaw: accountColumns) FROM ledger_accounts WHERE owner = \(bind: owner) ORDER BY id").all().map(account)
    }

    static func transfers(ids: [String], in db: any SQLDatabase) async throws -> [String: LedgerTransfer] {
        var result: [String: LedgerTransfer] = [:]
        for chunk in Array(Set(ids)).chunked(500) {
            let rows = try await db.raw("SELECT \(unsafeRaw: transferColumns) FROM ledger_transfers WHERE id IN (\(binds: Array(chunk)))").all()
            for row in rows {
                let transfer = try transfer(row)
                result[transfer.id] = transfer
            }
        }
        return result
    }

    /// How each of the given pending transfers was resolved, if it was.
    static func resolutions(of pendingIDs: [String], in db: any SQLDatabase) async throws -> [String: LedgerTransfer.Flags] {
        var result: [String: LedgerTransfer.Flags] = [:]
        for chunk in Array(Set(pendingIDs)).chunked(500) {
            let rows = try await db.raw("SELECT pending_id, flags FROM ledger_transfers WHERE pending_id IN (\(binds: Array(chunk)))").all()
            for row in rows {
                result[try row.decode(column: "pending_id", as: String.self)] = LedgerTransfer.Flags(rawValue: try row.decode(column: "flags", as: Int.self))
            }
        }
        return result
    }

    static func expiredPending(now: Int64, limit: Int, in db: any SQLDatabase) async throws -> [String] {
        try await db.raw("""
            SELECT t.id FROM ledger_transfers t
            WHERE t.timeout_at IS NOT NULL AND t.timeout_at <= \(bind: now)
              AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id)
            ORDER BY t.timeout_at LIMIT \(literal: limit)
            """).all().map { try $0.decode(column: "id", as: String.self) }
    }

    static func insert(_ transfers: [LedgerTransfer], in db: any SQLDatabase) async throws {
        // Multi-row inserts: one statement per 200 transfers instead of one per transfer.
        for chunk in transfers.chunked(200) {
            var query = SQLQueryString("INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, asset, amount, flags, pending_id, timeout_at, code, reference, created_at, hash) VALUES ")
            for (i, t) in chunk.enumerated() {
                if i > 0 { query.appendLiteral(", ") }
                query.appendInterpolation(unsafeRaw: "(")
                query.appendInterpolation(binds: [t.id, t.debitAccountID, t.creditAccountID, t.asset, String(t.amount), t.flags.rawValue,
                                                  t.pendingID, t.timeoutAt, t.code, t.reference, t.createdAt, t.hash] as [any Encodable & Sendable])
                query.appendInterpolation(unsafeRaw: ")")
            }
            try await db.raw(query).run()
        }
    }

    static func update(_ accounts: [LedgerAccount], in db: any SQLDatabase) async throws {
        for a in accounts {
            try await db.raw("""
                UPDATE ledger_accounts SET debits_pending = \(bind: String(a.debitsPending)), debits_posted = \(bind: String(a.debitsPosted)),
                    credits_pending = \(bind: String(a.creditsPending)), credits_posted = \(bind: String(a.creditsPosted))
                WHERE id = \(bind: a.id)
                """).run()
        }
    }

    static func account(_ row: any SQLRow) throws -> LedgerAccount {
        LedgerAccount(
            id: try row.decode(column: "id", as: String.self),
            asset: try row.decode(column: "asset", as: String.self),
            kind: try row.decode(column: "kind", as: String.self),
            owner: try row.decode(column: "owner", as: String?.self),
            flags: LedgerAccount.Flags(rawValue: try row.decode(column: "flags", as: Int.self)),
            debitsPending: try int128(row, "debits_pending"),
            debitsPosted: try int128(row, "debits_posted"),
            creditsPending: try int128(row, "credits_pending"),
            creditsPosted: try int128(row, "credits_posted"),
            createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }

    static func transfer(_ row: any SQLRow) throws -> LedgerTransfer {
        LedgerTransfer(
            sequence: try row.decode(column: "seq", as: Int64.self),
            id: try row.decode(column: "id", as: String.self),
            debitAccountID: try row.decode(column: "debit_account_id", as: String.self),
            creditAccountID: try row.decode(column: "credit_account_id", as: String.self),
            asset: try row.decode(column: "asset", as: String.self),
            amount: try int128(row, "amount"),
            flags: LedgerTransfer.Flags(rawValue: try row.decode(column: "flags", as: Int.self)),
            pendingID: try row.decode(column: "pending_id", as: String?.self),
            timeoutAt: try row.decode(column: "timeout_at", as: Int64?.self),
            code: try row.decode(column: "code", as: String.self),
            reference: try row.decode(column: "reference", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            hash: try row.decode(column: "hash", as: String.self)
        )
    }

    static func int128(_ row: any SQLRow, _ column: String) throws -> Int128 {
        let text = try row.decode(column: column, as: String.self)
        guard let value = Int128(text) else { throw StorageError.integrity("column \(column) holds '\(text)', not an integer") }
        return value
    }
}

extension Ledger {
    /// The ledger's schema, to be applied with the other migrations.
    public static var migrations: [Migration] { LedgerStore.migrations }

    /// Transfers in sequence order, for statements and audits.
    public func transfers(account: String, limit: Int = 100, in db: any SQLDatabase) async throws -> [LedgerTransfer] {
        try await db.raw("""
            SELECT \(unsafeRaw: LedgerStore.transferColumns) FROM ledger_transfers
            WHERE debit_account_id = \(bind: account) OR credit_account_id = \(bind: account)
            ORDER BY seq LIMIT \(literal: max(1, min(limit, 1000)))
            """).all().map(LedgerStore.transfer)
    }

    public func transfer(_ id: String, in db: any SQLDatabase) async throws -> LedgerTransfer? {
        try await LedgerStore.transfers(ids: [id], in: db)[id]
    }
}

