import Foundation
import RailyardCrypto
import Testing

/// The harness runtimes answer, and what RailyardCrypto derives is what they accept.
/// Each test is safe to re-run against the same harness (fresh indices, wallets and keys per run).

// MARK: litecoind regtest

@Suite("litecoind regtest", .serialized,
       .enabled(if: Harness.has(Harness.ltcURL), "set RAILYARD_TEST_LTC_RPC_URL (Tests/Harness/harness.sh start)"))
struct LitecoinRegtestTests {
    /// The BIP-39 test mnemonic: a fixed wallet whose regtest account every run can re-derive.
    static let mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

    let rpc: RPCClient

    init() throws {
        rpc = try RPCClient(url: Harness.require(Harness.ltcURL), version: "1.0")
    }

    /// m/84'/1'/0' of the fixed mnemonic, as a tprv-capable key.
    static func account() throws -> ExtendedKey {
        try ExtendedKey(seed: BIP39.seed(mnemonic: mnemonic), format: .tpub)
            .derive(AddressDerivation.accountPath(chain: .ltc, network: .regtest))
    }

    static func address(_ account: ExtendedKey, index: UInt32) throws -> (address: String, publicKey: [UInt8]) {
        let key = try account.derive(DerivationPath([0, index]))
        return (try AddressDerivation.address(publicKey: key.publicKey, chain: .ltc, network: .regtest), key.publicKey)
    }

    func blockCount() async throws -> Int64 {
        let count = try await rpc.call("getblockcount")
        guard case .number(let text) = count, let height = Int64(text) else { throw HarnessError("getblockcount: \(count)") }
        return height
    }

    /// Litecoin regtest block subsidy in litoshi: 50 LTC halving every 150 blocks.
    static func subsidy(height: Int64) -> Int64 {
        let halvings = height / 150
        return halvings >= 63 ? 0 : 5_000_000_000 >> halvings
    }

    @Test("getblockchaininfo reports regtest")
    func chainInfo() async throws {
        let info = try await rpc.call("getblockchaininfo")
        #expect(try info.string("chain") == "regtest")
    }

    @Test("litecoind derives the same rltc1 addresses from our tpub, and validates ours")
    func descriptorAgreesWithDerivation() async throws {
        let account = try Self.account()
        #expect(AddressDerivation.accountPath(chain: .ltc, network: .regtest).description == "m/84'/1'/0'")
        let tpub = account.neutered.extendedPublicKey
        #expect(tpub.hasPrefix("tpub"))
        let start = UInt32.random(in: 0..<1_000_000)
        let info = try await rpc.call("getdescriptorinfo", [.string("wpkh(\(tpub)/0/*)")])
        let derived = try await rpc.call("deriveaddresses", [.string(try info.string("descriptor")),
                                                              .array([.number(String(start)), .number(String(start + 2))])])
        let ours = try (start...start + 2).map { try Self.address(account, index: $0).address }
        #expect(derived.arrayValue?.compactMap(\.stringValue) == ours)

        let (address, publicKey) = try Self.address(account, index: start)
        #expect(address.hasPrefix("rltc1q"))
        let validated = try await rpc.call("validateaddress", [.string(address)])
        #expect(validated.objectValue?["isvalid"] == .bool(true))
        #expect(validated.objectValue?["iswitness"] == .bool(true))
        #expect(try validated.string("witness_program") == Hex.encode(Hashes.hash160(publicKey)))
    }

