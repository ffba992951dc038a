import Foundation
import Testing
@testable import RailyardCrypto

/// EIP-712 typed data.
///
/// The Mail example and its values (domain separator, struct hash, digest, the signature by
/// keccak256("cow")) are from EIP-712 itself (its Example.js / test). The "Order" document exercises
/// nested structs, struct arrays, fixed and dynamic arrays, nested arrays, negative intN at their
/// limits, bytes/bytesN, bool, string escapes and a salt; its expected hashes and signature were
/// computed with eth-account 0.14 (`encode_typed_data`, `Account.sign_typed_data`), an independent
/// implementation, signing key keccak256("railyard").
@Suite struct EIP712Tests {
    static let mail = #"""
    {
      "types": {
        "EIP712Domain": [
          {"name": "name", "type": "string"},
          {"name": "version", "type": "string"},
          {"name": "chainId", "type": "uint256"},
          {"name": "verifyingContract", "type": "address"}
        ],
        "Person": [
          {"name": "name", "type": "string"},
          {"name": "wallet", "type": "address"}
        ],
        "Mail": [
          {"name": "from", "type": "Person"},
          {"name": "to", "type": "Person"},
          {"name": "contents", "type": "string"}
        ]
      },
      "primaryType": "Mail",
      "domain": {
        "name": "Ether Mail",
        "version": "1",
        "chainId": 1,
        "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
      },
      "message": {
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!"
      }
    }
    """#

    /// EIP-712's signature of the Mail example: v = 28, r, s.
    static let mailSignature = "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c"

    @Test func mailExample() throws {
        let data = try TypedData(json: Self.mail)
        #expect(try data.encodeType("Mail") == "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        #expect(hex(try data.typeHash("Mail")) == "a0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2")
        #expect(hex(try data.domainSeparator()) == "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        #expect(hex(try data.messageHash()) == "c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        #expect(hex(try data.digest()) == "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        #expect(try data.recoverSigner(signature: bytes(Self.mailSignature)) == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
        // Signing with keccak256("cow") reproduces the EIP's signature exactly (RFC 6979).
        #expect(hex(try data.sign(privateKey: Keccak256.hash(Array("cow".utf8)))) == Self.mailSignature)
    }

    @Test func mailRoundTripsThroughJSON() throws {
        let data = try TypedData(json: Self.mail)
        let again = try TypedData(json: data.json.serialized)
        #expect(try again.digest() == data.digest())
    }

    @Test func changingAnyFieldChangesTheDigest() throws {
        let original = try TypedData(json: Self.mail).digest()
        for (from, to) in [("Hello, Bob!", "Hello, Bob?"), (#""chainId": 1"#, #""chainId": 137"#), (#""name": "Cow""#, #""name": "Cox""#)] {
            let changed = Self.mail.replacingOccurrences(of: from, with: to)
            #expect(changed != Self.mail)
            #expect(try TypedData(json: changed).digest() != original, "\(from) → \(to)")
        }
    }

    static let order = #"""
    {
      "types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"}, {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}, {"name": "salt", "type": "bytes32"}],
        "Order": [{"name": "maker", "type": "Party"}, {"name": "takers", "type": "Party[]"}, {"name": "amounts", "type": "uint256[3]"}, {"name": "deltas", "type": "int64[]"}, {"name": "grid", "type": "int8[2][]"}, {"name": "flags", "type": "bool[]"}, {"name": "memo", "type": "string"}, {"name": "blob", "type": "bytes"}, {"name": "tag", "type": "bytes4"}, {"name": "tags", "type": "bytes32[]"}, {"name": "min", "type": "int256"}, {"name": "tiny", "type": "uint8"}, {"name": "names", "type": "string[]"}, {"name": "active", "type": "bool"}],
        "Party": [{"name": "wallet", "type": "address"}, {"name": "label", "type": "string"}, {"name": "aux", "type": "Aux[]"}],
        "Aux": [{"name": "id", "type": "uint32"}, {"name": "data", "type": "bytes"}]
      },
      "primaryType": "Order",
      "domain": {"name": "Railyard Test", "version": "7", "chainId": 8453, "verifyingContract": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "salt": "0x1111111111111111111111111111111111111111111111111111111111111111"},
      "message": {
        "maker": {"wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", "label": "maker ☕", "aux": [{"id": 1, "data": "0x"}, {"id": 4294967295, "data": "0xdeadbeef"}]},
        "takers": [{"wallet": "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "label": "", "aux": []}, {"wallet": "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", "label": "t2", "aux": [{"id": 7, "data": "0x00"}]}],
        "amounts": ["115792089237316195423570985008687907853269984665640564039457584007913129639935", "0", "1000000"],
        "deltas": [-1, 9223372036854775807, "-9223372036854775808", 0],
        "grid": [[-128, 127], [0, -1]],
        "flags": [true, false],
        "memo": "Hello, \"world\"\n",
        "blob": "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122",
        "tag": "0xcafebabe",
        "tags": [],
        "min": "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
        "tiny": 255,
        "names": ["a", "bc", ""],
        "active": true
      }
    }
    """#

    @Test func orderDocument() throws {
        let data = try TypedData(json: Self.order)
        #expect(try data.encodeType("Order") == "Order(Party maker,Party[] takers,uint256[3] amounts,int64[] deltas,int8[2][] grid,bool[] flags,string memo,bytes blob,bytes4 tag,bytes32[] tags,int256 min,uint8 tiny,string[] names,bool active)Aux(uint32 id,bytes data)Party(address wallet,string label,Aux[] aux)")
        #expect(try data.encodeType("Party") == "Party(address wallet,string label,Aux[] aux)Aux(uint32 id,bytes data)")
        #expect(hex(try data.domainSeparator()) == "8c0cb1e6f85e813a71d56397db4787c00343f40c66b3e6d4a761480612d26178")
        #expect(hex(try data.messageHash()) == "5b12563f8fcca54432ff9a50fb22ed9c10dc269d331aee897081bac6a06a7a5c")
        #expect(hex(try data.digest()) == "79a6f54a878e90677c30c3b2e4445b09a0250a816bf0c5bd7602777663bb5736")
        let signature = "0d91055930474b7ba30098317b1c9b7a58a9a119674e2b4f1781be01fe75d34949c3ea87192c72110a31e889cbc2d0e5e8ff9da947e3b28bf56b02c7836897721b"
        #expect(hex(try data.sign(privateKey: Keccak256.hash(Array("railyard".utf8)))) == signature)
        #expect(try data.recoverSigner(signature: bytes(signature)) == "0x5e3a2635541c5EB16919C23b22E92565F10D83f3")
    }

    @Test func domainTypeIsInferredWhenUndeclared() throws {
        // eth-account gives the same domain separator when EIP712Domain is left out of `types`.
        let withoutDomainType = Self.order.replacingOccurrences(
            of: #"    "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"}, {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}, {"name": "salt", "type": "bytes32"}],"#,
            with: "")
        #expect(withoutDomainType != Self.order)
        let data = try TypedData(json: withoutDomainType)
        #expect(data.domainFields.map(\.name) == ["name", "version", "chainId", "verifyingContract", "salt"])
        #expect(hex(try data.domainSeparator()) == "8c0cb1e6f85e813a71d56397db4787c00343f40c66b3e6d4a761480612d26178")
    }

    @Test func domainOnlyDigestOmitsTheMessageHash() throws {
        let data = try TypedData(json: Self.mail.replacingOccurrences(of: #""primaryType": "Mail""#, with: #""primaryType": "EIP712Domain""#))
        #expect(try data.digest() == Keccak256.hash([0x19, 0x01] + data.domainSeparator()))
    }

    // MARK: Atomic encodings

    /// Typed data with one field `v` of `type`.
    static func single(_ type: String, _ valueJSON: String) throws -> TypedData {
        try TypedData(json: #"{"types": {"T": [{"name": "v", "type": ""# + type + #""}]}, "primaryType": "T", "domain": {}, "message": {"v": "# + valueJSON + "}}")
    }

    /// The 32-byte encoding of the single field.
    static func word(_ type: String, _ valueJSON: String) throws -> String {
        let data = try single(type, valueJSON)
        return hex(Array(try data.encodeData("T", data.message).dropFirst(32)))
    }

    @Test(arguments: [
        ("uint256", "0", "0000000000000000000000000000000000000000000000000000000000000000"),
        ("uint256", #""0x0100""#, "0000000000000000000000000000000000000000000000000000000000000100"),
        ("uint8", "255", "00000000000000000000000000000000000000000000000000000000000000ff"),
        ("int8", "-128", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80"),
        ("int8", "127", "000000000000000000000000000000000000000000000000000000000000007f"),
        ("int256", #""-1""#, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
        ("int16", "-2", "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"),
        ("bool", "true", "0000000000000000000000000000000000000000000000000000000000000001"),
        ("bool", "false", "0000000000000000000000000000000000000000000000000000000000000000"),
        ("address", #""0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826""#, "000000000000000000000000cd2a3d9f938e13cd947ec05abc7fe734df8dd826"),
        ("bytes1", #""0xab""#, "ab00000000000000000000000000000000000000000000000000000000000000"),
        ("bytes32", #""0x0102030405060708091011121314151617181920212223242526272829303132""#, "0102030405060708091011121314151617181920212223242526272829303132"),
        // Dynamic types are hashed: keccak256("") and keccak256(0x).
        ("string", #""""#, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("bytes", #""0x""#, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        // Arrays hash the concatenated element encodings; an empty array hashes to keccak256("").
        ("uint8[]", "[]", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
    ])
    func atomicEncoding(type: String, value: String, expected: String) throws {
        #expect(try Self.word(type, value) == expected)
    }

    @Test func arrayEncodingIsHashOfConcatenation() throws {
        let one = bytes("0000000000000000000000000000000000000000000000000000000000000001")
        let two = bytes("0000000000000000000000000000000000000000000000000000000000000002")
        #expect(try Self.word("uint256[2]", "[1, 2]") == hex(Keccak256.hash(one + two)))
        #expect(try Self.word("uint256[]", "[1, 2]") == hex(Keccak256.hash(one + two)))
        let inner = Keccak256.hash(one + two)
        #expect(try Self.word("uint256[][]", "[[1, 2], [1, 2]]") == hex(Keccak256.hash(inner + inner)))
        #expect(try Self.word("string[]", #"["a"]"#) == hex(Keccak256.hash(Keccak256.hash(Array("a".utf8)))))
    }

    @Test(arguments: [
        ("uint8", "256", "does not fit in uint8"),
        ("uint256", "-1", "is negative"),
        ("uint256", "115792089237316195423570985008687907853269984665640564039457584007913129639936", "does not fit in 256 bits"),
        ("int8", "128", "does not fit in int8"),
        ("int8", "-129", "does not fit in int8"),
        ("uint256", "1.5", "must be an integer"),
        ("uint256", "1e3", "must be an integer"),
        ("uint256", #""12abc""#, "must be an integer"),
        ("uint256", #""""#, "number is empty"),
        ("uint256", "true", "must be an integer"),
        ("bool", #""true""#, "must be true or false"),
        ("bool", "1", "must be true or false"),
        ("address", #""0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD827""#, "checksum"),
        ("address", #""0x1234""#, "40 hex digits"),
        ("address", "1", "must be an address string"),
        ("bytes32", #""0x01""#, "exactly 32 bytes"),
        ("bytes4", #""0x0102030405""#, "exactly 4 bytes"),
        ("bytes", #""hello""#, "0x-prefixed hex"),
        ("bytes", #""0x123""#, "odd number"),
        ("string", "1", "must be a string"),
        ("uint8[2]", "[1]", "exactly 2 elements"),
        ("uint8[]", "1", "must be an array"),
    ])
    func rejectsBadValues(type: String, value: String, fragment: String) throws {
        let data = try Self.single(type, value)
        do {
            let encoded = try data.encodeData("T", data.message)
            Issue.record("accepted \(type) \(value): \(hex(encoded))")
        } catch {
            #expect(error.reason.contains(fragment), "\(type) \(value): \(error.reason)")
            #expect(error.reason.contains("T.v"), "error names the field: \(error.reason)")
        }
    }

    @Test(arguments: [
        (#"{"types": {"T": [{"name": "v", "type": "uint"}]}, "primaryType": "T", "domain": {}, "message": {}}"#, "unknown type 'uint'"),
        (#"{"types": {"T": [{"name": "v", "type": "uint7"}]}, "primaryType": "T", "domain": {}, "message": {}}"#, "unknown type"),
        (#"{"types": {"T": [{"name": "v", "type": "bytes33"}]}, "primaryType": "T", "domain": {}, "message": {}}"#, "unknown type"),
        (#"{"types": {"T": [{"name": "v", "type": "uint08"}]}, "primaryType": "T", "domain": {}, "message": {}}"#, "unknown type"),
        (#"{"types": {"T": [{"name": "v", "type": "Missing"}]}, "primaryType": "T", "domain": {}, "message": {}}"#, "unknown type 'Missing'"),
        (#"{"types": {"T": [{"name": "v", "type": "uint8[0]"}]}, "primaryType": "T", "domain": {}, "message": {}}"#, "unknown type"),
        (#"{"types": {"T": [{"name": "v", "type": "uint8"}, {"name": "v", "type": "uint8"}]}, "primaryType": "T", "domain": {}, "message": {}}"#, "twice"),
        (#"{"types": {"T(uint8 x)": [{"name": "v", "type": "uint8"}]}, "primaryType": "T", "domain": {}, "message": {}}"#, "not a valid identifier"),
        (#"{"types": {"T": [{"name": "v x", "type": "uint8"}]}, "primaryType": "T", "domain": {}, "message": {}}"#, "not a valid identifier"),
        (#"{"types": {"uint8": []}, "primaryType": "uint8", "domain": {}, "message": {}}"#, "clashes"),
        (#"{"types": {"T": []}, "primaryType": "U", "domain": {}, "message": {}}"#, "primaryType 'U'"),
        (#"{"types": {"T": []}, "primaryType": "T", "domain": {"chain": 1}, "message": {}}"#, "domain has field 'chain'"),
        (#"{"types": {"T": []}, "primaryType": "T", "domain": {}}"#, "needs a 'message'"),
        (#"{"types": {"T": []}, "primaryType": "T", "domain": {}, "message": {}, "message": {}}"#, "duplicate key"),
        (#"[1, 2]"#, "must be a JSON object"),
    ])
    func rejectsBadDocuments(json: String, fragment: String) {
        do {
            let data = try TypedData(json: json)
            Issue.record("accepted \(json): \(data.primaryType)")
        } catch {
            #expect(error.reason.contains(fragment), "\(json): \(error.reason)")
        }
    }

    @Test func missingMessageFieldIsAnError() throws {
        let data = try TypedData(json: Self.mail.replacingOccurrences(of: #""contents": "Hello, Bob!""#, with: #""extra": 1"#))
        #expect(throws: EIP712.Error("message.contents is missing")) { try data.digest() }
        let nested = try TypedData(json: Self.mail.replacingOccurrences(of: #""to": {"name": "Bob", "#, with: #""to": {"#))
        #expect(throws: EIP712.Error("message.to.name is missing")) { try nested.digest() }
    }

    @Test func recoveryRejectsMalformedSignatures() throws {
        let data = try TypedData(json: Self.mail)
        var badV = bytes(Self.mailSignature)
        badV[64] = 29
        #expect(throws: Secp256k1.Error.invalidRecoveryID(29)) { try data.recoverSigner(signature: badV) }
        #expect(throws: Secp256k1.Error.invalidSignature) { try data.recoverSigner(signature: Array(bytes(Self.mailSignature).prefix(64))) }
        // A different v recovers a different (wrong) signer rather than the author.
        var otherV = bytes(Self.mailSignature)
        otherV[64] = 27
        #expect(try data.recoverSigner(signature: otherV) != "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
    }
}

/// EIP-3009 builders. Expected values from eth-account 0.14 over the same typed data; the USDC
/// (Ethereum mainnet) domain separator 0x06c37168… is the value the contract's DOMAIN_SEPARATOR() returns.
@Suite struct EIP3009Tests {
    static let usdc = EIP3009.Domain(name: "USD Coin", version: "2", chainId: 1, verifyingContract: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
    static let payerKey = bytes("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")

    static func authorization() throws -> EIP3009.Authorization {
        EIP3009.Authorization(
            from: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
            to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
            value: try Word256(decimal: "10000"),
            validAfter: .zero,
            validBefore: Word256(1_893_456_000),
            nonce: [UInt8](repeating: 0xAB, count: 32))
    }

    @Test(arguments: [
        (EIP3009.Kind.transferWithAuthorization,
         "7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267",
         "88a22aabfd0cee9f924ef9394cb61888267025fef78ec26a9553ddfb98ea8d54",
         "7ae9a10da5a8539bb616505e928e9a9702b8db5a59d3712325997f101ade8387",
         "48d67305aa2aec6e2642672d6941c558170fa2f248b9e608bc1d192c795529d01d620433ba83e42d399ae80d31f4877ac5a487dba0ce7fb3fc52f6636c3796c71c"),
        (EIP3009.Kind.receiveWithAuthorization,
         "d099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8",
         "27121ceba4e51625df06b98123efd0f477c4c741bba0a7d3dd43cc512ac69851",
         "b59884d24b6aa186d8f125b6fed2fcba7ed70373849b2ac04b5ae18f95ac5a55",
         "396f64f8fdd2f979f2f434f83f76328df1812b63954082d128f4acbd98ee556c3615fb671082b43c0fadc2576136a1865aa601f8f288dfa02387da45f6d4d0e91b"),
    ])
    func authorizationVectors(kind: EIP3009.Kind, typeHash: String, structHash: String, digest: String, signature: String) throws {
        let data = try EIP3009.typedData(kind, Self.authorization(), domain: Self.usdc)
        #expect(hex(try data.typeHash(kind.rawValue)) == typeHash)
        #expect(hex(try data.domainSeparator()) == "06c37168a7db5138defc7866392bb87a741f9b3d104deb5094588ce041cae335")
        #expect(hex(try data.messageHash()) == structHash)
        #expect(hex(try data.digest()) == digest)
        #expect(hex(try data.sign(privateKey: Self.payerKey)) == signature)
        #expect(try data.recoverSigner(signature: bytes(signature)) == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")
        // The JSON form round-trips to the same digest (what a wallet would be asked to sign).
        #expect(hex(try TypedData(json: data.json.serialized).digest()) == digest)
    }

    @Test func buildersMatchTheGenericForm() throws {
        let auth = try Self.authorization()
        #expect(try EIP3009.transferWithAuthorization(auth, domain: Self.usdc).digest() == EIP3009.typedData(.transferWithAuthorization, auth, domain: Self.usdc).digest())
        #expect(try EIP3009.receiveWithAuthorization(auth, domain: Self.usdc).digest() == EIP3009.typedData(.receiveWithAuthorization, auth, domain: Self.usdc).digest())
        #expect(try EIP3009.transferWithAuthorization(auth, domain: Self.usdc).digest() != EIP3009.receiveWithAuthorization(auth, domain: Self.usdc).digest())
    }

    @Test func rejectsBadInputs() throws {
        let good = try Self.authorization()
        let shortNonce = EIP3009.Authorization(from: good.from, to: good.to, value: good.value, validAfter: good.validAfter, validBefore: good.validBefore, nonce: [1, 2, 3])
        #expect(throws: EIP712.Error("EIP-3009 nonce must be 32 bytes, got 3")) { try EIP3009.transferWithAuthorization(shortNonce, domain: Self.usdc) }
        let badFrom = EIP3009.Authorization(from: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c24", to: good.to, value: good.value, validAfter: good.validAfter, validBefore: good.validBefore, nonce: good.nonce)
        #expect(throws: EIP712.Error.self) { try EIP3009.transferWithAuthorization(badFrom, domain: Self.usdc) }
        let badContract = EIP3009.Domain(name: "USD Coin", version: "2", chainId: 1, verifyingContract: "0x1234")
        #expect(throws: EIP712.Error.self) { try EIP3009.transferWithAuthorization(good, domain: badContract) }
    }
}

@Suite struct Word256Tests {
    @Test(arguments: [
        "0", "1", "255", "256", "18446744073709551615", "18446744073709551616", "10000000000000000000",
        "340282366920938463463374607431768211456",
        "115792089237316195423570985008687907853269984665640564039457584007913129639935",
    ])
    func decimalRoundTrip(text: String) throws {
        #expect(try Word256(decimal: text).decimalString == text)
    }

    @Test func knownEncodings() throws {
        #expect(try Word256(decimal: "18446744073709551616").hexString == "0x0000000000000000000000000000000000000000000000010000000000000000")
        #expect(try Word256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639935") == Word256.max)
        #expect(try Word256(hex: "0xff").decimalString == "255")
        #expect(try Word256(hex: "00000000000000000000000000000000000000000000000000000000000000000001") == Word256(1))  // leading zeros
        #expect(try Word256(decimal: "000123").decimalString == "123")
        #expect(Word256(1).negated == Word256.max)
        #expect(Word256.zero.negated == Word256.zero)
        #expect(Word256(1) < Word256(2))
        #expect(try Word256(decimal: "256").bitWidth == 9)
        #expect(Word256.zero.bitWidth == 0)
        #expect(Word256.max.bitWidth == 256)
        #expect(try Word256(bytes: [1, 0]) == Word256(256))
    }

    @Test func rejects() throws {
        #expect(throws: Word256.Error.overflow) { try Word256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936") }
        #expect(throws: Word256.Error.overflow) { try Word256(hex: "0x1" + String(repeating: "0", count: 64)) }
        #expect(throws: Word256.Error.empty) { try Word256(decimal: "") }
        #expect(throws: Word256.Error.empty) { try Word256(hex: "0x") }
        // Up to 19 digits take the 64-bit path; 20 and more the 256-bit one: both agree.
        #expect(try Word256(decimal: "9999999999999999999") == Word256(9_999_999_999_999_999_999))
        #expect(try Word256(decimal: "18446744073709551615") == Word256(UInt64.max))
        #expect(try Word256(decimal: "18446744073709551616").decimalString == "18446744073709551616")
        #expect(try Word256(decimal: "0000000000000000042") == Word256(42))
        #expect(throws: Word256.Error.invalidDigit("a")) { try Word256(decimal: "12a") }
        #expect(throws: Word256.Error.invalidDigit("\u{661}")) { try Word256(decimal: "1\u{661}") }
        #expect(throws: Word256.Error.invalidDigit("-")) { try Word256(decimal: "-1") }
        #expect(throws: Word256.Error.invalidDigit(" ")) { try Word256(decimal: "1 000") }
        #expect(throws: Word256.Error.invalidDigit("g")) { try Word256(hex: "0xfg") }
        #expect(throws: Word256.Error.tooManyBytes(33)) { try Word256(bytes: [UInt8](repeating: 1, count: 33)) }
    }
}

@Suite struct JSONValueTests {
    @Test func parsesAndKeepsNumberText() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5e3, 115792089237316195423570985008687907853269984665640564039457584007913129639935], "b": {"c": null, "d": true, "e": false}, "s": "x\u00e9\ud83d\ude00\n\"\\/"} "#)
        #expect(value == .object([
            "a": .array([.number("1"), .number("-2.5e3"), .number("115792089237316195423570985008687907853269984665640564039457584007913129639935")]),
            "b": .object(["c": .null, "d": .bool(true), "e": .bool(false)]),
            "s": .string("xé😀\n\"\\/"),
        ]))
        #expect(try JSONValue.parse(value.serialized) == value)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "1e", ".5", "+1", "tru", "nul", "\"abc", "\"\\x\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"a\u{01}b\"", "{\"a\":1,\"a\":2}", "[1] 2", "{'a':1}", "[1 2]",
    ])
    func rejects(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(text) }
    }

    /// Strings without escapes are read straight from the input; an escape or a control character
    /// anywhere falls back to the decoding path with everything before it kept.
    @Test func stringsWithAndWithoutEscapes() throws {
        #expect(try JSONValue.parse(#"["plain", "héllo 😀", "", "ab\ncd", "tail\\", "\u0041BC"]"#)
                == .array([.string("plain"), .string("héllo 😀"), .string(""), .string("ab\ncd"), .string("tail\\"), .string("ABC")]))
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22, 0x61, 0xC3, 0x28, 0x5C, 0x6E, 0x22]) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22, 0x61, 0x0A, 0x22]) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(#""unterminated"#) }
    }

    /// A request body is parsed straight from its buffer; an ASCII string skips UTF-8 validation,
    /// any byte at or above 0x80 sends it through validation (bad UTF-8 still refused).
    @Test func parsesFromRawBytesWithASCIIAndNonASCIIStrings() throws {
        let text = Array(#"{"a":"plain","b":"héllo","c":[true,false,null],"n":-12.5e3}"#.utf8)
        let parsed = try text.withUnsafeBytes { raw throws(JSONValue.ParseError) in try JSONValue.parse(bytes: raw) }
        #expect(parsed == .object(["a": .string("plain"), "b": .string("héllo"), "c": .array([.bool(true), .bool(false), .null]), "n": .number("-12.5e3")]))
        #expect(parsed == (try JSONValue.parse(text)))
        let bad: [[UInt8]] = [[0x22, 0x61, 0xFF, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]]
        for bytes in bad {
            #expect(throws: JSONValue.ParseError.self) { try bytes.withUnsafeBytes { raw throws(JSONValue.ParseError) in try JSONValue.parse(bytes: raw) } }
        }
        #expect(throws: JSONValue.ParseError.self) { try [UInt8]().withUnsafeBytes { raw throws(JSONValue.ParseError) in try JSONValue.parse(bytes: raw) } }
        for truncated in ["t", "fals", "nul", "[tru]", "trux"] {
            #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(truncated) }
        }
    }

    /// Strings that need no escape are copied whole; the others are still escaped.
    @Test func serializesPlainAndEscapedStrings() throws {
        let value = JSONValue.object(["b": .string("plain"), "a": .string("q\"uote\\ back\n\u{01}"), "c": .string("héllo")])
        #expect(value.serialized == #"{"a":"q\"uote\\ back\n\u0001","b":"plain","c":"héllo"}"#)
        #expect(try JSONValue.parse(value.serialized) == value)
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(deep) }
        let ok = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(throws: Never.self) { try JSONValue.parse(ok) }
    }
}

/// The direct EIP-3009 encoder (used per verification) gives the generic encoder's digest: pinned to
/// the eth-account vector above and cross-checked on random authorizations.
@Suite struct EIP3009DirectDigestTests {
    @Test func directDigestMatchesTheGenericEncoder() throws {
        let separator = try EIP3009.domainSeparator(EIP3009Tests.usdc)
        #expect(hex(separator) == "06c37168a7db5138defc7866392bb87a741f9b3d104deb5094588ce041cae335")
        #expect(hex(EIP3009.transferWithAuthorizationTypeHash) == "7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267")
        #expect(hex(try EIP3009.transferDigest(try EIP3009Tests.authorization(), domainSeparator: separator))
                == "7ae9a10da5a8539bb616505e928e9a9702b8db5a59d3712325997f101ade8387")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let authorization = EIP3009.Authorization(
                from: try Ethereum.address(privateKey: Secp256k1.generatePrivateKey()), to: try Ethereum.address(privateKey: Secp256k1.generatePrivateKey()),
                value: Word256(UInt64.random(in: 0...UInt64.max, using: &generator)), validAfter: Word256(UInt64.random(in: 0...1 << 40, using: &generator)),
                validBefore: Word256(UInt64.random(in: 0...1 << 40, using: &generator)), nonce: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let generic = try EIP3009.transferWithAuthorization(authorization, domain: EIP3009Tests.usdc).digest()
            #expect(try EIP3009.transferDigest(authorization, domainSeparator: separator) == generic)
            #expect(try EIP3009.transferDigest(authorization, domainSeparator: separator, addressesValidated: true) == generic)
        }
    }

    /// Signing paths validate the addresses (a wrong checksum is refused); the verifier, whose addresses
    /// were validated when parsed, reads the bytes only, and gets the same digest in any letter case.
    @Test func addressesAreValidatedUnlessTheCallerDidIt() throws {
        let separator = try EIP3009.domainSeparator(EIP3009Tests.usdc)
        let valid = try EIP3009Tests.authorization()
        let lower = EIP3009.Authorization(from: valid.from.lowercased(), to: valid.to.lowercased(), value: valid.value, validAfter: valid.validAfter,
                                          validBefore: valid.validBefore, nonce: valid.nonce)
        #expect(try EIP3009.transferDigest(lower, domainSeparator: separator, addressesValidated: true) == (try EIP3009.transferDigest(valid, domainSeparator: separator)))
        // Flip the case of one letter: a checksum error for a signer, still the same bytes for the verifier.
        var from = Array(valid.from)
        let index = try #require(from.indices.dropFirst(2).first { from[$0].isLetter })
        from[index] = Character(from[index].isUppercase ? from[index].lowercased() : from[index].uppercased())
        let flipped = EIP3009.Authorization(from: String(from), to: valid.to, value: valid.value, validAfter: valid.validAfter, validBefore: valid.validBefore, nonce: valid.nonce)
        #expect(throws: EIP712.Error.self) { try EIP3009.transferDigest(flipped, domainSeparator: separator) }
        #expect(try EIP3009.transferDigest(flipped, domainSeparator: separator, addressesValidated: true) == (try EIP3009.transferDigest(valid, domainSeparator: separator)))
    }
}
