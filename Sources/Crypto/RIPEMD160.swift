/// RIPEMD-160 (Dobbertin, Bosselaers, Preneel, 1996), as used in Bitcoin's HASH160.
public enum RIPEMD160 {
    /// Digest length in bytes.
    public static let digestByteCount = 20
    static let blockSize = 64

    /// RIPEMD-160 digest of `bytes`.
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
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        let count = input.count
        var offset = 0
        while count - offset >= blockSize {
            compress(&h, UnsafeRawBufferPointer(rebasing: input[offset..<(offset + blockSize)]))
            offset += blockSize
        }

        // MD-style padding: 0x80, zeros, then the bit length as a 64-bit little-endian integer.
        var tail = [UInt8](repeating: 0, count: 128)
        let remaining = count - offset
        for i in 0..<remaining { tail[i] = input[offset + i] }
        tail[remaining] = 0x80
        let tailLength = remaining + 9 <= blockSize ? blockSize : 2 * blockSize
        let bitLength = UInt64(count) &* 8
        for i in 0..<8 { tail[tailLength - 8 + i] = UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * i)) }
        tail.withUnsafeBytes { raw in
            var position = 0
            while position < tailLength {
                compress(&h, UnsafeRawBufferPointer(rebasing: raw[position..<(position + blockSize)]))
                position += blockSize
            }
        }

        var digest: [UInt8] = []
        digest.reserveCapacity(digestByteCount)
        for word in [h.0, h.1, h.2, h.3, h.4] {
            for i in 0..<4 { digest.append(UInt8(truncatingIfNeeded: word >> UInt32(8 * i))) }
        }
        return digest
    }

    // MARK: - Compression function

    /// Message word order, left line.
    private static let rLeft: [Int] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
        3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
        1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
        4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
    ]
    /// Message word order, right line.
    private static let rRight: [Int] = [
        5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
        6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
        15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
        8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
        12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
    ]
    /// Rotation amounts, left line.
    private static let sLeft: [UInt32] = [
        11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
        7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
        11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
        11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
        9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
    ]
    /// Rotation amounts, right line.
    private static let sRight: [UInt32] = [
        8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
        9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
        9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
        15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
        8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
    ]
    private static let kLeft: [UInt32] = [0x0000_0000, 0x5A82_7999, 0x6ED9_EBA1, 0x8F1B_BCDC, 0xA953_FD4E]
    private static let kRight: [UInt32] = [0x50A2_8BE6, 0x5C4D_D124, 0x6D70_3EF3, 0x7A6D_76E9, 0x0000_0000]

    @inline(__always)
    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x &<< n) | (x &>> (32 &- n))
    }

    /// The nonlinear function for round group `group` (0…4).
    @inline(__always)
    private static func f(_ group: Int, _ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 {
        switch group {
        case 0: return x ^ y ^ z
        case 1: return (x & y) | (~x & z)
        case 2: return (x | ~y) ^ z
        case 3: return (x & z) | (y & ~z)
        default: return x ^ (y | ~z)
        }
    }

    private static func compress(_ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32), _ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { words in
            for i in 0..<16 {
                words[i] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
            }
            var al = h.0, bl = h.1, cl = h.2, dl = h.3, el = h.4
            var ar = h.0, br = h.1, cr = h.2, dr = h.3, er = h.4
            for j in 0..<80 {
                let group = j >> 4
                var t = al &+ f(group, bl, cl, dl) &+ words[rLeft[j]] &+ kLeft[group]
                t = rotl(t, sLeft[j]) &+ el
                al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t

                t = ar &+ f(4 - group, br, cr, dr) &+ words[rRight[j]] &+ kRight[group]
                t = rotl(t, sRight[j]) &+ er
                ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
            }
            let t = h.1 &+ cl &+ dr
            h.1 = h.2 &+ dl &+ er
            h.2 = h.3 &+ el &+ ar
            h.3 = h.4 &+ al &+ br
            h.4 = h.0 &+ bl &+ cr
            h.0 = t
        }
    }
}
