import Foundation
import RailyardCrypto
import SQLKit
import Storage

/// Hands out deposit addresses derived from a merchant's extended public key (watch-only mode: the
/// server never holds the keys). Each address is derived once, at the next unused index of the
/// receive branch (`…/0/i`), recorded, and added to the chain's watch list — all in the caller's
/// transaction, so two requests can never receive the same address.
public struct AddressBook: Sendable {
    public struct Allocation: Sendable, Equatable {
        public let address: String
        public let index: UInt32
        /// Relative to the xpub: `0/<index>`.
        public let path: String
    }

    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case invalidKey(String)
        case privateKeyRefused
        case wrongNetwork(String)
        case unknownSource(String)
        case exhausted

        public var description: String {
            switch self {
            case .invalidKey(let why): return "invalid extended public key: \(why)"
            case .privateKeyRefused: return "an extended private key was given; Railyard only accepts public keys (xpub/ypub/zpub/tpub…) for watch-only addresses"
            case .wrongNetwork(let why): return why
            case .unknownSource(let id): return "no address source \(id)"
            case .exhausted: return "all non-hardened indexes of this key are used"
            }
        }
    }

    let watchList = ChainWatchList()

    public init() {}

    public static let migrations: [Migration] = [
        Migration(id: "0420_address_sources", [
            """
            CREATE TABLE chain_address_sources (
                id TEXT PRIMARY KEY, chain TEXT NOT NULL, network TEXT NOT NULL, xpub TEXT NOT NULL, scheme TEXT NOT NULL,
                next_index BIGINT NOT NULL, created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE chain_allocated_addresses (
                source_id TEXT NOT NULL REFERENCES chain_address_sources (id), idx BIGINT NOT NULL, address TEXT NOT NULL,
                reference TEXT, created_at BIGINT NOT NULL, PRIMARY KEY (source_id, idx)
            )
            """,
            "CREATE UNIQUE INDEX chain_allocated_addresses_address ON chain_allocated_addresses (source_id, address)",
        ]),
    ]

    /// Checks an extended public key for `chain` and `network` and returns the address scheme it
    /// implies (zpub → P2WPKH, ypub → P2SH-P2WPKH, xpub → the chain's default).
    public static func validate(xpub: String, chain: AddressChain, network: ChainNetwork) throws(Error) -> AddressScheme {
        let key: ExtendedKey
        do { key = try ExtendedKey(parsing: xpub.trimmingCharacters(in: .whitespaces)) } catch { throw .invalidKey(error.description) }
        guard !key.isPrivate else { throw .privateKeyRefused }
        if chain.isEVM || chain == .sol {
            // EVM/Solana deposit addresses come from an xpub too, but testnet version bytes are moot there.
        } else if key.format.isTestnet != (network != .mainnet) {
            throw .wrongNetwork("a \(key.format.rawValue) key is for \(key.format.isTestnet ? "test networks" : "mainnet"), not \(chain.rawValue) \(network.rawValue)")
        }
        guard chain != .sol else { throw .invalidKey("Solana uses hardened Ed25519 derivation, which an extended public key cannot do") }
        return key.format.impliedScheme ?? AddressDerivation.defaultScheme(for: chain)
    }

    /// Registers an xpub as an address source. Idempotent on `id` with the same key.
    public func register(_ tx: Transaction, id: String, chain: AddressChain, network: ChainNetwork, xpub: String, now: Int64) async throws {
        let scheme = try Self.validate(xpub: xpub, chain: chain, network: network)
        try await tx.sql.raw("""
            INSERT INTO chain_address_sources (id, chain, network, xpub, scheme, next_index, created_at)
            VALUES (\(bind: id), \(bind: chain.rawValue), \(bind: network.rawValue), \(bind: xpub), \(bind: scheme.rawValue), 0, \(bind: now))
            ON CONFLICT (id) DO NOTHING
            """).run()
    }

    /// The next unused address of `sourceID`, recorded and watched.
    public func nextAddress(_ tx: Transaction, sourceID: String, reference: String?, now: Int64) async throws -> Allocation {
        guard let row = try await tx.sql.raw("""
            SELECT chain, network, xpub, scheme, next_index FROM chain_address_sources WHERE id = \(bind: sourceID)\(unsafeRaw: tx.lockClause)
            """).first() else { throw Error.unknownSource(sourceID) }
        let index = try row.decode(column: "next_index", as: Int64.self)
        guard index < 0x8000_0000 else { throw Error.exhausted }
        guard let chain = AddressChain(rawValue: try row.decode(column: "chain", as: String.self)),
              let network = ChainNetwork(rawValue: try row.decode(column: "network", as: String.self)),
              let scheme = AddressScheme(rawValue: try row.decode(column: "scheme", as: String.self)) else {
            throw StorageError.integrity("address source \(sourceID) has an unknown chain, network or scheme")
        }
        let key = try ExtendedKey(parsing: try row.decode(column: "xpub", as: String.self))
        let child = try key.child(0).child(UInt32(index))
        let address = try AddressDerivation.address(publicKey: child.publicKey, chain: chain, network: network, scheme: scheme)
        try await tx.sql.raw("UPDATE chain_address_sources SET next_index = \(bind: index + 1) WHERE id = \(bind: sourceID)").run()
        try await tx.sql.raw("""
            INSERT INTO chain_allocated_addresses (source_id, idx, address, reference, created_at)
            VALUES (\(bind: sourceID), \(bind: index), \(bind: address), \(bind: reference), \(bind: now))
            """).run()
        try await watchList.watch(tx, chain: chain.rawValue, address: address, reference: reference, now: now)
        return Allocation(address: address, index: UInt32(index), path: "0/\(index)")
    }
}
