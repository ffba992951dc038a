#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a reader of a JSON shape needs, served by a parsed tree (``JSONValue``) and by a parsed
/// document (``JSONDocument/Element``) alike, so one reader of a shape works on both.
public protocol JSONReadable: Sendable {
    /// The member `key` of an object; nil when absent or when this is not an object.
    subscript(_ key: String) -> Self? { get }
    var stringValue: String? { get }
    var numberText: String? { get }
    var isObject: Bool { get }
    /// The value as a tree.
    var jsonValue: JSONValue { get }
}

extension JSONValue: JSONReadable {
    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    public var jsonValue: JSONValue { self }
}

/// A JSON text parsed once into a flat list of nodes over its own bytes. ``JSONValue/parse(bytes:)``
/// builds its tree from these same nodes, so the two forms accept the same texts, refuse the rest
/// with the same errors, and refuse duplicate keys with Swift's `String` equality, as a dictionary
/// would. A request body read for a few fields costs one pass and two allocations instead of a
/// dictionary per object and a string per key; strings are made only when asked for.
public struct JSONDocument: Sendable {
    let storage: Storage

    /// The top-level value.
    public var root: Element { Element(storage: storage, index: 0) }

    final class Storage: Sendable {
        let bytes: [UInt8]
        let nodes: [Node]
        init(bytes: [UInt8], nodes: [Node]) {
            self.bytes = bytes
            self.nodes = nodes
        }
    }

    struct Node: Sendable {
        enum Kind: UInt8, Sendable { case null, `false`, `true`, number, string, array, object }
        let kind: Kind
        /// A string whose bytes are its text: ASCII without escapes.
        let plain: Bool
        /// A string's bytes between its quotes; a number's bytes.
        let start: Int
        let end: Int
        /// The index of the node after this one's subtree (an object's members are key, value, key, …).
        var after: Int
    }

    /// Parses a complete JSON text (surrounding whitespace allowed), copying it.
    public static func parse(bytes raw: UnsafeRawBufferPointer) throws(JSONValue.ParseError) -> JSONDocument {
        let bytes = Array(raw.assumingMemoryBound(to: UInt8.self))
        let nodes = try bytes.withUnsafeBufferPointer { buffer throws(JSONValue.ParseError) in try JSONValue.Parser(bytes: buffer).parseDocument() }
        return JSONDocument(storage: Storage(bytes: bytes, nodes: nodes))
    }

    public static func parse(_ text: String) throws(JSONValue.ParseError) -> JSONDocument {
        try Array(text.utf8).withUnsafeBufferPointer { buffer throws(JSONValue.ParseError) in try parse(bytes: UnsafeRawBufferPointer(buffer)) }
    }

    /// One value of a document.
    public struct Element: JSONReadable {
        let storage: Storage
        let index: Int

        var node: Node { storage.nodes[index] }

        public var isObject: Bool { node.kind == .object }
        public var isNull: Bool { node.kind == .null }

        public var stringValue: String? {
            let node = self.node
            guard node.kind == .string else { return nil }
            return storage.text(of: node)
        }

        public var numberText: String? {
            let node = self.node
            guard node.kind == .number else { return nil }
            return storage.bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[node.start..<node.end]), as: UTF8.self) }
        }

        public subscript(_ key: String) -> Element? {
            let nodes = storage.nodes
            guard nodes[index].kind == .object else { return nil }
            var member = index + 1
            let end = nodes[index].after
            while member < end {
                if storage.key(nodes[member], equals: key) { return Element(storage: storage, index: member + 1) }
                member = nodes[member + 1].after
            }
            return nil
        }

        public var jsonValue: JSONValue { storage.value(at: index) }
    }
}

extension JSONDocument.Storage {
    /// A string node's text (validated when the document was parsed).
    func text(of node: JSONDocument.Node) -> String {
        bytes.withUnsafeBufferPointer { JSONValue.Parser(bytes: $0).text(node) }
    }

    /// Whether a key node reads `key`, with `String` equality (canonical equivalence included).
    func key(_ node: JSONDocument.Node, equals key: String) -> Bool {
        // A plain key and an ASCII needle are equal when their bytes are; anything else (the needle
        // "\u{212A}" equals the key "K") compares as strings.
        if node.plain, let answer = key.utf8.withContiguousStorageIfAvailable({ needle -> Bool? in
            for byte in needle where byte >= 0x80 { return nil }
            guard needle.count == node.end - node.start else { return false }
            return needle.isEmpty || bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + node.start, needle.baseAddress!, needle.count) == 0 }
        }), let answer {
            return answer
        }
        return text(of: node) == key
    }

    func value(at index: Int) -> JSONValue {
        bytes.withUnsafeBufferPointer { JSONValue.Parser(bytes: $0).value(at: index, of: nodes) }
    }
}

extension JSONValue.Parser {
    /// Objects with more members than this check duplicates through a set instead of pairwise.
    static let pairwiseDuplicateLimit = 16

