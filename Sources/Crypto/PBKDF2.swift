import Crypto

/// PBKDF2 (RFC 8018) with HMAC-SHA512, built on swift-crypto's HMAC.
///
/// swift-crypto's own `KDF.Insecure.PBKDF2` lives in the `CryptoExtras` product and refuses fewer than
/// 210,000 rounds without an `unsafeUncheckedRounds` escape hatch; BIP-39 needs exactly 2048, and this
/// module depends only on `Crypto`, so the (short) construction is written out here.
public enum PBKDF2 {
    /// Derives `keyLength` bytes. `iterations` and `keyLength` must be positive.
    public static func sha512(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        precondition(iterations > 0, "PBKDF2 needs at least one iteration")
        precondition(keyLength > 0, "PBKDF2 needs a positive key length")
        // The keyed HMAC state is computed once and copied for every block and iteration
        // (HMAC is a value type, so a copy carries the already-absorbed inner/outer pads).
        let keyed = HMAC<SHA512>(key: SymmetricKey(data: password))
        var output: [UInt8] = []
        output.reserveCapacity(keyLength + 64)
        var block: UInt32 = 1
        while output.count < keyLength {
            var mac = keyed
            mac.update(data: salt)
            mac.update(data: [UInt8(truncatingIfNeeded: block >> 24), UInt8(truncatingIfNeeded: block >> 16),
                              UInt8(truncatingIfNeeded: block >> 8), UInt8(truncatingIfNeeded: block)])
            var u = Array(mac.finalize())
            var t = u
            if iterations > 1 {
                for _ in 1..<iterations {
                    var next = keyed
                    next.update(data: u)
                    u = Array(next.finalize())
                    for index in 0..<t.count { t[index] ^= u[index] }
                }
            }
            output.append(contentsOf: t)
            block += 1
        }
        return Array(output.prefix(keyLength))
    }
}

/// HMAC-SHA512 as a byte array (BIP-32 and SLIP-10 key derivation).
func hmacSHA512(key: [UInt8], data: [UInt8]) -> [UInt8] {
    Array(HMAC<SHA512>.authenticationCode(for: data, using: SymmetricKey(data: key)))
}
