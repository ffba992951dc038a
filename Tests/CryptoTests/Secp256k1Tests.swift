import Testing
@testable import RailyardCrypto

/// secp256k1 through libsecp256k1.
///
/// The deterministic-signature vectors are the widely used RFC 6979 (HMAC-SHA256 nonce) secp256k1 set
/// first posted on bitcointalk (topic 285142) and reproduced by bitcoinj, python-ecdsa, Trezor and others;
/// digests are SHA-256 of the message, and `s` is the low-S form.
@Suite struct Secp256k1Tests {
    static let keyOne = bytes("0000000000000000000000000000000000000000000000000000000000000001")
    static let orderMinusOne = bytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")

    static let rfc6979Vectors: [(key: String, message: String, signature: String)] = [
        ("0000000000000000000000000000000000000000000000000000000000000001", "Satoshi Nakamoto",
         "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d82442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"),
        ("0000000000000000000000000000000000000000000000000000000000000001", "All those moments will be lost in time, like tears in rain. Time to die...",
         "8600dbd41e348fe5c9465ab92d23e3db8b98b873beecd930736488696438cb6b547fe64427496db33bf66019dacbf0039c04199abb0122918601db38a72cfc21"),
        ("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "Satoshi Nakamoto",
         "fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d06b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5"),
        ("f8b8af8ce3c7cca5e300d33939540c10d45ce001b8f252bfbc57ba0342904181", "Alan Turing",
         "7063ae83e7f62bbb171798131b4a0564b956930092b33b07b395615d9ec7e15c58dfcc1e00a35e1572f366ffe34ba0fc47db1e7189759b9fb233c5b05ab388ea"),
        ("e91671c46231f833a6406ccbea0e3e392c76c167bac1cb013f6f1013980455c2",
         "There is a computer disease that anybody who works with computers knows about. It's a very serious disease and it interferes completely with the work. The trouble with computers is that you 'play' with them!",
         "b552edd27580141f3b2a5463048cb7cd3e047b97c9f98076c32dbdf85a68718b279fa72dd19bfae05577e06c7c0c1900c371fcd5893f7e1d56a37d30174671f6"),
    ]

    @Test(arguments: rfc6979Vectors)
    func rfc6979Signatures(vector: (key: String, message: String, signature: String)) throws {
        let key = bytes(vector.key)
        let digest = Hashes.sha256(Array(vector.message.utf8))
        let signature = try Secp256k1.sign(digest: digest, privateKey: key)
        #expect(hex(signature) == vector.signature)
        #expect(Secp256k1.isLowS(signature))
        let publicKey = try Secp256k1.publicKey(privateKey: key)
        #expect(Secp256k1.verify(signature: signature, digest: digest, publicKey: publicKey))
        // The recoverable variant uses the same nonce, so r ‖ s are identical and the key recovers.
        let recoverable = try Secp256k1.signRecoverable(digest: digest, privateKey: key)
        #expect(hex(recoverable.compact) == vector.signature)
        #expect(try Secp256k1.recoverPublicKey(signature: recoverable, digest: digest) == publicKey)
    }

    @Test func generatorPublicKey() throws {
        // Private key 1 → G.
        #expect(hex(try Secp256k1.publicKey(privateKey: Self.keyOne)) == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        #expect(hex(try Secp256k1.publicKey(privateKey: Self.keyOne, compressed: false)) ==
            "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
        // n−1 → −G (same x, odd y).
        #expect(hex(try Secp256k1.publicKey(privateKey: Self.orderMinusOne)) == "0379be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    }

    @Test func publicKeyConversionRoundTrips() throws {
        let key = bytes("e91671c46231f833a6406ccbea0e3e392c76c167bac1cb013f6f1013980455c2")
        let compressed = try Secp256k1.publicKey(privateKey: key)
        let uncompressed = try Secp256k1.publicKey(privateKey: key, compressed: false)
        #expect(try Secp256k1.publicKey(uncompressed, compressed: true) == compressed)
        #expect(try Secp256k1.publicKey(compressed, compressed: false) == uncompressed)
    }

    @Test(arguments: [
        "",
        "00",
        "0000000000000000000000000000000000000000000000000000000000000000",  // zero
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",  // n
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // > n
        "000000000000000000000000000000000000000000000000000000000000000001",  // 33 bytes
    ])
    func rejectsInvalidPrivateKeys(keyHex: String) {
        let key = bytes(keyHex)
        #expect(!Secp256k1.isValidPrivateKey(key))
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try Secp256k1.publicKey(privateKey: key) }
        #expect(throws: Secp256k1.Error.invalidPrivateKey) { try Secp256k1.sign(digest: [UInt8](repeating: 1, count: 32), privateKey: key) }
    }

