import Testing
@testable import RailyardCrypto

// Vectors from the CashAddr specification, bitcoincash.org spec/cashaddr.md (v1.1), "Test vectors".

/// "Examples of address translation" (legacy ↔ CashAddr).
private let translationVectors: [(legacy: String, cashAddr: String)] = [
    ("1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"),
    ("1KXrWXciRDZUpQwQmuM1DbwsKDLYAYsVLR", "bitcoincash:qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy"),
    ("16w1D5WRVKJuZUsSRzdLp9w3YGcgoxDXb", "bitcoincash:qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r"),
    ("3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq"),
    ("3LDsS579y7sruadqu11beEJoTjdFiFCdX4", "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e"),
    ("31nwvkZwyPdgzjBJZXfDmSWsC4ZLKpYyUw", "bitcoincash:pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37"),
]

/// "Larger test vectors": (hash size, type, address, hash hex).
private let largerCashAddrVectors: [(Int, UInt8, String, String)] = [
    (20, 0, "bitcoincash:qr6m7j9njldwwzlg9v7v53unlr4jkmx6eylep8ekg2", "F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9"),
    (20, 1, "bchtest:pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", "F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9"),
    (20, 1, "pref:pr6m7j9njldwwzlg9v7v53unlr4jkmx6ey65nvtks5", "F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9"),
    (24, 0, "bitcoincash:q9adhakpwzztepkpwp5z0dq62m6u5v5xtyj7j3h2ws4mr9g0", "7ADBF6C17084BC86C1706827B41A56F5CA32865925E946EA"),
    (24, 1, "bchtest:p9adhakpwzztepkpwp5z0dq62m6u5v5xtyj7j3h2u94tsynr", "7ADBF6C17084BC86C1706827B41A56F5CA32865925E946EA"),
    (24, 1, "pref:p9adhakpwzztepkpwp5z0dq62m6u5v5xtyj7j3h2khlwwk5v", "7ADBF6C17084BC86C1706827B41A56F5CA32865925E946EA"),
    (28, 0, "bitcoincash:qgagf7w02x4wnz3mkwnchut2vxphjzccwxgjvvjmlsxqwkcw59jxxuz", "3A84F9CF51AAE98A3BB3A78BF16A6183790B18719126325BFC0C075B"),
    (28, 1, "bchtest:pgagf7w02x4wnz3mkwnchut2vxphjzccwxgjvvjmlsxqwkcvs7md7wt", "3A84F9CF51AAE98A3BB3A78BF16A6183790B18719126325BFC0C075B"),
    (28, 1, "pref:pgagf7w02x4wnz3mkwnchut2vxphjzccwxgjvvjmlsxqwkcrsr6gzkn", "3A84F9CF51AAE98A3BB3A78BF16A6183790B18719126325BFC0C075B"),
    (32, 0, "bitcoincash:qvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq5nlegake", "3173EF6623C6B48FFD1A3DCC0CC6489B0A07BB47A37F47CFEF4FE69DE825C060"),
    (32, 1, "bchtest:pvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq7fqng6m6", "3173EF6623C6B48FFD1A3DCC0CC6489B0A07BB47A37F47CFEF4FE69DE825C060"),
    (32, 1, "pref:pvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq4k9m7qf9", "3173EF6623C6B48FFD1A3DCC0CC6489B0A07BB47A37F47CFEF4FE69DE825C060"),
    (40, 0, "bitcoincash:qnq8zwpj8cq05n7pytfmskuk9r4gzzel8qtsvwz79zdskftrzxtar994cgutavfklv39gr3uvz", "C07138323E00FA4FC122D3B85B9628EA810B3F381706385E289B0B25631197D194B5C238BEB136FB"),
    (40, 1, "bchtest:pnq8zwpj8cq05n7pytfmskuk9r4gzzel8qtsvwz79zdskftrzxtar994cgutavfklvmgm6ynej", "C07138323E00FA4FC122D3B85B9628EA810B3F381706385E289B0B25631197D194B5C238BEB136FB"),
    (40, 1, "pref:pnq8zwpj8cq05n7pytfmskuk9r4gzzel8qtsvwz79zdskftrzxtar994cgutavfklv0vx5z0w3", "C07138323E00FA4FC122D3B85B9628EA810B3F381706385E289B0B25631197D194B5C238BEB136FB"),
    (48, 0, "bitcoincash:qh3krj5607v3qlqh5c3wq3lrw3wnuxw0sp8dv0zugrrt5a3kj6ucysfz8kxwv2k53krr7n933jfsunqex2w82sl", "E361CA9A7F99107C17A622E047E3745D3E19CF804ED63C5C40C6BA763696B98241223D8CE62AD48D863F4CB18C930E4C"),
    (48, 1, "bchtest:ph3krj5607v3qlqh5c3wq3lrw3wnuxw0sp8dv0zugrrt5a3kj6ucysfz8kxwv2k53krr7n933jfsunqnzf7mt6x", "E361CA9A7F99107C17A622E047E3745D3E19CF804ED63C5C40C6BA763696B98241223D8CE62AD48D863F4CB18C930E4C"),
    (48, 1, "pref:ph3krj5607v3qlqh5c3wq3lrw3wnuxw0sp8dv0zugrrt5a3kj6ucysfz8kxwv2k53krr7n933jfsunqjntdfcwg", "E361CA9A7F99107C17A622E047E3745D3E19CF804ED63C5C40C6BA763696B98241223D8CE62AD48D863F4CB18C930E4C"),
    (56, 0, "bitcoincash:qmvl5lzvdm6km38lgga64ek5jhdl7e3aqd9895wu04fvhlnare5937w4ywkq57juxsrhvw8ym5d8qx7sz7zz0zvcypqscw8jd03f", "D9FA7C4C6EF56DC4FF423BAAE6D495DBFF663D034A72D1DC7D52CBFE7D1E6858F9D523AC0A7A5C34077638E4DD1A701BD017842789982041"),
    (56, 1, "bchtest:pmvl5lzvdm6km38lgga64ek5jhdl7e3aqd9895wu04fvhlnare5937w4ywkq57juxsrhvw8ym5d8qx7sz7zz0zvcypqs6kgdsg2g", "D9FA7C4C6EF56DC4FF423BAAE6D495DBFF663D034A72D1DC7D52CBFE7D1E6858F9D523AC0A7A5C34077638E4DD1A701BD017842789982041"),
    (56, 1, "pref:pmvl5lzvdm6km38lgga64ek5jhdl7e3aqd9895wu04fvhlnare5937w4ywkq57juxsrhvw8ym5d8qx7sz7zz0zvcypqsammyqffl", "D9FA7C4C6EF56DC4FF423BAAE6D495DBFF663D034A72D1DC7D52CBFE7D1E6858F9D523AC0A7A5C34077638E4DD1A701BD017842789982041"),
    (64, 0, "bitcoincash:qlg0x333p4238k0qrc5ej7rzfw5g8e4a4r6vvzyrcy8j3s5k0en7calvclhw46hudk5flttj6ydvjc0pv3nchp52amk97tqa5zygg96mtky5sv5w", "D0F346310D5513D9E01E299978624BA883E6BDA8F4C60883C10F28C2967E67EC77ECC7EEEAEAFC6DA89FAD72D11AC961E164678B868AEEEC5F2C1DA08884175B"),
    (64, 1, "bchtest:plg0x333p4238k0qrc5ej7rzfw5g8e4a4r6vvzyrcy8j3s5k0en7calvclhw46hudk5flttj6ydvjc0pv3nchp52amk97tqa5zygg96mc773cwez", "D0F346310D5513D9E01E299978624BA883E6BDA8F4C60883C10F28C2967E67EC77ECC7EEEAEAFC6DA89FAD72D11AC961E164678B868AEEEC5F2C1DA08884175B"),
    (64, 1, "pref:plg0x333p4238k0qrc5ej7rzfw5g8e4a4r6vvzyrcy8j3s5k0en7calvclhw46hudk5flttj6ydvjc0pv3nchp52amk97tqa5zygg96mg7pj3lh8", "D0F346310D5513D9E01E299978624BA883E6BDA8F4C60883C10F28C2967E67EC77ECC7EEEAEAFC6DA89FAD72D11AC961E164678B868AEEEC5F2C1DA08884175B"),
]

