import Crypto
import Foundation
import RailyardCrypto
import SQLKit
import Storage
import Synchronization

/// What a custody key is for. Each purpose is its own BIP-44 account, so funds of different kinds
/// never share keys and a wallet restored from the seed finds them under predictable paths.
public enum CustodyPurpose: String, Sendable, CaseIterable, Codable {
    /// Per-payment deposit addresses.
    case deposit
    /// Change outputs of transactions we build.
    case change
    /// The account that pays gas for contract calls (EIP-3009 settlement, token sweeps).
    case gas
    /// Platform-owned funds (fees, collection).
    case treasury

    public var account: UInt32 {
        switch self {
        case .deposit: return 0
        case .change: return 1
        case .gas: return 2
        case .treasury: return 3
        }
    }
}

/// A custody address and where its key lives.
public struct CustodyAddress: Sendable, Equatable {
    public let chain: AddressChain
    public let purpose: CustodyPurpose
    public let index: UInt32
    public let address: String
    /// The full derivation path from the platform seed.
    public let path: String
}

/// The platform's hot wallet: one BIP-39 seed, sealed with AES-256-GCM under a key derived from the
/// master key, generated on first use. Addresses are derived at the next index of their purpose's
/// account inside the caller's transaction (so a rolled-back request leaves no gap a restoring
/// wallet could stop at) and are added to the chain's watch list in the same transaction.
public final class CustodyVault: Sendable {
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case sealedSeedUnreadable
        case notCustodial(String)
        case exhausted

