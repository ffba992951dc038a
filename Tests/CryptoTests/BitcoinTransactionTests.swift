import Testing
@testable import RailyardCrypto

/// Bitcoin-family transactions.
///
/// - BIP-143's "Native P2WPKH" and "P2SH-P2WPKH" examples (unsigned and signed transactions, keys,
///   amounts, sighashes) are quoted from the BIP. txid, wtxid and weight of the signed transactions were
///   checked with python-bitcoinlib 0.12 (`CTransaction.GetTxid`, `GetHash`, `calc_weight`).
/// - The legacy P2PKH spend was built and signed with embit 0.8 (`sighash_legacy`, `PrivateKey.sign(grind=False)`,
///   i.e. plain RFC 6979 like libsecp256k1), keys SHA-256("railyard-p2pkh-1"/"-2").
/// - The signature-hash matrix (every base type with and without ANYONECANPAY, legacy and BIP-143, including
///   SIGHASH_SINGLE without a matching output) is python-bitcoinlib's `RawSignatureHash` / `SignatureHash`.
/// - The BCH spend was built and signed by bitcash 1.2 (`create_p2pkh_transaction`, SIGHASH_ALL|FORKID,
///   coincurve/libsecp256k1 RFC 6979), key SHA-256("railyard-bch"); its two FORKID digests were captured
///   from bitcash's own preimage.
@Suite struct BitcoinTransactionTests {
    // MARK: BIP-143 Native P2WPKH

    static let p2wpkhUnsigned = "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac11000000"
    static let p2wpkhSigned = "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f00000000494830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000"

    @Test func bip143NativeP2WPKH() throws {
        var tx = try BitcoinTransaction(hex: Self.p2wpkhUnsigned)
        #expect(tx.hex == Self.p2wpkhUnsigned)
        #expect(tx.version == 1 && tx.lockTime == 17 && tx.inputs.count == 2 && tx.outputs.count == 2)
        #expect(tx.inputs[0].sequence == 0xFFFF_FFEE)
        #expect(tx.inputs[0].outpoint.txid == "9f96ade4b41d5433f4eda31e1738ec2b36f6e7d1420d94a6af99801a88f7f7ff")

        let witnessKey = bytes("619c335025c7f4012e556c2a58b2506e30b8511b53ade95ea316fd8c3286feb9")
        let witnessPublicKey = try Secp256k1.publicKey(privateKey: witnessKey)
        #expect(hex(witnessPublicKey) == "025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357")
        #expect(hex(try BitcoinScript.p2wpkh(publicKey: witnessPublicKey)) == "00141d0f172a0ecb48aee1be1f2687d2963ae33f71a1")
        let scriptCode = try BitcoinScript.p2pkh(publicKey: witnessPublicKey)
        #expect(hex(scriptCode) == "76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac")
        let sighash = try tx.witnessV0SignatureHash(inputIndex: 1, scriptCode: scriptCode, amount: 600_000_000)
        #expect(hex(sighash) == "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670")
        try tx.signP2WPKH(inputIndex: 1, privateKey: witnessKey, amount: 600_000_000)
        #expect(hex(tx.inputs[1].witness[0]) == "304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee01")

        // Input 0 spends a P2PK output: legacy sighash over its scriptPubKey, scriptSig = <signature>.
        let p2pkScript = bytes("2103c9f4836b9a4f77fc0d81f7bcb01b7f1b35916864b9476c241ce9fc198bd25432ac")
        let legacyHash = try tx.legacySignatureHash(inputIndex: 0, scriptCode: p2pkScript)
        let signature = try BitcoinTransaction.signature(
            digest: legacyHash, privateKey: bytes("bbc27228ddcb9209d7fd6f36b02f7dfa6252af40bb2f1cbc7a557da8027ff866"), sighashType: .all)
        tx.inputs[0].scriptSig = BitcoinScript.pushData(signature)

        #expect(tx.hex == Self.p2wpkhSigned)
        #expect(tx.txid == "e8151a2af31c368a35053ddd4bdb285a8595c769a3ad83e0fa02314a602d4609")
        #expect(tx.wtxid == "c36c38370907df2324d9ce9d149d191192f338b37665a82e78e76a12c909b762")
        #expect(tx.weight == 1042)
        #expect(tx.virtualSize == 261)
        // Parsing the signed form gives the same transaction back.
        #expect(try BitcoinTransaction(hex: Self.p2wpkhSigned) == tx)
        // Without witnesses the serialization is the legacy form, whose hash is the txid.
        #expect(Hashes.doubleSHA256(tx.serialized(includingWitness: false)) == tx.txidHash)
    }

