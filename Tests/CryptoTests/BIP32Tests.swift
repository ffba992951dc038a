import Testing
@testable import RailyardCrypto

/// BIP-32. Vectors 1–5 are copied from bip-0032.mediawiki (bitcoin/bips master).
@Suite struct BIP32Tests {
    static let vectors: [(seed: String, chains: [(path: String, xpub: String, xprv: String)])] = [
        // Test vector 1
        ("000102030405060708090a0b0c0d0e0f", [
            ("m",
             "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
             "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"),
            ("m/0'",
             "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw",
             "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7"),
            ("m/0'/1",
             "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ",
             "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs"),
            ("m/0'/1/2'",
             "xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4trkrX7x7DogT5Uv6fcLW5",
             "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM"),
            ("m/0'/1/2'/2",
             "xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7fe5JnJ7dh8zL4fiyLHV",
             "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334"),
            ("m/0'/1/2'/2/1000000000",
             "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy",
             "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76"),
        ]),
        // Test vector 2
        ("fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542", [
            ("m",
             "xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJY47LJhkJ8UB7WEGuduB",
             "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U"),
            ("m/0",
             "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH",
             "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt"),
            ("m/0/2147483647'",
             "xpub6ASAVgeehLbnwdqV6UKMHVzgqAG8Gr6riv3Fxxpj8ksbH9ebxaEyBLZ85ySDhKiLDBrQSARLq1uNRts8RuJiHjaDMBU4Zn9h8LZNnBC5y4a",
             "xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsFawNzmjuHc2YmYRmagcEPdU9"),
            ("m/0/2147483647'/1",
             "xpub6DF8uhdarytz3FWdA8TvFSvvAh8dP3283MY7p2V4SeE2wyWmG5mg5EwVvmdMVCQcoNJxGoWaU9DCWh89LojfZ537wTfunKau47EL2dhHKon",
             "xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPdbRCHuWS6T8XA2ECKADdw4Ef"),
            ("m/0/2147483647'/1/2147483646'",
             "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL",
             "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"),
            ("m/0/2147483647'/1/2147483646'/2",
             "xpub6FnCn6nSzZAw5Tw7cgR9bi15UV96gLZhjDstkXXxvCLsUXBGXPdSnLFbdpq8p9HmGsApME5hQTZ3emM2rnY5agb9rXpVGyy3bdW6EEgAtqt",
             "xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefMLEcBYJUuekgW4BYPJcr9E7j"),
        ]),
        // Test vector 3
        ("4b381541583be4423346c643850da4b320e46a87ae3d2a4e6da11eba819cd4acba45d239319ac14f863b8d5ab5a0d0c64d2e8a1e7d1457df2e5a3c51c73235be", [
            ("m",
             "xpub661MyMwAqRbcEZVB4dScxMAdx6d4nFc9nvyvH3v4gJL378CSRZiYmhRoP7mBy6gSPSCYk6SzXPTf3ND1cZAceL7SfJ1Z3GC8vBgp2epUt13",
             "xprv9s21ZrQH143K25QhxbucbDDuQ4naNntJRi4KUfWT7xo4EKsHt2QJDu7KXp1A3u7Bi1j8ph3EGsZ9Xvz9dGuVrtHHs7pXeTzjuxBrCmmhgC6"),
            ("m/0'",
             "xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y",
             "xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L"),
        ]),
        // Test vector 4
        ("3ddd5602285899a946114506157c7997e5444528f3003f6134712147db19b678", [
            ("m",
             "xpub661MyMwAqRbcGczjuMoRm6dXaLDEhW1u34gKenbeYqAix21mdUKJyuyu5F1rzYGVxyL6tmgBUAEPrEz92mBXjByMRiJdba9wpnN37RLLAXa",
             "xprv9s21ZrQH143K48vGoLGRPxgo2JNkJ3J3fqkirQC2zVdk5Dgd5w14S7fRDyHH4dWNHUgkvsvNDCkvAwcSHNAQwhwgNMgZhLtQC63zxwhQmRv"),
            ("m/0'",
             "xpub69AUMk3qDBi3uW1sXgjCmVjJ2G6WQoYSnNHyzkmdCHEhSZ4tBok37xfFEqHd2AddP56Tqp4o56AePAgCjYdvpW2PU2jbUPFKsav5ut6Ch1m",
             "xprv9vB7xEWwNp9kh1wQRfCCQMnZUEG21LpbR9NPCNN1dwhiZkjjeGRnaALmPXCX7SgjFTiCTT6bXes17boXtjq3xLpcDjzEuGLQBM5ohqkao9G"),
            ("m/0'/1'",
             "xpub6BJA1jSqiukeaesWfxe6sNK9CCGaujFFSJLomWHprUL9DePQ4JDkM5d88n49sMGJxrhpjazuXYWdMf17C9T5XnxkopaeS7jGk1GyyVziaMt",
             "xprv9xJocDuwtYCMNAo3Zw76WENQeAS6WGXQ55RCy7tDJ8oALr4FWkuVoHJeHVAcAqiZLE7Je3vZJHxspZdFHfnBEjHqU5hG1Jaj32dVoS6XLT1"),
        ]),
    ]