    @Test func acceptsBoundaryPrivateKeys() {
        #expect(Secp256k1.isValidPrivateKey(Self.keyOne))
        #expect(Secp256k1.isValidPrivateKey(Self.orderMinusOne))
        let generated = Secp256k1.generatePrivateKey()
        #expect(Secp256k1.isValidPrivateKey(generated))
        #expect(generated != Secp256k1.generatePrivateKey())
    }

    @Test(arguments: [
        "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f817",    // 32 bytes
        "0579be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",  // bad prefix
        "020000000000000000000000000000000000000000000000000000000000000007",  // x not on curve (BIP-32 vector 5)
        "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b9",  // y off by one
    ])
    func rejectsInvalidPublicKeys(keyHex: String) {
        #expect(!Secp256k1.isValidPublicKey(bytes(keyHex)))
        #expect(throws: Secp256k1.Error.invalidPublicKey) { try Secp256k1.publicKey(bytes(keyHex), compressed: true) }
    }

    @Test func verifyRejectsWrongInputsAndHighS() throws {
        let key = Self.keyOne
        let digest = Hashes.sha256(Array("Satoshi Nakamoto".utf8))
        let publicKey = try Secp256k1.publicKey(privateKey: key)
        let signature = try Secp256k1.sign(digest: digest, privateKey: key)
        var otherDigest = digest
        otherDigest[0] ^= 1
        #expect(!Secp256k1.verify(signature: signature, digest: otherDigest, publicKey: publicKey))
        #expect(!Secp256k1.verify(signature: signature, digest: digest, publicKey: try Secp256k1.publicKey(privateKey: Self.orderMinusOne)))
        var corrupted = signature
        corrupted[40] ^= 0x80
        #expect(!Secp256k1.verify(signature: corrupted, digest: digest, publicKey: publicKey))
        // The high-S twin (n − s) of the published vector: rejected by default, accepted when normalising.
        let highS = bytes("934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8dbbd3162d46e9f9bef7feb87c16dc13b4f6568a87f4e83f728e2443ba586675c")
        #expect(!Secp256k1.isLowS(highS))
        #expect(!Secp256k1.verify(signature: highS, digest: digest, publicKey: publicKey))
        #expect(Secp256k1.verify(signature: highS, digest: digest, publicKey: publicKey, allowHighS: true))
    }

