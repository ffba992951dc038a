import Testing
@testable import RailyardCrypto

/// SLIP-0010 Ed25519 test vectors 1 and 2 (satoshilabs/slips slip-0010.md). Public keys there carry
/// SLIP-10's 0x00 prefix; `fingerprint` is the parent's.
@Suite struct SLIP10Tests {
    typealias Node = (path: String, fingerprint: String, chainCode: String, privateKey: String, publicKey: String)

    static let vector1Seed = "000102030405060708090a0b0c0d0e0f"
    static let vector1: [Node] = [
        ("m", "00000000", "90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb",
         "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7", "00a4b2856bfec510abab89753fac1ac0e1112364e7d250545963f135f2a33188ed"),
        ("m/0'", "ddebc675", "8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69",
         "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3", "008c8a13df77a28f3445213a0f432fde644acaa215fc72dcdf300d5efaa85d350c"),
        ("m/0'/1'", "13dab143", "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14",
         "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2", "001932a5270f335bed617d5b935c80aedb1a35bd9fc1e31acafd5372c30f5c1187"),
        ("m/0'/1'/2'", "ebe4cb29", "2e69929e00b5ab250f49c3fb1c12f252de4fed2c1db88387094a0f8c4c9ccd6c",
         "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9", "00ae98736566d30ed0e9d2f4486a64bc95740d89c7db33f52121f8ea8f76ff0fc1"),
        ("m/0'/1'/2'/2'", "316ec1c6", "8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc",
         "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662", "008abae2d66361c879b900d204ad2cc4984fa2aa344dd7ddc46007329ac76c429c"),
        ("m/0'/1'/2'/2'/1000000000'", "d6322ccd", "68789923a0cac2cd5a29172a475fe9e0fb14cd6adb5ad98a3fa70333e7afa230",
         "8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793", "003c24da049451555d51a7014a37337aa4e12d41e485abccfa46b47dfb2af54b7a"),
    ]

    static let vector2Seed = "fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542"
    static let vector2: [Node] = [
        ("m", "00000000", "ef70a74db9c3a5af931b5fe73ed8e1a53464133654fd55e7a66f8570b8e33c3b",
         "171cb88b1b3c1db25add599712e36245d75bc65a1a5c9e18d76f9f2b1eab4012", "008fe9693f8fa62a4305a140b9764c5ee01e455963744fe18204b4fb948249308a"),
        ("m/0'", "31981b50", "0b78a3226f915c082bf118f83618a618ab6dec793752624cbeb622acb562862d",
         "1559eb2bbec5790b0c65d8693e4d0875b1747f4970ae8b650486ed7470845635", "0086fab68dcb57aa196c77c5f264f215a112c22a912c10d123b0d03c3c28ef1037"),
        ("m/0'/2147483647'", "1e9411b1", "138f0b2551bcafeca6ff2aa88ba8ed0ed8de070841f0c4ef0165df8181eaad7f",
         "ea4f5bfe8694d8bb74b7b59404632fd5968b774ed545e810de9c32a4fb4192f4", "005ba3b9ac6e90e83effcd25ac4e58a1365a9e35a3d3ae5eb07b9e4d90bcf7506d"),
        ("m/0'/2147483647'/1'", "fcadf38c", "73bd9fff1cfbde33a1b846c27085f711c0fe2d66fd32e139d3ebc28e5a4a6b90",
         "3757c7577170179c7868353ada796c839135b3d30554bbb74a4b1e4a5a58505c", "002e66aa57069c86cc18249aecf5cb5a9cebbfd6fadeab056254763874a9352b45"),
        ("m/0'/2147483647'/1'/2147483646'", "aca70953", "0902fe8a29f9140480a00ef244bd183e8a13288e4412d8389d140aac1794825a",
         "5837736c89570de861ebc173b1086da4f505d4adb387c6a1b1342d5e4ac9ec72", "00e33c0f7d81d843c572275f287498e8d408654fdf0d1e065b84e2e6f157aab09b"),
        ("m/0'/2147483647'/1'/2147483646'/2'", "422c654b", "5d70af781f3a37b829f0d060924d5e960bdc02e85423494afc0b1a41bbe196d4",
         "551d333177df541ad876a60ea71f00447931c0a9da16f227c11ea080d7391b8d", "0047150c75db263559a70d5778bf36abbab30fb061ad69f69ece61a72b0cfa4fc0"),
    ]

