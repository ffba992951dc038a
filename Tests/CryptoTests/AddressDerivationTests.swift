import Testing
@testable import RailyardCrypto

/// Address derivation from the "abandon ×11 about" mnemonic (empty passphrase).
///
/// BIP-84 and BIP-49 addresses are the BIPs' published test vectors; the ETH address is the widely
/// published one for this mnemonic. The remaining rows were computed with embit 0.8 (BIP-32/39,
/// bech32, base58check and HASH160 in Python), an independent implementation; BCH CashAddr rows were
/// checked by HASH160 (086a977c… is embit's hash of the m/44'/145'/0'/0/0 key) and by the
/// spec-tested CashAddr codec.
@Suite struct AddressDerivationTests {
    static let mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
    static let master: ExtendedKey = {
        // Force-try is fine in a test fixture: the vectors above pin these values.
        try! ExtendedKey(seed: BIP39.seed(mnemonic: mnemonic))
    }()

    typealias Row = (chain: AddressChain, network: ChainNetwork, scheme: AddressScheme?, path: String, address: String)

    static let rows: [Row] = [
        // BIP-84 test vectors.
        (.btc, .mainnet, nil, "m/84'/0'/0'/0/0", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"),
        (.btc, .mainnet, .p2wpkh, "m/84'/0'/0'/0/1", "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"),
        // BIP-49 (mainnet; the BIP's own testnet vector is checked separately below).
        (.btc, .mainnet, .p2shP2WPKH, "m/49'/0'/0'/0/0", "37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf"),
        (.btc, .mainnet, .p2pkh, "m/44'/0'/0'/0/0", "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA"),
        (.btc, .testnet, nil, "m/84'/1'/0'/0/0", "tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl"),
        (.btc, .regtest, nil, "m/84'/1'/0'/0/0", "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"),
        (.btc, .testnet, .p2pkh, "m/44'/1'/0'/0/0", "mkpZhYtJu2r87Js3pDiWJDmPte2NRZ8bJV"),
        (.btc, .testnet, .p2shP2WPKH, "m/49'/1'/0'/0/0", "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2"),
        (.ltc, .mainnet, nil, "m/84'/2'/0'/0/0", "ltc1qjmxnz78nmc8nq77wuxh25n2es7rzm5c2rkk4wh"),
        (.ltc, .mainnet, .p2pkh, "m/44'/2'/0'/0/0", "LUWPbpM43E2p7ZSh8cyTBEkvpHmr3cB8Ez"),
        (.ltc, .mainnet, .p2shP2WPKH, "m/49'/2'/0'/0/0", "M7wtsL7wSHDBJVMWWhtQfTMSYYkyooAAXM"),
        (.ltc, .testnet, nil, "m/84'/1'/0'/0/0", "tltc1q6rz28mcfaxtmd6v789l9rrlrusdprr9pesrjxk"),
        (.ltc, .regtest, nil, "m/84'/1'/0'/0/0", "rltc1q6rz28mcfaxtmd6v789l9rrlrusdprr9puuzgkg"),
        (.ltc, .regtest, .p2shP2WPKH, "m/49'/1'/0'/0/0", "QRHtkDQdVvNNwrVjEdeCGviCw7Ny3SNNiA"),
        (.bch, .mainnet, nil, "m/44'/145'/0'/0/0", "bitcoincash:qqyx49mu0kkn9ftfj6hje6g2wfer34yfnq5tahq3q6"),
        (.bch, .mainnet, .p2pkh, "m/44'/145'/0'/0/0", "1mW6fDEMjKrDHvLvoEsaeLxSCzZBf3Bfg"),
        (.eth, .mainnet, nil, "m/44'/60'/0'/0/0", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"),
        (.eth, .mainnet, nil, "m/44'/60'/0'/0/1", "0x6Fac4D18c912343BF86fa7049364Dd4E424Ab9C0"),
        (.pol, .mainnet, nil, "m/44'/60'/0'/0/0", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"),
        (.base, .testnet, nil, "m/44'/60'/0'/0/0", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"),
    ]

    @Test(arguments: rows)
    func derivedAddress(row: Row) throws {
        let index = try DerivationPath(parsing: row.path).components.last!
        let standardPath = AddressDerivation.path(chain: row.chain, network: row.network, scheme: row.scheme, index: index)
        #expect(standardPath.description == row.path)
        let key = try Self.master.derive(standardPath)
        let address = try AddressDerivation.address(publicKey: key.publicKey, chain: row.chain, network: row.network, scheme: row.scheme)
        #expect(address == row.address)
        let validated = try AddressValidator.validate(address, chain: row.chain, network: row.network)
        #expect(validated.normalized == row.address)
    }

    @Test func bip84PublicKeysAndChangeAddress() throws {
        let account = try Self.master.derive(DerivationPath(parsing: "m/84'/0'/0'"))
        #expect(hex(try account.derive(DerivationPath(parsing: "m/0/0")).publicKey) == "0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c")
        let change = try account.neutered.derive(DerivationPath(parsing: "m/1/0"))
        #expect(hex(change.publicKey) == "03025324888e429ab8e3dbaf1f7802648b9cd01e9b418485c5fa4c1b9b5700e1a6")
        #expect(try AddressDerivation.address(publicKey: change.publicKey, chain: .btc, network: .mainnet) == "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el")
        #expect(AddressDerivation.path(chain: .btc, network: .mainnet, change: true, index: 0).description == "m/84'/0'/0'/1/0")
    }

    @Test func bip49TestnetVector() throws {
        // BIP-49: m/49'/1'/0'/0/0 private key, public key, and the P2SH-P2WPKH testnet address.
        let key = try Self.master.derive(DerivationPath(parsing: "m/49'/1'/0'/0/0"))
        #expect(hex(key.privateKey ?? []) == "c9bdb49cfbaedca21c4b1f3a7803c34636b1d7dc55a717132443fc3f4c5867e8")
        #expect(hex(key.publicKey) == "03a1af804ac108a8a51782198c2d034b28bf90c8803f5a53f76276fa69a4eae77f")
        #expect(hex(Hashes.hash160(key.publicKey)) == "38971f73930f6c141d977ac4fd4a727c854935b3")
        #expect(try AddressDerivation.address(publicKey: key.publicKey, chain: .btc, network: .testnet, scheme: .p2shP2WPKH) == "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2")
    }

    @Test func watchOnlyDerivationFromAccountXpubMatchesPrivate() throws {
        for chain in [AddressChain.btc, .ltc, .bch, .eth] {
            let account = try Self.master.derive(AddressDerivation.accountPath(chain: chain, network: .mainnet))
            let xpub = try ExtendedKey(parsing: account.neutered.extendedPublicKey)
            for index: UInt32 in [0, 1, 7] {
                let fromXpub = try xpub.derive(DerivationPath([0, index]))
                let fromSeed = try Self.master.derive(AddressDerivation.path(chain: chain, network: .mainnet, index: index))
                #expect(fromXpub.publicKey == fromSeed.publicKey)
                let address = try AddressDerivation.address(publicKey: fromXpub.publicKey, chain: chain, network: .mainnet)
                #expect(try AddressValidator.validate(address, chain: chain, network: .mainnet).normalized == address)
            }
        }
    }

    @Test func bchCashAddrHashIsTheKeyHash() throws {
        let key = try Self.master.derive(DerivationPath(parsing: "m/44'/145'/0'/0/0"))
        let decoded = try CashAddr.decode("bitcoincash:qqyx49mu0kkn9ftfj6hje6g2wfer34yfnq5tahq3q6")
        #expect(hex(decoded.hash) == "086a977c7dad32a56996af2ce90a727238d48998")
        #expect(decoded.hash == Hashes.hash160(key.publicKey))
        let testnet = try AddressDerivation.address(publicKey: key.publicKey, chain: .bch, network: .testnet)
        #expect(testnet.hasPrefix("bchtest:"))
        #expect(try AddressValidator.validate(testnet, chain: .bch, network: .testnet).kind == .cashaddrP2PKH)
        let regtest = try AddressDerivation.address(publicKey: key.publicKey, chain: .bch, network: .regtest)
        #expect(regtest.hasPrefix("bchreg:"))
    }

    @Test func uncompressedKeysAreCompressedForBitcoinAddresses() throws {
        let key = try Self.master.derive(DerivationPath(parsing: "m/84'/0'/0'/0/0"))
        let uncompressed = try Secp256k1.publicKey(key.publicKey, compressed: false)
        #expect(try AddressDerivation.address(publicKey: uncompressed, chain: .btc, network: .mainnet) == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")
    }

    @Test func coinTypesAndDefaults() {
        #expect(AddressDerivation.coinType(chain: .btc, network: .mainnet) == 0)
        #expect(AddressDerivation.coinType(chain: .ltc, network: .mainnet) == 2)
        #expect(AddressDerivation.coinType(chain: .bch, network: .mainnet) == 145)
        #expect(AddressDerivation.coinType(chain: .btc, network: .testnet) == 1)
        #expect(AddressDerivation.coinType(chain: .ltc, network: .regtest) == 1)
        #expect(AddressDerivation.coinType(chain: .bch, network: .testnet) == 1)
        #expect(AddressDerivation.coinType(chain: .eth, network: .testnet) == 60)
        #expect(AddressDerivation.coinType(chain: .base, network: .mainnet) == 60)
        #expect(AddressDerivation.coinType(chain: .sol, network: .testnet) == 501)
        #expect(AddressDerivation.accountPath(chain: .btc, network: .mainnet).description == "m/84'/0'/0'")
        #expect(AddressDerivation.accountPath(chain: .btc, network: .mainnet, scheme: .p2shP2WPKH, account: 3).description == "m/49'/0'/3'")
        #expect(AddressDerivation.accountPath(chain: .bch, network: .mainnet).description == "m/44'/145'/0'")
        #expect(AddressDerivation.path(chain: .pol, network: .mainnet, index: 9).description == "m/44'/60'/0'/0/9")
        #expect(AddressDerivation.path(chain: .sol, network: .testnet, index: 4).description == "m/44'/501'/4'/0'")
    }

    @Test func rejectsMismatchedSchemesAndKeys() throws {
        let key = try Self.master.derive(DerivationPath(parsing: "m/84'/0'/0'/0/0"))
        #expect(throws: AddressError.self) { try AddressDerivation.address(publicKey: key.publicKey, chain: .bch, network: .mainnet, scheme: .p2wpkh) }
        #expect(throws: AddressError.self) { try AddressDerivation.address(publicKey: key.publicKey, chain: .eth, network: .mainnet, scheme: .p2pkh) }
        #expect(throws: AddressError.self) { try AddressDerivation.address(publicKey: key.publicKey, chain: .sol, network: .mainnet) }
        #expect(throws: AddressError.self) { try AddressDerivation.address(publicKey: bytes("020000000000000000000000000000000000000000000000000000000000000007"), chain: .btc, network: .mainnet) }
        #expect(throws: AddressError.self) { try AddressDerivation.address(publicKey: [UInt8](repeating: 2, count: 32), chain: .eth, network: .mainnet) }
    }
}
