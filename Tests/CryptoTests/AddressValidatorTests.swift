import Testing
@testable import RailyardCrypto

// Address tables. Sources:
// - BTC segwit: BIP-173 / BIP-350 test vectors (bc1qw508…, tb1qrp33…, bc1p0xlx…, tb1pqqqq…) and
//   BIP-173's mainnet P2WSH example bc1qrp33…ccfmv3.
// - BTC legacy: Bitcoin wiki (1A1zP1eP…, 3J98t1Wp…), bitcoinjs-lib fixtures (1BgGZ9tc… = HASH160 751e76e8…).
// - BCH: CashAddr spec (bitcoincash.org spec/cashaddr.md) translation and larger test vectors.
// - EVM: EIP-55 test cases.
// - SOL: well-known program/mint ids (System Program, SPL Token program, USDC mint, devnet USDC mint).
// - Entries marked (derived) re-encode a published hash (751e76e8… / b472a266… / the BIP-350 taproot
//   key 79be667e…) under another chain's version byte or hrp; they were computed with an independent
//   Python implementation (hashlib + a from-spec bech32/cashaddr encoder), not with this module.

struct ValidCase: Sendable, CustomTestStringConvertible {
    let address: String
    let chain: AddressChain
    let network: ChainNetwork
    let kind: AddressKind
    let normalized: String

    init(_ address: String, _ chain: AddressChain, _ network: ChainNetwork, _ kind: AddressKind, normalized: String? = nil) {
        self.address = address
        self.chain = chain
        self.network = network
        self.kind = kind
        self.normalized = normalized ?? address
    }

    var testDescription: String { "\(chain.rawValue) \(network.rawValue) \(address)" }
}

struct InvalidCase: Sendable, CustomTestStringConvertible {
    let address: String
    let chain: AddressChain
    let network: ChainNetwork
    /// Substrings the reason must contain.
    let reasonContains: [String]

    init(_ address: String, _ chain: AddressChain, _ network: ChainNetwork, _ reasonContains: String...) {
        self.address = address
        self.chain = chain
        self.network = network
        self.reasonContains = reasonContains
    }

    var testDescription: String { "\(chain.rawValue) \(network.rawValue) \(address)" }
}

private let p2wpkhMain = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
private let evmChecksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"

