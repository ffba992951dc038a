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

    /// Encodes `bytes` as hex.
    /// - Parameters:
    ///   - prefix: when `true` the result starts with `0x`.
    ///   - uppercase: use `A`–`F` instead of `a`–`f`.
    public static func encode(_ bytes: some Sequence<UInt8>, prefix: Bool = false, uppercase: Bool = false) -> String {
        if let encoded = bytes.withContiguousStorageIfAvailable({ encode(buffer: $0, prefix: prefix, uppercase: uppercase) }) { return encoded }
        return Array(bytes).withUnsafeBufferPointer { encode(buffer: $0, prefix: prefix, uppercase: uppercase) }
    }

    /// The same for an array, without the generic path (called on every request).
    public static func encode(_ bytes: [UInt8], prefix: Bool = false, uppercase: Bool = false) -> String {
        bytes.withUnsafeBufferPointer { encode(buffer: $0, prefix: prefix, uppercase: uppercase) }
    }

    static func encode(buffer: UnsafeBufferPointer<UInt8>, prefix: Bool, uppercase: Bool) -> String {
        let count = buffer.count * 2 + (prefix ? 2 : 0)
        // A digit d is "0"+d below 10, else the letter offset + d.
        let letters: UInt8 = uppercase ? UInt8(ascii: "A") - 10 : UInt8(ascii: "a") - 10
        return String(unsafeUninitializedCapacity: count) { out in
            var index = 0
            if prefix {
                out[0] = UInt8(ascii: "0")
                out[1] = UInt8(ascii: "x")
                index = 2
            }
            for byte in buffer {
                let high = byte >> 4, low = byte & 0x0F
                out[index] = high < 10 ? UInt8(ascii: "0") + high : letters + high
                out[index + 1] = low < 10 ? UInt8(ascii: "0") + low : letters + low
                index += 2
            }
            return count
        }
    }

    /// Decodes a hex string, with or without a leading `0x`/`0X`. Either letter case is accepted.
    /// The empty string (or a bare `0x`) decodes to no bytes.
    public static func decode(_ string: String) throws(Error) -> [UInt8] {
        if let decoded = decodeFast(string) { return decoded }
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

    /// Well-formed input (optional `0x`, an even number of hex digits) from contiguous UTF-8; nil
    /// sends anything else to the path that reports exactly what is wrong.
    static func decodeFast(_ string: String) -> [UInt8]? {
        string.utf8.withContiguousStorageIfAvailable { utf8 -> [UInt8]? in
            var start = 0
            if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X") { start = 2 }
            let digits = utf8.count - start
            guard digits.isMultiple(of: 2) else { return nil }
            var valid = true
            let out = [UInt8](unsafeUninitializedCapacity: digits / 2) { buffer, count in
                var index = start
                while index < utf8.count {
                    guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { valid = false; break }
                    buffer[count] = high << 4 | low
                    count += 1
                    index += 2
                }
            }
            return valid ? out : nil
        } ?? nil
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
