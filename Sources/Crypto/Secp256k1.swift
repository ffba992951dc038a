import CSecp256k1
import Crypto

// The recovery module (`secp256k1_ecdsa_sign_recoverable`, `secp256k1_ecdsa_recover`, …) comes from
// `secp256k1_recovery.h`, which Sources/CSecp256k1/shim.h includes. If the installed libsecp256k1 were
// built without `--enable-module-recovery`, this file would not compile (the header would be missing)
// or would fail to link (undefined symbol `secp256k1_ecdsa_recover`): install Debian's
// `libsecp256k1-dev` (0.2.0+, which ships the recovery, extrakeys and schnorrsig modules).
// In addition, the shared context below runs a sign/recover round trip the first time it is used and
// stops the process with a clear message if the library misbehaves.

/// The process-wide libsecp256k1 context.
///
/// Created once (Swift guarantees thread-safe lazy initialisation of globals), randomised for
/// side-channel protection, and then only ever passed to functions that take a `const` context, which
/// libsecp256k1 documents as safe to share between threads. Hence `nonisolated(unsafe)`.
nonisolated(unsafe) let secp256k1Context: OpaquePointer = {
    guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
        fatalError("libsecp256k1: secp256k1_context_create failed")
    }
    var seed = SecureRandom.bytes(count: 32)
    guard secp256k1_context_randomize(context, &seed) == 1 else {
        fatalError("libsecp256k1: secp256k1_context_randomize failed")
    }
    seed.resetBytes()
    if let problem = Secp256k1.selfCheck(context) {
        fatalError("libsecp256k1 self-check failed: \(problem). Is libsecp256k1 (with the recovery module) installed correctly?")
    }
    return context
}()

/// ECDSA over secp256k1 through Debian's libsecp256k1.
///
/// Keys and signatures are plain byte arrays:
/// - private key: 32 bytes, big-endian, in `1 ..< n`;
/// - public key: 33 bytes compressed (`02`/`03` ‖ x) or 65 bytes uncompressed (`04` ‖ x ‖ y);
/// - signature: 64 bytes compact `r ‖ s`, always low-S when produced here;
/// - digest: exactly 32 bytes (the caller hashes: SHA-256d for Bitcoin, keccak-256 for Ethereum).
public enum Secp256k1 {
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case invalidPrivateKey
        case invalidPublicKey
        case invalidDigestLength(Int)
        case invalidSignature
        case invalidRecoveryID(Int)
        /// The tweak is not below the curve order, or the result is zero / the point at infinity.
        case invalidTweak
        case signingFailed
        case recoveryFailed