    static let cases: [(seed: String, node: Node)] = vector1.map { (vector1Seed, $0) } + vector2.map { (vector2Seed, $0) }

    @Test(arguments: cases)
    func vector(testCase: (seed: String, node: Node)) throws {
        let node = testCase.node
        let key = try Ed25519HDKey(seed: bytes(testCase.seed)).derive(DerivationPath(parsing: node.path))
        #expect(hex(key.chainCode) == node.chainCode)
        #expect(hex(key.privateKey) == node.privateKey)
        #expect(hex(key.slip10PublicKey) == node.publicKey)
        #expect(String(format8Hex: key.parentFingerprint) == node.fingerprint)
    }

    @Test func rejectsNonHardenedIndices() throws {
        let master = try Ed25519HDKey(seed: bytes(Self.vector1Seed))
        #expect(throws: Ed25519HDKey.Error.nonHardenedIndex(0)) { try master.child(0) }
        #expect(throws: Ed25519HDKey.Error.nonHardenedIndex(5)) { try master.derive(DerivationPath(parsing: "m/44'/501'/0'/5")) }
        #expect(throws: Ed25519HDKey.Error.invalidSeedLength(8)) { try Ed25519HDKey(seed: [UInt8](repeating: 0, count: 8)) }
    }

    @Test func derivedKeySigns() throws {
        let key = try Ed25519HDKey(seed: bytes(Self.vector1Seed)).child(DerivationPath.hardened(0))
        let message = Array("railyard".utf8)
        let signature = key.sign(message)
        #expect(signature.count == 64)
        #expect(Ed25519.verify(signature: signature, message: message, publicKey: key.publicKey))
        #expect(!Ed25519.verify(signature: signature, message: message + [0], publicKey: key.publicKey))
        #expect(!"\(key)".contains(hex(key.privateKey)))
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains(hex(key.privateKey)))
    }

    /// RFC 8032 §7.1 TEST 1 (empty message) and TEST 2 (one byte 0x72).
    @Test(arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ])
    func rfc8032(privateKey: String, publicKey: String, message: String, signature: String) throws {
        #expect(hex(try Ed25519.publicKey(privateKey: bytes(privateKey))) == publicKey)
        #expect(Ed25519.verify(signature: bytes(signature), message: bytes(message), publicKey: bytes(publicKey)))
        var tampered = bytes(signature)
        tampered[0] ^= 1
        #expect(!Ed25519.verify(signature: tampered, message: bytes(message), publicKey: bytes(publicKey)))
        #if os(Linux)
        // BoringSSL signs deterministically, as RFC 8032 specifies.
        #expect(hex(try Ed25519.sign(bytes(message), privateKey: bytes(privateKey))) == signature)
        #endif
    }

    /// Solana's standard path m/44'/501'/i'/0' on "abandon … about": index 0 is the widely published
    /// HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk; 1 and 2 computed with an independent Python
    /// SLIP-10 (hmac + `cryptography` Ed25519).
    @Test(arguments: [
        (0, "HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk"),
        (1, "Hh8QwFUA6MtVu1qAoq12ucvFHNwCcVTV7hpWjeY1Hztb"),
        (2, "7WktogJEd2wQ9eH2oWusmcoFTgeYi6rS632UviTBJ2jm"),
    ])
    func solanaAddresses(index: UInt32, address: String) throws {
        let seed = BIP39.seed(mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
        let path = AddressDerivation.path(chain: .sol, network: .mainnet, index: index)
        #expect(path.description == "m/44'/501'/\(index)'/0'")
        let key = try Ed25519HDKey(seed: seed).derive(path)
        let derived = try AddressDerivation.address(publicKey: key.publicKey, chain: .sol, network: .mainnet)
        #expect(derived == address)
        #expect(try AddressValidator.validate(derived, chain: .sol, network: .mainnet).normalized == address)
    }
}

extension String {
    init(format8Hex value: UInt32) {
        let digits = String(value, radix: 16)
        self = String(repeating: "0", count: 8 - digits.count) + digits
    }
}
