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

    /// The 24-round permutation over lanes `a[x + 5y]`, with the state in locals for the rounds
    /// (the optimizer keeps most of them in registers instead of loading and storing memory per
    /// step). θ is folded into ρ and π: B[y, 2x+3y] = rot(A[x, y] ^ D[x], r[x, y]); then χ and ι.
    static func keccakF1600(_ a: UnsafeMutablePointer<UInt64>) {
        var a00 = a[0], a01 = a[1], a02 = a[2], a03 = a[3], a04 = a[4]
        var a05 = a[5], a06 = a[6], a07 = a[7], a08 = a[8], a09 = a[9]
        var a10 = a[10], a11 = a[11], a12 = a[12], a13 = a[13], a14 = a[14]
        var a15 = a[15], a16 = a[16], a17 = a[17], a18 = a[18], a19 = a[19]
        var a20 = a[20], a21 = a[21], a22 = a[22], a23 = a[23], a24 = a[24]
        for round in 0..<24 {
            let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
            let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
            let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
            let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
            let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            let b00 = a00 ^ d0
            let b01 = rotl(a06 ^ d1, 44)
            let b02 = rotl(a12 ^ d2, 43)
            let b03 = rotl(a18 ^ d3, 21)
            let b04 = rotl(a24 ^ d4, 14)
            let b05 = rotl(a03 ^ d3, 28)
            let b06 = rotl(a09 ^ d4, 20)
            let b07 = rotl(a10 ^ d0, 3)
            let b08 = rotl(a16 ^ d1, 45)
            let b09 = rotl(a22 ^ d2, 61)
            let b10 = rotl(a01 ^ d1, 1)
            let b11 = rotl(a07 ^ d2, 6)
            let b12 = rotl(a13 ^ d3, 25)
            let b13 = rotl(a19 ^ d4, 8)
            let b14 = rotl(a20 ^ d0, 18)
            let b15 = rotl(a04 ^ d4, 27)
            let b16 = rotl(a05 ^ d0, 36)
            let b17 = rotl(a11 ^ d1, 10)
            let b18 = rotl(a17 ^ d2, 15)
            let b19 = rotl(a23 ^ d3, 56)
            let b20 = rotl(a02 ^ d2, 62)
            let b21 = rotl(a08 ^ d3, 55)
            let b22 = rotl(a14 ^ d4, 39)
            let b23 = rotl(a15 ^ d0, 41)
            let b24 = rotl(a21 ^ d1, 2)
            a00 = b00 ^ (~b01 & b02)
            a01 = b01 ^ (~b02 & b03)
            a02 = b02 ^ (~b03 & b04)
            a03 = b03 ^ (~b04 & b00)
            a04 = b04 ^ (~b00 & b01)
            a05 = b05 ^ (~b06 & b07)
            a06 = b06 ^ (~b07 & b08)
            a07 = b07 ^ (~b08 & b09)
            a08 = b08 ^ (~b09 & b05)
            a09 = b09 ^ (~b05 & b06)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)
            a00 ^= roundConstants[round]
        }
        a[0] = a00; a[1] = a01; a[2] = a02; a[3] = a03; a[4] = a04
        a[5] = a05; a[6] = a06; a[7] = a07; a[8] = a08; a[9] = a09
        a[10] = a10; a[11] = a11; a[12] = a12; a[13] = a13; a[14] = a14
        a[15] = a15; a[16] = a16; a[17] = a17; a[18] = a18; a[19] = a19
        a[20] = a20; a[21] = a21; a[22] = a22; a[23] = a23; a[24] = a24
    }
}
