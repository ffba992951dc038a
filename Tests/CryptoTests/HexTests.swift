import Testing
@testable import RailyardCrypto

@Suite struct HexTests {
    @Test func encodesLowerUpperAndPrefixed() {
        let data: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]
        #expect(Hex.encode(data) == "00017f80abff")
        #expect(Hex.encode(data, uppercase: true) == "00017F80ABFF")
        #expect(Hex.encode(data, prefix: true) == "0x00017f80abff")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([UInt8](), prefix: true) == "0x")
    }

    @Test(arguments: [
        ("deadBEEF", [0xde, 0xad, 0xbe, 0xef] as [UInt8]),
        ("0xdeadbeef", [0xde, 0xad, 0xbe, 0xef]),
        ("0XDEADBEEF", [0xde, 0xad, 0xbe, 0xef]),
        ("", []),
        ("0x", []),
        ("00", [0x00]),
    ])
    func decodes(input: String, expected: [UInt8]) throws {
        #expect(try Hex.decode(input) == expected)
    }

    @Test func roundTripsAllByteValues() throws {
        let all = (0...255).map { UInt8($0) }
        #expect(try Hex.decode(Hex.encode(all)) == all)
        #expect(try Hex.decode(Hex.encode(all, prefix: true, uppercase: true)) == all)
    }

    /// Arrays, slices and other sequences encode alike (arrays skip the generic path).
    @Test func encodesEverySequenceKindAlike() {
        let data: [UInt8] = [0x00, 0x0f, 0xa0, 0xff]
        #expect(Hex.encode(data[...]) == "000fa0ff")
        #expect(Hex.encode(AnySequence(data), prefix: true, uppercase: true) == "0x000FA0FF")
        #expect(Hex.encode(data.lazy.map { $0 }) == "000fa0ff")
    }

    @Test func rejectsOddLength() {
        #expect(throws: Hex.Error.oddLength(3)) { try Hex.decode("abc") }
        #expect(throws: Hex.Error.oddLength(1)) { try Hex.decode("0x1") }
    }

    @Test func rejectsNonHexWithPosition() {
        #expect(throws: Hex.Error.invalidCharacter("g", offset: 2)) { try Hex.decode("abgd") }
        #expect(throws: Hex.Error.invalidCharacter("z", offset: 3)) { try Hex.decode("0x0z") }
        #expect(throws: Hex.Error.invalidCharacter(" ", offset: 2)) { try Hex.decode("00 11") }
        #expect(throws: Hex.Error.invalidCharacter("é", offset: 1)) { try Hex.decode("0é") }
        // A lone "0x" prefix marker in the middle is not a prefix.
        #expect(throws: Hex.Error.invalidCharacter("x", offset: 3)) { try Hex.decode("000x") }
    }
}
