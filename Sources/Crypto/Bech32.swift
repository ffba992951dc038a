/// Bech32 (BIP-173) and Bech32m (BIP-350) strings: `hrp ‖ "1" ‖ data ‖ 6-character checksum`.
public enum Bech32 {
    /// Which checksum constant a string uses.
    public enum Variant: String, Sendable, Equatable, CustomStringConvertible {
        /// BIP-173, checksum constant 1 (segwit v0).
        case bech32
        /// BIP-350, checksum constant 0x2bc830a3 (segwit v1+).
        case bech32m

        var constant: UInt32 {
            switch self {
            case .bech32: return 1
            case .bech32m: return 0x2BC8_30A3
            }
        }

        public var description: String { rawValue }
    }

    /// A decoded string: the lowercase human-readable part and the 5-bit data values (checksum removed).
    public struct Decoded: Sendable, Equatable {
        public let hrp: String
        /// Values in 0…31, without the checksum.
        public let data: [UInt8]
        public let variant: Variant

        public init(hrp: String, data: [UInt8], variant: Variant) {
            self.hrp = hrp
            self.data = data
            self.variant = variant
        }
    }

    /// Errors raised by Bech32 encoding and decoding.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case tooLong(length: Int, limit: Int)
        /// A character outside US-ASCII 33…126 (offset in characters).
        case characterOutOfRange(Character, offset: Int)
        case mixedCase
        case missingSeparator
        case emptyHRP
        case hrpTooLong(Int)
        /// A data-part character not in the Bech32 charset (offset in characters).
        case invalidDataCharacter(Character, offset: Int)
        /// The data part is shorter than the 6-character checksum.
        case checksumTooShort
        case invalidChecksum
        /// A data value outside 0…31 passed to the encoder.
        case invalidDataValue(UInt8)
        /// Bit conversion: non-zero or over-long padding.
        case invalidPadding

