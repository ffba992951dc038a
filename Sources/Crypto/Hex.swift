/// Hexadecimal encoding and decoding of byte strings.
public enum Hex {
    /// Errors raised by ``Hex/decode(_:)``.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The number of hex digits (after any `0x` prefix) is odd.
        case oddLength(Int)
        /// A character that is not a hex digit; `offset` counts characters from the start of the input.
        case invalidCharacter(Character, offset: Int)

        public var description: String {
            switch self {
            case .oddLength(let count):
                return "hex string has an odd number of digits (\(count))"
            case .invalidCharacter(let character, let offset):
                return "invalid hex character '\(character.debugDescriptionWithoutQuotes)' at offset \(offset)"
            }
        }
    }

    private static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Encodes `bytes` as hex.
    /// - Parameters:
    ///   - prefix: when `true` the result starts with `0x`.
    ///   - uppercase: use `A`–`F` instead of `a`–`f`.
    public static func encode(_ bytes: some Sequence<UInt8>, prefix: Bool = false, uppercase: Bool = false) -> String {
        let digits = uppercase ? upperDigits : lowerDigits
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2 + 2)
        if prefix { out.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: "x")]) }
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes a hex string, with or without a leading `0x`/`0X`. Either letter case is accepted.
    /// The empty string (or a bare `0x`) decodes to no bytes.
    public static func decode(_ string: String) throws(Error) -> [UInt8] {
        var utf8 = string.utf8[...]
        var offset = 0
        if utf8.count >= 2, utf8.first == UInt8(ascii: "0"),
           let second = utf8.dropFirst().first, second == UInt8(ascii: "x") || second == UInt8(ascii: "X") {
            utf8 = utf8.dropFirst(2)
            offset = 2
        }
        // Validate characters first so a non-hex character is reported in preference to odd length.
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var high: UInt8? = nil
        var count = 0
        for (index, unit) in utf8.enumerated() {
            guard let value = nibble(unit) else {
                let located = locateCharacter(in: string, utf8Offset: offset + index)
                throw .invalidCharacter(located.character, offset: located.offset)
            }
            count += 1
            if let h = high {
                out.append(h << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        if high != nil { throw .oddLength(count) }
        return out
    }

    /// Value of one ASCII hex digit, or `nil`.
    @inline(__always)
    static func nibble(_ unit: UInt8) -> UInt8? {
        switch unit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return unit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return unit &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return unit &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }
}

// MARK: - Helpers shared by the decoders in this module

/// The character that contains the UTF-8 code unit at `utf8Offset`, and that character's
/// offset (in characters) from the start of `string`. Only used on error paths.
func locateCharacter(in string: String, utf8Offset: Int) -> (character: Character, offset: Int) {
    var consumed = 0
    var characterIndex = 0
    for character in string {
        let width = character.utf8.count
        if utf8Offset < consumed + width { return (character, characterIndex) }
        consumed += width
        characterIndex += 1
    }
    return (" ", characterIndex)
}

extension Character {
    /// A printable rendering of the character for error messages (control characters escaped).
    var debugDescriptionWithoutQuotes: String {
        if let scalar = unicodeScalars.first, unicodeScalars.count == 1,
           scalar.value < 0x20 || scalar.value == 0x7f || (scalar.value >= 0x80 && scalar.value < 0xa0) || scalar.properties.isWhitespace {
            return "\\u{\(String(scalar.value, radix: 16))}"
        }
        return String(self)
    }
}