    /// Moves past the string at `position`, validated exactly as `parseString` does (by it, unless
    /// the string is plain ASCII), and returns its bytes between the quotes.
    mutating func scanString() throws(JSONValue.ParseError) -> (content: Range<Int>, plain: Bool) {
        let open = position
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return (start..<(position - 1), true)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            position += 1
        }
        position = open
        _ = try parseString()
        return (start..<(position - 1), false)
    }

    func text(_ node: JSONDocument.Node) -> String {
        if node.plain { return String(decoding: slice(node.start..<node.end), as: UTF8.self) }
        var parser = self
        parser.position = node.start - 1
        return (try? parser.parseString()) ?? ""
    }

    func sameKey(_ a: JSONDocument.Node, _ b: JSONDocument.Node) -> Bool {
        if a.plain && b.plain {
            let count = a.end - a.start
            guard count == b.end - b.start else { return false }
            return count == 0 || (bytes[a.start] == bytes[b.start] && memcmp(bytes.baseAddress! + a.start, bytes.baseAddress! + b.start, count) == 0)
        }
        return text(a) == text(b)
    }

    /// The nodes of the whole text (surrounding whitespace allowed).
    func parseDocument() throws(JSONValue.ParseError) -> [JSONDocument.Node] {
        var parser = self
        var nodes: [JSONDocument.Node] = []
        nodes.reserveCapacity(64)
        parser.skipWhitespace()
        try parser.parseNode(depth: 0, into: &nodes)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return nodes
    }

    /// The tree of the node at `index` (the nodes were read from this parser's bytes).
    func value(at index: Int, of nodes: [JSONDocument.Node]) -> JSONValue {
        let node = nodes[index]
        switch node.kind {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .number: return .number(String(decoding: slice(node.start..<node.end), as: UTF8.self))
        case .string: return .string(text(node))
        case .array:
            var values: [JSONValue] = []
            var element = index + 1
            while element < node.after {
                values.append(value(at: element, of: nodes))
                element = nodes[element].after
            }
            return .array(values)
        case .object:
            // Room for a typical object's members up front: growing 1 → 2 → 4 → 8 rehashes three times.
            var members = [String: JSONValue](minimumCapacity: 8)
            var member = index + 1
            while member < node.after {
                members[text(nodes[member])] = value(at: member + 1, of: nodes)
                member = nodes[member + 1].after
            }
            return .object(members)
        }
    }

    /// Appends the value at `position` and its subtree.
    mutating func parseNode(depth: Int, into nodes: inout [JSONDocument.Node]) throws(JSONValue.ParseError) {
        guard depth < JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth) levels") }
        guard position < bytes.count else { throw error("unexpected end of input") }
        let index = nodes.count
        func scalar(_ kind: JSONDocument.Node.Kind, _ range: Range<Int> = 0..<0, plain: Bool = false) -> JSONDocument.Node {
            JSONDocument.Node(kind: kind, plain: plain, start: range.lowerBound, end: range.upperBound, after: index + 1)
        }
        switch bytes[position] {
        case UInt8(ascii: "{"): try parseObjectNode(depth: depth, into: &nodes)
        case UInt8(ascii: "["): try parseArrayNode(depth: depth, into: &nodes)
        case UInt8(ascii: "\""):
            let (content, plain) = try scanString()
            nodes.append(scalar(.string, content, plain: plain))
        case UInt8(ascii: "t"): try expect("true"); nodes.append(scalar(.true))
        case UInt8(ascii: "f"): try expect("false"); nodes.append(scalar(.false))
        case UInt8(ascii: "n"): try expect("null"); nodes.append(scalar(.null))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): nodes.append(scalar(.number, try scanNumber()))
        default: throw error("unexpected character")
        }
    }

    mutating func parseObjectNode(depth: Int, into nodes: inout [JSONDocument.Node]) throws(JSONValue.ParseError) {
        let index = nodes.count
        nodes.append(JSONDocument.Node(kind: .object, plain: false, start: position, end: position, after: index + 1))
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return
        }
        var members = 0
        var seen: Set<String>?
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyOffset = position
            let keyIndex = nodes.count
            let (content, plain) = try scanString()
            let key = JSONDocument.Node(kind: .string, plain: plain, start: content.lowerBound, end: content.upperBound, after: keyIndex + 1)
            nodes.append(key)
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipWhitespace()
            try parseNode(depth: depth + 1, into: &nodes)
            // A duplicate is reported after its value, where the tree parser's insert reports it.
            var duplicate = false
            if members < Self.pairwiseDuplicateLimit {
                var member = index + 1
                while member < keyIndex {
                    if sameKey(nodes[member], key) { duplicate = true; break }
                    member = nodes[member + 1].after
                }
            } else {
                if seen == nil {
                    var keys = Set<String>(minimumCapacity: members * 2)
                    var member = index + 1
                    while member < keyIndex {
                        keys.insert(text(nodes[member]))
                        member = nodes[member + 1].after
                    }
                    seen = keys
                }
                duplicate = !seen!.insert(text(key)).inserted
            }
            if duplicate { throw JSONValue.ParseError(message: "duplicate key \"\(text(key))\"", offset: keyOffset) }
            members += 1
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
            position += 1
            nodes[index].after = nodes.count
            return
        }
    }

    mutating func parseArrayNode(depth: Int, into nodes: inout [JSONDocument.Node]) throws(JSONValue.ParseError) {
        let index = nodes.count
        nodes.append(JSONDocument.Node(kind: .array, plain: false, start: position, end: position, after: index + 1))
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            try parseNode(depth: depth + 1, into: &nodes)
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
            position += 1
            nodes[index].after = nodes.count
            return
        }
    }
}