    // MARK: BIP-143 P2SH-P2WPKH

    static let p2shUnsigned = "0100000001db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a54770100000000feffffff02b8b4eb0b000000001976a914a457b684d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000001976a914fd270b1ee6abcaea97fea7ad0402e8bd8ad6d77c88ac92040000"
    static let p2shSigned = "01000000000101db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a5477010000001716001479091972186c449eb1ded22b78e40d009bdf0089feffffff02b8b4eb0b000000001976a914a457b684d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000001976a914fd270b1ee6abcaea97fea7ad0402e8bd8ad6d77c88ac02473044022047ac8e878352d3ebbde1c94ce3a10d057c24175747116f8288e5d794d12d482f0220217f36a485cae903c713331d877c1f64677e3622ad4010726870540656fe9dcb012103ad1d8e89212f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a2687392040000"

    @Test func bip143P2SHP2WPKH() throws {
        var tx = try BitcoinTransaction(hex: Self.p2shUnsigned)
        #expect(tx.hex == Self.p2shUnsigned)
        let key = bytes("eb696a065ef48a2192da5b28b694f87544b30fae8327c4510137a922f32c6dcf")
        let publicKey = try Secp256k1.publicKey(privateKey: key)
        #expect(hex(publicKey) == "03ad1d8e89212f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a26873")
        #expect(hex(try BitcoinScript.p2shP2WPKHRedeemScript(publicKey: publicKey)) == "001479091972186c449eb1ded22b78e40d009bdf0089")
        #expect(hex(try BitcoinScript.p2shP2WPKH(publicKey: publicKey)) == "a9144733f37cf4db86fbc2efed2500b4f4e49f31202387")
        let sighash = try tx.witnessV0SignatureHash(inputIndex: 0, scriptCode: BitcoinScript.p2pkh(publicKey: publicKey), amount: 1_000_000_000)
        #expect(hex(sighash) == "64f3b0f4dd2bb3aa1ce8566d220cc74dda9df97d8490cc81d89d735c92e59fb6")
        try tx.signP2SHP2WPKH(inputIndex: 0, privateKey: key, amount: 1_000_000_000)
        #expect(tx.hex == Self.p2shSigned)
        #expect(tx.txid == "ef48d9d0f595052e0f8cdcf825f7a5e50b6a388a81f206f3f4846e5ecd7a0c23")
        #expect(tx.wtxid == "680f483b2bf6c5dcbf111e69e885ba248a41a5e92070cfb0afec3cfc49a9fabb")
        #expect(tx.weight == 677)
        #expect(tx.virtualSize == 170)
        // The estimate before signing assumes a 72-byte signature; this one is 71.
        let unsigned = try BitcoinTransaction(hex: Self.p2shUnsigned)
        #expect(try unsigned.estimatedSignedVirtualSize(spending: [.p2shP2WPKH]) == 170)
        #expect(try unsigned.estimatedSignedVirtualSize(spending: [.p2shP2WPKH]) >= tx.virtualSize)
    }

    // MARK: Legacy P2PKH (embit)