@Suite struct CashAddrTests {
    /// "The following addresses can be used as test vectors for checksum computation since they
    /// have a valid checksum but purposely do not have a valid payload." The spec's v1.0 listed
    /// `bchtest:testnetaddress4d6njnut`; v1.1 lists `bchtest:spectestnetaddressrealrealaddressqpan2k9lh`.
    @Test(arguments: [
        "prefix:x64nx6hz",
        "PREFIX:X64NX6HZ",
        "p:gpf8m4h7",
        "bitcoincash:qpzry9x8gf2tvdw0s3jn54khce6mua7lcw20ayyn",
        "bchtest:testnetaddress4d6njnut",
        "bchtest:spectestnetaddressrealrealaddressqpan2k9lh",
        "bchreg:555555555555555555555555555555555555555555555udxmlmrz",
    ])
    func checksumVectors(string: String) {
        let lower = string.lowercased()
        let parts = lower.split(separator: ":", maxSplits: 1).map(String.init)
        let charset = Array(Bech32.charset.utf8)
        let values = parts[1].utf8.map { unit in UInt8(charset.firstIndex(of: unit)!) }
        #expect(CashAddr.verifyChecksum(prefix: parts[0], payload: values))
        // Changing one payload symbol must break it.
        var broken = values
        broken[0] ^= 1
        #expect(!CashAddr.verifyChecksum(prefix: parts[0], payload: broken))
        // …and so must a different prefix.
        #expect(!CashAddr.verifyChecksum(prefix: parts[0] + "x", payload: values))
    }

