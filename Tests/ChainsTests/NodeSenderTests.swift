import Chains
import Crypto
import Foundation
import Money
import RailyardCrypto
import SQLKit
import Storage
import Testing
import TestSupport

/// Custody and sending on real chain software started by Tests/Harness/harness.sh: litecoind
/// regtest, the py-evm JSON-RPC server with the EIP-3009 USDC token, and LiteSVM.
/// Without the harness these tests are skipped; with it they must pass.
@Suite("Sending on real runtimes", .serialized)
struct NodeSenderTests {
    static let env = ProcessInfo.processInfo.environment
    static func setting(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
    static let ltcURL = setting("RAILYARD_TEST_LTC_RPC_URL")
    static let evmURL = setting("RAILYARD_TEST_EVM_RPC_URL")
    static let usdc = setting("RAILYARD_TEST_USDC_CONTRACT")
    static let solURL = setting("RAILYARD_TEST_SOL_RPC_URL")
    static let solFundedKey = setting("RAILYARD_TEST_SOL_FUNDED_KEY")
    static let solMint = setting("RAILYARD_TEST_SOL_USDC_MINT")
    static let migrations = JobQueue.migrations + DevnetChain.migrations + ChainWatchList.migrations + CustodyVault.migrations + ChainSender.migrations

    static func ltc(_ minor: Int128) -> JSONValue { .number(Amount(minorUnits: minor).formattedTrimmed(decimals: 8)) }

    // MARK: litecoind

    @Test(.enabled(if: ltcURL != nil, "needs the litecoind regtest harness"))
    func litecoinForwardIsBuiltSignedMinedAndBumpedAndGenerateblockDoubleSpendIsSeen() async throws {
        let rpc = try JSONRPCClient(url: Self.ltcURL!)
        // Coins come from the harness's bank wallet (mined while a block paid 50 LTC): mining 101 blocks
        // here would run the regtest subsidy (halved every 150 blocks) down over a full run.
        let payer = ProcessInfo.processInfo.environment["RAILYARD_TEST_LTC_BANK_WALLET"] ?? "bank"
        let payerPath = "/wallet/\(payer)"
        let payerAddress = try #require(try await rpc.call("getnewaddress", [.string(""), .string("bech32")], path: payerPath).stringValue)
        let node = try BitcoinCoreChain(chain: "LTC", rpc: rpc, wallet: "custody-\(UUID().uuidString.prefix(8))")

        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let vault = CustodyVault(key: SymmetricKey(size: .bits256), network: .regtest)
            try await vault.prepare(db)
            let deposit = try await db.write { tx in try await vault.allocate(tx, chain: .ltc, purpose: .deposit, reference: "pay_ltc", now: 1) }
            let change = try await db.write { tx in try await vault.allocate(tx, chain: .ltc, purpose: .change, reference: nil, now: 1) }
            let watcher = DepositWatcher(adapter: node, db: db, clock: clock, owner: "test")
            // The first pass imports the server-derived addresses into the node's watch-only wallet.
            try await watcher.poll()
            let info = try await rpc.call("getaddressinfo", [.string(deposit.address)], path: node.walletPathForTests)
            #expect(info["iswatchonly"] == .bool(true) && info["ismine"] == .bool(false))

            _ = try await rpc.call("sendtoaddress", [.string(deposit.address), .number("0.5")], path: payerPath)
            _ = try await rpc.call("generatetoaddress", [.number("1"), .string(payerAddress)])
            try await watcher.poll()

            let merchant = try #require(try await rpc.call("getnewaddress", [.string(""), .string("bech32")], path: payerPath).stringValue)
            let sender = ChainSender(db: db, clock: clock, vault: vault, builders: [BitcoinCoreSender(node: node, network: .regtest, fallbackFeeRate: 2)],
                                     policy: ConfirmationPolicy(overrides: ["LTC": 6]))
            try await sender.enqueue(SendRequest(id: "forward:pay_ltc", chain: "LTC", asset: "LTC", from: [deposit.address],
                                                 outputs: [SendOutput(address: merchant, amount: 30_000_000)], changeAddress: change.address, reference: "pay_ltc"))
            #expect(try await sender.runDue(owner: "w") == 1)
            let first = try #require(try await sender.record("forward:pay_ltc"))
            #expect(first.status == .broadcast, "\(first)")
            let firstTxid = try #require(first.txid)
            #expect(try await node.status(txid: firstTxid, outputIndex: 0) == .mempool)
            // The node accepted exactly our bytes.
            let decoded = try await rpc.call("decoderawtransaction", [.string(try #require(first.raw))])
            #expect(decoded["txid"]?.stringValue == firstTxid)

            // An explicit fee bump replaces it in the mempool (BIP-125) with the same coins.
            await #expect(throws: ChainError.self) { try await sender.bumpFee("forward:pay_ltc", FeeBump(feeRate: 2)) }
            let bumpID = try await sender.bumpFee("forward:pay_ltc", FeeBump(feeRate: 20))
            try await sender.runDue(owner: "w")
            let bumped = try #require(try await sender.record(bumpID))
            #expect(bumped.status == .broadcast && bumped.replaces == "forward:pay_ltc" && (bumped.fee ?? 0) > (first.fee ?? 0))
            let mempool = try #require(try await rpc.call("getrawmempool").arrayValue).compactMap(\.stringValue)
            #expect(mempool.contains(try #require(bumped.txid)) && !mempool.contains(firstTxid))

            _ = try await rpc.call("generatetoaddress", [.number("6"), .string(payerAddress)])
            try await sender.track()
            #expect(try await sender.record(bumpID)?.status == .confirmed)
            #expect(try await sender.record("forward:pay_ltc")?.status == .replaced)
            let received = try await rpc.call("getreceivedbyaddress", [.string(merchant), .number("1")], path: payerPath)
            #expect(received.numberText == "0.30000000" || received.numberText == "0.3")

            // Double-spend: a payment to a watched address is replaced by a conflicting transaction
            // that a miner puts straight into a block (generateblock); the deposit disappears.
            var coins: [(JSONValue, JSONValue, Int128)] = []
            for entry in try await rpc.call("listunspent", [.number("1")], path: payerPath).arrayValue ?? [] {
                guard let txid = entry["txid"], let vout = entry["vout"], let text = entry["amount"]?.numberText else { continue }
                let amount = try Amount.parse(text, decimals: 8).minorUnits
                coins.append((txid, vout, amount))
            }
            // The largest coin (regtest block rewards halve every 150 blocks, so sizes vary between runs).
            let (coinTxid, coinVout, coinAmount) = try #require(coins.max { $0.2 < $1.2 })
            try #require(coinAmount > 1_000_000)
            let input = JSONValue.array([.object(["txid": coinTxid, "vout": coinVout, "sequence": .number("4294967293")])])
            let payment = try await rpc.call("createrawtransaction", [input, .object([deposit.address: Self.ltc(coinAmount / 4), payerAddress: Self.ltc(coinAmount - coinAmount / 4 - 10_000)])])
            let signedPayment = try #require(try await rpc.call("signrawtransactionwithwallet", [payment], path: payerPath)["hex"])
            let paymentTxid = try #require(try await rpc.call("sendrawtransaction", [signedPayment]).stringValue)
            try await watcher.poll()
            let conflict = try await rpc.call("createrawtransaction", [input, .object([payerAddress: Self.ltc(coinAmount - 50_000)])])
            let signedConflict = try #require(try await rpc.call("signrawtransactionwithwallet", [conflict], path: payerPath)["hex"])
            _ = try await rpc.call("generateblock", [.string(payerAddress), .array([signedConflict])])
            try await watcher.poll()
            let events = try await db.read { try await ChainWatchList().events(after: 0, in: $0) }.filter { $0.txid == paymentTxid }
            #expect(events.map(\.kind) == ["detected", "double_spent"], "\(events.map(\.kind))")
        }
    }

    // MARK: EVM

    /// A builder whose node is unreachable for broadcasting: the send is signed and stored, then "the server stops".
    struct BroadcastFails: TransactionBuilder {
        let inner: EVMSender
        var chain: String { inner.chain }
        var adapter: any ChainAdapter { inner.adapter }
        func build(_ request: SendRequest, context: BuildContext, db: Database,
                   store: @escaping @Sendable (Transaction, SignedSend) async throws -> Void) async throws -> SignedSend {
            try await inner.build(request, context: context, db: db, store: store)
        }
        func broadcast(_ raw: String) async throws -> String { throw ChainError.node("connection refused") }
    }

    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness with its EIP-3009 USDC token"))
    func evmSendsKeepNoncesAcrossRestartsAndSubmitAnEIP3009Authorization() async throws {
        let rpc = try JSONRPCClient(url: Self.evmURL!)
        let funded = try #require(try await rpc.call("eth_accounts").arrayValue?.first?.stringValue)
        let contract = Self.usdc!
        let node = try EVMChain(chain: "ETH", rpc: rpc, tokens: ["USDC_ETH": contract])
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let vault = CustodyVault(key: SymmetricKey(size: .bits256), network: .regtest)
            let gas = try await vault.register(db, chain: .eth, purpose: .gas, index: 0, now: 1)
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(gas.address), "value": .string("0x8ac7230489e80000")])])
            let tokens = try ERC20.transfer(to: gas.address, amount: Word256(50_000_000))
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(contract), "data": .string(Hex.encode(tokens, prefix: true))])])
            let recipient = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
            let policy = ConfirmationPolicy(overrides: ["ETH": 3, "USDC_ETH": 3])
            let startNonce = try await node.nonce(of: gas.address)

            // 1. Signed and stored, but the broadcast fails: the server "stops" here.
            let crashed = ChainSender(db: db, clock: clock, vault: vault, builders: [BroadcastFails(inner: EVMSender(node: node))], policy: policy)
            try await crashed.enqueue(SendRequest(id: "native", chain: "ETH", asset: "ETH", from: [gas.address],
                                                  outputs: [SendOutput(address: recipient, amount: 1_000_000_000_000_000_000)]))
            #expect(try await crashed.runDue(owner: "w") == 1)
            let stored = try #require(try await crashed.record("native"))
            #expect(stored.status == .signed && stored.nonce == startNonce && stored.lastError?.contains("connection refused") == true)

            // 2. After a restart the node still reports the old nonce, yet the next send takes the following one.
            let sender = ChainSender(db: db, clock: clock, vault: vault, builders: [EVMSender(node: node)], policy: policy)
            #expect(try await node.nonce(of: gas.address) == startNonce)
            try await sender.enqueue(SendRequest(id: "token", chain: "ETH", asset: "USDC_ETH", from: [gas.address],
                                                 outputs: [SendOutput(address: recipient, amount: 12_500_000)]))
            // This test node refuses a nonce gap at broadcast (real nodes queue it); either way the send is signed and kept.
            _ = try? await sender.process("token")
            let token = try #require(try await sender.record("token"))
            #expect(token.nonce == startNonce + 1 && token.status == .signed, "\(token)")
            // Broadcasting the stored first transaction unblocks the second (same bytes as before the restart).
            try await sender.process("native")
            try await sender.process("token")
            #expect(try await sender.record("native")?.raw == stored.raw)
            for _ in 0..<3 { _ = try await rpc.call("evm_mine", []) }
            try await sender.track()
            #expect(try await sender.record("native")?.status == .confirmed)
            #expect(try await sender.record("token")?.status == .confirmed)
            #expect(try EVMChain.quantityForTests(try await rpc.call("eth_getBalance", [.string(recipient), .string("latest")])) == 1_000_000_000_000_000_000)
            #expect(try await node.tokenBalance(contract: contract, owner: recipient) == 12_500_000)

            // 3. EIP-3009: a payer signs an authorization; the gas wallet submits it; the token moves.
            let payerKey = Secp256k1.generatePrivateKey()
            let payer = try Ethereum.address(privateKey: payerKey)
            let fund = try ERC20.transfer(to: payer, amount: Word256(5_000_000))
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(contract), "data": .string(Hex.encode(fund, prefix: true))])])
            let chainID = try await node.chainID()
            let authorization = EIP3009.Authorization(from: payer, to: recipient, value: Word256(2_500_000), validAfter: Word256(0),
                                                      validBefore: Word256(UInt64(Date().timeIntervalSince1970) + 3600),
                                                      nonce: Array(SHA256.hash(data: Data(UUID().uuidString.utf8))))
            let domain = EIP3009.Domain(name: "USD Coin", version: "2", chainId: UInt64(chainID), verifyingContract: contract)
            let signature = try EIP3009.transferWithAuthorization(authorization, domain: domain).sign(privateKey: payerKey)
            let submission = AuthorizationSubmission(contract: contract, authorization: authorization, signature: signature)
            try await sender.enqueue(SendRequest(id: "x402:settle-1", chain: "ETH", asset: "USDC_ETH", kind: .transferWithAuthorization,
                                                 from: [gas.address], outputs: [], authorization: submission))
            try await sender.runDue(owner: "w")
            for _ in 0..<3 { _ = try await rpc.call("evm_mine", []) }
            try await sender.track()
            let settled = try #require(try await sender.record("x402:settle-1"))
            #expect(settled.status == .confirmed, "\(settled)")
            #expect(try await node.tokenBalance(contract: contract, owner: recipient) == 15_000_000)
            #expect(try await node.tokenBalance(contract: contract, owner: payer) == 2_500_000)
            // The same authorization again is refused by the token (its nonce is used): mined, reverted, nothing moved.
            try await sender.enqueue(SendRequest(id: "x402:settle-again", chain: "ETH", asset: "USDC_ETH", kind: .transferWithAuthorization,
                                                 from: [gas.address], outputs: [], authorization: submission))
            try await sender.runDue(owner: "w")
            try await sender.track()
            let again = try #require(try await sender.record("x402:settle-again"))
            #expect(again.status == .failed && again.raw == nil && again.lastError?.contains("authorization is used") == true, "\(again)")
            #expect(try await node.tokenBalance(contract: contract, owner: payer) == 2_500_000)

            // Two submissions of one fresh authorization race into the same block: the token lets one
            // through; the other is mined, reverts, and is reported as reverted (not retried forever).
            let racing = EIP3009.Authorization(from: payer, to: recipient, value: Word256(1_000_000), validAfter: Word256(0),
                                               validBefore: Word256(UInt64(Date().timeIntervalSince1970) + 3600),
                                               nonce: Array(SHA256.hash(data: Data(UUID().uuidString.utf8))))
            let racingSignature = try EIP3009.transferWithAuthorization(racing, domain: domain).sign(privateKey: payerKey)
            let racingSubmission = AuthorizationSubmission(contract: contract, authorization: racing, signature: racingSignature)
            _ = try await rpc.call("evm_setAutomine", [.bool(false)])
            for id in ["race-a", "race-b"] {
                try await sender.enqueue(SendRequest(id: id, chain: "ETH", asset: "USDC_ETH", kind: .transferWithAuthorization,
                                                     from: [gas.address], outputs: [], authorization: racingSubmission))
            }
            try await sender.runDue(owner: "w")
            _ = try await rpc.call("evm_setAutomine", [.bool(true)])
            for _ in 0..<3 { _ = try await rpc.call("evm_mine", []) }
            try await sender.track()
            let outcomes = [try await sender.record("race-a")?.status, try await sender.record("race-b")?.status]
            #expect(outcomes == [.confirmed, .reverted], "\(outcomes)")
            #expect(try await node.tokenBalance(contract: contract, owner: payer) == 1_500_000)
        }
    }

    // MARK: Solana

    @Test(.enabled(if: solURL != nil && solFundedKey != nil && solMint != nil, "needs the LiteSVM harness"))
    func solanaDepositsAreDetectedAndTransfersWeSignExecute() async throws {
        let rpc = try JSONRPCClient(url: Self.solURL!)
        let node = try SolanaChain(rpc: rpc, mints: ["USDC_SOL": Self.solMint!])
        let fundedKey = try Hex.decode(Self.solFundedKey!)
        let funded = try SolanaPublicKey(privateKey: fundedKey)
        let mint = try SolanaPublicKey(base58: Self.solMint!)
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let vault = CustodyVault(key: SymmetricKey(size: .bits256), network: .regtest)
            try await vault.prepare(db)
            let deposit = try await db.write { tx in try await vault.allocate(tx, chain: .sol, purpose: .deposit, reference: "pay_sol", now: 1) }
            let gas = try await vault.register(db, chain: .sol, purpose: .gas, index: 0, now: 1)
            let owner = try SolanaPublicKey(base58: deposit.address)
            let watcher = DepositWatcher(adapter: node, db: db, clock: clock, owner: "test")
            try await watcher.poll()

            // The customer (the harness's funded key) pays 2 SOL and 5 USDC, in transactions signed here.
            func submit(_ instructions: [Solana.Instruction]) async throws -> String {
                let blockhash = try await node.latestBlockhash()
                let message = try Solana.Message(instructions: instructions, payer: funded, recentBlockhash: blockhash)
                return try await node.broadcast(try Solana.Transaction(message: message, signers: [fundedKey]).base64)
            }
            let solPayment = try await submit([Solana.SystemProgram.transfer(from: funded, to: owner, lamports: 2_000_000_000),
                                               Solana.SystemProgram.transfer(from: funded, to: try SolanaPublicKey(base58: gas.address), lamports: 100_000_000)])
            let usdcPayment = try await submit([
                try Solana.AssociatedTokenProgram.createIdempotent(payer: funded, wallet: owner, mint: mint),
                Solana.TokenProgram.transferChecked(source: try Solana.associatedTokenAddress(wallet: funded, mint: mint), mint: mint,
                                                    destination: try Solana.associatedTokenAddress(wallet: owner, mint: mint), owner: funded,
                                                    amount: 5_000_000, decimals: 6),
            ])
            try await watcher.poll()
            var events = try await db.read { try await ChainWatchList().events(after: 0, in: $0) }
            let detected = events.filter { $0.kind == "detected" && $0.address == deposit.address }
            #expect(Set(detected.map { "\($0.asset)=\($0.amount)@\($0.txid)" }) == ["SOL=2000000000@\(solPayment)", "USDC_SOL=5000000@\(usdcPayment)"])
            // One transaction paid two watched wallets: two deposits, not one.
            #expect(events.filter { $0.kind == "detected" && $0.address == gas.address }.map { "\($0.asset)=\($0.amount)@\($0.txid)" } == ["SOL=100000000@\(solPayment)"])
            // Finalized (32 slots later) means confirmed.
            _ = try await rpc.call("shim_advanceSlots", [.number("40")])
            try await watcher.poll()
            events = try await db.read { try await ChainWatchList().events(after: 0, in: $0) }
            #expect(Set(events.filter { $0.kind == "confirmed" && $0.address == deposit.address }.map(\.asset)) == ["SOL", "USDC_SOL"])

            // Forward from the deposit address: SOL paid by itself, USDC with the gas wallet paying fee and rent.
            let recipient = try SolanaPublicKey(privateKey: Array(SHA256.hash(data: Data("recipient-\(UUID())".utf8))))
            let sender = ChainSender(db: db, clock: clock, vault: vault, builders: [SolanaSender(node: node)])
            try await sender.enqueue(SendRequest(id: "sol-forward", chain: "SOL", asset: "SOL", from: [deposit.address],
                                                 outputs: [SendOutput(address: recipient.base58, amount: 1_000_000_000)]))
            try await sender.enqueue(SendRequest(id: "usdc-forward", chain: "SOL", asset: "USDC_SOL", from: [deposit.address, gas.address],
                                                 outputs: [SendOutput(address: recipient.base58, amount: 3_000_000)]))
            try await sender.runDue(owner: "w")
            #expect(try await sender.record("sol-forward")?.status == .broadcast)
            #expect(try await sender.record("usdc-forward")?.status == .broadcast)
            _ = try await rpc.call("shim_advanceSlots", [.number("40")])
            try await sender.track()
            #expect(try await sender.record("sol-forward")?.status == .confirmed)
            #expect(try await sender.record("usdc-forward")?.status == .confirmed)
            #expect(try await node.balance(of: recipient.base58) == 1_000_000_000)
            #expect(try await node.tokenBalance(asset: "USDC_SOL", wallet: recipient.base58) == 3_000_000)
            #expect(try await node.balance(of: deposit.address) == 2_000_000_000 - 1_000_000_000 - 5_000)
            #expect(try await node.tokenBalance(asset: "USDC_SOL", wallet: deposit.address) == 2_000_000)
        }
    }
}