private let validCases: [ValidCase] = [
    // BTC mainnet
    ValidCase("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", .btc, .mainnet, .p2pkh),
    ValidCase("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", .btc, .mainnet, .p2pkh),
    ValidCase("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", .btc, .mainnet, .p2sh),
    ValidCase("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", .btc, .mainnet, .p2wpkh, normalized: p2wpkhMain),
    ValidCase(p2wpkhMain, .btc, .mainnet, .p2wpkh),
    ValidCase("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", .btc, .mainnet, .p2wsh),
    ValidCase("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", .btc, .mainnet, .p2tr),
    // BTC testnet
    ValidCase("mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", .btc, .testnet, .p2pkh),                 // (derived)
    ValidCase("2N9hLwkSqr1cPQAPxbrGVUjxyjD11G2e1he", .btc, .testnet, .p2sh),                 // (derived)
    ValidCase("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", .btc, .testnet, .p2wpkh),         // (derived)
    ValidCase("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", .btc, .testnet, .p2wsh),
    ValidCase("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", .btc, .testnet, .p2tr),
    // BTC regtest (legacy versions are shared with testnet)
    ValidCase("mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", .btc, .regtest, .p2pkh),
    ValidCase("2N9hLwkSqr1cPQAPxbrGVUjxyjD11G2e1he", .btc, .regtest, .p2sh),
    ValidCase("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", .btc, .regtest, .p2wpkh),       // (derived)
    ValidCase("bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6", .btc, .regtest, .p2tr), // (derived)
    // LTC mainnet
    ValidCase("LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnJ", .ltc, .mainnet, .p2pkh),                 // (derived) 0x30
    ValidCase("MQMHBtvnBfxTzt3K2bdxgSE7qZPHSXWsGM", .ltc, .mainnet, .p2sh),                  // (derived) 0x32
    ValidCase("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", .ltc, .mainnet, .p2sh),                  // legacy 0x05
    ValidCase("ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", .ltc, .mainnet, .p2wpkh),        // (derived)
    ValidCase("ltc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qmu8tk5", .ltc, .mainnet, .p2wsh), // (derived)
    ValidCase("ltc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqpj6zg2", .ltc, .mainnet, .p2tr),  // (derived)
    // LTC testnet
    ValidCase("mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", .ltc, .testnet, .p2pkh),
    ValidCase("Qd474mK5s7fUYMA1DxJWZSQQsbSq6maeug", .ltc, .testnet, .p2sh),                  // (derived) 0x3a
    ValidCase("2N9hLwkSqr1cPQAPxbrGVUjxyjD11G2e1he", .ltc, .testnet, .p2sh),                 // legacy 0xc4
    ValidCase("tltc1qw508d6qejxtdg4y5r3zarvary0c5xw7klfsuq0", .ltc, .testnet, .p2wpkh),      // (derived)
    // LTC regtest
    ValidCase("QXHFfTBKYXjaaTH1e7Rox8CcdNPGHVhM59", .ltc, .regtest, .p2sh),                  // (derived) 0x3a
    ValidCase("rltc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q22ldvf", .ltc, .regtest, .p2wsh), // (derived)
    ValidCase("rltc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqsyzyjh", .ltc, .regtest, .p2tr),  // (derived)
    // BCH mainnet
    ValidCase("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", .bch, .mainnet, .cashaddrP2PKH),
    ValidCase("qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", .bch, .mainnet, .cashaddrP2PKH,
              normalized: "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"),
    ValidCase("BITCOINCASH:QPM2QSZNHKS23Z7629MMS6S4CWEF74VCWVY22GDX6A", .bch, .mainnet, .cashaddrP2PKH,
              normalized: "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"),
    ValidCase("bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq", .bch, .mainnet, .cashaddrP2SH),
    ValidCase("bitcoincash:qr6m7j9njldwwzlg9v7v53unlr4jkmx6eylep8ekg2", .bch, .mainnet, .cashaddrP2PKH),
    ValidCase("bitcoincash:pvvxx9puznz3v6qyh5vjqv6kmgfkexzk0rx56faphrrr99syjqexyrusee847", .bch, .mainnet, .cashaddrP2SH), // (derived) P2SH32
    ValidCase("bitcoincash:zp63uahgrxged4z5jswyt5dn5v3lzsem6crlrlr74y", .bch, .mainnet, .cashaddrP2PKH), // (derived) token-aware
    ValidCase("1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", .bch, .mainnet, .p2pkh),
    ValidCase("3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", .bch, .mainnet, .p2sh),
    // BCH testnet
    ValidCase("bchtest:pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", .bch, .testnet, .cashaddrP2SH),
    ValidCase("pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", .bch, .testnet, .cashaddrP2SH,
              normalized: "bchtest:pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t"),
    ValidCase("bchtest:pvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq7fqng6m6", .bch, .testnet, .cashaddrP2SH),
    ValidCase("mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", .bch, .testnet, .p2pkh),
    // BCH regtest
    ValidCase("bchreg:qp63uahgrxged4z5jswyt5dn5v3lzsem6c6mz8vuwd", .bch, .regtest, .cashaddrP2PKH),  // (derived)
    ValidCase("pz689gnx6z7cnsfhq6jpxtx0k9hhcwulev2kn66dj4", .bch, .regtest, .cashaddrP2SH,            // (derived)
              normalized: "bchreg:pz689gnx6z7cnsfhq6jpxtx0k9hhcwulev2kn66dj4"),
    // EVM: same rules on every chain and network
    ValidCase(evmChecksummed, .eth, .mainnet, .evm),
    ValidCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", .eth, .testnet, .evm, normalized: evmChecksummed),
    ValidCase("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", .pol, .mainnet, .evm, normalized: evmChecksummed),
    ValidCase("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", .base, .mainnet, .evm),
    ValidCase("0x52908400098527886E0F7030069857D2E4169EE7", .base, .regtest, .evm),
    ValidCase("0xde709f2102306220921060314715629080e2fb77", .pol, .testnet, .evm),
    // SOL
    ValidCase("11111111111111111111111111111111", .sol, .mainnet, .solana),
    ValidCase("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", .sol, .mainnet, .solana),
    ValidCase("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", .sol, .mainnet, .solana),
    ValidCase("4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU", .sol, .testnet, .solana),
]