    @Test(arguments: translationVectors)
    func legacyTranslation(legacy: String, cashAddr: String) throws {
        let decoded = try CashAddr.decode(cashAddr)
        #expect(decoded.prefix == "bitcoincash")
        #expect(decoded.hash.count == 20)
        let version: UInt8 = decoded.type == .p2pkh ? 0x00 : 0x05
        #expect(decoded.type == (legacy.hasPrefix("3") ? .p2sh : .p2pkh))
        #expect(try Base58Check.decode(legacy) == [version] + decoded.hash)
        #expect(try CashAddr.encode(prefix: "bitcoincash", type: decoded.type, hash: decoded.hash) == cashAddr)
        // Same address without its prefix, and in uppercase.
        let bare = String(cashAddr.dropFirst("bitcoincash:".count))
        #expect(try CashAddr.decode(bare) == decoded)
        #expect(try CashAddr.decode(bare, defaultPrefix: "bitcoincash") == decoded)
        #expect(try CashAddr.decode(cashAddr.uppercased()) == decoded)
        #expect(decoded.encodedWithoutPrefix == bare)
    }

    @Test(arguments: largerCashAddrVectors)
    func largerVectors(size: Int, type: UInt8, address: String, hashHex: String) throws {
        let decoded = try CashAddr.decode(address)
        #expect(decoded.hash == bytes(hashHex))
        #expect(decoded.hash.count == size)
        #expect(decoded.type.rawValue == type)
        #expect(decoded.prefix == String(address.split(separator: ":")[0]))
        #expect(decoded.encoded == address)
    }