        public var description: String {
            switch self {
            case .invalidPrivateKey: return "invalid secp256k1 private key (must be 32 bytes in 1..n-1)"
            case .invalidPublicKey: return "invalid secp256k1 public key"
            case .invalidDigestLength(let count): return "message digest must be 32 bytes, got \(count)"
            case .invalidSignature: return "invalid secp256k1 signature"
            case .invalidRecoveryID(let id): return "invalid recovery id \(id) (must be 0...3)"
            case .invalidTweak: return "tweak is out of range or produces an invalid key"
            case .signingFailed: return "secp256k1 signing failed"
            case .recoveryFailed: return "public key recovery failed"
            }
        }
    }

    /// A compact signature plus the recovery id needed to recover the signer's public key.
    public struct RecoverableSignature: Sendable, Equatable {
        /// `r ‖ s`, 64 bytes.
        public let compact: [UInt8]
        /// 0...3 (0 or 1 in practice).
        public let recoveryID: Int

        public init(compact: [UInt8], recoveryID: Int) throws(Error) {
            guard compact.count == 64 else { throw .invalidSignature }
            guard (0...3).contains(recoveryID) else { throw .invalidRecoveryID(recoveryID) }
            self.compact = compact
            self.recoveryID = recoveryID
        }

        /// Parses Ethereum's 65-byte `r ‖ s ‖ v` form with `v` ∈ {27, 28} or {0, 1}.
        public init(ethereum signature: [UInt8]) throws(Error) {
            guard signature.count == 65 else { throw .invalidSignature }
            let v = Int(signature[64])
            let id: Int
            switch v {
            case 0, 1: id = v
            case 27, 28: id = v - 27
            default: throw .invalidRecoveryID(v)
            }
            try self.init(compact: Array(signature[0..<64]), recoveryID: id)
        }

        public var r: [UInt8] { Array(compact[0..<32]) }
        public var s: [UInt8] { Array(compact[32..<64]) }

        /// `r ‖ s ‖ v` with `v` = 27 + recovery id (the `personal_sign` / `eth_signTypedData` form).
        public var ethereum: [UInt8] { compact + [UInt8(27 + recoveryID)] }

        /// Whether `s` ≤ n/2 (EIP-2 / BIP-62 canonical form).
        public var isLowS: Bool { Secp256k1.isLowS(compact) }
    }

    /// The curve order n, big-endian.
    public static let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
    ]

    /// n/2 (rounded down), the largest canonical `s`.
    static let halfOrder: [UInt8] = [
        0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
    ]

    // MARK: Keys

    /// Whether `key` is a valid private key (32 bytes, 1 ≤ key < n).
    public static func isValidPrivateKey(_ key: [UInt8]) -> Bool {
        guard key.count == 32 else { return false }
        return secp256k1_ec_seckey_verify(secp256k1Context, key) == 1
    }

    /// A fresh private key from the system's secure random source.
    public static func generatePrivateKey() -> [UInt8] {
        while true {
            let candidate = SecureRandom.bytes(count: 32)
            if isValidPrivateKey(candidate) { return candidate }
        }
    }

    /// The public key of `privateKey`, compressed (33 bytes) or uncompressed (65 bytes).
    public static func publicKey(privateKey: [UInt8], compressed: Bool = true) throws(Error) -> [UInt8] {
        guard privateKey.count == 32 else { throw .invalidPrivateKey }
        var point = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(secp256k1Context, &point, privateKey) == 1 else { throw .invalidPrivateKey }
        return serialize(point, compressed: compressed)
    }

    /// Re-encodes a public key (either form) as compressed or uncompressed, validating that it is on the curve.
    public static func publicKey(_ publicKey: [UInt8], compressed: Bool) throws(Error) -> [UInt8] {
        serialize(try parse(publicKey), compressed: compressed)
    }

    /// Whether `publicKey` is a valid 33- or 65-byte encoding of a curve point.
    public static func isValidPublicKey(_ publicKey: [UInt8]) -> Bool {
        (try? parse(publicKey)) != nil
    }

    // MARK: ECDSA

    /// Signs a 32-byte digest: RFC 6979 deterministic nonce, low-S. Returns the 64-byte compact `r ‖ s`.
    public static func sign(digest: [UInt8], privateKey: [UInt8]) throws(Error) -> [UInt8] {
        try checkDigest(digest)
        guard privateKey.count == 32 else { throw .invalidPrivateKey }
        var signature = secp256k1_ecdsa_signature()
        // A NULL nonce function selects secp256k1_nonce_function_default, which is RFC 6979 (HMAC-SHA256).
        guard secp256k1_ecdsa_sign(secp256k1Context, &signature, digest, privateKey, nil, nil) == 1 else {
            throw isValidPrivateKey(privateKey) ? .signingFailed : .invalidPrivateKey
        }
        var output = [UInt8](repeating: 0, count: 64)
        _ = secp256k1_ecdsa_signature_serialize_compact(secp256k1Context, &output, &signature)
        return output
    }

    /// Verifies a 64-byte compact signature. Like libsecp256k1 (and Bitcoin's standardness rules and
    /// EIP-2), only low-S signatures verify; pass `allowHighS: true` to normalise first.
    public static func verify(signature: [UInt8], digest: [UInt8], publicKey: [UInt8], allowHighS: Bool = false) -> Bool {
        guard signature.count == 64, digest.count == 32, let point = try? parse(publicKey) else { return false }
        var parsed = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(secp256k1Context, &parsed, signature) == 1 else { return false }
        if allowHighS {
            var normalized = secp256k1_ecdsa_signature()
            _ = secp256k1_ecdsa_signature_normalize(secp256k1Context, &normalized, &parsed)
            parsed = normalized
        }
        var key = point
        return secp256k1_ecdsa_verify(secp256k1Context, &parsed, digest, &key) == 1
    }

    /// Whether the `s` half of a 64-byte compact signature is ≤ n/2.
    public static func isLowS(_ compact: [UInt8]) -> Bool {
        guard compact.count == 64 else { return false }
        // Same length, big-endian: lexicographic order is numeric order.
        return !halfOrder.lexicographicallyPrecedes(compact[32..<64])
    }

    /// DER encoding (as used in Bitcoin scripts, without the sighash byte) of a compact signature.
    public static func derSignature(compact: [UInt8]) throws(Error) -> [UInt8] {
        guard compact.count == 64 else { throw .invalidSignature }
        var parsed = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(secp256k1Context, &parsed, compact) == 1 else { throw .invalidSignature }
        var output = [UInt8](repeating: 0, count: 72)
        var length = output.count
        guard secp256k1_ecdsa_signature_serialize_der(secp256k1Context, &output, &length, &parsed) == 1 else { throw .invalidSignature }
        return Array(output[0..<length])
    }

    /// Parses a strict DER signature into the 64-byte compact form.
    public static func compactSignature(der: [UInt8]) throws(Error) -> [UInt8] {
        guard !der.isEmpty, der.count <= 72 else { throw .invalidSignature }
        var parsed = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_der(secp256k1Context, &parsed, der, der.count) == 1 else { throw .invalidSignature }
        var output = [UInt8](repeating: 0, count: 64)
        _ = secp256k1_ecdsa_signature_serialize_compact(secp256k1Context, &output, &parsed)
        return output
    }

    // MARK: Recoverable signatures

    /// Signs a 32-byte digest (RFC 6979, low-S) and returns the signature with its recovery id.
    public static func signRecoverable(digest: [UInt8], privateKey: [UInt8]) throws(Error) -> RecoverableSignature {
        try checkDigest(digest)
        guard privateKey.count == 32 else { throw .invalidPrivateKey }
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(secp256k1Context, &signature, digest, privateKey, nil, nil) == 1 else {
            throw isValidPrivateKey(privateKey) ? .signingFailed : .invalidPrivateKey
        }
        var output = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(secp256k1Context, &output, &recoveryID, &signature)
        return try RecoverableSignature(compact: output, recoveryID: Int(recoveryID))
    }

    /// Recovers the signer's public key from a recoverable signature over `digest`.
    ///
    /// High-S signatures are rejected unless `allowHighS` is set: Ethereum transactions (EIP-2),
    /// OpenZeppelin's `ECDSA.recover` and the EIP-3009 token contracts all refuse them, so accepting one
    /// here would approve a signature the chain rejects.
    public static func recoverPublicKey(signature: RecoverableSignature, digest: [UInt8], compressed: Bool = true, allowHighS: Bool = false) throws(Error) -> [UInt8] {
        try checkDigest(digest)
        guard allowHighS || signature.isLowS else { throw .invalidSignature }
        var parsed = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1Context, &parsed, signature.compact, Int32(signature.recoveryID)) == 1 else {
            throw .invalidSignature
        }
        var point = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(secp256k1Context, &point, &parsed, digest) == 1 else { throw .recoveryFailed }
        return serialize(point, compressed: compressed)
    }

    // MARK: Tweaks (BIP-32)

    /// `(privateKey + tweak) mod n`. Fails if the tweak is ≥ n or the result is zero.
    public static func privateKeyTweakAdd(_ privateKey: [UInt8], tweak: [UInt8]) throws(Error) -> [UInt8] {
        guard isValidPrivateKey(privateKey) else { throw .invalidPrivateKey }
        guard tweak.count == 32 else { throw .invalidTweak }
        var result = privateKey
        guard secp256k1_ec_seckey_tweak_add(secp256k1Context, &result, tweak) == 1 else { throw .invalidTweak }
        return result
    }

    /// `publicKey + tweak·G`. Fails if the tweak is ≥ n or the result is the point at infinity.
    public static func publicKeyTweakAdd(_ publicKey: [UInt8], tweak: [UInt8], compressed: Bool = true) throws(Error) -> [UInt8] {
        var point = try parse(publicKey)
        guard tweak.count == 32 else { throw .invalidTweak }
        guard secp256k1_ec_pubkey_tweak_add(secp256k1Context, &point, tweak) == 1 else { throw .invalidTweak }
        return serialize(point, compressed: compressed)
    }

    // MARK: Ethereum

    /// The EIP-55 checksummed address of a public key (either encoding): the last 20 bytes of
    /// keccak-256 of the uncompressed key without its `04` prefix.
    public static func ethereumAddress(publicKey: [UInt8]) throws(Error) -> String {
        EIP55.checksumUnchecked(bytes: try ethereumAddressBytes(publicKey: publicKey))
    }

    /// The 20 raw address bytes of a public key.
    public static func ethereumAddressBytes(publicKey: [UInt8]) throws(Error) -> [UInt8] {
        let uncompressed = serialize(try parse(publicKey), compressed: false)
        return Array(Keccak256.hash(uncompressed[1...]).suffix(20))
    }

    // MARK: Internals

    static func checkDigest(_ digest: [UInt8]) throws(Error) {
        guard digest.count == 32 else { throw .invalidDigestLength(digest.count) }
    }

    static func parse(_ publicKey: [UInt8]) throws(Error) -> secp256k1_pubkey {
        guard publicKey.count == 33 || publicKey.count == 65 else { throw .invalidPublicKey }
        var point = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(secp256k1Context, &point, publicKey, publicKey.count) == 1 else { throw .invalidPublicKey }
        return point
    }

    static func serialize(_ point: secp256k1_pubkey, compressed: Bool) -> [UInt8] {
        var point = point
        var output = [UInt8](repeating: 0, count: compressed ? 33 : 65)
        var length = output.count
        let flags = compressed ? UInt32(SECP256K1_EC_COMPRESSED) : UInt32(SECP256K1_EC_UNCOMPRESSED)
        _ = secp256k1_ec_pubkey_serialize(secp256k1Context, &output, &length, &point, flags)
        return output
    }

    /// Signs and recovers with private key 1 (whose public key is the generator G) on `context`.
    /// Returns a description of what went wrong, or `nil`.
    static func selfCheck(_ context: OpaquePointer) -> String? {
        var key = [UInt8](repeating: 0, count: 32)
        key[31] = 1
        let digest = [UInt8](repeating: 0x5A, count: 32)
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, digest, key, nil, nil) == 1 else {
            return "secp256k1_ecdsa_sign_recoverable failed"
        }
        var recovered = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &recovered, &signature, digest) == 1 else {
            return "secp256k1_ecdsa_recover failed"
        }
        var expected = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &expected, key) == 1 else { return "secp256k1_ec_pubkey_create failed" }
        guard secp256k1_ec_pubkey_cmp(context, &recovered, &expected) == 0 else {
            return "the recovered public key differs from the signer's"
        }
        return nil
    }
}

extension EIP55 {
    /// Checksums 20 bytes that the caller guarantees have the right length.
    static func checksumUnchecked(bytes: [UInt8]) -> String {
        precondition(bytes.count == 20)
        return (try? checksum(bytes: bytes)) ?? ""
    }
}

/// Secure random bytes from swift-crypto (BoringSSL's `RAND_bytes` on Linux, the system CSPRNG on Apple).
public enum SecureRandom {
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0)
        guard count > 0 else { return [] }
        let key = SymmetricKey(size: SymmetricKeySize(bitCount: count * 8))
        return key.withUnsafeBytes { Array($0) }
    }
}

extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros (best effort for secrets; copies made earlier are not affected).
    mutating func resetBytes() {
        for index in indices { self[index] = 0 }
    }
}
