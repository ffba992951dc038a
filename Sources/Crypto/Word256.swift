/// An unsigned 256-bit integer stored as 32 big-endian bytes: the EVM word, used for `uint256`
/// amounts, timestamps and chain ids. Parsing and printing are exact (no floating point).
public struct Word256: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case invalidDigit(Character)
        case overflow
        case tooManyBytes(Int)

        public var description: String {
            switch self {
            case .empty: return "number is empty"
            case .invalidDigit(let character): return "'\(character.debugDescriptionWithoutQuotes)' is not a digit"
            case .overflow: return "number does not fit in 256 bits"
            case .tooManyBytes(let count): return "a 256-bit word has at most 32 bytes, got \(count)"
            }
        }
    }

    /// 32 bytes, big-endian.
    public let bytes: [UInt8]

    public static let zero = Word256(uncheckedBytes: [UInt8](repeating: 0, count: 32))
    public static let max = Word256(uncheckedBytes: [UInt8](repeating: 0xFF, count: 32))

    init(uncheckedBytes bytes: [UInt8]) {
        self.bytes = bytes
    }

    public init(_ value: UInt64) {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in 0..<8 { bytes[31 - index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        self.bytes = bytes
    }

    /// Big-endian bytes, at most 32 (shorter input is left-padded with zeros).
    public init(bytes: [UInt8]) throws(Error) {
        guard bytes.count <= 32 else { throw .tooManyBytes(bytes.count) }
        self.bytes = [UInt8](repeating: 0, count: 32 - bytes.count) + bytes
    }

    /// Parses a non-negative decimal integer: ASCII digits only, no sign, no separators.
    public init(decimal text: String) throws(Error) {
        guard !text.isEmpty else { throw .empty }
        // Up to 19 ASCII digits fit a UInt64: no per-digit 256-bit arithmetic, no Character walk.
        if text.utf8.count <= 19 {
            var small: UInt64 = 0
            var digitsOnly = true
            for unit in text.utf8 {
                guard unit >= UInt8(ascii: "0"), unit <= UInt8(ascii: "9") else { digitsOnly = false; break }
                small = small &* 10 &+ UInt64(unit &- UInt8(ascii: "0"))
            }
            if digitsOnly { self = Word256(small); return }
        }
        var limbs = Limbs()
        for character in text {
            guard let ascii = character.asciiValue, ascii >= UInt8(ascii: "0"), ascii <= UInt8(ascii: "9") else {
                throw .invalidDigit(character)
            }
            guard limbs.multiplyAdd(10, UInt64(ascii - UInt8(ascii: "0"))) else { throw .overflow }
        }
        self.bytes = limbs.bytes
    }

    /// Parses hex digits with an optional `0x` prefix (leading zeros allowed, at most 256 significant bits).
    public init(hex text: String) throws(Error) {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty else { throw .empty }
        var limbs = Limbs()
        for character in digits {
            guard let ascii = character.asciiValue, let value = Hex.nibble(ascii) else { throw .invalidDigit(character) }
            guard limbs.multiplyAdd(16, UInt64(value)) else { throw .overflow }
        }
        self.bytes = limbs.bytes
    }

    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// Number of significant bits (0 for zero).
    public var bitWidth: Int {
        guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        return (31 - first) * 8 + (8 - bytes[first].leadingZeroBitCount)
    }

    /// `2^256 − self` modulo 2^256 (two's-complement negation).
    public var negated: Word256 {
        var result = [UInt8](repeating: 0, count: 32)
        var carry: UInt16 = 1
        for index in stride(from: 31, through: 0, by: -1) {
            let sum = UInt16(~bytes[index]) + carry
            result[index] = UInt8(truncatingIfNeeded: sum)
            carry = sum >> 8
        }
        return Word256(uncheckedBytes: result)
    }

    /// Exact decimal representation.
    public var decimalString: String {
        var limbs = Limbs(bytes: bytes)
        guard !limbs.isZero else { return "0" }
        var chunks: [UInt64] = []
        while !limbs.isZero { chunks.append(limbs.divide(by: 10_000_000_000_000_000_000)) }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 19 - part.count) + part
        }
        return text
    }

    /// `0x` + 64 hex digits.
    public var hexString: String { Hex.encode(bytes, prefix: true) }

    public var description: String { decimalString }

    public static func < (lhs: Word256, rhs: Word256) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// Four 64-bit limbs, most significant first.
    struct Limbs {
        var value: [UInt64] = [0, 0, 0, 0]

        init() {}

        init(bytes: [UInt8]) {
            for limb in 0..<4 {
                var word: UInt64 = 0
                for byte in bytes[(limb * 8)..<(limb * 8 + 8)] { word = word << 8 | UInt64(byte) }
                value[limb] = word
            }
        }

        var isZero: Bool { value.allSatisfy { $0 == 0 } }

        /// self = self * factor + addend; returns false on overflow past 256 bits.
        mutating func multiplyAdd(_ factor: UInt64, _ addend: UInt64) -> Bool {
            var carry = addend
            for index in stride(from: 3, through: 0, by: -1) {
                let product = value[index].multipliedFullWidth(by: factor)
                let (low, overflow) = product.low.addingReportingOverflow(carry)
                value[index] = low
                carry = product.high + (overflow ? 1 : 0)
            }
            return carry == 0
        }

        /// self = self / divisor; returns the remainder.
        mutating func divide(by divisor: UInt64) -> UInt64 {
            var remainder: UInt64 = 0
            for index in 0..<4 {
                let (quotient, rest) = divisor.dividingFullWidth((high: remainder, low: value[index]))
                value[index] = quotient
                remainder = rest
            }
            return remainder
        }

        var bytes: [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(32)
            for word in value {
                for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
            }
            return out
        }
    }
}
