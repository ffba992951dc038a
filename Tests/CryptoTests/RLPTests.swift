import Testing
@testable import RailyardCrypto

/// RLP. The string/list examples are the ones published with the specification (Ethereum wiki
/// "RLP" page: "dog", ["cat","dog"], the empty string and list, 0, 15, 1024, the "set theoretical
/// representation of three" and the 56-byte Lorem ipsum string); the rest, and the rejected
/// encodings, were checked with pyrlp 5.0 (`rlp.encode`, `rlp.decode(strict=True)`).
@Suite struct RLPTests {
    static let specVectors: [(RLP.Item, String)] = [
        (.bytes(Array("dog".utf8)), "83646f67"),
        (.list([.bytes(Array("cat".utf8)), .bytes(Array("dog".utf8))]), "c88363617483646f67"),
        (.bytes([]), "80"),
        (.list([]), "c0"),
        (.uint(0 as UInt64), "80"),
        (.bytes([0x00]), "00"),
        (.uint(15 as UInt64), "0f"),
        (.uint(1024 as UInt64), "820400"),
        (.list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])]), "c7c0c1c0c3c0c1c0"),
        (.bytes(Array("Lorem ipsum dolor sit amet, consectetur adipisicing elit".utf8)),
         "b8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974"),
        // pyrlp
        (.bytes([UInt8](repeating: 0x61, count: 55)), "b7" + String(repeating: "61", count: 55)),
        (.bytes([UInt8](repeating: 0x61, count: 56)), "b838" + String(repeating: "61", count: 56)),
        (.list(Array(repeating: .bytes(Array("abcdefghij".utf8)), count: 6)), "f842" + String(repeating: "8a6162636465666768696a", count: 6)),
        (.uint(127 as UInt64), "7f"),
        (.uint(128 as UInt64), "8180"),
        (.uint(255 as UInt64), "81ff"),
        (.uint(Word256(UInt64.max)), "88ffffffffffffffff"),
        (.list([.list([.bytes(Array("dog".utf8)), .list([.bytes([])])]), .bytes([0]), .bytes([0x7F]), .bytes([0x80]), .list([])]),
         "ccc683646f67c180007f8180c0"),
    ]

    @Test(arguments: specVectors)
    func encodesAndDecodes(item: RLP.Item, expected: String) throws {
        #expect(hex(RLP.encode(item)) == expected)
        #expect(try RLP.decode(bytes(expected)) == item)
    }

    @Test func longStringUsesTwoLengthBytes() throws {
        let encoded = RLP.encode(.bytes([UInt8](repeating: 0, count: 1024)))
        #expect(hex(Array(encoded.prefix(3))) == "b90400")
        #expect(encoded.count == 1027)
        #expect(try RLP.decode(encoded) == .bytes([UInt8](repeating: 0, count: 1024)))
    }

    @Test func wordIntegersAreMinimal() {
        #expect(hex(RLP.encode(.uint(Word256.zero))) == "80")
        #expect(hex(RLP.encode(.uint(try! Word256(hex: "0x010000000000000000")))) == "89010000000000000000")
        #expect(RLP.encode(.uint(Word256.max)) == [0xA0] + [UInt8](repeating: 0xFF, count: 32))
    }

    @Test(arguments: [
        ("8100", "single byte below 0x80 wrapped"),
        ("817f", "single byte below 0x80 wrapped"),
        ("b80561", "long form for a short string"),
        ("b90040" + String(repeating: "61", count: 64), "length with a leading zero"),
        ("c3010203ff", "trailing byte"),
        ("83646f", "truncated string"),
        ("f800", "long list form for an empty list"),
        ("c1", "truncated list"),
        ("00ff", "trailing byte"),
        ("b8380102", "truncated long string"),
        ("c2c3c0", "inner list runs past its parent"),
        ("", "empty input"),
    ])
    func rejectsNonCanonicalOrMalformed(input: String, why: String) {
        #expect(throws: RLP.Error.self, "\(why)") { try RLP.decode(bytes(input)) }
    }

    @Test func rejectsExcessiveNesting() {
        var item = RLP.Item.list([])
        for _ in 0..<100 { item = .list([item]) }
        #expect(throws: RLP.Error.tooDeep) { try RLP.decode(RLP.encode(item)) }
        var shallow = RLP.Item.list([])
        for _ in 0..<RLP.maximumDepth { shallow = .list([shallow]) }
        #expect((try? RLP.decode(RLP.encode(shallow))) == shallow)
    }
}