    @Test func legacyP2PKHLikeEmbit() throws {
        let key1 = Hashes.sha256(Array("railyard-p2pkh-1".utf8))
        let key2 = Hashes.sha256(Array("railyard-p2pkh-2".utf8))
        var tx = BitcoinTransaction(
            version: 2,
            inputs: [
                .init(outpoint: try .init(txid: "24d3e087bfe0c15f606db97836449852a44414f98f425301fb08affb3d64c11c", index: 0), sequence: 0xFFFF_FFFD),
                .init(outpoint: try .init(txid: "50f6096d18f5436cd23d8b3eb782f58fa619e912a4f426b65f981402e2a95eb6", index: 3), sequence: 0xFFFF_FFFD),
            ],
            outputs: [
                .init(value: 150_000, scriptPubKey: try BitcoinScript.scriptPubKey(address: "tb1qwfgv0p80jd2u7alku0wrw34wtx408ex2z30k58", chain: .btc, network: .testnet)),
                .init(value: 48_000, scriptPubKey: try BitcoinScript.scriptPubKey(address: "mqp3uaMrBE3nK8Zvxab8qjRjGSHdRvLeMA", chain: .btc, network: .testnet)),
            ],
            lockTime: 2_500_000)
        #expect(tx.hex == "02000000021cc1643dfbaf08fb0153428ff91444a45298443678b96d605fc1e0bf87e0d3240000000000fdffffffb65ea9e20214985fb626f4a412e919a68ff582b73e8b3dd26c43f5186d09f6500300000000fdffffff02f0490200000000001600147250c784ef9355cf77f6e3dc3746ae59aaf3e4ca80bb0000000000001976a91470ed03a42666d2c6d5ad08e543e72496a9f2cf9d88aca0252600")
        let script1 = try BitcoinScript.p2pkh(publicKey: Secp256k1.publicKey(privateKey: key1))
        let script2 = try BitcoinScript.p2pkh(publicKey: Secp256k1.publicKey(privateKey: key2))
        #expect(hex(try tx.legacySignatureHash(inputIndex: 0, scriptCode: script1)) == "25f73a180dfe7121aa77644a364694150fc27833599b4109629b5b65d16d8cc9")
        #expect(hex(try tx.legacySignatureHash(inputIndex: 1, scriptCode: script2)) == "b811cd649d53b121be86e327288edb2d15dc728d2d130d480c8f7034aa67f4e9")
        let estimate = try tx.estimatedSignedVirtualSize(spending: [.p2pkh, .p2pkh])
        try tx.signP2PKH(inputIndex: 0, privateKey: key1)
        try tx.signP2PKH(inputIndex: 1, privateKey: key2)
        #expect(tx.hex == "02000000021cc1643dfbaf08fb0153428ff91444a45298443678b96d605fc1e0bf87e0d324000000006b483045022100acc85e5ae2f1f09d989827bf5a0d0684efef65ad0a6b62c04647b5b32c6b3d0e022014a6c0135d00b2618770e89e7aca91707890a66e8b991f7d4f24848512756dae012102cb3532d754f640fecb0e8f590aa224e77828ffc82e10e5126bbdf53fdaa1f0b8fdffffffb65ea9e20214985fb626f4a412e919a68ff582b73e8b3dd26c43f5186d09f650030000006a47304402201b1535b30a1305db57d9d452294ba8d909e2bd416e02d65d29149c6e7baa075102206745e226e2db096d28fe0b3004bc33130c6cecd4ef918a0f6e3143e1e448c6ca012103efb9ca24f6dc3887494ce1928df2840aadb9df2ca9782a2bb4c021a5844ba2aafdffffff02f0490200000000001600147250c784ef9355cf77f6e3dc3746ae59aaf3e4ca80bb0000000000001976a91470ed03a42666d2c6d5ad08e543e72496a9f2cf9d88aca0252600")
        #expect(tx.txid == "b9ed0fd29ec0b6b328d2ebb03fca53f313167becd9a17fa33c857604f2c26750")
        #expect(tx.wtxid == tx.txid)
        #expect(!tx.hasWitness)
        #expect(tx.serialized().count == 370 && tx.virtualSize == 370 && tx.weight == 1480)
        // Signatures of 72 and 71 bytes: the 72-byte assumption overestimates by one vbyte.
        #expect(estimate == 371)
    }

    // MARK: Signature-hash matrix (python-bitcoinlib)

