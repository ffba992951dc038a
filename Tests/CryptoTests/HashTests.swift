import Testing
@testable import RailyardCrypto

/// Keccak-256 (Ethereum's pre-standard Keccak, padding 0x01).
/// "" and "abc" are the widely published Ethereum values; the longer vectors cross the
/// 136-byte rate boundary and were computed with pycryptodome's `Crypto.Hash.keccak`
/// (digest_bits=256), an independent implementation.
@Suite struct Keccak256Tests {
    @Test(arguments: [
        ("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        ("The quick brown fox jumps over the lazy dog", "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"),
        (String(repeating: "a", count: 135), "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"),
        (String(repeating: "a", count: 136), "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"),
        (String(repeating: "a", count: 137), "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39"),
    ])
    func stringVectors(input: String, digest: String) {
        #expect(hex(Keccak256.hash(Array(input.utf8))) == digest)
    }

    @Test func multiBlockBytes0To199() {
        // bytes 0x00...0xc7 (200 bytes: one full 136-byte block plus 64), pycryptodome.
        let input = (0..<200).map { UInt8($0) }
        #expect(hex(Keccak256.hash(input)) == "bfb0aa97863e797943cf7c33bb7e880bb4543f3d2703c0923c6901c2af57b890")
    }

    @Test func oneMillionA() {
        // pycryptodome: keccak256(b"a" * 1_000_000)
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(Keccak256.hash(input)) == "fadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96")
    }

    @Test func isNotSHA3() {
        // SHA3-256("") is a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a (FIPS 202); Keccak differs.
        #expect(hex(Keccak256.hash([UInt8]())) != "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    @Test func nonContiguousCollectionMatchesArray() {
        let input = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let lazy = input.lazy.map { $0 }   // no contiguous storage
        #expect(Keccak256.hash(lazy) == Keccak256.hash(input))
        #expect(Keccak256.hash(input[10..<250]) == Keccak256.hash(Array(input[10..<250])))
    }
}

/// RIPEMD-160 vectors from the algorithm's home page
/// (https://homes.esat.kuleuven.be/~bosselae/ripemd160.html, "test values").
@Suite struct RIPEMD160Tests {
    @Test(arguments: [
        ("", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
        ("a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
        ("abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
        ("message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
        ("abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "12a053384a9c0c88e405a06c27dcf49ada62eb2b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "b0e20b6e3116640286ed3a87a5713079b21f5189"),
        (String(repeating: "1234567890", count: 8), "9b752e45573d4b39f4dbd3323cab82bf63326bfb"),
    ])
    func publishedVectors(input: String, digest: String) {
        #expect(hex(RIPEMD160.hash(Array(input.utf8))) == digest)
    }

    @Test func oneMillionA() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(RIPEMD160.hash(input)) == "52783243c1697bdbe16d37f97f68f08325dc1528")
    }

    @Test func paddingBoundaries() {
        // 55, 56 and 64 bytes straddle the one-/two-block padding boundary; compare with a
        // non-contiguous input path and with each other to catch length-encoding slips.
        for length in [55, 56, 63, 64, 65, 119, 120] {
            let input = [UInt8](repeating: 0x61, count: length)
            #expect(RIPEMD160.hash(input.lazy.map { $0 }) == RIPEMD160.hash(input))
            #expect(RIPEMD160.hash(input).count == 20)
        }
        #expect(RIPEMD160.hash([UInt8](repeating: 0x61, count: 55)) != RIPEMD160.hash([UInt8](repeating: 0x61, count: 56)))
    }
}

/// SHA-256 helpers. "abc" is the FIPS 180-2 example; double-SHA256("hello") and the HASH160
/// of the compressed public key below are the Bitcoin wiki's worked examples
/// ("Protocol documentation" and "Technical background of version 1 Bitcoin addresses").
@Suite struct HashesTests {
    @Test func sha256() {
        #expect(hex(Hashes.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hashes.sha256(Array("abc".utf8).lazy.map { $0 }) == Hashes.sha256(Array("abc".utf8)))
    }

    @Test func doubleSHA256() {
        #expect(hex(Hashes.doubleSHA256(Array("hello".utf8))) == "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50")
    }

    @Test func hash160() {
        let publicKey = bytes("0250863ad64a87ae8a2fe83c1af1a8403cb53f53e486d8511dad8a04887e5b2352")
        let h = Hashes.hash160(publicKey)
        #expect(hex(h) == "f54a5851e9372b87810a8e60cdd2e7cfd80b6e31")
        // …and the resulting P2PKH address from the same wiki page.
        #expect(Base58Check.encode(version: 0x00, payload: h) == "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs")
    }
}
