import Testing
@testable import RailyardCrypto

/// Test cases from EIP-55 ("Test Cases": All caps, All Lower, Normal).
private let eip55AllCaps = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
]
private let eip55AllLower = [
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
]
private let eip55Normal = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]

@Suite struct EIP55Tests {
    /// Every EIP-55 vector is its own checksummed form: computing the checksum of the
    /// lowercased digits must reproduce it exactly (the all-caps/all-lower groups happen to
    /// checksum to all-caps/all-lower).
    @Test(arguments: eip55AllCaps + eip55AllLower + eip55Normal)
    func checksumReproducesVector(address: String) throws {
        let lowered = "0x" + address.dropFirst(2).lowercased()
        #expect(try EIP55.checksum(lowered) == address)
        #expect(try EIP55.checksum(bytes: bytes(address)) == address)
        #expect(EIP55.isChecksummed(address))
        #expect(try EIP55.validate(address) == address)
    }

    @Test(arguments: eip55Normal)
    func acceptsUnchecksummedCasings(address: String) throws {
        let digits = address.dropFirst(2)
        #expect(try EIP55.validate("0x" + digits.lowercased()) == address)
        #expect(try EIP55.validate("0x" + digits.uppercased()) == address)
        #expect(!EIP55.isChecksummed("0x" + digits.lowercased()))
    }

    @Test(arguments: eip55Normal)
    func rejectsWrongMixedCase(address: String) {
        // Flip the case of the first letter: still mixed case, now a checksum failure.
        var characters = Array(address)
        let index = characters.indices.dropFirst(2).first { characters[$0].isLetter }!
        characters[index] = characters[index].isUppercase ? Character(characters[index].lowercased()) : Character(characters[index].uppercased())
        let broken = String(characters)
        #expect(throws: EIP55.Error.checksumMismatch(expected: address)) { try EIP55.validate(broken) }
        #expect(!EIP55.isValid(broken))
    }

    @Test func rejectsMalformed() {
        #expect(throws: EIP55.Error.missingPrefix) { try EIP55.validate("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") }
        #expect(throws: EIP55.Error.invalidLength(39)) { try EIP55.validate("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe") }
        #expect(throws: EIP55.Error.invalidLength(41)) { try EIP55.validate("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0") }
        #expect(throws: EIP55.Error.invalidCharacter("g", offset: 41)) { try EIP55.validate("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg") }
        #expect(throws: EIP55.Error.invalidByteCount(19)) { try EIP55.checksum(bytes: [UInt8](repeating: 0, count: 19)) }
    }
}
