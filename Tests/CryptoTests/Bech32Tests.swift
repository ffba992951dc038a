import Testing
@testable import RailyardCrypto

// Vectors from BIP-173 and BIP-350, section "Test vectors".

/// BIP-173: valid Bech32 strings.
private let validBech32 = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]

/// BIP-350: valid Bech32m strings.
private let validBech32m = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]

/// BIP-173 and BIP-350: strings that are neither valid Bech32 nor Bech32m, with the expected error.
private let invalidBech32Strings: [(String, Bech32.Error)] = [
    ("\u{20}1nwldj5", .characterOutOfRange(" ", offset: 0)),          // HRP character out of range
    ("\u{7F}1axkwrx", .characterOutOfRange("\u{7F}", offset: 0)),
    ("\u{80}1eym55h", .characterOutOfRange("\u{80}", offset: 0)),
    ("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", .tooLong(length: 91, limit: 90)),
    ("pzry9x0s0muk", .missingSeparator),
    ("1pzry9x0s0muk", .emptyHRP),
    ("x1b4n0q5v", .invalidDataCharacter("b", offset: 2)),
    ("li1dgmt3", .checksumTooShort),
    ("de1lg7wt\u{FF}", .characterOutOfRange("\u{FF}", offset: 8)),   // invalid character in checksum
    ("A1G7SGD8", .invalidChecksum),                                   // checksum over uppercase HRP
    ("10a06t8", .emptyHRP),
    ("1qzzfhee", .emptyHRP),
    // BIP-350 Bech32m list
    ("\u{20}1xj0phk", .characterOutOfRange(" ", offset: 0)),
    ("an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4", .tooLong(length: 91, limit: 90)),
    ("qyrz8wqd2c9m", .missingSeparator),
    ("1qyrz8wqd2c9m", .emptyHRP),
    ("y1b0jsk6g", .invalidDataCharacter("b", offset: 2)),
    ("lt1igcx5c0", .invalidDataCharacter("i", offset: 3)),
    ("in1muywd", .checksumTooShort),
    ("mm1crxm3i", .invalidDataCharacter("i", offset: 8)),
    ("au1s5cgom", .invalidDataCharacter("o", offset: 7)),
    ("M1VUXWEZ", .invalidChecksum),
    ("16plkw9", .emptyHRP),
    ("1p2gdwpf", .emptyHRP),
]

@Suite struct Bech32Tests {
    @Test(arguments: validBech32)
    func validBech32Decodes(string: String) throws {
        let decoded = try Bech32.decode(string)
        #expect(decoded.variant == .bech32)
        // Re-encoding gives the lowercase original.
        #expect(try Bech32.encode(hrp: decoded.hrp, data: decoded.data, variant: .bech32) == string.lowercased())
    }

    @Test(arguments: validBech32m)
    func validBech32mDecodes(string: String) throws {
        let decoded = try Bech32.decode(string)
        #expect(decoded.variant == .bech32m)
        #expect(try Bech32.encode(hrp: decoded.hrp, data: decoded.data, variant: .bech32m) == string.lowercased())
    }

    @Test(arguments: validBech32 + validBech32m)
    func singleCharacterChangeBreaksChecksum(string: String) {
        // Replace the last checksum character with a different charset character.
        var units = Array(string.lowercased().utf8)
        let last = units[units.count - 1]
        units[units.count - 1] = last == UInt8(ascii: "q") ? UInt8(ascii: "p") : UInt8(ascii: "q")
        #expect(throws: Bech32.Error.invalidChecksum) { try Bech32.decode(String(decoding: units, as: UTF8.self)) }
    }

    @Test(arguments: invalidBech32Strings)
    func invalidStringsAreRejected(string: String, expected: Bech32.Error) {
        #expect(throws: expected) { try Bech32.decode(string) }
    }

    @Test func rejectsMixedCase() {
        #expect(throws: Bech32.Error.mixedCase) { try Bech32.decode("A12uEL5L") }
    }

    @Test func encoderValidatesInput() {
        #expect(throws: Bech32.Error.emptyHRP) { try Bech32.encode(hrp: "", data: [], variant: .bech32) }
        #expect(throws: Bech32.Error.invalidDataValue(32)) { try Bech32.encode(hrp: "a", data: [32], variant: .bech32) }
        #expect(throws: Bech32.Error.tooLong(length: 91, limit: 90)) {
            try Bech32.encode(hrp: "a", data: [UInt8](repeating: 0, count: 83), variant: .bech32)
        }
    }

    @Test func convertBits() throws {
        #expect(try Bech32.convertBits([0xff], from: 8, to: 5, pad: true) == [31, 28])
        #expect(try Bech32.convertBits([31, 28], from: 5, to: 8, pad: false) == [0xff])
        #expect(throws: Bech32.Error.invalidPadding) { try Bech32.convertBits([31, 29], from: 5, to: 8, pad: false) }
        #expect(throws: Bech32.Error.invalidDataValue(32)) { try Bech32.convertBits([32], from: 5, to: 8, pad: false) }
    }
}

