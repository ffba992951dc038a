import Storage
import Synchronization

/// The EVM authorizations submitted for settlement, as hashes in memory, so that verifying a new
/// payment need not ask the database whether it was already submitted. Exact only where this process
/// writes every settlement — SQLite, the embedded single-node store — so it exists only there; on
/// PostgreSQL other nodes write too and the table is always asked. A hash is added before its row is
/// written (a failed insert leaves one extra entry: that payment is looked up, nothing more), and two
/// authorizations sharing a hash only cost a query: a miss is always a true "never submitted".
/// Until the table has been read at start-up every answer is "maybe", so nothing is skipped early.
final class SubmittedAuthorizations: Sendable {
    private struct State {
        var hashes: Set<Int> = []
        var loaded = false
    }
    private let state = Mutex(State())

    init() {}

    static func key(network: String, payer: String, nonceHex: String) -> Int {
        var hasher = Hasher()
        hasher.combine(network)
        hasher.combine(payer)
        hasher.combine(nonceHex)
        return hasher.finalize()
    }

    /// False only when the authorization was certainly never submitted.
    func mayContain(network: String, payer: String, nonceHex: String) -> Bool {
        let key = Self.key(network: network, payer: payer, nonceHex: nonceHex)
        return state.withLock { !$0.loaded || $0.hashes.contains(key) }
    }

    func insert(network: String, payer: String, nonceHex: String) {
        let key = Self.key(network: network, payer: payer, nonceHex: nonceHex)
        state.withLock { _ = $0.hashes.insert(key) }
    }

    /// Reads every settlement once, a page at a time (entries added meanwhile are kept); returns how
    /// many there were.
    @discardableResult
    func load(_ db: Database, pageSize: Int = 5000) async throws -> Int {
        var after = ""
        var count = 0
        while true {
            let start = after
            let rows = try await db.read { sql in
                try await sql.raw("""
                    SELECT id, network, payer, nonce FROM x402_settlements WHERE id > \(bind: start) ORDER BY id LIMIT \(bind: pageSize)
                    """).all()
            }
            var keys: [Int] = []
            keys.reserveCapacity(rows.count)
            for row in rows {
                keys.append(Self.key(network: try row.decode(column: "network", as: String.self), payer: try row.decode(column: "payer", as: String.self),
                                     nonceHex: try row.decode(column: "nonce", as: String.self)))
            }
            state.withLock { $0.hashes.formUnion(keys) }
            count += rows.count
            guard rows.count == pageSize, let last = rows.last else { break }
            after = try last.decode(column: "id", as: String.self)
        }
        state.withLock { $0.loaded = true }
        return count
    }
}