private let invalidCases: [InvalidCase] = [
    // Shape
    InvalidCase("", .btc, .mainnet, "address is empty"),
    InvalidCase(" 1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", .btc, .mainnet, "leading or trailing whitespace"),
    InvalidCase("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH\n", .bch, .mainnet, "leading or trailing whitespace"),
    InvalidCase("1BgGZ9tcN4rm9 KBzDn7KprQz87SZ26SAMH", .btc, .mainnet, "whitespace at offset 13"),
    InvalidCase("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMé", .btc, .mainnet, "non-ASCII", "offset 33"),
    InvalidCase(String(repeating: "1", count: 129), .sol, .mainnet, "too long"),
    // BTC: wrong network / chain
    InvalidCase(p2wpkhMain, .btc, .testnet, "bech32 prefix 'bc' is not BTC testnet's 'tb'", "BTC mainnet"),
    InvalidCase("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", .btc, .mainnet, "bech32 prefix 'tb' is not BTC mainnet's 'bc'", "BTC testnet"),
    InvalidCase("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", .btc, .regtest, "'tb' is not BTC regtest's 'bcrt'"),
    InvalidCase("ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", .btc, .mainnet, "'ltc' is not BTC mainnet's 'bc'", "LTC mainnet"),
    InvalidCase("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", .btc, .testnet, "version byte 0x00 is not valid for BTC testnet", "0x6f", "0xc4", "BTC mainnet P2PKH"),
    InvalidCase("mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", .btc, .mainnet, "version byte 0x6f is not valid for BTC mainnet", "testnet/regtest P2PKH"),
    InvalidCase("LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnJ", .btc, .mainnet, "version byte 0x30 is not valid for BTC mainnet", "LTC mainnet P2PKH"),
    InvalidCase("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", .btc, .mainnet, "must not contain ':'", "CashAddr address for BCH mainnet"),
    InvalidCase("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", .btc, .mainnet, "URI"),
    InvalidCase(evmChecksummed, .btc, .mainnet, "0x", "EVM"),
    InvalidCase("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", .btc, .mainnet, "checksum mismatch", "SOL address"),
    InvalidCase("KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn", .btc, .mainnet, "21 bytes", "WIF private key"),
    // BTC: corrupted
    InvalidCase("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMi", .btc, .mainnet, "checksum mismatch"),
    InvalidCase("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAM0", .btc, .mainnet, "invalid base58 character '0'"),
    InvalidCase("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", .btc, .mainnet, "checksum is invalid"),
    InvalidCase("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8F3t4", .btc, .mainnet, "mixes upper and lower case"),
    InvalidCase("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", .btc, .mainnet, "must use a bech32m checksum"),
    InvalidCase("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", .btc, .mainnet, "must use a bech32 checksum"),
    InvalidCase("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", .btc, .mainnet, "v0 program must be 20 or 32 bytes, got 16"),
    InvalidCase("bc1zw508d6qejxtdg4y5r3zarvary0c5xw7k0w7t5p", .btc, .mainnet, "witness version 2", "no defined spending rules"), // (derived) v2
    InvalidCase("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kj9wkru", .btc, .mainnet, "v1 program must be 32 bytes", "got 20"),       // (derived) v1, 20 bytes
    // LTC
    InvalidCase(p2wpkhMain, .ltc, .mainnet, "bech32 prefix 'bc' is not LTC mainnet's 'ltc'", "BTC mainnet"),
    InvalidCase("tltc1qw508d6qejxtdg4y5r3zarvary0c5xw7klfsuq0", .ltc, .mainnet, "'tltc' is not LTC mainnet's 'ltc'", "LTC testnet"),
    InvalidCase("rltc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q22ldvf", .ltc, .testnet, "'rltc' is not LTC testnet's 'tltc'", "LTC regtest"),
    InvalidCase("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", .ltc, .mainnet, "version byte 0x00 is not valid for LTC mainnet", "0x30", "0x32 or 0x05"),
    InvalidCase("LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnJ", .ltc, .testnet, "version byte 0x30 is not valid for LTC testnet"),
    InvalidCase("Qd474mK5s7fUYMA1DxJWZSQQsbSq6maeug", .ltc, .mainnet, "version byte 0x3a is not valid for LTC mainnet"),
    InvalidCase("Qd474mK5s7fUYMA1DxJWZSQQsbSq6maeug", .btc, .testnet, "version byte 0x3a is not valid for BTC testnet", "LTC testnet/regtest P2SH"),
    // BCH
    InvalidCase(p2wpkhMain, .bch, .mainnet, "BCH does not support segwit", "BTC mainnet"),
    InvalidCase("ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", .bch, .mainnet, "BCH does not support segwit"),
    InvalidCase("bchtest:pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", .bch, .mainnet, "cashaddr prefix 'bchtest' is not BCH mainnet's 'bitcoincash'", "BCH testnet"),
    InvalidCase("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", .bch, .regtest, "'bitcoincash' is not BCH regtest's 'bchreg'"),
    InvalidCase("pref:pr6m7j9njldwwzlg9v7v53unlr4jkmx6ey65nvtks5", .bch, .mainnet, "cashaddr prefix 'pref' is not BCH mainnet's 'bitcoincash'"),
    InvalidCase("pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", .bch, .mainnet, "checksum matches prefix 'bchtest'", "BCH testnet"),
    InvalidCase("qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", .bch, .testnet, "checksum matches prefix 'bitcoincash'", "BCH mainnet"),
    InvalidCase("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6q", .bch, .mainnet, "checksum is invalid"),
    InvalidCase("qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6q", .bch, .mainnet, "invalid BCH mainnet CashAddr address", "checksum"),
    InvalidCase("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvY22gdx6a", .bch, .mainnet, "mixes upper and lower case"),
    InvalidCase("bitcoincash:qvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq5nlegake", .bch, .mainnet, "P2PKH hash must be 20 bytes, got 32"),
    InvalidCase("bitcoincash:q9adhakpwzztepkpwp5z0dq62m6u5v5xtyj7j3h2ws4mr9g0", .bch, .mainnet, "P2PKH hash must be 20 bytes, got 24"),
    InvalidCase("mrCDrCybB6J1vRfbwM5hemdJz73FwDBC8r", .bch, .mainnet, "version byte 0x6f is not valid for BCH mainnet"),
    InvalidCase("LVuDpNCSSj6pQ7t9Pv6d6sUkLKoqDEVUnJ", .bch, .mainnet, "version byte 0x30 is not valid for BCH mainnet", "LTC mainnet"),
    InvalidCase(evmChecksummed, .bch, .mainnet, "0x", "EVM"),
    // EVM
    InvalidCase("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", .eth, .mainnet, "EIP-55 checksum", evmChecksummed),
    InvalidCase("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", .pol, .mainnet, "POL address", "EIP-55 checksum"),
    InvalidCase("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", .eth, .mainnet, "missing its '0x' prefix"),
    InvalidCase("0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", .eth, .mainnet, "lowercase '0x'"),
    InvalidCase("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", .base, .mainnet, "BASE address", "exactly 40 hex digits", "got 38"),
    InvalidCase("0x" + String(repeating: "ab", count: 32), .eth, .mainnet, "got 64", "not an address"),
    InvalidCase("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", .eth, .mainnet, "non-hex character 'g' at offset 41"),
    InvalidCase(p2wpkhMain, .eth, .mainnet, "'0x' followed by 40 hex digits", "segwit address for BTC mainnet"),
    InvalidCase("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", .base, .mainnet, "SOL address"),
    // SOL
    InvalidCase(evmChecksummed, .sol, .mainnet, "not 0x-prefixed hex", "EVM"),
    InvalidCase("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", .sol, .mainnet, "must decode to 32 bytes, got 25", "BTC mainnet P2PKH"),
    InvalidCase(p2wpkhMain, .sol, .mainnet, "not valid base58", "segwit address for BTC mainnet"),
    InvalidCase("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5Dl", .sol, .mainnet, "invalid base58 character 'l'", "excludes"),
    InvalidCase("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DAA", .sol, .mainnet, "must decode to 32 bytes, got 33"),
    InvalidCase("1111111111111111111111111111111", .sol, .mainnet, "must decode to 32 bytes, got 31"),
]

