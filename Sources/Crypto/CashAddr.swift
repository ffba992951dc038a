/// Bitcoin Cash CashAddr addresses (spec: bitcoincash.org `spec/cashaddr.md`, v1.1), plus the
/// CashTokens token-aware types 2 and 3.
///
/// Layout: `prefix ":" base32(versionByte ‖ hash ‖ 40-bit checksum)`. The version byte holds
/// the type in bits 3…6 and the hash size in bits 0…2.
public enum CashAddr {
    /// The reserved prefixes of the three Bitcoin Cash networks.
    public static let mainnetPrefix = "bitcoincash"
    public static let testnetPrefix = "bchtest"
    public static let regtestPrefix = "bchreg"
    public static let knownPrefixes = [mainnetPrefix, testnetPrefix, regtestPrefix]

    /// The address type (version byte bits 3…6).
    public enum AddressType: UInt8, Sendable, Equatable, CaseIterable, CustomStringConvertible {
        case p2pkh = 0
        case p2sh = 1
        /// Token-aware P2PKH (CashTokens, 2023).
        case tokenP2PKH = 2
        /// Token-aware P2SH (CashTokens, 2023).
        case tokenP2SH = 3

        /// Whether the locking script is pay-to-script-hash.
        public var isScriptHash: Bool { self == .p2sh || self == .tokenP2SH }

        public var description: String {
            switch self {
            case .p2pkh: return "P2PKH"
            case .p2sh: return "P2SH"
            case .tokenP2PKH: return "token-aware P2PKH"
            case .tokenP2SH: return "token-aware P2SH"
            }
        }
    }

    /// A decoded CashAddr address.
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        /// Lowercase prefix, e.g. `bitcoincash`.
        public let prefix: String
        public let type: AddressType
        /// The hash: 20, 24, 28, 32, 40, 48, 56 or 64 bytes.
        public let hash: [UInt8]

        /// Validates and builds an address; the prefix is lowercased.
        public init(prefix: String, type: AddressType, hash: [UInt8]) throws(CashAddr.Error) {
            let lower = prefix.lowercased()
            try CashAddr.checkPrefix(lower)
            guard CashAddr.sizeBits(forHashLength: hash.count) != nil else { throw .invalidHashLength(hash.count) }
            self.prefix = lower
            self.type = type
            self.hash = hash
        }

        fileprivate init(validatedPrefix prefix: String, type: AddressType, hash: [UInt8]) {
            self.prefix = prefix
            self.type = type
            self.hash = hash
        }

        /// The canonical lowercase form, with prefix.
        public var encoded: String { CashAddr.encodeUnchecked(prefix: prefix, type: type, hash: hash) }

        /// The canonical lowercase form without the `prefix:` part.
        public var encodedWithoutPrefix: String {
            String(encoded.dropFirst(prefix.utf8.count + 1))
        }