    @Test func digestMustBe32Bytes() {
        #expect(throws: Secp256k1.Error.invalidDigestLength(31)) {
            try Secp256k1.sign(digest: [UInt8](repeating: 1, count: 31), privateKey: Self.keyOne)
        }
        #expect(throws: Secp256k1.Error.invalidDigestLength(33)) {
            try Secp256k1.signRecoverable(digest: [UInt8](repeating: 1, count: 33), privateKey: Self.keyOne)
        }
    }

    @Test func derRoundTrip() throws {
        let compact = bytes(Self.rfc6979Vectors[0].signature)
        let der = try Secp256k1.derSignature(compact: compact)
        // r has its top bit set, so DER prepends 0x00 to it: 30 45 02 21 00 r 02 20 s.
        #expect(hex(der) == "3045022100934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d802202442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5")
        #expect(try Secp256k1.compactSignature(der: der) == compact)
        #expect(throws: Secp256k1.Error.invalidSignature) { try Secp256k1.compactSignature(der: Array(der.dropLast())) }
    }

    @Test func recoveryWithWrongIDOrDigestGivesAnotherKey() throws {
        let digest = Keccak256.hash(Array("railyard".utf8))
        let key = bytes("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let publicKey = try Secp256k1.publicKey(privateKey: key)
        let signature = try Secp256k1.signRecoverable(digest: digest, privateKey: key)
        #expect(signature.isLowS)
        let flipped = try Secp256k1.RecoverableSignature(compact: signature.compact, recoveryID: 1 - signature.recoveryID)
        #expect(try Secp256k1.recoverPublicKey(signature: flipped, digest: digest) != publicKey)
        var otherDigest = digest
        otherDigest[31] ^= 1
        #expect(try Secp256k1.recoverPublicKey(signature: signature, digest: otherDigest) != publicKey)
        #expect(throws: Secp256k1.Error.invalidRecoveryID(4)) { try Secp256k1.RecoverableSignature(compact: signature.compact, recoveryID: 4) }
        #expect(throws: Secp256k1.Error.invalidRecoveryID(29)) { try Secp256k1.RecoverableSignature(ethereum: signature.compact + [29]) }
    }

    @Test func recoveryRejectsHighSUnlessAllowed() throws {
        let digest = Hashes.sha256(Array("Satoshi Nakamoto".utf8))
        let low = try Secp256k1.signRecoverable(digest: digest, privateKey: Self.keyOne)
        // n − s flips the parity of the nonce point, so the recovery id flips too.
        let highS = bytes("934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8dbbd3162d46e9f9bef7feb87c16dc13b4f6568a87f4e83f728e2443ba586675c")
        let twin = try Secp256k1.RecoverableSignature(compact: highS, recoveryID: 1 - low.recoveryID)
        #expect(throws: Secp256k1.Error.invalidSignature) { try Secp256k1.recoverPublicKey(signature: twin, digest: digest) }
        #expect(try Secp256k1.recoverPublicKey(signature: twin, digest: digest, allowHighS: true) == Secp256k1.publicKey(privateKey: Self.keyOne))
    }

    @Test func tweakAdd() throws {
        // 1 + 1 = 2; 2·G is a published point.
        let two = try Secp256k1.privateKeyTweakAdd(Self.keyOne, tweak: Self.keyOne)
        #expect(hex(two) == "0000000000000000000000000000000000000000000000000000000000000002")
        let g = try Secp256k1.publicKey(privateKey: Self.keyOne)
        #expect(hex(try Secp256k1.publicKeyTweakAdd(g, tweak: Self.keyOne)) == "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5")
        #expect(try Secp256k1.publicKeyTweakAdd(g, tweak: Self.keyOne) == Secp256k1.publicKey(privateKey: two))
        // (n−1) + 1 = 0 → invalid; G + (n−1)·G = ∞ → invalid; tweak ≥ n → invalid.
        #expect(throws: Secp256k1.Error.invalidTweak) { try Secp256k1.privateKeyTweakAdd(Self.orderMinusOne, tweak: Self.keyOne) }
        #expect(throws: Secp256k1.Error.invalidTweak) { try Secp256k1.publicKeyTweakAdd(g, tweak: Self.orderMinusOne) }
        #expect(throws: Secp256k1.Error.invalidTweak) { try Secp256k1.privateKeyTweakAdd(Self.keyOne, tweak: Secp256k1.order) }
    }

    @Test func ethereumAddresses() throws {
        // Private key 1 → the widely published address.
        let g = try Secp256k1.publicKey(privateKey: Self.keyOne)
        #expect(try Secp256k1.ethereumAddress(publicKey: g) == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
        #expect(try Secp256k1.ethereumAddress(publicKey: Secp256k1.publicKey(g, compressed: false)) == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
        // keccak256("cow") → the EIP-712 example signer.
        #expect(try Ethereum.address(privateKey: Keccak256.hash(Array("cow".utf8))) == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
        #expect(throws: Secp256k1.Error.invalidPublicKey) { try Secp256k1.ethereumAddress(publicKey: [UInt8](repeating: 4, count: 65)) }
    }

    @Test func selfCheckPassesOnTheSharedContext() {
        #expect(Secp256k1.selfCheck(secp256k1Context) == nil)
    }
}

