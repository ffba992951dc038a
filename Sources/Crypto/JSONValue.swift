#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON value whose numbers keep their exact source text (so 256-bit integers survive parsing).
///
/// The parser is strict RFC 8259: no comments, no trailing commas, no duplicate object keys
/// (a duplicate would let two parsers disagree about what was signed), valid UTF-8 only,
/// nesting limited to ``maximumDepth``.
public enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// The number's literal text, e.g. `"-12"`, `"1.5e3"`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public static let maximumDepth = 64

    public struct ParseError: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        /// Byte offset into the UTF-8 input.
        public let offset: Int

        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Parses a complete JSON text (surrounding whitespace allowed).
    public static func parse(_ text: String) throws(ParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(ParseError) in try parse(buffer) }
    }

    /// Parses straight from memory the caller owns for the duration of the call (a request body).
    public static func parse(bytes: UnsafeRawBufferPointer) throws(ParseError) -> JSONValue {
        try parse(bytes.assumingMemoryBound(to: UInt8.self))
    }

    /// One grammar for both forms: the text is read into a document's nodes (see `JSONDocument`),
    /// then the tree is built from them.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) -> JSONValue {
        let parser = Parser(bytes: bytes)
        return parser.value(at: 0, of: try parser.parseDocument())
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    /// An integer from a JSON number or decimal string.
    public var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        if case .string(let text) = self { return Int64(text) }
        return nil
    }

    public subscript(_ key: String) -> JSONValue? { objectValue?[key] }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Compact JSON with object keys sorted (deterministic output).
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    public var description: String { serialized }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): Self.writeString(text, to: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out += "," }
                Self.writeString(member.key, to: &out)
                out += ":"
                member.value.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ text: String, to out: inout String) {
        // Most strings need no escape: copy them whole.
        if !text.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) {
            out += "\""
            out += text
            out += "\""
            return
        }
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Reads memory it does not own: it lives only inside one `parse` call.
    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        /// The input bytes in `range`, without a copy.
        func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[range]) }

        func error(_ message: String) -> ParseError {
            ParseError(message: message, offset: position)
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: StaticString) throws(ParseError) {
            let count = literal.utf8CodeUnitCount
            guard position + count <= bytes.count, memcmp(bytes.baseAddress! + position, literal.utf8Start, count) == 0 else {
                throw error("unexpected character")
            }
            position += count
        }

        /// The bytes of the number at `position` (RFC 8259 grammar), which it moves past.
        mutating func scanNumber() throws(ParseError) -> Range<Int> {
            let start = position
            func digits(_ parser: inout Parser) -> Int {
                var count = 0
                while parser.position < parser.bytes.count, parser.bytes[parser.position] >= UInt8(ascii: "0"), parser.bytes[parser.position] <= UInt8(ascii: "9") {
                    parser.position += 1
                    count += 1
                }
                return count
            }
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count else { throw error("incomplete number") }
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
            } else {
                guard digits(&self) > 0 else { throw error("invalid number") }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard digits(&self) > 0 else { throw error("invalid number: digits must follow '.'") }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                guard digits(&self) > 0 else { throw error("invalid number: digits must follow the exponent") }
            }
            return start..<position
        }

        mutating func parseString() throws(ParseError) -> String {
            position += 1  // opening quote
            let start = position
            // Most strings have no escapes: read them straight from the input, without a copy, and
            // most are ASCII, which is valid UTF-8 as it stands.
            var ascii = true
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    position += 1
                    let text = slice(start..<(position - 1))
                    if ascii { return String(decoding: text, as: UTF8.self) }
                    guard let validated = String(validating: text, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                    return validated
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                if byte >= 0x80 { ascii = false }
                position += 1
            }
            var out = Array(slice(start..<position))
            while true {
                guard position < bytes.count else { throw error("unterminated string") }
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    guard let text = String(validating: out, as: UTF8.self) else {
                        throw error("string is not valid UTF-8")
                    }
                    return text
                case UInt8(ascii: "\\"):
                    position += 1
                    guard position < bytes.count else { throw error("unterminated escape") }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try parseHex4()
                        if (0xD800...0xDBFF).contains(code) {
                            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                                throw error("unpaired UTF-16 surrogate")
                            }
                            position += 2
                            let low = try parseHex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired UTF-16 surrogate") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(code) {
                            throw error("unpaired UTF-16 surrogate")
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                        out.append(contentsOf: scalar.utf8)
                    default:
                        throw error("invalid escape")
                    }
                default:
                    guard byte >= 0x20 else { throw error("control character in string") }
                    out.append(byte)
                    position += 1
                }
            }
        }

        mutating func parseHex4() throws(ParseError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw error("incomplete \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let nibble = Hex.nibble(bytes[position]) else { throw error("invalid \\u escape") }
                value = value << 4 | UInt32(nibble)
                position += 1
            }
            return value
        }
    }
}
