import Foundation
import RailyardCrypto
import Testing

/// Fresh random vectors from independent implementations (eth-account, embit, solders), written by
/// Tests/Harness/crypto_vectors.py on every harness start; RailyardCrypto must agree on every one.
/// A failure names the vector and the file's seed (`crypto_vectors.py OUT --seed S` reproduces it).
struct Vectors {
    let root: JSONValue
    let seed: String

    static func load() throws -> Vectors {
        let path = try Harness.require(Harness.vectors)
        guard let data = FileManager.default.contents(atPath: path) else { throw HarnessError("cannot read \(path)") }
        let root = try JSONValue.parse(Array(data))
        guard try root.numberText("schema") == "1" else { throw HarnessError("\(path): unknown schema") }
        return Vectors(root: root, seed: try root.numberText("seed"))
    }

    /// The vectors of one kind, each with a label for failure messages. Fails on an empty list, so a
    /// generator change cannot make a check pass vacuously.
    func list(_ kind: String) throws -> [(label: String, vector: JSONValue)] {
        let items = try root.array(kind)
        guard !items.isEmpty else { throw HarnessError("no '\(kind)' vectors") }
        return items.enumerated().map { ("\(kind)[\($0.offset)] (seed \(seed))", $0.element) }
    }

    /// Runs `body` on every vector of `kind`; an error thrown for one vector is recorded with its
    /// label and the loop goes on, so one bad vector does not hide the others.
    func each(_ kind: String, _ body: (_ label: String, _ vector: JSONValue) throws -> Void) throws {
        for (label, vector) in try list(kind) {
            do {
                try body(label, vector)
            } catch {
                Issue.record("\(label): \(error)")
            }
        }
    }
}