    @Test("101 blocks mined to a derived rltc1 address: scantxoutset and a watch-only wallet see the coinbase, a payment is received")
    func coinbaseAndPaymentToDerivedAddress() async throws {
        let account = try Self.account()
        let index = UInt32.random(in: 1_000_000..<2_000_000_000)
        let address = try Self.address(account, index: index).address
        let run = UUID().uuidString.prefix(8).lowercased()

        // A watch-only wallet that knows the address (no rescan needed: nothing paid it yet).
        let watch = "watch-\(run)"
        _ = try await rpc.call("createwallet", [.string(watch), .bool(true), .bool(true)])
        _ = try await rpc.call("importaddress", [.string(address), .string("harness"), .bool(false)], path: "/wallet/\(watch)")

        let startHeight = try await blockCount()
        let hashes = try await rpc.call("generatetoaddress", [.number("101"), .string(address)])
        #expect(hashes.arrayValue?.count == 101)

        // scantxoutset (no wallet involved): our 101 coinbase outputs, each with the exact subsidy of
        // its height. (Heights are read back rather than assumed contiguous, so other tests may mine
        // on the same node meanwhile.)
        let scan = try await rpc.call("scantxoutset", [.string("start"), .array([.string("addr(\(address))")])])
        #expect(scan.objectValue?["success"] == .bool(true))
        let unspents = try scan.array("unspents")
        #expect(unspents.count == 101)
        let heights = try unspents.map { try Int64($0.numberText("height")) ?? -1 }
        #expect(heights.allSatisfy { $0 > startHeight })
        #expect(Set(heights).count == heights.count)
        let expectedTotal = heights.reduce(Int64(0)) { $0 + Self.subsidy(height: $1) }
        let sum = try unspents.reduce(Int64(0)) { $0 + (try baseUnits($1.numberText("amount"))) }
        #expect(sum == expectedTotal)
        #expect(try baseUnits(scan.numberText("total_amount")) == expectedTotal)

        // The watch-only wallet lists the matured ones (100 blocks on top: the first, at least).
        let tip = try await blockCount()
        let listed = try await rpc.call("listunspent", [.number("1"), .number("9999999"), .array([.string(address)])], path: "/wallet/\(watch)")
        let mature = try #require(listed.arrayValue)
        #expect(mature.count == heights.filter { $0 <= tip - 100 }.count)
        #expect(mature.count >= 1)
        for output in mature {
            let confirmations = try #require(Int64(try output.numberText("confirmations")))
            #expect(confirmations >= 101)
            #expect(try baseUnits(output.numberText("amount")) == Self.subsidy(height: tip - confirmations + 1))
        }
        // litecoind 0.21's getreceivedbyaddress leaves coinbase outputs out (Bitcoin Core added
        // include_immature_coinbase only in v23): a watcher must not count mined coins with it.
        let receivedCoinbase = try await rpc.call("getreceivedbyaddress", [.string(address), .number("1")], path: "/wallet/\(watch)")
        #expect(try baseUnits(receivedCoinbase.serialized) == 0)

        // A payment from a key-holding wallet is what getreceivedbyaddress counts. The miner's
        // mature coinbase shrinks as the chain grows (halving every 150 blocks): pay a quarter of it.
        let miner = "miner-\(run)"
        _ = try await rpc.call("createwallet", [.string(miner)])
        let minerAddress = try await rpc.call("getnewaddress", [.string(""), .string("bech32")], path: "/wallet/\(miner)")
        _ = try await rpc.call("generatetoaddress", [.number("101"), minerAddress])
        let spendable = try baseUnits(await rpc.call("getbalance", path: "/wallet/\(miner)").serialized)
        let payment = spendable / 4
        try #require(payment > 0, "the regtest chain is past its last halving: restart the harness")
        let amount = "\(payment / 100_000_000).\(String(String(payment % 100_000_000 + 100_000_000).dropFirst()))"
        let txid = try await rpc.call("sendtoaddress", [.string(address), .number(amount)], path: "/wallet/\(miner)")
        _ = try await rpc.call("generatetoaddress", [.number("1"), minerAddress])
        let received = try await rpc.call("getreceivedbyaddress", [.string(address), .number("1")], path: "/wallet/\(watch)")
        #expect(try baseUnits(received.serialized) == payment)
        let transaction = try await rpc.call("gettransaction", [txid, .bool(true)], path: "/wallet/\(watch)")
        #expect(try transaction.numberText("confirmations") == "1")
    }
}

// MARK: EVM (py-evm JSON-RPC)

@Suite("EVM JSON-RPC server with the USDC3009 token",
       .enabled(if: Harness.has(Harness.evmURL, Harness.evmChainID, Harness.evmFundedKey, Harness.usdcContract,
                                Harness.usdcMinted, Harness.usdcMintBlock),
                "set the RAILYARD_TEST_EVM_* and RAILYARD_TEST_USDC_* variables (Tests/Harness/harness.sh start)"))
struct EVMRuntimeTests {
    let rpc: RPCClient

    init() throws {
        rpc = try RPCClient(url: Harness.require(Harness.evmURL))
    }

    static func selector(_ signature: String) -> [UInt8] {
        Array(Keccak256.hash(Array(signature.utf8)).prefix(4))
    }

    func call(_ data: [UInt8], block: String = "latest") async throws -> [UInt8] {
        let contract = try Harness.require(Harness.usdcContract)
        let result = try await rpc.call("eth_call", [.object(["to": .string(contract), "data": .string(Hex.encode(data, prefix: true))]), .string(block)])
        guard let text = result.stringValue else { throw HarnessError("eth_call result: \(result)") }
        return try Hex.decode(text)
    }

    @Test("eth_chainId and the funded dev account")
    func chainAndAccount() async throws {
        let chainID = try #require(UInt64(try Harness.require(Harness.evmChainID)))
        #expect(try await rpc.call("eth_chainId") == .string(quantity(chainID)))
        let address = try Ethereum.address(privateKey: Hex.decode(Harness.require(Harness.evmFundedKey)))
        #expect(address == Harness.value(Harness.evmFundedAddress))
        let accounts = try await rpc.call("eth_accounts")
        #expect(accounts.arrayValue?.contains(.string(address)) == true)
        let balance = try await rpc.call("eth_getBalance", [.string(address), .string("latest")])
        #expect(try !Word256(hex: balance.stringValue ?? "").isZero)
    }