@Suite struct AddressValidatorTests {
    @Test(arguments: validCases)
    func acceptsValidAddress(_ c: ValidCase) throws {
        let result = try AddressValidator.validate(c.address, chain: c.chain, network: c.network)
        #expect(result == ValidatedAddress(chain: c.chain, network: c.network, kind: c.kind, normalized: c.normalized))
    }

    @Test(arguments: validCases)
    func normalizedFormIsAFixedPoint(_ c: ValidCase) throws {
        let once = try AddressValidator.validate(c.address, chain: c.chain, network: c.network)
        let twice = try AddressValidator.validate(once.normalized, chain: c.chain, network: c.network)
        #expect(twice == once)
    }

    @Test(arguments: invalidCases)
    func rejectsWithSpecificReason(_ c: InvalidCase) {
        do {
            let result = try AddressValidator.validate(c.address, chain: c.chain, network: c.network)
            Issue.record("expected rejection, got \(result)")
        } catch {
            for fragment in c.reasonContains {
                #expect(error.reason.contains(fragment), "reason was: \(error.reason)")
            }
        }
    }

    /// Every valid address must be rejected for every chain/network pair it does not belong to,
    /// except where the formats genuinely coincide (documented in `AddressValidator`).
    @Test(arguments: validCases)
    func rejectsOnOtherChainsAndNetworks(_ c: ValidCase) throws {
        for chain in AddressChain.allCases {
            for network in ChainNetwork.allCases where !(chain == c.chain && network == c.network) {
                let result = try? AddressValidator.validate(c.address, chain: chain, network: network)
                guard let result else { continue }
                #expect(sharesFormat(c, chain: chain, network: network, kind: result.kind),
                        "\(c.address) was accepted for \(chain.rawValue) \(network.rawValue) as \(result.kind)")
            }
        }
    }

    /// Known overlaps: EVM everywhere; SOL on every network; base58 legacy testnet == regtest
    /// (BTC/LTC/BCH), BTC == BCH legacy, and LTC accepts the Bitcoin P2SH version bytes.
    private func sharesFormat(_ c: ValidCase, chain: AddressChain, network: ChainNetwork, kind: AddressKind) -> Bool {
        if c.kind == .evm { return chain.isEVM }
        if c.kind == .solana { return chain == .sol }
        guard c.kind == .p2pkh || c.kind == .p2sh, kind == c.kind else { return false }
        let legacyTest: Set<ChainNetwork> = [.testnet, .regtest]
        let sameNetworkClass = c.network == network || (legacyTest.contains(c.network) && legacyTest.contains(network))
        guard sameNetworkClass else { return false }
        let bitcoinFamily: Set<AddressChain> = [.btc, .bch]
        if bitcoinFamily.contains(c.chain) && bitcoinFamily.contains(chain) { return true }
        if c.chain == chain { return true }
        // LTC reads 0x05 (mainnet) and 0xc4 (test) P2SH, and everyone reads 0x6f P2PKH on test networks.
        if kind == .p2sh { return (c.chain == .ltc) != (chain == .ltc) && c.address.first != "M" && c.address.first != "Q" }
        return legacyTest.contains(network)
    }

    @Test func errorDescriptionIsReason() {
        let error = AddressError(reason: "x is wrong")
        #expect(error.description == "x is wrong")
        #expect(error == AddressError(reason: "x is wrong"))
    }
}