/// Eight lowercase hex digits of a big-endian UInt32 (how embit prints fingerprints).
func hex32(_ value: UInt32) -> String {
    Hex.encode([UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
}

func chain(_ text: String) throws -> AddressChain {
    guard let chain = AddressChain(rawValue: text) else { throw HarnessError("unknown chain \(text)") }
    return chain
}

func network(_ text: String) throws -> ChainNetwork {
    guard let network = ChainNetwork(rawValue: text) else { throw HarnessError("unknown network \(text)") }
    return network
}

@Suite("Cross-checks against eth-account, embit and solders",
       .enabled(if: Harness.has(Harness.vectors), "set RAILYARD_TEST_VECTORS (Tests/Harness/harness.sh start)"))
struct CryptoCrossCheckTests {
    // MARK: Ethereum

    @Test("EIP-191 personal_sign: hash, deterministic signature, recovery")
    func personalSign() throws {
        let vectors = try Vectors.load()
        try vectors.each("personalSign") { label, v in
            let key = try v.bytes("privateKey")
            let message = try v.bytes("message")
            let hash = try v.bytes("hash")
            let signature = try v.bytes("signature")
            #expect(try Ethereum.address(privateKey: key) == v.string("address"), "\(label)")
            #expect(Ethereum.personalMessageHash(message) == hash, "\(label)")
            if let text = try v.optionalString("text") {
                #expect(Ethereum.personalMessageHash(text) == hash, "\(label) as text")
            }
            #expect(try Ethereum.sign(digest: hash, privateKey: key) == signature, "\(label): RFC 6979 signature differs")
            #expect(try Ethereum.recoverAddress(digest: hash, signature: signature) == v.string("recovered"), "\(label)")
        }
    }

    @Test("EIP-712 typed data: domain separator, struct hash, digest, signature, signer")
    func typedData() throws {
        let vectors = try Vectors.load()
        try vectors.each("typedData") { label, v in
            let typed = try TypedData(json: v.field("typedData"))
            let key = try v.bytes("privateKey")
            #expect(try typed.domainSeparator() == v.bytes("domainSeparator"), "\(label)")
            #expect(try typed.messageHash() == v.bytes("messageHash"), "\(label)")
            #expect(try typed.digest() == v.bytes("digest"), "\(label)")
            #expect(try typed.sign(privateKey: key) == v.bytes("signature"), "\(label)")
            #expect(try typed.recoverSigner(signature: v.bytes("signature")) == v.string("address"), "\(label)")
            #expect(try v.string("recovered") == v.string("address"), "\(label)")
        }
    }

    @Test("EIP-3009 TransferWithAuthorization built from its fields matches eth-account's digest")
    func transferWithAuthorization() throws {
        let vectors = try Vectors.load()
        var checked = 0
        try vectors.each("typedData") { label, v in
            let authorization = try v.field("authorization")
            guard authorization != .null else { return }
            let domain = try authorization.field("domain")
            let typed = try EIP3009.transferWithAuthorization(
                EIP3009.Authorization(from: authorization.string("from"), to: authorization.string("to"),
                                      value: Word256(decimal: authorization.string("value")),
                                      validAfter: Word256(decimal: authorization.string("validAfter")),
                                      validBefore: Word256(decimal: authorization.string("validBefore")),
                                      nonce: authorization.bytes("nonce")),
                domain: EIP3009.Domain(name: domain.string("name"), version: domain.string("version"),
                                       chainId: Word256(decimal: domain.string("chainId")),
                                       verifyingContract: domain.string("verifyingContract")))
            #expect(try typed.domainSeparator() == v.bytes("domainSeparator"), "\(label)")
            #expect(try typed.digest() == v.bytes("digest"), "\(label)")
            #expect(try typed.recoverSigner(signature: v.bytes("signature")) == v.string("address"), "\(label)")
            checked += 1
        }
        #expect(checked > 0)
    }

    // MARK: BIP-39 / BIP-32 / addresses

    @Test("BIP-39: mnemonic from entropy and back, seed with an NFKD passphrase")
    func bip39() throws {
        let vectors = try Vectors.load()
        try vectors.each("bip39") { label, v in
            let mnemonic = try v.string("mnemonic")
            #expect(try BIP39.mnemonic(entropy: v.bytes("entropy")) == mnemonic, "\(label)")
            #expect(try BIP39.entropy(mnemonic: mnemonic) == v.bytes("entropy"), "\(label)")
            #expect(try BIP39.seed(mnemonic: mnemonic, passphrase: v.string("passphrase")) == v.bytes("seed"), "\(label)")
        }
    }

    @Test("BIP-32: xprv/xpub at random paths, fingerprints, public-only derivation")
    func bip32() throws {
        let vectors = try Vectors.load()
        try vectors.each("bip32") { label, v in
            let format: ExtendedKeyFormat = try v.string("format") == "tpub" ? .tpub : .xpub
            let node = try ExtendedKey(seed: v.bytes("seed"), format: format).derive(v.string("path"))
            #expect(try node.extendedPrivateKey == v.string("xprv"), "\(label)")
            #expect(try node.extendedPublicKey == v.string("xpub"), "\(label)")
            #expect(try node.publicKey == v.bytes("publicKey"), "\(label)")
            #expect(try hex32(node.fingerprint) == v.string("fingerprint"), "\(label)")
            #expect(try hex32(node.parentFingerprint) == v.string("parentFingerprint"), "\(label)")
            // Parsing round trips.
            #expect(try ExtendedKey(parsing: v.string("xprv")).extendedPrivateKey == v.string("xprv"), "\(label)")
            #expect(try ExtendedKey(parsing: v.string("xpub")).extendedPublicKey == v.string("xpub"), "\(label)")
            // CKDpub from the xpub, and CKDpriv then neuter, give embit's child xpub.
            let publicDerivation = try v.field("publicDerivation")
            let relative = try DerivationPath(parsing: publicDerivation.string("path"))
            let expected = try publicDerivation.string("xpub")
            #expect(try ExtendedKey(parsing: v.string("xpub")).derive(relative).extendedPublicKey == expected, "\(label) CKDpub")
            #expect(try node.derive(relative).neutered.extendedPublicKey == expected, "\(label) CKDpriv")
        }
    }

    @Test("SLIP-132 account keys (ypub/zpub/upub/vpub)")
    func slip132Accounts() throws {
        let vectors = try Vectors.load()
        try vectors.each("accounts") { label, v in
            guard let format = try ExtendedKeyFormat(rawValue: v.string("format")) else { throw HarnessError("\(label): format") }
            let node = try ExtendedKey(seed: v.bytes("seed"), format: format).derive(v.string("path"))
            #expect(try node.extendedPrivateKey == v.string("xprv"), "\(label)")
            #expect(try node.extendedPublicKey == v.string("xpub"), "\(label)")
            #expect(try ExtendedKey(parsing: v.string("xpub")).format == format, "\(label)")
        }
    }

    @Test("BIP-44/49/84 addresses for BTC, LTC (mainnet/testnet/regtest), BCH legacy and ETH")
    func addresses() throws {
        let vectors = try Vectors.load()
        var seen = Set<String>()
        try vectors.each("addresses") { label, v in
            let chain = try chain(v.string("chain"))
            let network = try network(v.string("network"))
            guard let scheme = try AddressScheme(rawValue: v.string("scheme")) else { throw HarnessError("\(label): scheme") }
            let account = try UInt32(v.uint64("account"))
            let index = try UInt32(v.uint64("index"))
            let path = AddressDerivation.path(chain: chain, network: network, scheme: scheme, account: account, index: index)
            #expect(try path.description == v.string("path"), "\(label)")
            let key = try ExtendedKey(seed: v.bytes("seed")).derive(path)
            #expect(try key.publicKey == v.bytes("publicKey"), "\(label)")
            let address = try AddressDerivation.address(publicKey: key.publicKey, chain: chain, network: network, scheme: scheme)
            #expect(try address == v.string("address"), "\(label): \(chain.rawValue) \(network.rawValue) \(scheme.rawValue)")
            #expect(try AddressValidator.validate(v.string("address"), chain: chain, network: network).normalized == v.string("address"), "\(label)")
            seen.insert("\(chain.rawValue)/\(network.rawValue)/\(scheme.rawValue)")
        }
        #expect(seen.count >= 21, "expected every chain/network/scheme combination, saw \(seen.sorted())")
    }

    // MARK: Ed25519 / Solana keys

    @Test("Ed25519 public key, Solana address and signature from a random seed")
    func ed25519() throws {
        let vectors = try Vectors.load()
        try vectors.each("ed25519") { label, v in
            let key = try v.bytes("privateKey")
            let publicKey = try Ed25519.publicKey(privateKey: key)
            #expect(try publicKey == v.bytes("publicKey"), "\(label)")
            #expect(try AddressDerivation.address(publicKey: publicKey, chain: .sol, network: .mainnet) == v.string("address"), "\(label)")
            #expect(try Ed25519.verify(signature: v.bytes("signature"), message: v.bytes("message"), publicKey: publicKey), "\(label)")
            #if os(Linux)
            // BoringSSL signs deterministically (RFC 8032) like solders; CryptoKit on Apple platforms does not.
            #expect(try Ed25519.sign(v.bytes("message"), privateKey: key) == v.bytes("signature"), "\(label)")
            #endif
        }
    }

    @Test("SLIP-10 Solana accounts m/44'/501'/i'/0' from BIP-39 seeds")
    func solanaDerivation() throws {
        let vectors = try Vectors.load()
        try vectors.each("solanaDerivation") { label, v in
            let index = try UInt32(v.uint64("index"))
            let path = AddressDerivation.path(chain: .sol, network: .mainnet, index: index)
            #expect(try path.description == v.string("path"), "\(label)")
            let key = try Ed25519HDKey(seed: v.bytes("seed")).derive(path)
            #expect(try key.privateKey == v.bytes("privateKey"), "\(label)")
            #expect(try key.publicKey == v.bytes("publicKey"), "\(label)")
            #expect(try AddressDerivation.address(publicKey: key.publicKey, chain: .sol, network: .mainnet) == v.string("address"), "\(label)")
        }
    }

    @Test("solana-keygen keypairs: Ed25519 seed = first 32 bytes of the BIP-39 seed")
    func solanaKeygen() throws {
        let vectors = try Vectors.load()
        try vectors.each("solanaKeygen") { label, v in
            let seed = try BIP39.seed(mnemonic: v.string("mnemonic"), passphrase: v.string("passphrase"))
            let publicKey = try Ed25519.publicKey(privateKey: Array(seed[0..<32]))
            #expect(try AddressDerivation.address(publicKey: publicKey, chain: .sol, network: .mainnet) == v.string("address"), "\(label)")
        }
    }
}
