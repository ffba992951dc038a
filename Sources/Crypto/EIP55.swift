/// EIP-55 mixed-case checksum encoding of 20-byte EVM addresses.
public enum EIP55 {
    /// Errors raised by EIP-55 parsing and validation.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case missingPrefix
        /// Number of hex digits after `0x` (must be 40).
        case invalidLength(Int)
        /// A non-hex character (offset in characters from the start, including `0x`).
        case invalidCharacter(Character, offset: Int)
        /// Mixed-case input whose casing is not the EIP-55 checksum; carries the correct form.
        case checksumMismatch(expected: String)
        /// ``EIP55/checksum(bytes:)`` was given something other than 20 bytes.
        case invalidByteCount(Int)

        public var description: String {
            switch self {
            case .missingPrefix:
                return "EVM address must start with '0x'"
            case .invalidLength(let count):
                return "EVM address must have 40 hex digits after '0x', got \(count)"
            case .invalidCharacter(let character, let offset):
                return "EVM address has a non-hex character '\(character.debugDescriptionWithoutQuotes)' at offset \(offset)"
            case .checksumMismatch(let expected):
                return "mixed-case EVM address fails its EIP-55 checksum (the checksummed form is \(expected))"
            case .invalidByteCount(let count):
                return "EVM address must be 20 bytes, got \(count)"
            }
        }
    }

    /// The checksummed form of a 20-byte address.
    public static func checksum(bytes: [UInt8]) throws(Error) -> String {
        guard bytes.count == 20 else { throw .invalidByteCount(bytes.count) }
        return checksummed(lowercaseHex: Array(Hex.encode(bytes).utf8))
    }

    /// The checksummed form of `0x` + 40 hex digits in any letter case (the input's casing is ignored).
    public static func checksum(_ address: String) throws(Error) -> String {
        checksummed(lowercaseHex: try parse(address).lowercaseHex)
    }

    /// Validates an address and returns its checksummed form. All-lowercase and all-uppercase
    /// hex digits are accepted as "not checksummed"; mixed case must match the checksum.
    public static func validate(_ address: String) throws(Error) -> String {
        let parsed = try parse(address)
        let expected = checksummed(lowercaseHex: parsed.lowercaseHex)
        if parsed.hasLower && parsed.hasUpper {
            guard expected.utf8.dropFirst(2).elementsEqual(address.utf8.dropFirst(2)) else {
                throw .checksumMismatch(expected: expected)
            }
        }
        return expected
    }

    /// Whether ``validate(_:)`` would accept `address`.
    public static func isValid(_ address: String) -> Bool {
        (try? validate(address)) != nil
    }

    /// Whether `address` carries a (correct) EIP-55 checksum, i.e. it is exactly the checksummed form.
    /// Addresses without any letters in their hex digits are trivially checksummed.
    public static func isChecksummed(_ address: String) -> Bool {
        guard let expected = try? checksum(address) else { return false }
        return expected.utf8.elementsEqual(address.utf8)
    }

    private static func parse(_ address: String) throws(Error) -> (lowercaseHex: [UInt8], hasLower: Bool, hasUpper: Bool) {
        let units = Array(address.utf8)
        guard units.count >= 2, units[0] == UInt8(ascii: "0"), units[1] == UInt8(ascii: "x") else { throw .missingPrefix }
        var lower: [UInt8] = []
        lower.reserveCapacity(40)
        var hasLower = false
        var hasUpper = false
        for index in 2..<units.count {
            let unit = units[index]
            switch unit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                lower.append(unit)
            case UInt8(ascii: "a")...UInt8(ascii: "f"):
                hasLower = true
                lower.append(unit)
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                hasUpper = true
                lower.append(unit + 32)
            default:
                let located = locateCharacter(in: address, utf8Offset: index)
                throw .invalidCharacter(located.character, offset: located.offset)
            }
        }
        guard lower.count == 40 else { throw .invalidLength(lower.count) }
        return (lower, hasLower, hasUpper)
    }

    /// Uppercases hex letter `i` when nibble `i` of keccak256(lowercase hex ASCII) is ≥ 8.
    private static func checksummed(lowercaseHex: [UInt8]) -> String {
        let hash = Keccak256.hash(lowercaseHex)
        var out: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: "x")]
        out.reserveCapacity(42)
        for (i, unit) in lowercaseHex.enumerated() {
            let nibble = i.isMultiple(of: 2) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0F
            if unit >= UInt8(ascii: "a"), nibble >= 8 {
                out.append(unit - 32)
            } else {
                out.append(unit)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