        public var description: String { encoded }
    }

    /// Errors raised by CashAddr encoding and decoding.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case mixedCase
        case invalidPrefix(String)
        case emptyPayload
        /// A payload character not in the base32 charset (offset in characters from the start of the input).
        case invalidCharacter(Character, offset: Int)
        case payloadTooShort
        /// The checksum does not verify for the (given or assumed) prefix.
        case invalidChecksum(prefix: String)
        /// No prefix was given and the checksum matched none of the candidate prefixes.
        case invalidChecksumForAnyPrefix([String])
        case invalidPadding
        case reservedVersionBit
        case unknownType(UInt8)
        case hashLengthMismatch(expected: Int, actual: Int)
        case invalidHashLength(Int)

        public var description: String {
            switch self {
            case .empty:
                return "cashaddr is empty"
            case .mixedCase:
                return "cashaddr mixes upper and lower case"
            case .invalidPrefix(let prefix):
                return "invalid cashaddr prefix '\(prefix)'"
            case .emptyPayload:
                return "cashaddr has no payload after the prefix"
            case .invalidCharacter(let character, let offset):
                return "invalid cashaddr character '\(character.debugDescriptionWithoutQuotes)' at offset \(offset)"
            case .payloadTooShort:
                return "cashaddr payload is too short"
            case .invalidChecksum(let prefix):
                return "cashaddr checksum is invalid for prefix '\(prefix)'"
            case .invalidChecksumForAnyPrefix(let prefixes):
                return "cashaddr checksum is invalid for every known prefix (\(prefixes.joined(separator: ", ")))"
            case .invalidPadding:
                return "cashaddr payload has invalid padding"
            case .reservedVersionBit:
                return "cashaddr version byte has the reserved high bit set"
            case .unknownType(let type):
                return "unknown cashaddr type \(type)"
            case .hashLengthMismatch(let expected, let actual):
                return "cashaddr version byte declares a \(expected)-byte hash but the payload holds \(actual) bytes"
            case .invalidHashLength(let length):
                return "cashaddr hash length \(length) is not one of 20, 24, 28, 32, 40, 48, 56, 64"
            }
        }
    }

    private static let hashLengths = [20, 24, 28, 32, 40, 48, 56, 64]

    static func sizeBits(forHashLength length: Int) -> UInt8? {
        hashLengths.firstIndex(of: length).map { UInt8($0) }
    }

    static func checkPrefix(_ prefix: String) throws(Error) {
        guard !prefix.isEmpty, prefix.utf8.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") || $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .invalidPrefix(prefix)
        }
    }

    /// Encodes an address (lowercase, with prefix).
    public static func encode(prefix: String, type: AddressType, hash: [UInt8]) throws(Error) -> String {
        try Address(prefix: prefix, type: type, hash: hash).encoded
    }

    /// Decodes an address with or without its `prefix:`.
    ///
    /// - Parameter defaultPrefix: the prefix to verify the checksum with when the input has none.
    ///   When `nil`, each of ``knownPrefixes`` is tried and the first whose checksum verifies wins.
    ///   When the input carries a prefix, this parameter is ignored (callers compare `prefix` themselves).
    public static func decode(_ address: String, defaultPrefix: String? = nil) throws(Error) -> Address {
        guard !address.isEmpty else { throw .empty }
        let units = Array(address.utf8)
        let hasLower = units.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        let hasUpper = units.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        guard !(hasLower && hasUpper) else { throw .mixedCase }
        let lower = units.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }

        let payloadStart: Int
        let candidates: [String]
        if let colon = lower.firstIndex(of: UInt8(ascii: ":")) {
            let prefix = String(decoding: lower[..<colon], as: UTF8.self)
            try checkPrefix(prefix)
            payloadStart = colon + 1
            candidates = [prefix]
        } else {
            payloadStart = 0
            if let defaultPrefix {
                let prefix = defaultPrefix.lowercased()
                try checkPrefix(prefix)
                candidates = [prefix]
            } else {
                candidates = knownPrefixes
            }
        }

        guard payloadStart < lower.count else { throw .emptyPayload }
        var values: [UInt8] = []
        values.reserveCapacity(lower.count - payloadStart)
        for index in payloadStart..<lower.count {
            let unit = lower[index]
            let value = unit < 128 ? charsetValues[Int(unit)] : 0xFF
            guard value != 0xFF else {
                let located = locateCharacter(in: address, utf8Offset: index)
                throw .invalidCharacter(located.character, offset: located.offset)
            }
            values.append(value)
        }
        // Version byte (2 chars) + at least one more data char + 8 checksum chars.
        guard values.count > 8 else { throw .payloadTooShort }

        guard let prefix = candidates.first(where: { verifyChecksum(prefix: $0, payload: values) }) else {
            if candidates.count == 1 { throw .invalidChecksum(prefix: candidates[0]) }
            throw .invalidChecksumForAnyPrefix(candidates)
        }

        let bytes: [UInt8]
        do {
            bytes = try Bech32.convertBits(values.dropLast(8), from: 5, to: 8, pad: false)
        } catch {
            throw .invalidPadding
        }
        guard let version = bytes.first else { throw .payloadTooShort }
        guard version & 0x80 == 0 else { throw .reservedVersionBit }
        let typeBits = (version >> 3) & 0x0F
        guard let type = AddressType(rawValue: typeBits) else { throw .unknownType(typeBits) }
        let expectedLength = hashLengths[Int(version & 0x07)]
        let hash = Array(bytes.dropFirst())
        guard hash.count == expectedLength else { throw .hashLengthMismatch(expected: expectedLength, actual: hash.count) }
        return Address(validatedPrefix: prefix, type: type, hash: hash)
    }

    // MARK: - Checksum

    private static let charsetBytes: [UInt8] = Array(Bech32.charset.utf8)
    private static let charsetValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 128)
        for (value, unit) in Bech32.charset.utf8.enumerated() { table[Int(unit)] = UInt8(value) }
        return table
    }()

    static func polymod(_ values: some Sequence<UInt8>) -> UInt64 {
        var c: UInt64 = 1
        for value in values {
            let c0 = UInt8(truncatingIfNeeded: c >> 35)
            c = ((c & 0x07_FFFF_FFFF) << 5) ^ UInt64(value)
            if c0 & 0x01 != 0 { c ^= 0x98_F2BC_8E61 }
            if c0 & 0x02 != 0 { c ^= 0x79_B76D_99E2 }
            if c0 & 0x04 != 0 { c ^= 0xF3_3E5F_B3C4 }
            if c0 & 0x08 != 0 { c ^= 0xAE_2EAB_E2A8 }
            if c0 & 0x10 != 0 { c ^= 0x1E_4F43_E470 }
        }
        return c ^ 1
    }

    private static func checksumInput(prefix: String, payload: [UInt8]) -> [UInt8] {
        prefix.utf8.map { $0 & 31 } + [0] + payload
    }

    static func verifyChecksum(prefix: String, payload: [UInt8]) -> Bool {
        polymod(checksumInput(prefix: prefix, payload: payload)) == 0
    }

    static func encodeUnchecked(prefix: String, type: AddressType, hash: [UInt8]) -> String {
        let version = type.rawValue << 3 | (sizeBits(forHashLength: hash.count) ?? 0)
        return encodePayload(prefix: prefix, bytes: [version] + hash)
    }

    /// Base32-encodes raw payload bytes (version byte first) under `prefix` with a checksum,
    /// without interpreting them.
    static func encodePayload(prefix: String, bytes: [UInt8]) -> String {
        var payload: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            accumulator = (accumulator << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                payload.append(UInt8((accumulator >> UInt32(bits)) & 31))
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { payload.append(UInt8((accumulator << UInt32(5 - bits)) & 31)) }
        let checksum = polymod(checksumInput(prefix: prefix, payload: payload + [0, 0, 0, 0, 0, 0, 0, 0]))
        for i in 0..<8 { payload.append(UInt8((checksum >> UInt64(5 * (7 - i))) & 31)) }
        var out = Array(prefix.utf8)
        out.append(UInt8(ascii: ":"))
        for value in payload { out.append(charsetBytes[Int(value)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