/// EIP-191 `personal_sign`. Vector: eth-account 0.14 `encode_defunct(text="I♥SF")` signed with the key
/// from eth-account's documentation (message hash, signature and address all published there).
@Suite struct PersonalSignTests {
    static let key = bytes("b25c7db31feed9122727bf0939dc769a96564b2de4c4726d035b36ecf1e5b364")
    static let signature = "e6ca9bba58c88611fad66a6ce8f996908195593807c4b38bd528d2cff09d4eb33e5bfbbf4d3e39b1a2fd816a7680c19ebebaf3a141b239934ad43cb33fcec8ce1c"

    @Test func messageHash() {
        #expect(hex(Ethereum.personalMessageHash("I♥SF")) == "1476abb745d423bf09273f1afd887d951181d25adc66c4834a70491911b7f750")
        // The length prefix counts bytes, not characters ("I♥SF" is 6 UTF-8 bytes).
        #expect(Ethereum.personalMessageHash("I♥SF") == Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n6I♥SF".utf8)))
    }

    @Test func signAndRecover() throws {
        let digest = Ethereum.personalMessageHash("I♥SF")
        #expect(hex(try Ethereum.sign(digest: digest, privateKey: Self.key)) == Self.signature)
        #expect(try Ethereum.recoverAddress(digest: digest, signature: bytes(Self.signature)) == "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E")
        // v as 0/1 is accepted too.
        var zeroBased = bytes(Self.signature)
        zeroBased[64] -= 27
        #expect(try Ethereum.recoverAddress(digest: digest, signature: zeroBased) == "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E")
        #expect(throws: Secp256k1.Error.invalidSignature) { try Ethereum.recoverAddress(digest: digest, signature: Array(bytes(Self.signature).prefix(64))) }
        // The bytes form (what the x402 verifier compares) is the same address.
        #expect(try Ethereum.recoverAddressBytes(digest: digest, signature: bytes(Self.signature)) == (try Ethereum.addressBytes("0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E")))
    }

    /// Hot paths read already-validated addresses without hashing their checksum again; the bytes are
    /// the same in any letter case, and anything that is not 0x + 40 hex digits is still refused.
    @Test func addressBytesIgnoringChecksum() throws {
        let expected = try Ethereum.addressBytes("0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E")
        #expect(try Ethereum.addressBytesIgnoringChecksum("0x5ce9454909639d2d17a3f753ce7d93fa0b9ab12e") == expected)
        #expect(try Ethereum.addressBytesIgnoringChecksum("0x5CE9454909639D2D17A3F753CE7D93FA0B9AB12E") == expected)
        // A wrong checksum: refused by the validating form, read by this one.
        #expect(throws: ABI.Error.self) { try Ethereum.addressBytes("0x5CE9454909639d2D17A3F753ce7d93fa0b9aB12E") }
        #expect(try Ethereum.addressBytesIgnoringChecksum("0x5CE9454909639d2D17A3F753ce7d93fa0b9aB12E") == expected)
        for bad in ["", "0x", "5ce9454909639D2D17A3F753ce7d93fa0b9aB12E00", "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB1", "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12G",
                    "0x5ce9454909639D2D17A3F753ce7d93fa0b9aB12E00"] {
            #expect(throws: ABI.Error.self, "\(bad)") { try Ethereum.addressBytesIgnoringChecksum(bad) }
        }
    }
}