    /// Every (vector, chain) pair, flattened so each is its own test case.
    static let chains: [(seed: String, path: String, xpub: String, xprv: String)] = vectors.flatMap { vector in
        vector.chains.map { (vector.seed, $0.path, $0.xpub, $0.xprv) }
    }

    @Test(arguments: chains)
    func privateDerivation(chain: (seed: String, path: String, xpub: String, xprv: String)) throws {
        let master = try ExtendedKey(seed: bytes(chain.seed))
        let key = try master.derive(DerivationPath(parsing: chain.path))
        #expect(key.extendedPrivateKey == chain.xprv)
        #expect(key.extendedPublicKey == chain.xpub)
        #expect(key.neutered.extendedPublicKey == chain.xpub)
        #expect(key.neutered.extendedPrivateKey == nil)
    }

    @Test(arguments: chains)
    func parseAndReserialize(chain: (seed: String, path: String, xpub: String, xprv: String)) throws {
        let privateKey = try ExtendedKey(parsing: chain.xprv)
        #expect(privateKey.isPrivate)
        #expect(privateKey.extendedPrivateKey == chain.xprv)
        #expect(privateKey.extendedPublicKey == chain.xpub)
        let publicKey = try ExtendedKey(parsing: chain.xpub)
        #expect(!publicKey.isPrivate)
        #expect(publicKey.extendedPublicKey == chain.xpub)
        #expect(publicKey.publicKey == privateKey.publicKey)
        #expect(Int(publicKey.depth) == (try DerivationPath(parsing: chain.path)).components.count)
    }

    /// Public-only derivation: from the xpub of each chain's parent, every non-hardened step must give
    /// the published xpub.
    @Test func publicDerivationMatchesPublishedXpubs() throws {
        var checked = 0
        for vector in Self.vectors {
            for (parent, child) in zip(vector.chains, vector.chains.dropFirst()) {
                let step = try DerivationPath(parsing: child.path).components.last!
                guard !DerivationPath.isHardened(step) else { continue }
                let parentPublic = try ExtendedKey(parsing: parent.xpub)
                #expect(try parentPublic.child(step).extendedPublicKey == child.xpub, "\(child.path)")
                checked += 1
            }
        }
        #expect(checked == 6)  // m/0'/1, …/2, …/1000000000, m/0, …/1, …/2
    }

