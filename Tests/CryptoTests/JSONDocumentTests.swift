import RailyardCrypto
import Testing

/// One grammar serves both forms (`JSONValue.parse` builds its tree from a document's nodes): these
/// tests check the node parser's refusals, that a document's lookups read what the tree holds, and
/// that both entry points agree.
@Suite struct JSONDocumentTests {
    /// Either the parsed value or the error, from each parser.
    static func outcomes(_ bytes: [UInt8]) -> (tree: Result<JSONValue, JSONValue.ParseError>, document: Result<JSONValue, JSONValue.ParseError>) {
        let tree = Result { () throws(JSONValue.ParseError) in try JSONValue.parse(bytes) }
        let document = Result { () throws(JSONValue.ParseError) in
            try bytes.withUnsafeBufferPointer { buffer throws(JSONValue.ParseError) in try JSONDocument.parse(bytes: UnsafeRawBufferPointer(buffer)).root.jsonValue }
        }
        return (tree, document)
    }

    static func agree(_ bytes: [UInt8]) -> Bool {
        let (tree, document) = outcomes(bytes)
        switch (tree, document) {
        case (.success(let a), .success(let b)): return a == b
        case (.failure(let a), .failure(let b)): return a == b
        default: return false
        }
    }

    static let body = #"""
    {"x402Version": 2, "paymentPayload": {"x402Version": 2, "payload": {"authorization": {"from": "0xE359fa20176aD2C9Ea4Ec130b721B58AF1ae09D4", "to": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "value": "10000", "validAfter": "0", "validBefore": "1796280344", "nonce": "0xbe50af6f7868d9178bab792324e0fffb697b5fd40d69af084e95ade60b311a49"}, "signature": "0x615abac2"}, "accepted": {"scheme": "exact", "network": "eip155:31337", "amount": "10000", "maxTimeoutSeconds": 3600, "extra": {"name": "USD Coin", "version": "2"}}, "resource": {"url": "http://127.0.0.1/bench", "tags": ["a", 1, -2.5e-3, true, false, null, [], {}]}}, "paymentRequirements": {"scheme": "exact", "network": "eip155:31337", "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "extra": {"name": "USD Co\u00efn \ud83d\ude00", "version": "2"}}}
    """#

    @Test(arguments: [
        body, #" {"a": [1, -2.5e3, 115792089237316195423570985008687907853269984665640564039457584007913129639935], "b": {"c": null}, "s": "x\u00e9\ud83d\ude00\n\"\\/"} "#,
        "[]", "{}", "0", "-0", "\"\"", "null", " true ", "[[[]]]", #"{"":1}"#, #"{"héllo":"wörld","k":"\u212A"}"#, #"["tail\\", "\u0041BC", "é"]"#,
    ])
    func bothFormsReadTheSameValue(text: String) throws {
        #expect(Self.agree(Array(text.utf8)))
        #expect(try JSONDocument.parse(text).root.jsonValue == JSONValue.parse(text))
        #expect(Self.lookupsAgree(try JSONDocument.parse(text).root, try JSONValue.parse(text)))
    }

    /// A duplicate is reported at its key's opening quote, after its value was read.
    @Test func duplicatesAreRefusedAtTheSecondKey() {
        for (text, offset) in [(#"{"a":1,"a":2}"#, 7), (#"{"K":1,"\u212A":2}"#, 7), (#"{"x":{"a":1,"b":2,"a":3}}"#, 18)] {
            let (tree, _) = Self.outcomes(Array(text.utf8))
            guard case .failure(let error) = tree else { Issue.record("accepted \(text)"); continue }
            #expect(error.message.hasPrefix("duplicate key") && error.offset == offset, "\(text): \(error)")
        }
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "1e", ".5", "+1", "tru", "nul", "\"abc", "\"\\x\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"a\u{01}b\"", "{\"a\":1,\"a\":2}", "[1] 2", "{'a':1}", "[1 2]", "{\"a\":1 \"b\":2}", "{\"a\":}", "[,1]",
        // Duplicates under String equality: an escape, and the Kelvin sign (canonically equivalent to K).
        #"{"a":1,"\u0061":2}"#, #"{"K":1,"\u212A":2}"#, "{\"K\":1,\"\u{212A}\":2}", #"{"é":1,"e\u0301":2}"#,
        // A duplicate whose value is itself broken: the value's error comes first, as in the tree parser.
        #"{"a":1,"a":[1,]}"#,
    ])
    func bothFormsRefuse(text: String) {
        let (tree, document) = Self.outcomes(Array(text.utf8))
        guard case .failure(let expected) = tree else { Issue.record("accepted \(text)"); return }
        #expect(document == .failure(expected), "\(text)")
    }

    @Test func badUTF8AndDepth() {
        let bad: [[UInt8]] = [[0x22, 0x61, 0xFF, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
                              [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], [0x22, 0x61, 0xC3, 0x28, 0x5C, 0x6E, 0x22]]
        func refused(_ bytes: [UInt8]) -> Bool {
            let (tree, document) = Self.outcomes(bytes)
            if case .failure = tree, case .failure = document, Self.agree(bytes) { return true }
            return false
        }
        for bytes in bad { #expect(refused(bytes)) }
        let deep = JSONValue.maximumDepth
        #expect(!refused(Array((String(repeating: "[", count: deep) + String(repeating: "]", count: deep)).utf8)))
        #expect(refused(Array((String(repeating: "[", count: deep + 1) + String(repeating: "]", count: deep + 1)).utf8)))
        #expect(refused(Array((String(repeating: "{\"a\":", count: deep + 1) + "1" + String(repeating: "}", count: deep + 1)).utf8)))
    }

    /// Past the pairwise limit duplicates are found through a set: same answer, same offset.
    @Test func largeObjectsFindDuplicatesAnywhere() throws {
        let keys = (0..<40).map { "\"k\($0)\":\($0)" }
        let distinct = try JSONValue.parse("{" + keys.joined(separator: ",") + "}")
        #expect(distinct.objectValue?.count == 40)
        for position in [1, 15, 16, 17, 39] {
            var duplicated = keys
            duplicated.insert("\"k\(position - 1)\":0", at: position)
            let text = "{" + duplicated.joined(separator: ",") + "}"
            let (tree, _) = Self.outcomes(Array(text.utf8))
            guard case .failure = tree else { Issue.record("accepted a duplicate at \(position)"); continue }
            #expect(Self.agree(Array(text.utf8)), "duplicate at \(position)")
        }
        let kelvin = "{" + keys.joined(separator: ",") + ",\"K\":1,\"\u{212A}\":2}"
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(kelvin) }
    }

    /// Member lookups answer what the dictionary answers, including keys that are equal as strings
    /// but not as bytes.
    @Test func lookupsMatchTheDictionary() throws {
        let text = #"{"plain":"v","K":"kelvin key","\u0061b":"escaped","é":{"n":-1.5},"s":"\u00e9\n","num":12}"#
        let tree = try JSONValue.parse(text)
        let root = try JSONDocument.parse(text).root
        for key in ["plain", "K", "\u{212A}", "ab", "é", "e\u{301}", "s", "num", "missing", "", "plai", "plainx"] {
            #expect(root[key]?.jsonValue == tree[key], "\(key)")
            #expect(root[key]?.stringValue == tree[key]?.stringValue, "\(key)")
            #expect(root[key]?.numberText == tree[key]?.numberText, "\(key)")
            #expect(root[key]?.isObject == tree[key]?.isObject, "\(key)")
        }
        #expect(root["é"]?["n"]?.numberText == "-1.5")
        #expect(root["plain"]?["x"] == nil)
        #expect(try JSONDocument.parse("[1]").root["a"] == nil)
    }

    /// Every member of `tree`, looked up through the document, reads the same value.
    static func lookupsAgree(_ element: JSONDocument.Element, _ tree: JSONValue) -> Bool {
        guard element.jsonValue == tree else { return false }
        if case .object(let members) = tree {
            for (key, value) in members {
                guard let member = element[key], lookupsAgree(member, value) else { return false }
            }
        }
        return true
    }

    /// Seeded mutations of a verify body (bytes deleted, inserted, replaced, slices repeated): every
    /// variant gets one answer from both entry points, a refusal points inside the text, and an
    /// accepted one reads the same through the document's lookups and survives a serialize round trip.
    @Test func mutatedBodiesGetTheSameAnswer() throws {
        var generator = Mix(state: 0x5EED_0F_D0C)
        let original = Array(Self.body.utf8)
        let alphabet = Array(#"{}[]":,\"0123456789-+.eEtrufalsnu \#n\\ua"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xE2, 0x84, 0xAA, 0xFF]
        var accepted = 0
        for _ in 0..<4000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: at)
                case 2: bytes[at] = alphabet.randomElement(using: &generator)!
                default:
                    let end = min(bytes.count, at + Int.random(in: 1...40, using: &generator))
                    bytes.insert(contentsOf: bytes[at..<end], at: end)
                }
                if bytes.isEmpty { bytes = original }
            }
            let (tree, _) = Self.outcomes(bytes)
            #expect(Self.agree(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            switch tree {
            case .success(let value):
                accepted += 1
                let document = try bytes.withUnsafeBufferPointer { buffer throws(JSONValue.ParseError) in try JSONDocument.parse(bytes: UnsafeRawBufferPointer(buffer)) }
                #expect(Self.lookupsAgree(document.root, value))
                #expect(try JSONValue.parse(value.serialized) == value)
            case .failure(let error):
                #expect(error.offset >= 0 && error.offset <= bytes.count)
            }
        }
        // The corpus holds both kinds (a mutation inside a string keeps the body valid).
        #expect(accepted > 200)
    }

    struct Mix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
