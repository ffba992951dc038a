import CSecp256k1
import Crypto
import Foundation
import RailyardCrypto

/// Crypto kernel throughput, each figure next to a baseline measured in the same run.
struct CryptoBenchmark {
    func measure(_ label: String, iterations: Int, _ body: () throws -> Void) rethrows -> Double {
        let started = ContinuousClock.now
        for _ in 0..<iterations { try body() }
        let rate = Double(iterations) / (ContinuousClock.now - started).seconds
        print("  \(label): \(Int(rate))/s")
        return rate
    }

    func run() throws {
        let key = Secp256k1.generatePrivateKey()
        let digest = Keccak256.hash(Array("railyard benchmark".utf8))
        let signature = try Ethereum.sign(digest: digest, privateKey: key)

        // Baseline: parse + recover + serialize with libsecp256k1 directly, no Swift wrapper.
        let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_VERIFY | SECP256K1_CONTEXT_SIGN))!
        defer { secp256k1_context_destroy(context) }
        var compact = Array(signature[0..<64])
        let recid = Int32(signature[64] - 27)
        print("ecrecover (recover the signer's address from a 65-byte signature):")
        let raw = measure("raw libsecp256k1 recover + serialize (baseline)", iterations: 20_000) {
            var parsed = secp256k1_ecdsa_recoverable_signature()
            var publicKey = secp256k1_pubkey()
            var output = [UInt8](repeating: 0, count: 65)
            var length = 65
            precondition(secp256k1_ecdsa_recoverable_signature_parse_compact(context, &parsed, &compact, recid) == 1)
            precondition(secp256k1_ecdsa_recover(context, &publicKey, &parsed, digest) == 1)
            precondition(secp256k1_ec_pubkey_serialize(context, &output, &length, &publicKey, UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1)
        }
        let ours = try measure("Ethereum.recoverAddress (recover + keccak + EIP-55)", iterations: 20_000) {
            _ = try Ethereum.recoverAddress(digest: digest, signature: signature)
        }
        print(String(format: "  ratio ours/raw: %.3f", ours / raw))

        print("hashing 1 MiB blocks:")
        let block = [UInt8](repeating: 0x61, count: 1 << 20)
        let sha = measure("SHA-256 (swift-crypto, BoringSSL; baseline) MiB", iterations: 200) { _ = SHA256.hash(data: block) }
        let keccak = measure("keccak-256 (RailyardCrypto) MiB", iterations: 200) { _ = Keccak256.hash(block) }
        print(String(format: "  ratio keccak/sha256: %.3f", keccak / sha))

        print("BIP-32 public child derivation:")
        let master = try ExtendedKey(seed: BIP39.seed(mnemonic: "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", passphrase: ""))
        let account = try master.derive("m/84'/0'/0'/0").neutered
        let serialized = try Secp256k1.publicKey(privateKey: key)
        let tweakBaseline = measure("raw libsecp256k1 pubkey parse + tweak-add (baseline)", iterations: 20_000) {
            var publicKey = secp256k1_pubkey()
            precondition(secp256k1_ec_pubkey_parse(context, &publicKey, serialized, serialized.count) == 1)
            precondition(secp256k1_ec_pubkey_tweak_add(context, &publicKey, digest) == 1)
        }
        var index: UInt32 = 0
        let derivations = try measure("ExtendedKey.child (HMAC-SHA512 + tweak-add + fingerprint)", iterations: 20_000) {
            _ = try account.child(index)
            index &+= 1
        }
        print(String(format: "  ratio derivation/tweak-add: %.3f", derivations / tweakBaseline))
    }
}