    static let matrixTransaction = "0200000003ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb0100000000feffffff3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d0000000000ffffffff2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc607000000000500000002a0860100000000001600142352da7280f1decc3acf1ba84eb945c9fc2b7b54c4090000000000001976a9149250b9912ee91d6b46e23299459ecd6eb815445188ac09030000"

    /// (hash type, input index, legacy digest, BIP-143 digest with amount 12345678 + index), scriptCode
    /// `76a9142c70e12b7a0646f92279f427c7b38e7334d8e53888ac`.
    @Test(arguments: [
        (0x01, 0, "72554aefe7e392f4331b27a91ba4bb926507ae1e35b282f9f0370334abb98abe", "0f2941dc148ed2fdffa40d0adec14d6367943c9887bcfa3c0d8aaebacd0f80d1"),
        (0x01, 1, "fae3dc12777d7f892319d2d77aa0c369d596525facc50e8d632dd62fb370adee", "555dc4868e90a62ecd1a4e1a65d7428a9db3614fa365c5f7d5af54a80cf5957c"),
        (0x01, 2, "ee84c3126ac70abdffb4a77f61f1e4b289c91807ff633cd6891ebe48604edb60", "219618bbb52711eef412b1d5457cee26437cc4fed59a1903fde64f69be3bab64"),
        (0x02, 0, "4b40416b3364547d038e61b7c4365763270366da395ef9c9fed65c3608ca1ea1", "ecf19e587bd0a09c48d22bf56275d5622cc957cf4a774b54f15b0bf6928cadbc"),
        (0x02, 1, "38d6a374119df03d9b5c7604468b6ceaf66b818c9d5f64d9b42169bb71d3b68d", "88b0fd02bae8c122a602744c2a666bf55fe5332ccf74276c123ca90fd35acb6b"),
        (0x02, 2, "9edfa7b89627c3d0917f33f115f37fcf9fb13f75b57961480992e7f8a3b74f57", "d686e6ab7f28a92e547ba18e977257398e7d28c104a51ff4b22dc2d68b0479ca"),
        (0x03, 0, "a9207e9fb0395bdc0b31252a2a366deec7e90b79c57874b03bba418704ce07b8", "a54ad844b420a6405f733fe558f1568e16ee15194ff26bff2bf7de892056d5aa"),
        (0x03, 1, "bdf9d96efa03a7370a18af1c44f3b5028394615e7ac51c555d1acde0f56f937b", "f8701bff586e7b9a8807d67117cb8aedf460f0bb630a5e2bd23df734b762b612"),
        (0x03, 2, "0100000000000000000000000000000000000000000000000000000000000000", "88580225b1c85d0ae909bca16d88ee41755766c29427aea8e258e842a4a2d518"),
        (0x81, 0, "c1a4e5791f0179196f0d4739f847b24901d2a244a65aaece3b619afe80b76d68", "cc31a118181a6037a82050d378afa2a3639c8ae6682a843a48ed5792a9ab7606"),
        (0x81, 1, "6c9e961201dcceeaf9729385df4ea292d67dd49565beafd16305239223a2dc02", "0b9519e608294c184d21251eadb65cc2152aabc5c329679f0a5068c7b79ef2f9"),
        (0x81, 2, "55fb4ab88cdd8f20580924d9d7ff498f00b9bf3f60fba4749e04110721aa5dd2", "34d1a2b2db6c76c12d8ddcf2e57382e580e78ad48d7b0292c391e1103e0ea574"),
        (0x82, 0, "2c7d35a34d1e98fdf42fa796d245d51dbac705d9bca45a9f7601632e84ef246b", "aa79c3225156ca1f7e9b2fbfac83e6b388870236358db0a9ede2ace00b7ae287"),
        (0x82, 1, "ec5b57ee26e071a468e80e36ca5c0424c16ca4ca3c32b4d2e16d3fc55c634422", "bdf8f66381785bd1e74a0483da879a5c77b41a194ffd0cce167a85664e0bba88"),
        (0x82, 2, "a047b177530dff886d5f652ba323d82fde0ba4b6233ad8e53e7435ccf7111709", "e8f9023ec177536480bd58d5998220f5a58937217feeeb4668ab828f8b1e0090"),
        (0x83, 0, "0924ecb605a205df2b0442176fb006d091dfe95be98235f68310e740c3f72da7", "09412fef3e6c54add11dc5848e5d4d00345b2636b0d0e90f6c5033e6520ef73c"),
        (0x83, 1, "5ee0043256def1fc6e896b3c44ea7347848087a6159de80ac9d70f2e3cab0231", "1706a5e8bf8d0da073b22c02f9d1c7401af70ffd4257a499792624499cef2f23"),
        (0x83, 2, "0100000000000000000000000000000000000000000000000000000000000000", "cbf66f72eccc0f990ec1bb9c14e08ea5c62e943dbd0ce5378add962b1ff9e447"),
    ])
    func signatureHashMatrix(hashType: UInt32, index: Int, legacy: String, witness: String) throws {
        let tx = try BitcoinTransaction(hex: Self.matrixTransaction)
        #expect(tx.inputs[0].outpoint.hash == Hashes.sha256(Array("a".utf8)))
        let scriptCode = bytes("76a9142c70e12b7a0646f92279f427c7b38e7334d8e53888ac")
        let type = BitcoinTransaction.SighashType(rawValue: hashType)
        #expect(hex(try tx.legacySignatureHash(inputIndex: index, scriptCode: scriptCode, sighashType: type)) == legacy)
        #expect(hex(try tx.witnessV0SignatureHash(inputIndex: index, scriptCode: scriptCode, amount: 12_345_678 + UInt64(index), sighashType: type)) == witness)
    }