    @Test func f5bfVectorLegacyForm() throws {
        // The spec gives no legacy form for qr6m7j…; P2PKH of hash F5BF…DAC9 with version 0x00,
        // computed independently (Python hashlib base58check): 1PQPheJQSauxRPTxzNMUco1XmoCyPoEJCp.
        let decoded = try CashAddr.decode("bitcoincash:qr6m7j9njldwwzlg9v7v53unlr4jkmx6eylep8ekg2")
        #expect(Base58Check.encode(version: 0x00, payload: decoded.hash) == "1PQPheJQSauxRPTxzNMUco1XmoCyPoEJCp")
        #expect(Base58Check.encode(version: 0x00, payload: decoded.hash) != "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu")
    }

    @Test func prefixlessAddressDetectsNetworkFromChecksum() throws {
        let decoded = try CashAddr.decode("pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t")
        #expect(decoded.prefix == "bchtest")
        #expect(decoded.type == .p2sh)
        #expect(throws: CashAddr.Error.invalidChecksum(prefix: "bitcoincash")) {
            try CashAddr.decode("pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", defaultPrefix: "bitcoincash")
        }
    }

    @Test func rejectsMalformed() {
        #expect(throws: CashAddr.Error.empty) { try CashAddr.decode("") }
        #expect(throws: CashAddr.Error.mixedCase) { try CashAddr.decode("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6A") }
        #expect(throws: CashAddr.Error.mixedCase) { try CashAddr.decode("prEfix:x64nx6hz") }
        // Wrong last character.
        #expect(throws: CashAddr.Error.invalidChecksum(prefix: "bitcoincash")) {
            try CashAddr.decode("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6q")
        }
        // Right payload, wrong prefix: the checksum commits to the prefix.
        #expect(throws: CashAddr.Error.invalidChecksum(prefix: "bchtest")) {
            try CashAddr.decode("bchtest:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a")
        }
        #expect(throws: CashAddr.Error.invalidChecksumForAnyPrefix(CashAddr.knownPrefixes)) {
            try CashAddr.decode("qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6q")
        }
        #expect(throws: CashAddr.Error.invalidCharacter("b", offset: 13)) {
            try CashAddr.decode("bitcoincash:qbm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a")
        }
        #expect(throws: CashAddr.Error.invalidPrefix("bit-coin")) { try CashAddr.decode("bit-coin:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a") }
        #expect(throws: CashAddr.Error.emptyPayload) { try CashAddr.decode("bitcoincash:") }
        #expect(throws: CashAddr.Error.payloadTooShort) { try CashAddr.decode("prefix:x64nx6hz") }
        // Spec "Undefined types": type 15 with an empty payload.
        #expect(throws: CashAddr.Error.unknownType(15)) { try CashAddr.decode("prefix:0qxsg0rgpa") }
    }

    @Test func rejectsSizeBitsThatDisagreeWithPayload() {
        // Version byte 0x01 declares a 24-byte hash but only 20 bytes follow.
        let hash = bytes("F5BF48B397DAE70BE82B3CCA4793F8EB2B6CDAC9")
        let address = CashAddr.encodePayload(prefix: "bitcoincash", bytes: [0x01] + hash)
        #expect(throws: CashAddr.Error.hashLengthMismatch(expected: 24, actual: 20)) { try CashAddr.decode(address) }
        let reserved = CashAddr.encodePayload(prefix: "bitcoincash", bytes: [0x80] + hash)
        #expect(throws: CashAddr.Error.reservedVersionBit) { try CashAddr.decode(reserved) }
    }

    @Test func encoderRejectsUnsupportedHashLength() {
        #expect(throws: CashAddr.Error.invalidHashLength(21)) {
            try CashAddr.encode(prefix: "bitcoincash", type: .p2pkh, hash: [UInt8](repeating: 1, count: 21))
        }
        #expect(throws: CashAddr.Error.invalidPrefix("")) {
            try CashAddr.encode(prefix: "", type: .p2pkh, hash: [UInt8](repeating: 1, count: 20))
        }
    }
}