        public var description: String {
            switch self {
            case .tooLong(let length, let limit):
                return "bech32 string is too long (\(length) characters, limit \(limit))"
            case .characterOutOfRange(let character, let offset):
                return "character '\(character.debugDescriptionWithoutQuotes)' at offset \(offset) is not allowed in bech32"
            case .mixedCase:
                return "bech32 string mixes upper and lower case"
            case .missingSeparator:
                return "bech32 string has no '1' separator"
            case .emptyHRP:
                return "bech32 string has an empty human-readable prefix"
            case .hrpTooLong(let length):
                return "bech32 human-readable prefix is too long (\(length) characters, limit 83)"
            case .invalidDataCharacter(let character, let offset):
                return "invalid bech32 data character '\(character.debugDescriptionWithoutQuotes)' at offset \(offset)"
            case .checksumTooShort:
                return "bech32 data part is shorter than the 6-character checksum"
            case .invalidChecksum:
                return "bech32 checksum is invalid"
            case .invalidDataValue(let value):
                return "bech32 data value \(value) is out of range 0...31"
            case .invalidPadding:
                return "invalid padding in bech32 bit conversion"
            }
        }
    }

    /// The 32-character data alphabet.
    public static let charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    private static let charsetBytes: [UInt8] = Array(charset.utf8)
    /// Lowercase ASCII → value, 0xFF when not in the charset.
    private static let charsetValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 128)
        for (value, unit) in charset.utf8.enumerated() { table[Int(unit)] = UInt8(value) }
        return table
    }()

    /// Default maximum string length from BIP-173.
    public static let defaultLengthLimit = 90

    static func polymod(_ values: some Sequence<UInt8>, start: UInt32 = 1) -> UInt32 {
        var checksum = start
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x01FF_FFFF) << 5 ^ UInt32(value)
            if top & 0x01 != 0 { checksum ^= 0x3B6A_57B2 }
            if top & 0x02 != 0 { checksum ^= 0x2650_8E6D }
            if top & 0x04 != 0 { checksum ^= 0x1EA1_19FA }
            if top & 0x08 != 0 { checksum ^= 0x3D42_33DD }
            if top & 0x10 != 0 { checksum ^= 0x2A14_62B3 }
        }
        return checksum
    }

    /// hrp expanded for the checksum: high bits of each character, a zero, low bits of each character.
    static func expandHRP(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Encodes `data` (5-bit values) under `hrp`. The hrp is lowercased; the output is lowercase.
    public static func encode(hrp: String, data: [UInt8], variant: Variant, lengthLimit: Int = defaultLengthLimit) throws(Error) -> String {
        let hrpBytes = Array(hrp.lowercased().utf8)
        guard !hrpBytes.isEmpty else { throw .emptyHRP }
        guard hrpBytes.count <= 83 else { throw .hrpTooLong(hrpBytes.count) }
        for (index, unit) in hrpBytes.enumerated() where unit < 33 || unit > 126 {
            let located = locateCharacter(in: hrp.lowercased(), utf8Offset: index)
            throw .characterOutOfRange(located.character, offset: located.offset)
        }
        if let bad = data.first(where: { $0 > 31 }) { throw .invalidDataValue(bad) }
        let length = hrpBytes.count + 1 + data.count + 6
        guard length <= lengthLimit else { throw .tooLong(length: length, limit: lengthLimit) }
        return encodeUnchecked(hrp: hrpBytes, data: data, variant: variant)
    }

    /// Encoding without validation; callers guarantee a printable lowercase hrp and 5-bit data.
    static func encodeUnchecked(hrp: [UInt8], data: [UInt8], variant: Variant) -> String {
        let checksum = polymod(expandHRP(hrp) + data + [0, 0, 0, 0, 0, 0]) ^ variant.constant
        var out = hrp
        out.append(UInt8(ascii: "1"))
        for value in data { out.append(charsetBytes[Int(value)]) }
        for i in 0..<6 {
            out.append(charsetBytes[Int((checksum >> UInt32(5 * (5 - i))) & 31)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes a Bech32 or Bech32m string and reports which checksum it carries.
    /// Upper- or lowercase input is accepted (not mixed); the returned hrp is lowercase.
    public static func decode(_ string: String, lengthLimit: Int = defaultLengthLimit) throws(Error) -> Decoded {
        let units = Array(string.utf8)
        var hasLower = false
        var hasUpper = false
        for (index, unit) in units.enumerated() {
            guard unit >= 33, unit <= 126 else {
                let located = locateCharacter(in: string, utf8Offset: index)
                throw .characterOutOfRange(located.character, offset: located.offset)
            }
            if unit >= UInt8(ascii: "a"), unit <= UInt8(ascii: "z") { hasLower = true }
            if unit >= UInt8(ascii: "A"), unit <= UInt8(ascii: "Z") { hasUpper = true }
        }
        guard units.count <= lengthLimit else { throw .tooLong(length: units.count, limit: lengthLimit) }
        guard !(hasLower && hasUpper) else { throw .mixedCase }
        let lower = units.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")) else { throw .missingSeparator }
        guard separator > 0 else { throw .emptyHRP }
        guard separator <= 83 else { throw .hrpTooLong(separator) }
        let hrp = Array(lower[..<separator])
        var values: [UInt8] = []
        values.reserveCapacity(lower.count - separator - 1)
        for index in (separator + 1)..<lower.count {
            let value = charsetValues[Int(lower[index])]
            guard value != 0xFF else {
                let located = locateCharacter(in: string, utf8Offset: index)
                throw .invalidDataCharacter(located.character, offset: located.offset)
            }
            values.append(value)
        }
        guard values.count >= 6 else { throw .checksumTooShort }
        let residue = polymod(expandHRP(hrp) + values)
        let variant: Variant
        switch residue {
        case Variant.bech32.constant: variant = .bech32
        case Variant.bech32m.constant: variant = .bech32m
        default: throw .invalidChecksum
        }
        return Decoded(hrp: String(decoding: hrp, as: UTF8.self), data: Array(values.dropLast(6)), variant: variant)
    }

    /// Regroups a bit stream from `fromBits`-wide to `toBits`-wide values (both 1…8).
    /// With `pad` the final group is zero-padded; without it, leftover bits must be fewer than
    /// `fromBits` and all zero (BIP-173's rule for decoding).
    public static func convertBits(_ data: some Sequence<UInt8>, from fromBits: Int, to toBits: Int, pad: Bool) throws(Error) -> [UInt8] {
        precondition((1...8).contains(fromBits) && (1...8).contains(toBits), "bit widths must be 1...8")
        var accumulator: UInt32 = 0
        var bits = 0
        let maxValue: UInt32 = (1 << UInt32(toBits)) - 1
        var out: [UInt8] = []
        out.reserveCapacity(data.underestimatedCount * fromBits / toBits + 1)
        for value in data {
            guard UInt32(value) >> UInt32(fromBits) == 0 else { throw .invalidDataValue(value) }
            accumulator = (accumulator << UInt32(fromBits)) | UInt32(value)
            bits += fromBits
            while bits >= toBits {
                bits -= toBits
                out.append(UInt8((accumulator >> UInt32(bits)) & maxValue))
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        if pad {
            if bits > 0 { out.append(UInt8((accumulator << UInt32(toBits - bits)) & maxValue)) }
        } else if bits >= fromBits || accumulator != 0 {
            throw .invalidPadding
        }
        return out
    }
}

/// A native segwit address (BIP-173 / BIP-350): hrp, witness version and witness program.
public struct SegwitAddress: Sendable, Equatable, CustomStringConvertible {
    /// Lowercase human-readable part, e.g. `bc`, `tb`, `bcrt`, `ltc`.
    public let hrp: String
    /// Witness version 0…16.
    public let version: UInt8
    /// Witness program, 2…40 bytes (20 or 32 for version 0).
    public let program: [UInt8]

    /// Errors raised when decoding or constructing a segwit address.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case bech32(Bech32.Error)
        case hrpMismatch(expected: String, actual: String)
        case emptyData
        case invalidWitnessVersion(Int)
        case invalidProgramLength(version: UInt8, length: Int)
        /// v0 must use Bech32, v1+ must use Bech32m.
        case wrongChecksumVariant(version: UInt8, variant: Bech32.Variant)
        case invalidPadding

        public var description: String {
            switch self {
            case .bech32(let error):
                return error.description
            case .hrpMismatch(let expected, let actual):
                return "segwit prefix '\(actual)' does not match the expected '\(expected)'"
            case .emptyData:
                return "segwit address has no witness version or program"
            case .invalidWitnessVersion(let version):
                return "invalid witness version \(version) (must be 0...16)"
            case .invalidProgramLength(let version, let length):
                if version == 0 {
                    return "witness v0 program must be 20 or 32 bytes, got \(length)"
                }
                return "witness program must be 2...40 bytes, got \(length)"
            case .wrongChecksumVariant(let version, let variant):
                let expected: Bech32.Variant = version == 0 ? .bech32 : .bech32m
                return "witness v\(version) address must use a \(expected) checksum, not \(variant)"
            case .invalidPadding:
                return "segwit program has invalid padding"
            }
        }
    }

    /// Validates and builds an address. The hrp is lowercased.
    public init(hrp: String, version: UInt8, program: [UInt8]) throws(Error) {
        guard version <= 16 else { throw .invalidWitnessVersion(Int(version)) }
        try Self.checkProgram(version: version, length: program.count)
        let lowerHRP = hrp.lowercased()
        // Validate the hrp and overall length by encoding once.
        do {
            let data = try Bech32.convertBits(program, from: 8, to: 5, pad: true)
            _ = try Bech32.encode(hrp: lowerHRP, data: [version] + data, variant: version == 0 ? .bech32 : .bech32m)
        } catch {
            throw .bech32(error)
        }
        self.hrp = lowerHRP
        self.version = version
        self.program = program
    }

    private init(validatedHRP hrp: String, version: UInt8, program: [UInt8]) {
        self.hrp = hrp
        self.version = version
        self.program = program
    }

    private static func checkProgram(version: UInt8, length: Int) throws(Error) {
        guard (2...40).contains(length) else { throw .invalidProgramLength(version: version, length: length) }
        if version == 0, length != 20, length != 32 { throw .invalidProgramLength(version: version, length: length) }
    }

    /// Decodes any segwit address, taking the hrp from the string.
    public static func decode(_ address: String) throws(Error) -> SegwitAddress {
        let decoded: Bech32.Decoded
        do {
            decoded = try Bech32.decode(address)
        } catch {
            throw .bech32(error)
        }
        guard let versionValue = decoded.data.first else { throw .emptyData }
        guard versionValue <= 16 else { throw .invalidWitnessVersion(Int(versionValue)) }
        let program: [UInt8]
        do {
            program = try Bech32.convertBits(decoded.data.dropFirst(), from: 5, to: 8, pad: false)
        } catch {
            throw .invalidPadding
        }
        try checkProgram(version: versionValue, length: program.count)
        let expectedVariant: Bech32.Variant = versionValue == 0 ? .bech32 : .bech32m
        guard decoded.variant == expectedVariant else {
            throw .wrongChecksumVariant(version: versionValue, variant: decoded.variant)
        }
        return SegwitAddress(validatedHRP: decoded.hrp, version: versionValue, program: program)
    }

    /// Decodes a segwit address and requires its hrp to be `expectedHRP` (case-insensitive).
    public static func decode(_ address: String, expectedHRP: String) throws(Error) -> SegwitAddress {
        let address = try decode(address)
        guard address.hrp == expectedHRP.lowercased() else {
            throw .hrpMismatch(expected: expectedHRP.lowercased(), actual: address.hrp)
        }
        return address
    }

    /// The canonical lowercase address string.
    public var encoded: String {
        // `program` was validated at construction, so conversion with padding cannot fail.
        var data: [UInt8] = [version]
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in program {
            accumulator = (accumulator << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                data.append(UInt8((accumulator >> UInt32(bits)) & 31))
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { data.append(UInt8((accumulator << UInt32(5 - bits)) & 31)) }
        return Bech32.encodeUnchecked(hrp: Array(hrp.utf8), data: data, variant: version == 0 ? .bech32 : .bech32m)
    }

    /// The output script: `OP_n <program>` (OP_0 = 0x00, OP_1…OP_16 = 0x51…0x60).
    public var scriptPubKey: [UInt8] {
        [version == 0 ? 0x00 : 0x50 + version, UInt8(program.count)] + program
    }

    public var description: String { encoded }
}