    // MARK: BCH (bitcash)

    @Test func bitcoinCashForkIDLikeBitcash() throws {
        let key = Hashes.sha256(Array("railyard-bch".utf8))
        let ownAddress = "bitcoincash:qpcp7adug965zx58mfrnpp847zv5kksk5sqc92jx76"
        let publicKey = try Secp256k1.publicKey(privateKey: key)
        #expect(try AddressDerivation.address(publicKey: publicKey, chain: .bch, network: .mainnet) == ownAddress)
        let ownScript = try BitcoinScript.scriptPubKey(address: ownAddress, chain: .bch, network: .mainnet)
        #expect(hex(ownScript) == "76a914701f75bc4175411a87da473084f5f0994b5a16a488ac")
        var tx = BitcoinTransaction(
            version: 1,
            inputs: [
                .init(outpoint: try .init(txid: "8bf13abbdcb1b38aaa7d7ec152cccef77a1491e2e6ca32fccb5d64970519c789", index: 0), sequence: 0xFFFF_FFFF),
                .init(outpoint: try .init(txid: "6434ecd1f5b6e43d92dd4a31f37d58bf7c74fe183a16788ac6b1898e092a5211", index: 2), sequence: 0xFFFF_FFFF),
            ],
            outputs: [
                .init(value: 1_200_000, scriptPubKey: try BitcoinScript.scriptPubKey(address: "bitcoincash:qpq6s7dgtdavwjtju44dvlw40v0sq4qcxvelvgwdzs", chain: .bch, network: .mainnet)),
                .init(value: 49_000, scriptPubKey: ownScript),
            ],
            lockTime: 0)
        #expect(hex(try tx.forkIDSignatureHash(inputIndex: 0, scriptCode: ownScript, amount: 250_000)) == "8c4bf38ff71b1136227f6578680d9b2ffb40723dfcebb29968e93980336be1dc")
        #expect(hex(try tx.forkIDSignatureHash(inputIndex: 1, scriptCode: ownScript, amount: 1_000_000)) == "a6262c79889e10a6ae0ac0e0a124377bfe754b2614fe3cbfaa2c1191c89b0263")
        // The FORKID digest is the BIP-143 algorithm with hash type 0x41; plain SIGHASH_ALL differs.
        #expect(try tx.forkIDSignatureHash(inputIndex: 0, scriptCode: ownScript, amount: 250_000)
            != tx.witnessV0SignatureHash(inputIndex: 0, scriptCode: ownScript, amount: 250_000))
        try tx.signP2PKHForkID(inputIndex: 0, privateKey: key, amount: 250_000)
        try tx.signP2PKHForkID(inputIndex: 1, privateKey: key, amount: 1_000_000)
        #expect(tx.hex == "010000000289c7190597645dcbfc32cae6e291147af7cecc52c17e7daa8ab3b1dcbb3af18b000000006b4830450221008cf4c6ed1e4983296dc64c245d80a2a9378c510657ac0c36a13b4c487c5590b302206b19ba81335d590a9d68658cb04486b73b320eae6be0fb4ba9d76dea77abf12b412102eef6b077458504c0089943a142f717ea3f8fd867f00025191700c4f9909b280dffffffff11522a098e89b1c68a78163a18fe747cbf587df3314add923de4b6f5d1ec3464020000006a4730440220025cf594b673fcbbeea376ad1452d874aaa0272f50f2e3c1d133e1714ae561a50220295e1851ae5749385f1f5c37c24dee2471c82b82172b04f7eea9b7e5d08b5434412102eef6b077458504c0089943a142f717ea3f8fd867f00025191700c4f9909b280dffffffff02804f1200000000001976a91441a879a85b7ac74972e56ad67dd57b1f0054183388ac68bf0000000000001976a914701f75bc4175411a87da473084f5f0994b5a16a488ac00000000")
        #expect(tx.txid == "5deeefccad690adae9716ec018740afd3611f8078ce4b6d182b737069c4f35c0")
        // Hash types are checked against the digest kind.
        #expect(throws: BitcoinTransaction.Error.self) { try tx.forkIDSignatureHash(inputIndex: 0, scriptCode: ownScript, amount: 1, sighashType: .all) }
        #expect(throws: BitcoinTransaction.Error.self) { try tx.legacySignatureHash(inputIndex: 0, scriptCode: ownScript, sighashType: .allForkID) }
        #expect(throws: BitcoinTransaction.Error.self) { try tx.witnessV0SignatureHash(inputIndex: 0, scriptCode: ownScript, amount: 1, sighashType: .allForkID) }
    }

    // MARK: Output scripts from addresses

    @Test(arguments: [
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", AddressChain.btc, ChainNetwork.mainnet, "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", .btc, .mainnet, "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87"),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", .btc, .mainnet, "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", .btc, .mainnet, "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", .btc, .mainnet, "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
        ("ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", .ltc, .mainnet, "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
        ("LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnJ", .ltc, .mainnet, "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac"),
        ("MJaRnao1s62a2zAKSkmG582KbLKianqb7v", .ltc, .mainnet, "a914751e76e8199196d454941c45d1b3a323f1433bd687"),
        ("QXHFfTBKYXjaaTH1e7Rox8CcdNPGHVhM59", .ltc, .regtest, "a914751e76e8199196d454941c45d1b3a323f1433bd687"),
        ("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", .bch, .mainnet, "76a91476a04053bda0a88bda5177b86a15c3b29f55987388ac"),
        ("qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", .bch, .mainnet, "76a91476a04053bda0a88bda5177b86a15c3b29f55987388ac"),
        ("bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq", .bch, .mainnet, "a91476a04053bda0a88bda5177b86a15c3b29f55987387"),
        ("bitcoincash:pvvxx9puznz3v6qyh5vjqv6kmgfkexzk0rx56faphrrr99syjqexyrusee847", .bch, .mainnet,
         "aa201863143c14c5166804bd19203356da136c985678cd4d27a1b8c632960490326287"),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", .bch, .mainnet, "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac"),
    ])
    func scriptPubKeyFromAddress(address: String, chain: AddressChain, network: ChainNetwork, script: String) throws {
        #expect(hex(try BitcoinScript.scriptPubKey(address: address, chain: chain, network: network)) == script)
    }

    @Test func scriptPubKeyRejectsWrongChainOrNetwork() {
        #expect(throws: AddressError.self) { try BitcoinScript.scriptPubKey(address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", chain: .ltc, network: .mainnet) }
        #expect(throws: AddressError.self) { try BitcoinScript.scriptPubKey(address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", chain: .btc, network: .testnet) }
        #expect(throws: AddressError.self) { try BitcoinScript.scriptPubKey(address: "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", chain: .btc, network: .mainnet) }
        #expect(throws: AddressError.self) { try BitcoinScript.scriptPubKey(address: "0x1dE3D712f5D3103AD50e22dc1f4d3Ff1559D5115", chain: .eth, network: .mainnet) }
        #expect(throws: AddressError.self) { try BitcoinScript.scriptPubKey(address: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", chain: .btc, network: .mainnet) }
    }

    @Test func scriptBuildersValidateInput() throws {
        #expect(throws: BitcoinTransaction.Error.self) { try BitcoinScript.p2pkh(publicKeyHash: [UInt8](repeating: 0, count: 19)) }
        #expect(throws: BitcoinTransaction.Error.self) { try BitcoinScript.p2sh(scriptHash: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: BitcoinTransaction.Error.self) { try BitcoinScript.p2sh32(scriptHash: [UInt8](repeating: 0, count: 20)) }
        #expect(throws: BitcoinTransaction.Error.self) { try BitcoinScript.p2wpkh(publicKeyHash: []) }
        let uncompressed = try Secp256k1.publicKey(privateKey: Hashes.sha256([1]), compressed: false)
        #expect(throws: BitcoinTransaction.Error.self) { try BitcoinScript.p2wpkh(publicKey: uncompressed) }
        #expect(throws: BitcoinTransaction.Error.self) { try BitcoinScript.p2pkh(publicKey: [0x02] + [UInt8](repeating: 0, count: 32)) }
        #expect(hex(try BitcoinScript.p2pkh(publicKeyHash: [UInt8](repeating: 0xAB, count: 20))) == "76a914" + String(repeating: "ab", count: 20) + "88ac")
    }

    @Test func pushDataOpcodes() {
        #expect(hex(BitcoinScript.pushData([])) == "00")
        #expect(BitcoinScript.pushData([UInt8](repeating: 7, count: 75)).prefix(1) == [75])
        #expect(BitcoinScript.pushData([UInt8](repeating: 7, count: 76)).prefix(2) == [0x4C, 76])
        #expect(BitcoinScript.pushData([UInt8](repeating: 7, count: 255)).prefix(2) == [0x4C, 0xFF])
        #expect(BitcoinScript.pushData([UInt8](repeating: 7, count: 256)).prefix(3) == [0x4D, 0x00, 0x01])
        #expect(BitcoinScript.pushData([UInt8](repeating: 7, count: 70_000)).prefix(5) == [0x4E, 0x70, 0x11, 0x01, 0x00])
    }

    // MARK: Size, fees, parsing

    @Test func fees() {
        #expect(BitcoinTransaction.fee(virtualSize: 261, satsPerVByte: 5) == 1305)
        #expect(BitcoinTransaction.fee(virtualSize: 141, satsPerKilovByte: 1500) == 212)   // 211.5 rounded up
        #expect(BitcoinTransaction.fee(virtualSize: 141, satsPerKilovByte: 1000) == 141)
        #expect(BitcoinTransaction.fee(virtualSize: 1, satsPerKilovByte: 1) == 1)
        #expect(BitcoinTransaction.fee(virtualSize: 0, satsPerVByte: 10) == 0)
    }

    @Test func estimateCoversRealSignatures() throws {
        // A one-input P2WPKH spend: estimated with a 72-byte signature, signed for real (71 or 72 bytes).
        for seed in 0..<8 {
            let key = Hashes.sha256([UInt8(seed)])
            var tx = BitcoinTransaction(
                inputs: [.init(outpoint: try .init(hash: Hashes.sha256([UInt8(seed), 1]), index: 0))],
                outputs: [.init(value: 10_000, scriptPubKey: try BitcoinScript.p2wpkh(publicKeyHash: [UInt8](repeating: 1, count: 20)))])
            let estimate = try tx.estimatedSignedVirtualSize(spending: [.p2wpkh])
            try tx.signP2WPKH(inputIndex: 0, privateKey: key, amount: 20_000)
            #expect(estimate == 110)   // the well-known 1-in/1-out P2WPKH size
            #expect(tx.virtualSize <= estimate && estimate - tx.virtualSize <= 1)
            let publicKey = try Secp256k1.publicKey(privateKey: key)
            let digest = try tx.witnessV0SignatureHash(inputIndex: 0, scriptCode: BitcoinScript.p2pkh(publicKey: publicKey), amount: 20_000)
            let der = Array(tx.inputs[0].witness[0].dropLast())
            #expect(Secp256k1.verify(signature: try Secp256k1.compactSignature(der: der), digest: digest, publicKey: publicKey))
        }
        #expect(throws: BitcoinTransaction.Error.self) {
            try BitcoinTransaction(inputs: [], outputs: []).estimatedSignedVirtualSize(spending: [.p2wpkh])
        }
    }

    @Test func outpointByteOrder() throws {
        let outpoint = try BitcoinTransaction.OutPoint(txid: "e8151a2af31c368a35053ddd4bdb285a8595c769a3ad83e0fa02314a602d4609", index: 5)
        #expect(hex(outpoint.hash) == "09462d604a3102fae083ada369c795855a28db4bdd3d05358a361cf32a1a15e8")
        #expect(outpoint.description == "e8151a2af31c368a35053ddd4bdb285a8595c769a3ad83e0fa02314a602d4609:5")
        #expect(throws: BitcoinTransaction.Error.self) { try BitcoinTransaction.OutPoint(txid: "abcd", index: 0) }
        #expect(throws: BitcoinTransaction.Error.self) { try BitcoinTransaction.OutPoint(hash: [1, 2], index: 0) }
    }

    @Test func signingValidatesIndexAndKey() throws {
        var tx = try BitcoinTransaction(hex: Self.p2shUnsigned)
        #expect(throws: BitcoinTransaction.Error.self) { try tx.signP2WPKH(inputIndex: 1, privateKey: Hashes.sha256([1]), amount: 1) }
        #expect(throws: BitcoinTransaction.Error.self) { try tx.signP2PKH(inputIndex: 0, privateKey: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: BitcoinTransaction.Error.self) { try tx.legacySignatureHash(inputIndex: -1, scriptCode: []) }
    }

    static let malformed: [(hex: String, reason: String)] = {
        let body = String(p2shUnsigned.dropFirst(10))   // after version and the one-byte input count
        let emptyWitness = "01000000" + "0001" + "01" + String(repeating: "00", count: 36) + "00" + "ffffffff"
            + "01" + "0000000000000000" + "00" + "00" + "00000000"
        return [
            ("01000000", "truncated"),
            (p2shUnsigned + "00", "1 unexpected byte"),
            (String(p2shUnsigned.dropLast(2)), "truncated"),
            ("01000000" + "fd0100" + body, "non-canonical compact size"),
            (emptyWitness, "every witness is empty"),
            ("01000000ff", "truncated"),
        ]
    }()

    @Test(arguments: malformed)
    func parsingRejectsMalformed(hex: String, reason: String) {
        #expect {
            try BitcoinTransaction(hex: hex)
        } throws: { error in
            (error as? BitcoinTransaction.Error)?.reason.contains(reason) == true
        }
    }

    @Test func legacyRoundTripAndSegwitDetection() throws {
        let legacy = try BitcoinTransaction(hex: Self.p2shUnsigned)
        #expect(!legacy.hasWitness)
        #expect(legacy.serialized() == legacy.serialized(includingWitness: false))
        let signed = try BitcoinTransaction(hex: Self.p2shSigned)
        #expect(signed.hasWitness)
        #expect(signed.inputs[0].witness.count == 2)
        #expect(signed.serialized(includingWitness: false).count == 142)
    }
}