/// BIP-350 "valid segwit addresses" (supersedes BIP-173's list, whose v1+ entries used Bech32),
/// with their scriptPubKey.
private let validSegwitAddresses: [(String, String)] = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    ("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
    ("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
]

/// BIP-350 "invalid segwit addresses" plus BIP-173's list (whose v1+ *valid* entries are now
/// invalid because they carry a Bech32 checksum), with the error this implementation reports.
private let invalidSegwitAddresses: [(String, SegwitAddress.Error)] = [
    // BIP-350
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", .wrongChecksumVariant(version: 1, variant: .bech32)),
    ("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", .wrongChecksumVariant(version: 2, variant: .bech32)),
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", .wrongChecksumVariant(version: 16, variant: .bech32)),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", .wrongChecksumVariant(version: 0, variant: .bech32m)),
    ("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", .wrongChecksumVariant(version: 0, variant: .bech32m)),
    ("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", .bech32(.invalidDataCharacter("o", offset: 59))),
    ("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", .invalidWitnessVersion(17)),
    ("bc1pw5dgrnzv", .invalidProgramLength(version: 1, length: 1)),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", .invalidProgramLength(version: 1, length: 41)),
    ("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", .invalidProgramLength(version: 0, length: 16)),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", .bech32(.mixedCase)),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", .invalidPadding),
    ("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", .invalidPadding),
    ("bc1gmk9yu", .emptyData),
    // BIP-173
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", .bech32(.invalidChecksum)),
    ("BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", .invalidWitnessVersion(17)),
    ("bc1rw5uspcuh", .invalidProgramLength(version: 3, length: 1)),
    ("bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", .invalidProgramLength(version: 15, length: 41)),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", .bech32(.mixedCase)),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", .invalidPadding),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", .invalidPadding),
    // BIP-173's v1+ examples: valid Bech32 strings, but v1+ now requires Bech32m.
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", .wrongChecksumVariant(version: 1, variant: .bech32)),
    ("BC1SW50QA3JX3S", .wrongChecksumVariant(version: 16, variant: .bech32)),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", .wrongChecksumVariant(version: 2, variant: .bech32)),
]

@Suite struct SegwitAddressTests {
    @Test(arguments: validSegwitAddresses)
    func decodesValidAddress(address: String, scriptPubKey: String) throws {
        let decoded = try SegwitAddress.decode(address)
        #expect(hex(decoded.scriptPubKey) == scriptPubKey)
        #expect(decoded.encoded == address.lowercased())
        #expect(decoded.hrp == String(address.lowercased().prefix(2)))
        // Re-building from parts validates and re-encodes identically.
        let rebuilt = try SegwitAddress(hrp: decoded.hrp, version: decoded.version, program: decoded.program)
        #expect(rebuilt == decoded)
    }

    @Test(arguments: invalidSegwitAddresses)
    func rejectsInvalidAddress(address: String, expected: SegwitAddress.Error) {
        #expect(throws: expected) { try SegwitAddress.decode(address) }
    }

    @Test func invalidHRPIsCaughtByExpectedPrefix() {
        // BIP-173/350 "Invalid human-readable part": checksums are fine, hrp 'tc' is not a network.
        #expect(throws: SegwitAddress.Error.hrpMismatch(expected: "bc", actual: "tc")) {
            try SegwitAddress.decode("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", expectedHRP: "bc")
        }
        #expect(throws: SegwitAddress.Error.hrpMismatch(expected: "tb", actual: "tc")) {
            try SegwitAddress.decode("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", expectedHRP: "tb")
        }
        #expect(throws: SegwitAddress.Error.hrpMismatch(expected: "bc", actual: "tb")) {
            try SegwitAddress.decode("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", expectedHRP: "bc")
        }
    }

    @Test func initializerEnforcesRules() throws {
        let program20 = [UInt8](repeating: 0x75, count: 20)
        #expect(throws: SegwitAddress.Error.invalidProgramLength(version: 0, length: 21)) {
            try SegwitAddress(hrp: "bc", version: 0, program: program20 + [0])
        }
        #expect(throws: SegwitAddress.Error.invalidProgramLength(version: 1, length: 1)) {
            try SegwitAddress(hrp: "bc", version: 1, program: [1])
        }
        #expect(throws: SegwitAddress.Error.invalidWitnessVersion(17)) {
            try SegwitAddress(hrp: "bc", version: 17, program: program20)
        }
        // Uppercase hrp is normalised; v0 encodes with Bech32, v1 with Bech32m.
        let v0 = try SegwitAddress(hrp: "BC", version: 0, program: bytes("751e76e8199196d454941c45d1b3a323f1433bd6"))
        #expect(v0.encoded == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
        let v1 = try SegwitAddress(hrp: "bc", version: 1, program: bytes("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"))
        #expect(v1.encoded == "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")
    }
}