        public var description: String {
            switch self {
            case .sealedSeedUnreadable: return "the custody seed cannot be opened with the configured master key (wrong RAILYARD_MASTER_KEY, or the row was altered)"
            case .notCustodial(let address): return "\(address) is not an address this server holds keys for"
            case .exhausted: return "all indexes of this custody account are used"
            }
        }
    }

    let key: SymmetricKey
    public let network: ChainNetwork
    let watchList = ChainWatchList()
    /// The opened seed, kept after the first use (PBKDF2 with 2048 rounds is too slow per signature).
    private let seed = Mutex<[UInt8]?>(nil)
    /// The parent key of each (chain, purpose) account's addresses: deriving the last level only makes
    /// a new address one child derivation instead of a walk from the seed.
    private let parents = Mutex<[String: ExtendedKey]>([:])
    private let ed25519Parents = Mutex<[String: Ed25519HDKey]>([:])

    public init(key: SymmetricKey, network: ChainNetwork) {
        self.key = key
        self.network = network
    }

    public static let migrations: [Migration] = [
        Migration(id: "0430_custody", [
            "CREATE TABLE custody_seeds (id TEXT PRIMARY KEY, sealed TEXT NOT NULL, created_at BIGINT NOT NULL)",
            """
            CREATE TABLE custody_counters (
                chain TEXT NOT NULL, purpose TEXT NOT NULL, next_index BIGINT NOT NULL, PRIMARY KEY (chain, purpose)
            )
            """,
            """
            CREATE TABLE custody_addresses (
                chain TEXT NOT NULL, address TEXT NOT NULL, purpose TEXT NOT NULL, idx BIGINT NOT NULL, reference TEXT,
                created_at BIGINT NOT NULL, PRIMARY KEY (chain, address)
            )
            """,
            "CREATE UNIQUE INDEX custody_addresses_index ON custody_addresses (chain, purpose, idx)",
        ]),
    ]

    // MARK: seed

    /// Opens the platform seed, generating and storing it (sealed) on first use.
    func masterSeed(_ db: Database) async throws -> [UInt8] {
        if let cached = seed.withLock({ $0 }) { return cached }
        let fresh = try seal(try BIP39.generate(wordCount: 24))
        let stored = try await db.write { tx -> String in
            try await tx.sql.raw("""
                INSERT INTO custody_seeds (id, sealed, created_at) VALUES ('platform', \(bind: fresh), \(bind: Int64(Date().timeIntervalSince1970 * 1000)))
                ON CONFLICT (id) DO NOTHING
                """).run()
            guard let row = try await tx.sql.raw("SELECT sealed FROM custody_seeds WHERE id = 'platform'").first() else {
                throw StorageError.integrity("custody seed row missing after insert")
            }
            return try row.decode(column: "sealed", as: String.self)
        }
        let opened = BIP39.seed(mnemonic: try open(stored))
        seed.withLock { $0 = opened }
        return opened
    }

    func seal(_ mnemonic: String) throws -> String {
        let box = try AES.GCM.seal(Array(mnemonic.utf8), using: key)
        guard let combined = box.combined else { throw Error.sealedSeedUnreadable }
        return "v1:" + combined.base64EncodedString()
    }

    func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))),
              let box = try? AES.GCM.SealedBox(combined: data), let plain = try? AES.GCM.open(box, using: key),
              let text = String(data: plain, encoding: .utf8) else { throw Error.sealedSeedUnreadable }
        return text
    }

    // MARK: derivation

    /// The derivation path of `purpose`'s `index`-th key on `chain`: BIP-84/44 `m/purpose'/coin'/account'/0/index`
    /// for secp256k1 chains, `m/44'/501'/account'/index'` (all hardened, as Ed25519 requires) for Solana.
    public func path(chain: AddressChain, purpose: CustodyPurpose, index: UInt32) -> DerivationPath {
        if chain == .sol {
            return DerivationPath([DerivationPath.hardened(44), DerivationPath.hardened(501),
                                   DerivationPath.hardened(purpose.account), DerivationPath.hardened(index)])
        }
        return AddressDerivation.path(chain: chain, network: network, account: purpose.account, index: index)
    }

    /// The private key of `purpose`'s `index`-th key (32 bytes: secp256k1 scalar or Ed25519 seed).
    func privateKey(_ db: Database, chain: AddressChain, purpose: CustodyPurpose, index: UInt32) async throws -> [UInt8] {
        let seed = try await masterSeed(db)
        if chain == .sol { return try ed25519Key(seed: seed, chain: chain, purpose: purpose, index: index).privateKey }
        guard let key = try secp256k1Key(seed: seed, chain: chain, purpose: purpose, index: index).privateKey else { throw Error.exhausted }
        return key
    }

    func secp256k1Key(seed: [UInt8], chain: AddressChain, purpose: CustodyPurpose, index: UInt32) throws -> ExtendedKey {
        let full = path(chain: chain, purpose: purpose, index: index).components
        let id = "\(chain.rawValue):\(purpose.rawValue)"
        let parent: ExtendedKey
        if let cached = parents.withLock({ $0[id] }) {
            parent = cached
        } else {
            parent = try ExtendedKey(seed: seed).derive(DerivationPath(Array(full.dropLast())))
            parents.withLock { $0[id] = parent }
        }
        return try parent.child(full.last!)
    }

    func ed25519Key(seed: [UInt8], chain: AddressChain, purpose: CustodyPurpose, index: UInt32) throws -> Ed25519HDKey {
        let full = path(chain: chain, purpose: purpose, index: index).components
        let id = "\(chain.rawValue):\(purpose.rawValue)"
        let parent: Ed25519HDKey
        if let cached = ed25519Parents.withLock({ $0[id] }) {
            parent = cached
        } else {
            parent = try Ed25519HDKey(seed: seed).derive(DerivationPath(Array(full.dropLast())))
            ed25519Parents.withLock { $0[id] = parent }
        }
        return try parent.child(full.last!)
    }

    /// The address of `purpose`'s `index`-th key, without recording it (for fixed keys such as gas index 0).
    public func address(_ db: Database, chain: AddressChain, purpose: CustodyPurpose, index: UInt32) async throws -> CustodyAddress {
        let key = try await privateKey(db, chain: chain, purpose: purpose, index: index)
        let publicKey = chain == .sol ? try Ed25519.publicKey(privateKey: key) : try Secp256k1.publicKey(privateKey: key)
        let address = try AddressDerivation.address(publicKey: publicKey, chain: chain, network: network)
        return CustodyAddress(chain: chain, purpose: purpose, index: index, address: address, path: path(chain: chain, purpose: purpose, index: index).description)
    }

    /// Records (and watches) a fixed-index address such as the gas wallet, so the sender can sign for it.
    @discardableResult
    public func register(_ db: Database, chain: AddressChain, purpose: CustodyPurpose, index: UInt32, now: Int64) async throws -> CustodyAddress {
        let derived = try await address(db, chain: chain, purpose: purpose, index: index)
        try await db.write { tx in
            try await tx.sql.raw("""
                INSERT INTO custody_addresses (chain, address, purpose, idx, reference, created_at)
                VALUES (\(bind: chain.rawValue), \(bind: derived.address), \(bind: purpose.rawValue), \(bind: Int64(index)), NULL, \(bind: now))
                ON CONFLICT (chain, address) DO NOTHING
                """).run()
            try await tx.sql.raw("""
                INSERT INTO custody_counters (chain, purpose, next_index) VALUES (\(bind: chain.rawValue), \(bind: purpose.rawValue), \(bind: Int64(index) + 1))
                ON CONFLICT (chain, purpose) DO UPDATE SET next_index = CASE WHEN custody_counters.next_index > excluded.next_index
                    THEN custody_counters.next_index ELSE excluded.next_index END
                """).run()
            try await self.watchList.watch(tx, chain: chain.rawValue, address: derived.address, reference: nil, now: now)
        }
        return derived
    }

    /// The next unused address of `purpose` on `chain`, recorded and watched in the caller's transaction.
    /// Call ``prepare(_:)`` once before (it opens the seed outside any transaction).
    public func allocate(_ tx: Transaction, chain: AddressChain, purpose: CustodyPurpose, reference: String?, now: Int64) async throws -> CustodyAddress {
        guard let seed = seed.withLock({ $0 }) else { throw StorageError.integrity("custody vault used before prepare()") }
        guard let row = try await tx.sql.raw("""
            INSERT INTO custody_counters (chain, purpose, next_index) VALUES (\(bind: chain.rawValue), \(bind: purpose.rawValue), 1)
            ON CONFLICT (chain, purpose) DO UPDATE SET next_index = custody_counters.next_index + 1
            RETURNING next_index
            """).first() else { throw StorageError.integrity("custody counter missing") }
        let next = try row.decode(column: "next_index", as: Int64.self)
        guard next <= 0x8000_0000 else { throw Error.exhausted }
        let index = UInt32(next - 1)
        let path = path(chain: chain, purpose: purpose, index: index)
        let publicKey: [UInt8]
        if chain == .sol {
            publicKey = try ed25519Key(seed: seed, chain: chain, purpose: purpose, index: index).publicKey
        } else {
            publicKey = try secp256k1Key(seed: seed, chain: chain, purpose: purpose, index: index).publicKey
        }
        let address = try AddressDerivation.address(publicKey: publicKey, chain: chain, network: network)
        try await tx.sql.raw("""
            INSERT INTO custody_addresses (chain, address, purpose, idx, reference, created_at)
            VALUES (\(bind: chain.rawValue), \(bind: address), \(bind: purpose.rawValue), \(bind: Int64(index)), \(bind: reference), \(bind: now))
            """).run()
        try await watchList.watch(tx, chain: chain.rawValue, address: address, reference: reference, now: now)
        return CustodyAddress(chain: chain, purpose: purpose, index: index, address: address, path: path.description)
    }

    /// Opens (or creates) the seed so that ``allocate`` can derive inside a transaction.
    public func prepare(_ db: Database) async throws { _ = try await masterSeed(db) }

    /// The signing key of a custody address, or ``Error/notCustodial`` for any other address.
    public func signingKey(_ db: Database, chain: AddressChain, address: String) async throws -> [UInt8] {
        let lookup = chain.isEVM ? address.lowercased() : address
        let row = try await db.read { sql in
            try await sql.raw("""
                SELECT purpose, idx, address FROM custody_addresses WHERE chain = \(bind: chain.rawValue)
                  AND \(unsafeRaw: chain.isEVM ? "LOWER(address)" : "address") = \(bind: lookup)
                """).first()
        }
        guard let row, let purpose = CustodyPurpose(rawValue: try row.decode(column: "purpose", as: String.self)) else {
            throw Error.notCustodial(address)
        }
        let index = UInt32(try row.decode(column: "idx", as: Int64.self))
        return try await privateKey(db, chain: chain, purpose: purpose, index: index)
    }
}
