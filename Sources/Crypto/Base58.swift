/// Base58 with the Bitcoin alphabet (also used by Solana for public keys).
public enum Base58 {
    /// The Bitcoin Base58 alphabet (no `0`, `O`, `I`, `l`).
    public static let alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

    /// Errors raised by ``Base58/decode(_:)`` and ``Base58Check/decode(_:)``.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// A character outside the Base58 alphabet; `offset` counts characters from the start.
        case invalidCharacter(Character, offset: Int)
        /// Base58Check: the decoded data is shorter than the 4-byte checksum.
        case tooShort(byteCount: Int)
        /// Base58Check: the trailing 4 bytes are not the double-SHA-256 checksum of the rest.
        case checksumMismatch

        public var description: String {
            switch self {
            case .invalidCharacter(let character, let offset):
                let hint: String
                switch character {
                case "0", "O", "I", "l": hint = " (base58 excludes 0, O, I and l)"
                default: hint = ""
                }
                return "invalid base58 character '\(character.debugDescriptionWithoutQuotes)' at offset \(offset)\(hint)"
            case .tooShort(let count):
                return "base58check data is too short (\(count) bytes; at least 4 checksum bytes are required)"
            case .checksumMismatch:
                return "base58check checksum mismatch"
            }
        }
    }

    private static let alphabetBytes: [UInt8] = Array(alphabet.utf8)

    /// Maps an ASCII code unit to its digit value, or 0xFF when it is not in the alphabet.
    private static let digitValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 128)
        for (value, unit) in alphabet.utf8.enumerated() { table[Int(unit)] = UInt8(value) }
        return table
    }()

    /// Encodes `bytes`; each leading zero byte becomes a leading `1`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var zeros = 0
        while zeros < input.count, input[zeros] == 0 { zeros += 1 }

        // Base-58 digits, least significant first. log(256)/log(58) ≈ 1.366.
        var digits: [UInt8] = []
        digits.reserveCapacity((input.count - zeros) * 138 / 100 + 1)
        for byte in input[zeros...] {
            var carry = UInt32(byte)
            for i in digits.indices {
                carry += UInt32(digits[i]) << 8
                digits[i] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }

        var out = [UInt8](repeating: alphabetBytes[0], count: zeros)
        out.reserveCapacity(zeros + digits.count)
        for digit in digits.reversed() { out.append(alphabetBytes[Int(digit)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes a Base58 string; each leading `1` becomes a leading zero byte.
    /// The empty string decodes to no bytes. Whitespace is not accepted.
    public static func decode(_ string: String) throws(Error) -> [UInt8] {
        let units = Array(string.utf8)
        var zeros = 0
        while zeros < units.count, units[zeros] == alphabetBytes[0] { zeros += 1 }

        // Base-256 bytes, least significant first. log(58)/log(256) ≈ 0.733.
        var bytes: [UInt8] = []
        bytes.reserveCapacity((units.count - zeros) * 733 / 1000 + 1)
        for (index, unit) in units.enumerated().dropFirst(zeros) {
            let value = unit < 128 ? digitValues[Int(unit)] : 0xFF
            guard value != 0xFF else {
                let located = locateCharacter(in: string, utf8Offset: index)
                throw .invalidCharacter(located.character, offset: located.offset)
            }
            var carry = UInt32(value)
            for i in bytes.indices {
                carry += UInt32(bytes[i]) * 58
                bytes[i] = UInt8(truncatingIfNeeded: carry)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(truncatingIfNeeded: carry))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}

/// Base58Check: Base58 of `payload ‖ first 4 bytes of SHA-256(SHA-256(payload))`.
public enum Base58Check {
    /// Encodes `payload` (for addresses: the version byte followed by the hash) with a checksum.
    public static func encode(_ payload: some Collection<UInt8>) -> String {
        let data = Array(payload)
        let checksum = Hashes.doubleSHA256(data).prefix(4)
        return Base58.encode(data + checksum)
    }

    /// Encodes `version ‖ payload` with a checksum (the legacy address / WIF layout).
    public static func encode(version: UInt8, payload: some Collection<UInt8>) -> String {
        encode([version] + Array(payload))
    }

    /// Decodes and verifies the checksum; returns the payload without the 4 checksum bytes
    /// (for addresses, the version byte is the first element).
    public static func decode(_ string: String) throws(Base58.Error) -> [UInt8] {
        let data = try Base58.decode(string)
        guard data.count >= 4 else { throw .tooShort(byteCount: data.count) }
        let payload = Array(data.dropLast(4))
        let checksum = Array(data.suffix(4))
        guard Array(Hashes.doubleSHA256(payload).prefix(4)) == checksum else { throw .checksumMismatch }
        return payload
    }
}
