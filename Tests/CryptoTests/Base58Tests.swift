import Testing
@testable import RailyardCrypto

/// Vectors from Bitcoin Core, src/test/data/base58_encode_decode.json ([hex, base58] pairs).
private let bitcoinCoreBase58Vectors: [(String, String)] = [
    ("", ""),
    ("61", "2g"),
    ("626262", "a3gV"),
    ("636363", "aPEr"),
    ("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"),
    ("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
    ("516b6fcd0f", "ABnLTmg"),
    ("bf4f89001e670274dd", "3SEo3LWLoPntC"),
    ("572e4794", "3EFU7m"),
    ("ecac89cad93923c02321", "EJDM8drfXA6uyA"),
    ("10c8511e", "Rt5zm"),
    ("00000000000000000000", "1111111111"),
    ("00000000000000000000000000000000000000000000000000000000000000000000000000000001", "1111111111111111111111111111111111111112"),
    ("000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5", "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"),
    ("271F359E", "zzzzy"),
    ("271F359F", "zzzzz"),
    ("271F35A0", "211111"),
    ("271F35A1", "211112"),
]

@Suite struct Base58Tests {
    @Test(arguments: bitcoinCoreBase58Vectors)
    func encodes(hexInput: String, encoded: String) {
        #expect(Base58.encode(bytes(hexInput)) == encoded)
    }

    @Test(arguments: bitcoinCoreBase58Vectors)
    func decodes(hexInput: String, encoded: String) throws {
        #expect(try Base58.decode(encoded) == bytes(hexInput))
    }

    @Test func allBytesVector() throws {
        // Bitcoin Core's 0x00…0xff vector.
        let all = (0...255).map { UInt8($0) }
        let expected = "1cWB5HCBdLjAuqGGReWE3R3CguuwSjw6RHn39s2yuDRTS5NsBgNiFpWgAnEx6VQi8csexkgYw3mdYrMHr8x9i7aEwP8kZ7vccXWqKDvGv3u1GxFKPuAkn8JCPPGDMf3vMMnbzm6Nh9zh1gcNsMvH3ZNLmP5fSG6DGbbi2tuwMWPthr4boWwCxf7ewSgNQeacyozhKDDQQ1qL5fQFUW52QKUZDZ5fw3KXNQJMcNTcaB723LchjeKun7MuGW5qyCBZYzA1KjofN1gYBV3NqyhQJ3Ns746GNuf9N2pQPmHz4xpnSrrfCvy6TVVz5d4PdrjeshsWQwpZsZGzvbdAdN8MKV5QsBDY"
        #expect(Base58.encode(all) == expected)
        #expect(try Base58.decode(expected) == all)
    }

    @Test func rejectsCharactersOutsideAlphabet() {
        #expect(throws: Base58.Error.invalidCharacter("0", offset: 1)) { try Base58.decode("10") }
        #expect(throws: Base58.Error.invalidCharacter("O", offset: 0)) { try Base58.decode("O1") }
        #expect(throws: Base58.Error.invalidCharacter("I", offset: 2)) { try Base58.decode("abI") }
        #expect(throws: Base58.Error.invalidCharacter("l", offset: 0)) { try Base58.decode("l") }
        // Bitcoin Core tolerates surrounding whitespace; address validation must not.
        #expect(throws: Base58.Error.invalidCharacter(" ", offset: 0)) { try Base58.decode(" 2g") }
        #expect(throws: Base58.Error.invalidCharacter("é", offset: 1)) { try Base58.decode("2é") }
    }
}

/// Base58Check with addresses from the Bitcoin wiki ("Technical background of version 1
/// Bitcoin addresses") and bitcoinjs-lib's base58check fixtures.
@Suite struct Base58CheckTests {
    @Test(arguments: [
        ("00f54a5851e9372b87810a8e60cdd2e7cfd80b6e31", "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs"),
        ("00751e76e8199196d454941c45d1b3a323f1433bd6", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"),
        ("006b420cc35afb4d96ea118dbf1fc8ef4b0990798c", "1An8RkWzqVF9GvpQFVX5AM4jpFe43eoPfe"),
        ("800000000000000000000000000000000000000000000000000000000000000001", "5HpHagT65TZzG1PH3CSu63k8DbpvD8s5ip4nEB3kEsreAnchuDf"),
        ("80000000000000000000000000000000000000000000000000000000000000000101", "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn"),
    ])
    func roundTrips(payload: String, encoded: String) throws {
        #expect(Base58Check.encode(bytes(payload)) == encoded)
        #expect(try Base58Check.decode(encoded) == bytes(payload))
    }

    @Test func versionOverload() {
        #expect(Base58Check.encode(version: 0x05, payload: bytes("b472a266d0bd89c13706a4132ccfb16f7c3b9fcb")) == "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")
    }

    @Test func rejectsBadChecksum() {
        // Last character of 1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs changed.
        #expect(throws: Base58.Error.checksumMismatch) { try Base58Check.decode("1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAt") }
        // Two adjacent characters swapped.
        #expect(throws: Base58.Error.checksumMismatch) { try Base58Check.decode("1PMycacnJaSqwwJqjawXBErnLsZ7RkXAUs") }
    }

    @Test func rejectsTooShort() {
        #expect(throws: Base58.Error.tooShort(byteCount: 0)) { try Base58Check.decode("") }
        #expect(throws: Base58.Error.tooShort(byteCount: 3)) { try Base58Check.decode("a3gV") }
    }
}
