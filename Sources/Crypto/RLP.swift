/// Ethereum's Recursive Length Prefix encoding (Yellow Paper, appendix B).
///
/// An item is a byte string or a list of items. Integers are encoded as their minimal big-endian
/// bytes (zero is the empty string). ``decode(_:)`` is strict: it accepts only the canonical encoding
/// (shortest length prefixes, a single byte below 0x80 never wrapped in a prefix) and no trailing bytes,
/// so every accepted input re-encodes to itself.
public enum RLP {
    public indirect enum Item: Sendable, Equatable, CustomStringConvertible {
        case bytes([UInt8])
        case list([Item])

        /// The minimal big-endian encoding of an unsigned integer (zero is the empty string).
        public static func uint(_ value: UInt64) -> Item {
            .bytes(RLP.minimalBytes(value))
        }

        /// The minimal big-endian encoding of a 256-bit word (zero is the empty string).
        public static func uint(_ value: Word256) -> Item {
            .bytes(Array(value.bytes.drop { $0 == 0 }))
        }

        /// The bytes of a string item, or `nil` for a list.
        public var bytesValue: [UInt8]? {
            if case .bytes(let bytes) = self { return bytes }
            return nil
        }

        /// The elements of a list item, or `nil` for a byte string.
        public var listValue: [Item]? {
            if case .list(let items) = self { return items }
            return nil
        }

        public var description: String {
            switch self {
            case .bytes(let bytes): return "0x" + Hex.encode(bytes)
            case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
            }
        }
    }

    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// The input ends before the item it announces (offset of the item's prefix).
        case truncated(offset: Int)
        /// A length is encoded in more bytes than needed, with a leading zero, or in the long form when the short form fits.
        case nonCanonicalLength(offset: Int)
        /// A single byte below 0x80 wrapped in a 0x81 prefix.
        case nonCanonicalSingleByte(offset: Int)
        /// Bytes left over after the top-level item.
        case trailingBytes(count: Int)
        /// An integer field with leading zero bytes, or too wide for its type.
        case invalidInteger(String)
        /// A structural expectation failed (e.g. a list where a string was expected).
        case unexpectedShape(String)
        /// Nesting deeper than ``RLP/maximumDepth``.
        case tooDeep

