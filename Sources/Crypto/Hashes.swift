import Crypto

/// Bitcoin-style hash helpers built on swift-crypto's SHA-256 and this module's RIPEMD-160.
///
/// Named `Hashes` (not `SHA256`) so it never shadows `Crypto.SHA256` in files that import both modules.
public enum Hashes {
    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ buffer in
            Array(SHA256.hash(data: UnsafeRawBufferPointer(buffer)))
        }) {
            return digest
        }
        return Array(SHA256.hash(data: Array(bytes)))
    }

    /// SHA-256(SHA-256(`bytes`)), as used by Base58Check checksums and Bitcoin transaction ids.
    public static func doubleSHA256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        sha256(sha256(bytes))
    }

    /// RIPEMD-160(SHA-256(`bytes`)), Bitcoin's HASH160 (public key hash / script hash).
    public static func hash160(_ bytes: some Collection<UInt8>) -> [UInt8] {
        RIPEMD160.hash(sha256(bytes))
    }
}
