import Crypto

/// SLIP-10 hierarchical derivation for Ed25519 (hardened children only), as used by Solana wallets
/// (`m/44'/501'/i'/0'`).
public struct Ed25519HDKey: Sendable, CustomStringConvertible, CustomReflectable {
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case invalidSeedLength(Int)
        /// Ed25519 has no public (non-hardened) derivation.
        case nonHardenedIndex(UInt32)
        case depthOverflow

        public var description: String {
            switch self {
            case .invalidSeedLength(let count): return "SLIP-10 seed must be 16 to 64 bytes, got \(count)"
            case .nonHardenedIndex(let index):
                return "Ed25519 (SLIP-10) supports only hardened derivation; component \(index) must be written \(index)'"
            case .depthOverflow: return "key depth would exceed 255"
            }
        }
    }

    public let depth: UInt8
    /// First four bytes of the parent's HASH160(0x00 ‖ public key), big-endian; 0 for the master key.
    public let parentFingerprint: UInt32
    public let childNumber: UInt32
    public let chainCode: [UInt8]
    /// The 32-byte Ed25519 private key (seed), as accepted by `Curve25519.Signing.PrivateKey(rawRepresentation:)`.
    public let privateKey: [UInt8]

    init(depth: UInt8, parentFingerprint: UInt32, childNumber: UInt32, chainCode: [UInt8], privateKey: [UInt8]) {
        self.depth = depth
        self.parentFingerprint = parentFingerprint
        self.childNumber = childNumber
        self.chainCode = chainCode
        self.privateKey = privateKey
    }

    /// The master key: I = HMAC-SHA512("ed25519 seed", seed).
    public init(seed: [UInt8]) throws(Error) {
        guard (16...64).contains(seed.count) else { throw .invalidSeedLength(seed.count) }
        let i = hmacSHA512(key: Array("ed25519 seed".utf8), data: seed)
        self.init(depth: 0, parentFingerprint: 0, childNumber: 0, chainCode: Array(i[32..<64]), privateKey: Array(i[0..<32]))
    }

    /// The 32-byte Ed25519 public key (a Solana address is its base58).
    public var publicKey: [UInt8] {
        // 32 bytes always form a valid Ed25519 private key, so this cannot fail.
        guard let key = try? Ed25519.publicKey(privateKey: privateKey) else {
            preconditionFailure("Ed25519 private key must be 32 bytes")
        }
        return key
    }

    /// An Ed25519 signature (64 bytes) of `message` with this node's key.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        // Cannot fail: the key is 32 bytes.
        (try? Ed25519.sign(message, privateKey: privateKey)) ?? []
    }

    /// SLIP-10's 33-byte public key form, `0x00 ‖ public key`.
    public var slip10PublicKey: [UInt8] { [0] + publicKey }

    public var fingerprint: UInt32 {
        ExtendedKey.readUInt32(Hashes.hash160(slip10PublicKey), at: 0)
    }

    /// The hardened child `index` (which must be ≥ 2^31): I = HMAC-SHA512(c, 0x00 ‖ k ‖ ser32(index)).
    public func child(_ index: UInt32) throws(Error) -> Ed25519HDKey {
        guard DerivationPath.isHardened(index) else { throw .nonHardenedIndex(index) }
        guard depth < UInt8.max else { throw .depthOverflow }
        let i = hmacSHA512(key: chainCode, data: [0] + privateKey + ExtendedKey.bytes(index))
        return Ed25519HDKey(depth: depth + 1, parentFingerprint: fingerprint, childNumber: index,
                            chainCode: Array(i[32..<64]), privateKey: Array(i[0..<32]))
    }

    public func derive(_ path: DerivationPath) throws(Error) -> Ed25519HDKey {
        var key = self
        for index in path.components { key = try key.child(index) }
        return key
    }

    public var description: String { "Ed25519HDKey(depth: \(depth), public key: \(Base58.encode(publicKey)))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["depth": depth, "childNumber": childNumber, "publicKey": Hex.encode(publicKey)])
    }
}

/// Ed25519 (RFC 8032) over swift-crypto's `Curve25519.Signing`, with byte-array keys.
public enum Ed25519 {
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case invalidPrivateKey
        case signingFailed

        public var description: String {
            switch self {
            case .invalidPrivateKey: return "Ed25519 private key must be 32 bytes"
            case .signingFailed: return "Ed25519 signing failed"
            }
        }
    }

    /// The 32-byte public key of a 32-byte private key (seed).
    public static func publicKey(privateKey: [UInt8]) throws(Error) -> [UInt8] {
        guard privateKey.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKey) else {
            throw .invalidPrivateKey
        }
        return Array(key.publicKey.rawRepresentation)
    }

    /// A 64-byte signature. (BoringSSL on Linux signs deterministically as RFC 8032 specifies;
    /// Apple's CryptoKit adds randomness, so do not compare signatures across platforms.)
    public static func sign(_ message: [UInt8], privateKey: [UInt8]) throws(Error) -> [UInt8] {
        guard privateKey.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKey) else {
            throw .invalidPrivateKey
        }
        guard let signature = try? key.signature(for: message) else { throw .signingFailed }
        return Array(signature)
    }

    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == 64, publicKey.count == 32,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