    @Test func hardenedDerivationFromXpubIsAnError() throws {
        let xpub = try ExtendedKey(parsing: Self.vectors[0].chains[0].xpub)
        #expect(throws: ExtendedKey.Error.hardenedDerivationFromPublicKey(index: 0x8000_0000)) {
            try xpub.child(0x8000_0000)
        }
        #expect(throws: ExtendedKey.Error.hardenedDerivationFromPublicKey(index: 0x8000_002C)) {
            try xpub.derive(DerivationPath(parsing: "m/0/44'"))
        }
    }

    @Test func fingerprintsAndMetadata() throws {
        let master = try ExtendedKey(seed: bytes(Self.vectors[0].seed))
        // Vector 1's master: HASH160 of its public key (computed with embit); its first four bytes are the
        // parent fingerprint inside the published m/0H keys. The m/0H private key is embit's as well.
        #expect(hex(master.identifier) == "3442193e1bb70916e914552172cd4e2dbc9df811")
        #expect(master.fingerprint == 0x3442_193E)
        let child = try master.child(DerivationPath.hardened(0))
        #expect(child.parentFingerprint == 0x3442_193E)
        #expect(child.depth == 1)
        #expect(child.childNumber == 0x8000_0000)
        #expect(hex(child.privateKey ?? []) == "edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea")
    }

    @Test func printingNeverShowsPrivateMaterial() throws {
        let key = try ExtendedKey(parsing: Self.vectors[0].chains[0].xprv)
        let xprv = Self.vectors[0].chains[0].xprv
        #expect("\(key)" == Self.vectors[0].chains[0].xpub)
        #expect(!String(reflecting: key).contains(xprv))
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains(xprv))
        #expect(!dumped.contains(hex(key.privateKey ?? [])))
    }

    static let invalidKeys: [(key: String, reason: String, kind: String)] = [
        ("xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6LBpB85b3D2yc8sfvZU521AAwdZafEz7mnzBBsz4wKY5fTtTQBm",
         "pubkey version / prvkey mismatch", "invalidPublicKey"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFGTQQD3dC4H2D5GBj7vWvSQaaBv5cxi9gafk7NF3pnBju6dwKvH",
         "prvkey version / pubkey mismatch", "invalidPrivateKey"),
        ("xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6Txnt3siSujt9RCVYsx4qHZGc62TG4McvMGcAUjeuwZdduYEvFn",
         "invalid pubkey prefix 04", "invalidPublicKey"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFGpWnsj83BHtEy5Zt8CcDr1UiRXuWCmTQLxEK9vbz5gPstX92JQ",
         "invalid prvkey prefix 04", "invalidPrivateKey"),
        ("xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6N8ZMMXctdiCjxTNq964yKkwrkBJJwpzZS4HS2fxvyYUA4q2Xe4",
         "invalid pubkey prefix 01", "invalidPublicKey"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFAzHGBP2UuGCqWLTAPLcMtD9y5gkZ6Eq3Rjuahrv17fEQ3Qen6J",
         "invalid prvkey prefix 01", "invalidPrivateKey"),
        ("xprv9s2SPatNQ9Vc6GTbVMFPFo7jsaZySyzk7L8n2uqKXJen3KUmvQNTuLh3fhZMBoG3G4ZW1N2kZuHEPY53qmbZzCHshoQnNf4GvELZfqTUrcv",
         "zero depth with non-zero parent fingerprint", "zeroDepthWithParentFingerprint"),
        ("xpub661no6RGEX3uJkY4bNnPcw4URcQTrSibUZ4NqJEw5eBkv7ovTwgiT91XX27VbEXGENhYRCf7hyEbWrR3FewATdCEebj6znwMfQkhRYHRLpJ",
         "zero depth with non-zero parent fingerprint", "zeroDepthWithParentFingerprint"),
        ("xprv9s21ZrQH4r4TsiLvyLXqM9P7k1K3EYhA1kkD6xuquB5i39AU8KF42acDyL3qsDbU9NmZn6MsGSUYZEsuoePmjzsB3eFKSUEh3Gu1N3cqVUN",
         "zero depth with non-zero index", "zeroDepthWithChildNumber"),
        ("xpub661MyMwAuDcm6CRQ5N4qiHKrJ39Xe1R1NyfouMKTTWcguwVcfrZJaNvhpebzGerh7gucBvzEQWRugZDuDXjNDRmXzSZe4c7mnTK97pTvGS8",
         "zero depth with non-zero index", "zeroDepthWithChildNumber"),
        ("DMwo58pR1QLEFihHiXPVykYB6fJmsTeHvyTp7hRThAtCX8CvYzgPcn8XnmdfHGMQzT7ayAmfo4z3gY5KfbrZWZ6St24UVf2Qgo6oujFktLHdHY4",
         "unknown extended key version", "unknownVersion"),
        ("DMwo58pR1QLEFihHiXPVykYB6fJmsTeHvyTp7hRThAtCX8CvYzgPcn8XnmdfHPmHJiEDXkTiJTVV9rHEBUem2mwVbbNfvT2MTcAqj3nesx8uBf9",
         "unknown extended key version", "unknownVersion"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzF93Y5wvzdUayhgkkFoicQZcP3y52uPPxFnfoLZB21Teqt1VvEHx",
         "private key 0 not in 1..n-1", "invalidPrivateKey"),
        ("xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFAzHGBP2UuGCqWLTAPLcMtD5SDKr24z3aiUvKr9bJpdrcLg1y3G",
         "private key n not in 1..n-1", "invalidPrivateKey"),
        ("xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6Q5JXayek4PRsn35jii4veMimro1xefsM58PgBMrvdYre8QyULY",
         "invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007", "invalidPublicKey"),
        ("xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHL",
         "invalid checksum", "invalidEncoding"),
    ]

    @Test(arguments: invalidKeys)
    func vector5RejectsInvalidKeys(vector: (key: String, reason: String, kind: String)) {
        do {
            let key = try ExtendedKey(parsing: vector.key)
            Issue.record("accepted \(vector.reason): \(key)")
        } catch {
            #expect(Self.kind(of: error) == vector.kind, "\(vector.reason): \(error)")
        }
    }

    static func kind(of error: ExtendedKey.Error) -> String {
        switch error {
        case .invalidPublicKey: return "invalidPublicKey"
        case .invalidPrivateKey: return "invalidPrivateKey"
        case .zeroDepthWithParentFingerprint: return "zeroDepthWithParentFingerprint"
        case .zeroDepthWithChildNumber: return "zeroDepthWithChildNumber"
        case .unknownVersion: return "unknownVersion"
        case .invalidEncoding: return "invalidEncoding"
        default: return "\(error)"
        }
    }

    @Test func seedLengthIsChecked() {
        #expect(throws: ExtendedKey.Error.invalidSeedLength(15)) { try ExtendedKey(seed: [UInt8](repeating: 1, count: 15)) }
        #expect(throws: ExtendedKey.Error.invalidSeedLength(65)) { try ExtendedKey(seed: [UInt8](repeating: 1, count: 65)) }
    }

    @Test func testnetSerialization() throws {
        // BIP-49's test vector: master of "abandon … about" as tprv.
        let seed = BIP39.seed(mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
        let master = try ExtendedKey(seed: seed, format: .tpub)
        #expect(master.extendedPrivateKey == "tprv8ZgxMBicQKsPe5YMU9gHen4Ez3ApihUfykaqUorj9t6FDqy3nP6eoXiAo2ssvpAjoLroQxHqr3R5nE3a5dU3DHTjTgJDd7zrbniJr6nrCzd")
        let parsed = try ExtendedKey(parsing: "tprv8ZgxMBicQKsPe5YMU9gHen4Ez3ApihUfykaqUorj9t6FDqy3nP6eoXiAo2ssvpAjoLroQxHqr3R5nE3a5dU3DHTjTgJDd7zrbniJr6nrCzd")
        #expect(parsed.format == .tpub)
        #expect(parsed.extendedPublicKey.hasPrefix("tpub"))
    }

    /// SLIP-132 account keys from BIP-49 (`uprv`/`upub`, testnet) and BIP-84 (`zprv`/`zpub`).
    @Test func slip132AccountKeys() throws {
        let seed = BIP39.seed(mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
        let upubMaster = try ExtendedKey(seed: seed, format: .upub)
        #expect(upubMaster.extendedPrivateKey == "uprv8tXDerPXZ1QsVNjUJWTurs9kA1KGfKUAts74GCkcXtU8GwnH33GDRbNJpEqTvipfCyycARtQJhmdfWf8oKt41X9LL1zeD2pLsWmxEk3VAwd")
        let bip49Account = try upubMaster.derive(DerivationPath(parsing: "m/49'/1'/0'"))
        #expect(bip49Account.extendedPrivateKey == "uprv91G7gZkzehuMVxDJTYE6tLivdF8e4rvzSu1LFfKw3b2Qx1Aj8vpoFnHdfUZ3hmi9jsvPifmZ24RTN2KhwB8BfMLTVqaBReibyaFFcTP1s9n")
        #expect(bip49Account.extendedPublicKey == "upub5EFU65HtV5TeiSHmZZm7FUffBGy8UKeqp7vw43jYbvZPpoVsgU93oac7Wk3u6moKegAEWtGNF8DehrnHtv21XXEMYRUocHqguyjknFHYfgY")

        let zpubMaster = try ExtendedKey(seed: seed, format: .zpub)
        #expect(zpubMaster.extendedPrivateKey == "zprvAWgYBBk7JR8Gjrh4UJQ2uJdG1r3WNRRfURiABBE3RvMXYSrRJL62XuezvGdPvG6GFBZduosCc1YP5wixPox7zhZLfiUm8aunE96BBa4Kei5")
        #expect(zpubMaster.extendedPublicKey == "zpub6jftahH18ngZxLmXaKw3GSZzZsszmt9WqedkyZdezFtWRFBZqsQH5hyUmb4pCEeZGmVfQuP5bedXTB8is6fTv19U1GQRyQUKQGUTzyHACMF")
        let bip84Account = try zpubMaster.derive(DerivationPath(parsing: "m/84'/0'/0'"))
        #expect(bip84Account.extendedPrivateKey == "zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4QgEvBRmfvqWvGp42t42nvgGpNgYSJA9iefm1yYNZKEm7z6qUWCroSQnE")
        #expect(bip84Account.extendedPublicKey == "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs")

        // Parsing keeps the format; conversion to the plain family re-labels the same key.
        let zpub = try ExtendedKey(parsing: "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs")
        #expect(zpub.format == .zpub)
        #expect(zpub.format.impliedScheme == .p2wpkh)
        #expect(zpub.converted(to: .xpub).extendedPublicKey == "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V")
        // BIP-84: m/84'/0'/0'/0/0 public key.
        #expect(hex(try zpub.derive(DerivationPath(parsing: "m/0/0")).publicKey) == "0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c")
    }
}

@Suite struct DerivationPathTests {
    @Test(arguments: [
        ("m", [UInt32]()),
        ("m/0", [0]),
        ("m/44'/0'/0'/0/5", [0x8000_002C, 0x8000_0000, 0x8000_0000, 0, 5]),
        ("m/44h/501h/0h/0h", [0x8000_002C, 0x8000_01F5, 0x8000_0000, 0x8000_0000]),
        ("m/84H/1H/2147483647H/2147483647", [0x8000_0054, 0x8000_0001, 0xFFFF_FFFF, 0x7FFF_FFFF]),
    ])
    func parses(text: String, components: [UInt32]) throws {
        #expect(try DerivationPath(parsing: text).components == components)
    }

    @Test func printsWithApostrophes() throws {
        #expect(try DerivationPath(parsing: "m/44h/0H/0'/1/2").description == "m/44'/0'/0'/1/2")
        #expect(DerivationPath.master.description == "m")
    }

    @Test(arguments: [
        ("", "missingRoot"),
        ("44'/0'", "missingRoot"),
        ("M/0", "missingRoot"),
        ("m/", "emptyComponent"),
        ("m//0", "emptyComponent"),
        ("m/0/", "emptyComponent"),
        ("m/-1", "invalidComponent"),
        ("m/+1", "invalidComponent"),
        ("m/1x", "invalidComponent"),
        ("m/'", "invalidComponent"),
        ("m/1''", "invalidComponent"),
        ("m/ 1", "invalidComponent"),
        ("m/2147483648", "indexOutOfRange"),
        ("m/2147483648'", "indexOutOfRange"),
        ("m/99999999999999999999", "indexOutOfRange"),
    ])
    func rejects(text: String, kind: String) {
        do {
            let path = try DerivationPath(parsing: text)
            Issue.record("accepted '\(text)' as \(path)")
        } catch {
            let actual: String
            switch error {
            case .missingRoot: actual = "missingRoot"
            case .emptyComponent: actual = "emptyComponent"
            case .invalidComponent: actual = "invalidComponent"
            case .indexOutOfRange: actual = "indexOutOfRange"
            }
            #expect(actual == kind, "\(text): \(error)")
        }
    }
}
