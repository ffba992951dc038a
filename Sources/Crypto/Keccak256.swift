/// Keccak-256 as used by Ethereum (the original Keccak submission padding `0x01 … 0x80`,
/// not the FIPS-202 SHA3-256 padding `0x06 … 0x80`).
///
/// The sponge keeps its 1600-bit state in 25 `UInt64` lanes on the stack; input is absorbed
/// eight bytes at a time straight from the caller's contiguous storage when available.
public enum Keccak256 {
    /// Digest length in bytes.
    public static let digestByteCount = 32
    /// Sponge rate in bytes (1600 − 2·256 bits).
    static let rate = 136
    static let rateLanes = rate / 8

    /// Keccak-256 digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ buffer in
            hash(UnsafeRawBufferPointer(buffer))
        }) {
            return digest
        }
        let copy = Array(bytes)
        return copy.withUnsafeBytes { hash($0) }
    }

    static func hash(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25) { lanes -> [UInt8] in
            let state = lanes.baseAddress!
            state.initialize(repeating: 0, count: 25)
            defer { state.deinitialize(count: 25) }

            var offset = 0
            let count = input.count
            // Full blocks.
            while count - offset >= rate {
                for lane in 0..<rateLanes {
                    state[lane] ^= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: offset + lane * 8, as: UInt64.self))
                }
                keccakF1600(state)
                offset += rate
            }
            // Final, partial block (possibly empty), then pad10*1 with the Keccak domain byte 0x01.
            let remaining = count - offset
            var position = 0
            while remaining - position >= 8 {
                state[position >> 3] ^= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: offset + position, as: UInt64.self))
                position += 8
            }
            while position < remaining {
                state[position >> 3] ^= UInt64(input[offset + position]) << UInt64((position & 7) * 8)
                position += 1
            }
            state[remaining >> 3] ^= UInt64(0x01) << UInt64((remaining & 7) * 8)
            state[rateLanes - 1] ^= 0x80 << 56
            keccakF1600(state)

            // Squeeze 32 bytes (4 lanes, little-endian).
            var digest = [UInt8](repeating: 0, count: digestByteCount)
            for lane in 0..<4 {
                let value = state[lane]
                for byte in 0..<8 {
                    digest[lane * 8 + byte] = UInt8(truncatingIfNeeded: value >> UInt64(byte * 8))
                }
            }
            return digest
        }
    }

    // MARK: - Keccak-f[1600]

    /// Iota round constants.
    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    @inline(__always)
    private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x &<< n) | (x &>> (64 &- n))
    }

    /// The 24-round permutation over lanes `a[x + 5y]`. Rho and pi are applied together by
    /// walking the single 24-step cycle of pi starting at lane (1, 0).
    static func keccakF1600(_ a: UnsafeMutablePointer<UInt64>) {
        for round in 0..<24 {
            // θ
            let c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
            let c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
            let c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
            let c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
            let c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            for y in stride(from: 0, to: 25, by: 5) {
                a[y] ^= d0
                a[y + 1] ^= d1
                a[y + 2] ^= d2
                a[y + 3] ^= d3
                a[y + 4] ^= d4
            }

            // ρ and π: B[y, 2x+3y] = rot(A[x, y], r[x, y]).
            var current = a[1]
            var t: UInt64
            t = a[10]; a[10] = rotl(current, 1); current = t
            t = a[7]; a[7] = rotl(current, 3); current = t
            t = a[11]; a[11] = rotl(current, 6); current = t
            t = a[17]; a[17] = rotl(current, 10); current = t
            t = a[18]; a[18] = rotl(current, 15); current = t
            t = a[3]; a[3] = rotl(current, 21); current = t
            t = a[5]; a[5] = rotl(current, 28); current = t
            t = a[16]; a[16] = rotl(current, 36); current = t
            t = a[8]; a[8] = rotl(current, 45); current = t
            t = a[21]; a[21] = rotl(current, 55); current = t
            t = a[24]; a[24] = rotl(current, 2); current = t
            t = a[4]; a[4] = rotl(current, 14); current = t
            t = a[15]; a[15] = rotl(current, 27); current = t
            t = a[23]; a[23] = rotl(current, 41); current = t
            t = a[19]; a[19] = rotl(current, 56); current = t
            t = a[13]; a[13] = rotl(current, 8); current = t
            t = a[12]; a[12] = rotl(current, 25); current = t
            t = a[2]; a[2] = rotl(current, 43); current = t
            t = a[20]; a[20] = rotl(current, 62); current = t
            t = a[14]; a[14] = rotl(current, 18); current = t
            t = a[22]; a[22] = rotl(current, 39); current = t
            t = a[9]; a[9] = rotl(current, 61); current = t
            t = a[6]; a[6] = rotl(current, 20); current = t
            a[1] = rotl(current, 44)

            // χ
            for y in stride(from: 0, to: 25, by: 5) {
                let b0 = a[y], b1 = a[y + 1], b2 = a[y + 2], b3 = a[y + 3], b4 = a[y + 4]
                a[y] = b0 ^ (~b1 & b2)
                a[y + 1] = b1 ^ (~b2 & b3)
                a[y + 2] = b2 ^ (~b3 & b4)
                a[y + 3] = b3 ^ (~b4 & b0)
                a[y + 4] = b4 ^ (~b0 & b1)
            }

            // ι
            a[0] ^= roundConstants[round]
        }
    }
}