        public var description: String {
            switch self {
            case .truncated(let offset): return "RLP item at offset \(offset) runs past the end of the input"
            case .nonCanonicalLength(let offset): return "RLP item at offset \(offset) has a non-canonical length prefix"
            case .nonCanonicalSingleByte(let offset): return "RLP item at offset \(offset) wraps a single byte below 0x80 in a prefix"
            case .trailingBytes(let count): return "\(count) unexpected byte(s) after the RLP item"
            case .invalidInteger(let what): return "invalid RLP integer: \(what)"
            case .unexpectedShape(let what): return "unexpected RLP structure: \(what)"
            case .tooDeep: return "RLP nesting exceeds \(RLP.maximumDepth) levels"
            }
        }
    }

    /// Lists nested deeper than this are rejected by the decoder (protection against stack exhaustion).
    public static let maximumDepth = 64

    // MARK: Encoding

    public static func encode(_ item: Item) -> [UInt8] {
        var out: [UInt8] = []
        append(item, to: &out)
        return out
    }

    /// The encoding of a byte string.
    public static func encode(bytes: [UInt8]) -> [UInt8] {
        encode(.bytes(bytes))
    }

    private static func append(_ item: Item, to out: inout [UInt8]) {
        switch item {
        case .bytes(let bytes):
            if bytes.count == 1, bytes[0] < 0x80 {
                out.append(bytes[0])
            } else {
                appendPrefix(length: bytes.count, shortBase: 0x80, to: &out)
                out += bytes
            }
        case .list(let items):
            var payload: [UInt8] = []
            for element in items { append(element, to: &payload) }
            appendPrefix(length: payload.count, shortBase: 0xC0, to: &out)
            out += payload
        }
    }

    private static func appendPrefix(length: Int, shortBase: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(shortBase + UInt8(length))
        } else {
            let lengthBytes = minimalBytes(UInt64(length))
            out.append(shortBase + 55 + UInt8(lengthBytes.count))
            out += lengthBytes
        }
    }

    static func minimalBytes(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var remaining = value
        while remaining > 0 {
            out.append(UInt8(truncatingIfNeeded: remaining))
            remaining >>= 8
        }
        return out.reversed()
    }

    // MARK: Decoding

    /// Decodes exactly one canonical item spanning the whole input.
    public static func decode(_ data: [UInt8]) throws(Error) -> Item {
        var offset = 0
        let item = try decodeItem(data, &offset, end: data.count, depth: 0)
        guard offset == data.count else { throw .trailingBytes(count: data.count - offset) }
        return item
    }

    /// Decodes one item starting at `offset`, which must end at or before `end`.
    private static func decodeItem(_ data: [UInt8], _ offset: inout Int, end: Int, depth: Int) throws(Error) -> Item {
        guard depth <= maximumDepth else { throw .tooDeep }
        let start = offset
        guard offset < end else { throw .truncated(offset: start) }
        let prefix = data[offset]
        offset += 1
        switch prefix {
        case 0x00...0x7F:
            return .bytes([prefix])
        case 0x80...0xBF:
            let length = try readLength(data, &offset, end: end, prefix: prefix, shortBase: 0x80, start: start)
            guard end - offset >= length else { throw .truncated(offset: start) }
            let bytes = Array(data[offset..<(offset + length)])
            offset += length
            if length == 1, bytes[0] < 0x80 { throw .nonCanonicalSingleByte(offset: start) }
            return .bytes(bytes)
        default:
            let length = try readLength(data, &offset, end: end, prefix: prefix, shortBase: 0xC0, start: start)
            guard end - offset >= length else { throw .truncated(offset: start) }
            let listEnd = offset + length
            var items: [Item] = []
            while offset < listEnd {
                items.append(try decodeItem(data, &offset, end: listEnd, depth: depth + 1))
            }
            return .list(items)
        }
    }

    /// Reads the payload length that follows `prefix` (short or long form), enforcing canonical form.
    private static func readLength(_ data: [UInt8], _ offset: inout Int, end: Int, prefix: UInt8, shortBase: UInt8, start: Int) throws(Error) -> Int {
        let short = Int(prefix - shortBase)
        if short <= 55 { return short }
        let lengthOfLength = short - 55
        guard end - offset >= lengthOfLength else { throw .truncated(offset: start) }
        guard data[offset] != 0, lengthOfLength <= 8 else { throw .nonCanonicalLength(offset: start) }
        var length: UInt64 = 0
        for byte in data[offset..<(offset + lengthOfLength)] { length = length << 8 | UInt64(byte) }
        offset += lengthOfLength
        guard length >= 56 else { throw .nonCanonicalLength(offset: start) }
        guard length <= UInt64(end - offset) else { throw .truncated(offset: start) }
        return Int(length)
    }

    // MARK: Field helpers for decoders of RLP structures

    /// A canonical unsigned integer (no leading zeros) of at most 8 bytes.
    static func uint64(_ item: Item, _ field: String) throws(Error) -> UInt64 {
        let bytes = try integerBytes(item, field, maxBytes: 8)
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A canonical unsigned integer (no leading zeros) of at most 32 bytes.
    static func word(_ item: Item, _ field: String) throws(Error) -> Word256 {
        let bytes = try integerBytes(item, field, maxBytes: 32)
        guard let word = try? Word256(bytes: bytes) else { throw .invalidInteger("\(field) is wider than 256 bits") }
        return word
    }

    private static func integerBytes(_ item: Item, _ field: String, maxBytes: Int) throws(Error) -> [UInt8] {
        guard case .bytes(let bytes) = item else { throw .unexpectedShape("\(field) must be a byte string, not a list") }
        guard bytes.first != 0 else { throw .invalidInteger("\(field) has a leading zero byte") }
        guard bytes.count <= maxBytes else { throw .invalidInteger("\(field) is wider than \(maxBytes * 8) bits") }
        return bytes
    }

    static func string(_ item: Item, _ field: String) throws(Error) -> [UInt8] {
        guard case .bytes(let bytes) = item else { throw .unexpectedShape("\(field) must be a byte string, not a list") }
        return bytes
    }

    static func list(_ item: Item, _ field: String) throws(Error) -> [Item] {
        guard case .list(let items) = item else { throw .unexpectedShape("\(field) must be a list") }
        return items
    }
}
