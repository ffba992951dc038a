/// Base64 (RFC 4648 §4) and base64url (§5).
///
/// Decoding is strict: no whitespace, no characters from the other alphabet, padding only where it
/// belongs, and the unused low bits of the last character must be zero (so every accepted string is
/// the canonical encoding of its bytes).
public enum Base64 {
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// A character outside the alphabet (offset in characters from the start).
        case invalidCharacter(Character, offset: Int)
        /// A length that no encoding produces (e.g. 4n+1 characters, or unpadded input where padding is required).
        case invalidLength(Int)
        /// `=` somewhere other than the last one or two positions, or the wrong amount of it.
        case invalidPadding
        /// The last character carries non-zero bits beyond the encoded data.
        case nonCanonical

        public var description: String {
            switch self {
            case .invalidCharacter(let character, let offset):
                return "invalid base64 character '\(character.debugDescriptionWithoutQuotes)' at offset \(offset)"
            case .invalidLength(let length): return "invalid base64 length \(length)"
            case .invalidPadding: return "invalid base64 padding"
            case .nonCanonical: return "base64 string has non-zero trailing bits (not a canonical encoding)"
            }
        }
    }

    private static let standardAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static func table(_ alphabet: [UInt8]) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, unit) in alphabet.enumerated() { table[Int(unit)] = UInt8(value) }
        return table
    }

    private static let standardValues = table(standardAlphabet)
    private static let urlValues = table(urlAlphabet)

    /// Standard base64 with `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes), alphabet: standardAlphabet, padding: true)
    }

    /// Standard base64; padding is required.
    public static func decode(_ string: String) throws(Error) -> [UInt8] {
        try decode(string, values: standardValues, requirePadding: true)
    }

    /// base64url; unpadded by default (as in JWS/JWT, RFC 7515 §2).
    public static func encodeURL(_ bytes: some Collection<UInt8>, padding: Bool = false) -> String {
        encode(Array(bytes), alphabet: urlAlphabet, padding: padding)
    }

    /// base64url, with or without padding.
    public static func decodeURL(_ string: String) throws(Error) -> [UInt8] {
        try decode(string, values: urlValues, requirePadding: false)
    }

    private static func encode(_ input: [UInt8], alphabet: [UInt8], padding: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((chunk >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let remaining = input.count - index
        if remaining == 1 {
            let chunk = UInt32(input[index]) << 16
            out.append(alphabet[Int((chunk >> 18) & 63)])
            out.append(alphabet[Int((chunk >> 12) & 63)])
            if padding { out += [UInt8(ascii: "="), UInt8(ascii: "=")] }
        } else if remaining == 2 {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out.append(alphabet[Int((chunk >> 18) & 63)])
            out.append(alphabet[Int((chunk >> 12) & 63)])
            out.append(alphabet[Int((chunk >> 6) & 63)])
            if padding { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decode(_ string: String, values: [UInt8], requirePadding: Bool) throws(Error) -> [UInt8] {
        var units = Array(string.utf8)
        // Strip and check padding.
        var padding = 0
        while let last = units.last, last == UInt8(ascii: "=") {
            units.removeLast()
            padding += 1
        }
        if padding > 0 {
            guard padding <= 2, (units.count + padding) % 4 == 0 else { throw .invalidPadding }
        } else if requirePadding {
            guard units.count % 4 == 0 else { throw .invalidLength(units.count) }
        }
        let tail = units.count % 4
        guard tail != 1 else { throw .invalidLength(units.count + padding) }
        if padding > 0, padding != (4 - tail) % 4 { throw .invalidPadding }

        var out: [UInt8] = []
        out.reserveCapacity(units.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for (index, unit) in units.enumerated() {
            let value = values[Int(unit)]
            guard value != 0xFF else {
                if unit == UInt8(ascii: "=") { throw .invalidPadding }
                let located = locateCharacter(in: string, utf8Offset: index)
                throw .invalidCharacter(located.character, offset: located.offset)
            }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { throw .nonCanonical }
        return out
    }
}