    @Test("USDC balanceOf via eth_call at the mint block is exactly the minted amount")
    func usdcBalance() async throws {
        let holder = try Ethereum.address(privateKey: Hex.decode(Harness.require(Harness.evmFundedKey)))
        let mintBlock = try #require(UInt64(try Harness.require(Harness.usdcMintBlock)))
        try #require(mintBlock >= 1, "the token is deployed, then minted, so the mint is at block 1 or later")
        let data = Self.selector("balanceOf(address)") + [UInt8](repeating: 0, count: 12) + (try Hex.decode(holder))
        let word = try await call(data, block: quantity(mintBlock))
        #expect(word.count == 32)
        #expect(try Word256(bytes: word).decimalString == Harness.require(Harness.usdcMinted))
        // A block before the mint: nothing yet.
        let before = try await call(data, block: quantity(mintBlock - 1))
        #expect(try Word256(bytes: before).isZero)
        #expect(try Word256(bytes: await call(Self.selector("decimals()"))) == Word256(6))
    }

    @Test("the token's on-chain DOMAIN_SEPARATOR equals our EIP-712 domain separator")
    func domainSeparator() async throws {
        let contract = try Harness.require(Harness.usdcContract)
        let chainID = try #require(UInt64(try Harness.require(Harness.evmChainID)))
        let onChain = try await call(Self.selector("DOMAIN_SEPARATOR()"))
        let typed = try EIP3009.transferWithAuthorization(
            EIP3009.Authorization(from: contract, to: contract, value: .zero, validAfter: .zero, validBefore: .zero,
                                  nonce: [UInt8](repeating: 0, count: 32)),
            domain: EIP3009.Domain(name: "USD Coin", version: "2", chainId: chainID, verifyingContract: contract))
        #expect(try typed.domainSeparator() == onChain)
    }
}

// MARK: Solana (LiteSVM JSON-RPC)

@Suite("Solana JSON-RPC server (LiteSVM)",
       .enabled(if: Harness.has(Harness.solURL, Harness.solFundedKey, Harness.solFundedAddress),
                "set the RAILYARD_TEST_SOL_* variables (Tests/Harness/harness.sh start)"))
struct SolanaRuntimeTests {
    let rpc: RPCClient

    init() throws {
        rpc = try RPCClient(url: Harness.require(Harness.solURL))
    }

    func balance(_ address: String) async throws -> String {
        try await rpc.call("getBalance", [.string(address)]).field("value").serialized
    }

    @Test("getHealth, getSlot and the funded key's balance")
    func fundedKey() async throws {
        #expect(try await rpc.call("getHealth") == .string("ok"))
        let slot = try await rpc.call("getSlot")
        #expect(Int64(slot.serialized).map { $0 >= 1 } == true)
        let publicKey = try Ed25519.publicKey(privateKey: Hex.decode(Harness.require(Harness.solFundedKey)))
        let address = try AddressDerivation.address(publicKey: publicKey, chain: .sol, network: .mainnet)
        #expect(address == Harness.value(Harness.solFundedAddress))
        let lamports = try #require(UInt64(try await balance(address)))
        #expect(lamports > 1_000_000_000)
    }

    @Test("an airdrop to a fresh derived address lands exactly")
    func airdrop() async throws {
        let address = try AddressDerivation.address(publicKey: Ed25519.publicKey(privateKey: SecureRandom.bytes(count: 32)),
                                                    chain: .sol, network: .mainnet)
        #expect(try await balance(address) == "0")
        let signature = try await rpc.call("requestAirdrop", [.string(address), .number("1234567890")])
        #expect(try await balance(address) == "1234567890")
        let statuses = try await rpc.call("getSignatureStatuses", [.array([signature])]).array("value")
        #expect(statuses.count == 1)
        #expect(try statuses.first?.field("err") == .null)
    }

    @Test("the USDC-like mint and the funded key's associated token account")
    func tokenAccount() async throws {
        let mint = try Harness.require(Harness.solUSDCMint)
        let account = try Harness.require(Harness.solUSDCAccount)
        let mintInfo = try await rpc.call("getAccountInfo", [.string(mint)]).field("value")
        #expect(try mintInfo.string("owner") == Solana.tokenProgramID.base58)
        let wallet = try SolanaPublicKey(base58: Harness.require(Harness.solFundedAddress))
        #expect(try Solana.associatedTokenAddress(wallet: wallet, mint: SolanaPublicKey(base58: mint)).base58 == account)
        let tokenBalance = try await rpc.call("getTokenAccountBalance", [.string(account)]).field("value")
        #expect(try tokenBalance.numberText("decimals") == "6")
        #expect(try UInt64(tokenBalance.string("amount")) != nil)
    }
}
