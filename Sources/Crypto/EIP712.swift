/// EIP-712 typed structured data hashing, from the `eth_signTypedData_v4` JSON form.
public enum EIP712 {
    /// Why typed data could not be hashed; `reason` names the offending type or value path.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String

        public init(_ reason: String) {
            self.reason = reason
        }

        public var description: String { reason }
    }

    /// The domain fields an implicit `EIP712Domain` may contain, in canonical order.
    public static let canonicalDomainFields: [TypedData.Field] = [
        TypedData.Field(name: "name", type: "string"),
        TypedData.Field(name: "version", type: "string"),
        TypedData.Field(name: "chainId", type: "uint256"),
        TypedData.Field(name: "verifyingContract", type: "address"),
        TypedData.Field(name: "salt", type: "bytes32"),
    ]

    /// A field type, parsed.
    indirect enum FieldType: Sendable, Equatable {
        case bool
        case address
        case uint(bits: Int)
        case int(bits: Int)
        case fixedBytes(Int)
        case bytes
        case string
        case structure(String)
        case array(FieldType, length: Int?)

        /// Parses `uint256`, `bytes32`, `Person`, `Person[]`, `uint8[3][]`, ….
        static func parse(_ text: String, structs: Set<String>) -> FieldType? {
            if text.hasSuffix("]"), let open = text.lastIndex(of: "[") {
                let lengthText = text[text.index(after: open)..<text.index(before: text.endIndex)]
                guard let element = parse(String(text[..<open]), structs: structs) else { return nil }
                if lengthText.isEmpty { return .array(element, length: nil) }
                guard lengthText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                      lengthText.utf8.count <= 6, let length = Int(lengthText), length > 0 else { return nil }
                return .array(element, length: length)
            }
            if let atomic = atomic(text) { return atomic }
            return structs.contains(text) ? .structure(text) : nil
        }

        static func atomic(_ text: String) -> FieldType? {
            switch text {
            case "bool": return .bool
            case "address": return .address
            case "bytes": return .bytes
            case "string": return .string
            default: break
            }
            if text.hasPrefix("uint"), let bits = canonicalNumber(text.dropFirst(4)), bits % 8 == 0, (8...256).contains(bits) {
                return .uint(bits: bits)
            }
            if text.hasPrefix("int"), let bits = canonicalNumber(text.dropFirst(3)), bits % 8 == 0, (8...256).contains(bits) {
                return .int(bits: bits)
            }
            if text.hasPrefix("bytes"), let count = canonicalNumber(text.dropFirst(5)), (1...32).contains(count) {
                return .fixedBytes(count)
            }
            return nil
        }

        /// A decimal number without sign or leading zeros.
        static func canonicalNumber(_ text: Substring) -> Int? {
            guard !text.isEmpty, text.count <= 3, text.first != "0",
                  text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return Int(text)
        }

        /// The struct name at the bottom of any array nesting.
        var baseStruct: String? {
            switch self {
            case .structure(let name): return name
            case .array(let element, _): return element.baseStruct
            default: return nil
            }
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        func isLetter(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$")
        }
        return isLetter(first) && text.utf8.allSatisfy { isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }
}

/// Typed data as in `eth_signTypedData_v4`: `types`, `primaryType`, `domain`, `message`.
public struct TypedData: Sendable {
    public struct Field: Sendable, Hashable {
        public let name: String
        public let type: String

        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    public let types: [String: [Field]]
    public let primaryType: String
    public let domain: [String: JSONValue]
    public let message: JSONValue

    /// Parsed field types per struct (validated at construction).
    let parsed: [String: [(name: String, type: EIP712.FieldType)]]
    /// The fields of `EIP712Domain`: from `types` if declared there, else inferred from `domain`'s keys.
    public let domainFields: [Field]

    /// Builds typed data and validates every type definition.
    public init(types: [String: [Field]], primaryType: String, domain: [String: JSONValue], message: JSONValue) throws(EIP712.Error) {
        var domainFields: [Field]
        if let declared = types["EIP712Domain"] {
            domainFields = declared
        } else {
            for key in domain.keys where !EIP712.canonicalDomainFields.contains(where: { $0.name == key }) {
                throw EIP712.Error("domain has field '\(key)' but no EIP712Domain type declares it")
            }
            domainFields = EIP712.canonicalDomainFields.filter { domain[$0.name] != nil }
        }
        var allTypes = types
        allTypes["EIP712Domain"] = domainFields
        let structNames = Set(allTypes.keys)
        var parsed: [String: [(name: String, type: EIP712.FieldType)]] = [:]
        for (name, fields) in allTypes {
            guard EIP712.isIdentifier(name) else { throw EIP712.Error("type name '\(name)' is not a valid identifier") }
            guard EIP712.FieldType.atomic(name) == nil else { throw EIP712.Error("type name '\(name)' clashes with an atomic type") }
            var seen = Set<String>()
            var list: [(name: String, type: EIP712.FieldType)] = []
            for field in fields {
                guard EIP712.isIdentifier(field.name) else {
                    throw EIP712.Error("field name '\(field.name)' in type \(name) is not a valid identifier")
                }
                guard seen.insert(field.name).inserted else { throw EIP712.Error("type \(name) declares field '\(field.name)' twice") }
                guard let type = EIP712.FieldType.parse(field.type, structs: structNames) else {
                    throw EIP712.Error("type \(name) field '\(field.name)' has unknown type '\(field.type)'")
                }
                list.append((field.name, type))
            }
            parsed[name] = list
        }
        guard parsed[primaryType] != nil else { throw EIP712.Error("primaryType '\(primaryType)' is not defined in types") }
        self.types = allTypes
        self.primaryType = primaryType
        self.domain = domain
        self.message = message
        self.parsed = parsed
        self.domainFields = domainFields
    }

    /// Parses the `eth_signTypedData_v4` JSON text.
    public init(json text: String) throws(EIP712.Error) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw EIP712.Error(error.description)
        }
        try self.init(json: value)
    }

    public init(json value: JSONValue) throws(EIP712.Error) {
        guard let root = value.objectValue else { throw EIP712.Error("typed data must be a JSON object") }
        guard let typesObject = root["types"]?.objectValue else { throw EIP712.Error("typed data needs a 'types' object") }
        guard let primaryType = root["primaryType"]?.stringValue else { throw EIP712.Error("typed data needs a 'primaryType' string") }
        guard let domain = root["domain"]?.objectValue else { throw EIP712.Error("typed data needs a 'domain' object") }
        guard let message = root["message"] else { throw EIP712.Error("typed data needs a 'message'") }
        var types: [String: [Field]] = [:]
        for (name, definition) in typesObject {
            guard let entries = definition.arrayValue else { throw EIP712.Error("types.\(name) must be an array of {name, type}") }
            var fields: [Field] = []
            for entry in entries {
                guard let object = entry.objectValue, let fieldName = object["name"]?.stringValue, let fieldType = object["type"]?.stringValue else {
                    throw EIP712.Error("types.\(name) entries must be objects with string 'name' and 'type'")
                }
                fields.append(Field(name: fieldName, type: fieldType))
            }
            types[name] = fields
        }
        try self.init(types: types, primaryType: primaryType, domain: domain, message: message)
    }

    /// The `eth_signTypedData_v4` JSON form (with `EIP712Domain` spelled out in `types`).
    public var json: JSONValue {
        var typesObject: [String: JSONValue] = [:]
        for (name, fields) in types {
            typesObject[name] = .array(fields.map { .object(["name": .string($0.name), "type": .string($0.type)]) })
        }
        return .object(["types": .object(typesObject), "primaryType": .string(primaryType), "domain": .object(domain), "message": message])
    }

    // MARK: Hashing

    /// `Name(type1 name1,…)` followed by the definitions of every referenced struct, sorted by name.
    public func encodeType(_ typeName: String) throws(EIP712.Error) -> String {
        guard parsed[typeName] != nil else { throw EIP712.Error("unknown type '\(typeName)'") }
        var dependencies = Set<String>()
        collectDependencies(of: typeName, into: &dependencies)
        dependencies.remove(typeName)
        return ([typeName] + dependencies.sorted()).map { name in
            name + "(" + (types[name] ?? []).map { "\($0.type) \($0.name)" }.joined(separator: ",") + ")"
        }.joined()
    }

    func collectDependencies(of typeName: String, into found: inout Set<String>) {
        guard found.insert(typeName).inserted, let fields = parsed[typeName] else { return }
        for field in fields {
            if let child = field.type.baseStruct { collectDependencies(of: child, into: &found) }
        }
    }

    /// keccak256(encodeType(typeName)).
    public func typeHash(_ typeName: String) throws(EIP712.Error) -> [UInt8] {
        Keccak256.hash(Array(try encodeType(typeName).utf8))
    }

    /// `typeHash ‖ enc(field₁) ‖ … ‖ enc(fieldₙ)` for a struct value.
    public func encodeData(_ typeName: String, _ value: JSONValue) throws(EIP712.Error) -> [UInt8] {
        try encodeData(typeName, value, path: typeName)
    }

    /// keccak256(encodeData(typeName, value)).
    public func hashStruct(_ typeName: String, _ value: JSONValue) throws(EIP712.Error) -> [UInt8] {
        Keccak256.hash(try encodeData(typeName, value, path: typeName))
    }

    /// hashStruct("EIP712Domain", domain).
    public func domainSeparator() throws(EIP712.Error) -> [UInt8] {
        Keccak256.hash(try encodeData("EIP712Domain", .object(domain), path: "domain"))
    }

    /// hashStruct(primaryType, message).
    public func messageHash() throws(EIP712.Error) -> [UInt8] {
        Keccak256.hash(try encodeData(primaryType, message, path: "message"))
    }

    /// keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message)); when `primaryType` is
    /// `EIP712Domain` the message hash is omitted (as eth-sig-util and eth-account do).
    public func digest() throws(EIP712.Error) -> [UInt8] {
        var preimage: [UInt8] = [0x19, 0x01]
        preimage += try domainSeparator()
        if primaryType != "EIP712Domain" { preimage += try messageHash() }
        return Keccak256.hash(preimage)
    }

    /// Signs the digest: 65 bytes `r ‖ s ‖ v`, `v` ∈ {27, 28}.
    public func sign(privateKey: [UInt8]) throws -> [UInt8] {
        try Ethereum.sign(digest: digest(), privateKey: privateKey)
    }

    /// The EIP-55 address that produced a 65-byte signature (`v` 27/28 or 0/1; low-S only).
    public func recoverSigner(signature: [UInt8]) throws -> String {
        try Ethereum.recoverAddress(digest: digest(), signature: signature)
    }

    // MARK: Encoding

    func encodeData(_ typeName: String, _ value: JSONValue, path: String) throws(EIP712.Error) -> [UInt8] {
        guard let fields = parsed[typeName] else { throw EIP712.Error("unknown type '\(typeName)'") }
        guard let object = value.objectValue else { throw EIP712.Error("\(path) must be an object (\(typeName)), got \(value.kindName)") }
        var out = try typeHash(typeName)
        out.reserveCapacity(32 * (fields.count + 1))
        for field in fields {
            let fieldPath = "\(path).\(field.name)"
            guard let member = object[field.name], member != .null else {
                throw EIP712.Error("\(fieldPath) is missing")
            }
            out += try encodeValue(field.type, member, path: fieldPath)
        }
        return out
    }

    /// The 32-byte encoding of one value of `type`.
    func encodeValue(_ type: EIP712.FieldType, _ value: JSONValue, path: String) throws(EIP712.Error) -> [UInt8] {
        switch type {
        case .structure(let name):
            return Keccak256.hash(try encodeData(name, value, path: path))
        case .array(let element, let length):
            guard let items = value.arrayValue else { throw EIP712.Error("\(path) must be an array, got \(value.kindName)") }
            if let length, items.count != length {
                throw EIP712.Error("\(path) must have exactly \(length) elements, got \(items.count)")
            }
            var concatenated: [UInt8] = []
            concatenated.reserveCapacity(items.count * 32)
            for (index, item) in items.enumerated() {
                concatenated += try encodeValue(element, item, path: "\(path)[\(index)]")
            }
            return Keccak256.hash(concatenated)
        case .string:
            guard let text = value.stringValue else { throw EIP712.Error("\(path) must be a string, got \(value.kindName)") }
            return Keccak256.hash(Array(text.utf8))
        case .bytes:
            return Keccak256.hash(try hexBytes(value, path: path))
        case .fixedBytes(let count):
            let data = try hexBytes(value, path: path)
            guard data.count == count else { throw EIP712.Error("\(path) must be exactly \(count) bytes (bytes\(count)), got \(data.count)") }
            return data + [UInt8](repeating: 0, count: 32 - count)
        case .bool:
            guard case .bool(let flag) = value else { throw EIP712.Error("\(path) must be true or false, got \(value.kindName)") }
            return Word256(flag ? 1 : 0).bytes
        case .address:
            guard let text = value.stringValue else { throw EIP712.Error("\(path) must be an address string, got \(value.kindName)") }
            let checksummed: String
            do {
                checksummed = try EIP55.validate(text)
            } catch {
                throw EIP712.Error("\(path): \(error.description)")
            }
            guard let bytes = try? Hex.decode(checksummed) else { throw EIP712.Error("\(path) is not an address") }
            return [UInt8](repeating: 0, count: 12) + bytes
        case .uint(let bits):
            let (negative, magnitude) = try integer(value, path: path)
            guard !negative || magnitude.isZero else { throw EIP712.Error("\(path) is negative but its type is uint\(bits)") }
            guard magnitude.bitWidth <= bits else { throw EIP712.Error("\(path) does not fit in uint\(bits)") }
            return magnitude.bytes
        case .int(let bits):
            let (negative, magnitude) = try integer(value, path: path)
            if negative {
                // Allowed down to -2^(bits-1).
                let fits = magnitude.bitWidth < bits || (magnitude.bitWidth == bits && magnitude == Word256.powerOfTwo(bits - 1))
                guard fits else { throw EIP712.Error("\(path) does not fit in int\(bits)") }
                return magnitude.negated.bytes
            }
            guard magnitude.bitWidth < bits else { throw EIP712.Error("\(path) does not fit in int\(bits)") }
            return magnitude.bytes
        }
    }

    func hexBytes(_ value: JSONValue, path: String) throws(EIP712.Error) -> [UInt8] {
        guard let text = value.stringValue, text.hasPrefix("0x") || text.hasPrefix("0X") else {
            throw EIP712.Error("\(path) must be a 0x-prefixed hex string, got \(value.kindName)")
        }
        do {
            return try Hex.decode(text)
        } catch {
            throw EIP712.Error("\(path): \(error.description)")
        }
    }

    /// Sign and magnitude of an integer given as a JSON integer, a decimal string (optionally negative)
    /// or a `0x` hex string.
    func integer(_ value: JSONValue, path: String) throws(EIP712.Error) -> (negative: Bool, magnitude: Word256) {
        var text: Substring
        switch value {
        case .number(let literal): text = Substring(literal)
        case .string(let string): text = Substring(string)
        default: throw EIP712.Error("\(path) must be an integer (number or string), got \(value.kindName)")
        }
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text = text.dropFirst()
        }
        let isHex = text.hasPrefix("0x") || text.hasPrefix("0X")
        let magnitude: Word256
        do {
            magnitude = isHex ? try Word256(hex: String(text)) : try Word256(decimal: String(text))
        } catch {
            if case .invalidDigit = error {
                throw EIP712.Error("\(path) must be an integer, got \(value.serialized)")
            }
            throw EIP712.Error("\(path): \(error.description)")
        }
        return (negative, magnitude)
    }
}

extension Word256 {
    /// 2^exponent for exponent in 0..<256.
    static func powerOfTwo(_ exponent: Int) -> Word256 {
        precondition((0..<256).contains(exponent))
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[31 - exponent / 8] = 1 << UInt8(exponent % 8)
        return Word256(uncheckedBytes: bytes)
    }
}
