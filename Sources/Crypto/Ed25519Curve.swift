/// Arithmetic in GF(2^255 − 19), just enough to decide whether 32 bytes decompress to an Ed25519
/// point (RFC 8032 §5.1.3). Solana needs this to reject program-derived address candidates that lie
/// on the curve. Not constant time: it only ever sees public data (hashes of seeds).
public enum Ed25519Curve {
    /// Whether `bytes` is the compressed form of a point on the Ed25519 curve, with the semantics of
    /// curve25519-dalek's `CompressedEdwardsY::decompress().is_some()`, which Solana's
    /// `Pubkey::is_on_curve` uses: the sign bit (bit 255) is ignored and a y coordinate ≥ p is reduced
    /// modulo p. (Strict RFC 8032 decoding also rejects y ≥ p and "x = 0 with the sign bit set";
    /// following dalek keeps program-derived addresses identical to the chain's.)
    ///
    /// RFC 8032 §5.1.3: with u = y² − 1 and v = d·y² + 1, the candidate root x = u·v³·(u·v⁷)^((p−5)/8)
    /// solves x² = u/v when v·x² = u; when v·x² = −u the root is x·√−1; otherwise no x exists.
    public static func isOnCurve(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 32 else { return false }
        var yBytes = bytes
        yBytes[31] &= 0x7F
        let y = FieldElement(littleEndian: yBytes)
        let y2 = y.squared()
        let u = y2 - FieldElement.one
        let v = FieldElement.d * y2 + FieldElement.one
        let v3 = v.squared() * v
        let v7 = v3.squared() * v
        let x = u * v3 * (u * v7).powP58()
        let vx2 = v * x.squared()
        return vx2 == u || vx2 == -u
    }
}

/// An element of GF(p), p = 2^255 − 19, as four little-endian 64-bit limbs holding a value < 2^256
/// (not necessarily fully reduced; ``canonical`` reduces).
struct FieldElement: Equatable {
    var limbs: (UInt64, UInt64, UInt64, UInt64)

    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        limbs = (l0, l1, l2, l3)
    }

    /// 32 little-endian bytes (all 256 bits are used; the value is reduced lazily).
    init(littleEndian bytes: [UInt8]) {
        precondition(bytes.count == 32)
        func limb(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in bytes[(index * 8)..<(index * 8 + 8)].reversed() { value = value << 8 | UInt64(byte) }
            return value
        }
        self.init(limb(0), limb(1), limb(2), limb(3))
    }

    static let zero = FieldElement(0, 0, 0, 0)
    static let one = FieldElement(1, 0, 0, 0)
    /// p = 2^255 − 19.
    static let p = FieldElement(0xFFFF_FFFF_FFFF_FFED, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF)
    /// d = −121665/121666 mod p.
    static let d = FieldElement(0x75EB_4DCA_1359_78A3, 0x0070_0A4D_4141_D8AB, 0x8CC7_4079_7779_E898, 0x5203_6CEE_2B6F_FE73)

    var array: [UInt64] { [limbs.0, limbs.1, limbs.2, limbs.3] }

    init(_ array: [UInt64]) {
        self.init(array[0], array[1], array[2], array[3])
    }

    /// The value reduced into 0 ..< p.
    var canonical: [UInt64] {
        var value = array
        // value < 2^256 < 3p, so at most two subtractions.
        for _ in 0..<2 where !Self.lessThanP(value) {
            value = Self.subtractP(value)
        }
        return value
    }

    static func lessThanP(_ value: [UInt64]) -> Bool {
        let modulus = p.array
        for index in stride(from: 3, through: 0, by: -1) where value[index] != modulus[index] {
            return value[index] < modulus[index]
        }
        return false
    }

    static func subtractP(_ value: [UInt64]) -> [UInt64] {
        let modulus = p.array
        var out = value
        var borrow: UInt64 = 0
        for index in 0..<4 {
            let (d1, o1) = value[index].subtractingReportingOverflow(modulus[index])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            out[index] = d2
            borrow = (o1 || o2) ? 1 : 0
        }
        return out
    }

    static func == (lhs: FieldElement, rhs: FieldElement) -> Bool {
        lhs.canonical == rhs.canonical
    }

    /// Adds `carry · 2^256 ≡ carry · 38` back into the low limbs until nothing is left over.
    private static func fold(_ limbs: inout [UInt64], carry: UInt64) {
        var addend = carry &* 38
        while addend != 0 {
            var overflowCarry: UInt64 = addend
            for index in 0..<4 {
                let (sum, overflow) = limbs[index].addingReportingOverflow(overflowCarry)
                limbs[index] = sum
                overflowCarry = overflow ? 1 : 0
                if overflowCarry == 0 { break }
            }
            addend = overflowCarry &* 38
        }
    }

    static func + (lhs: FieldElement, rhs: FieldElement) -> FieldElement {
        let a = lhs.array
        let b = rhs.array
        var out = [UInt64](repeating: 0, count: 4)
        var carry: UInt64 = 0
        for index in 0..<4 {
            let (s1, o1) = a[index].addingReportingOverflow(b[index])
            let (s2, o2) = s1.addingReportingOverflow(carry)
            out[index] = s2
            carry = (o1 || o2) ? 1 : 0
        }
        fold(&out, carry: carry)
        return FieldElement(out)
    }

    static prefix func - (value: FieldElement) -> FieldElement {
        // 2p − value for the canonical value (< p), which is < 2^256.
        let v = value.canonical
        let twoP: [UInt64] = [0xFFFF_FFFF_FFFF_FFDA, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF]
        var out = [UInt64](repeating: 0, count: 4)
        var borrow: UInt64 = 0
        for index in 0..<4 {
            let (d1, o1) = twoP[index].subtractingReportingOverflow(v[index])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            out[index] = d2
            borrow = (o1 || o2) ? 1 : 0
        }
        return FieldElement(out)
    }

    static func - (lhs: FieldElement, rhs: FieldElement) -> FieldElement {
        lhs + (-rhs)
    }

    static func * (lhs: FieldElement, rhs: FieldElement) -> FieldElement {
        let a = lhs.array
        let b = rhs.array
        var wide = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (high, low) = a[i].multipliedFullWidth(by: b[j])
                let (s1, o1) = wide[i + j].addingReportingOverflow(low)
                let (s2, o2) = s1.addingReportingOverflow(carry)
                wide[i + j] = s2
                // The full sum is < 2^128, so the new carry fits in 64 bits.
                carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            wide[i + 4] = carry
        }
        // wide = low + 2^256 · high ≡ low + 38 · high.
        var out = [UInt64](repeating: 0, count: 4)
        var carry: UInt64 = 0
        for index in 0..<4 {
            let (high, low) = wide[index + 4].multipliedFullWidth(by: 38)
            let (s1, o1) = wide[index].addingReportingOverflow(low)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            out[index] = s2
            carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        }
        fold(&out, carry: carry)
        return FieldElement(out)
    }

    func squared() -> FieldElement { self * self }

    /// self^((p − 5) / 8) = self^(2^252 − 3).
    func powP58() -> FieldElement {
        // 2^252 − 3 in binary: 250 ones, then 0, then 1 (…11111101).
        var result = FieldElement.one
        var base = self
        // Exponent bits from least significant: bit 0 = 1, bit 1 = 0, bits 2…251 = 1.
        for bit in 0..<252 {
            if bit != 1 { result = result * base }
            base = base.squared()
        }
        return result
    }
}
