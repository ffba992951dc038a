import Chains
import Foundation
import RailyardCrypto
import Storage
import Testing
import TestSupport

/// The same watcher on real chain software, started by the test harness (Tests/Harness/harness.sh).
/// Without the harness these tests are skipped; with it they must pass.
@Suite("Chain adapters on real runtimes")
struct NodeAdapterTests {
    static let env = ProcessInfo.processInfo.environment
    static let ltcURL = env["RAILYARD_TEST_LTC_RPC_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let evmURL = env["RAILYARD_TEST_EVM_RPC_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let usdc = env["RAILYARD_TEST_USDC_CONTRACT"].flatMap { $0.isEmpty ? nil : $0 }
    static let migrations = DevnetChain.migrations + ChainWatchList.migrations

    func kinds(_ db: Database) async throws -> [String] {
        try await db.read { try await ChainWatchList().events(after: 0, in: $0) }.map { "\($0.kind):\($0.confirmations)" }
    }

    @Test(.enabled(if: ltcURL != nil, "needs the litecoind regtest harness"))
    func litecoinRegtestDepositConfirmsReorgsAndRestores() async throws {
        let rpc = try JSONRPCClient(url: Self.ltcURL!)
        // A funded wallet with keys plays the customer; Railyard's wallet is watch-only.
        // Coins come from the harness's bank wallet (mined while a block paid 50 LTC): mining 101 blocks
        // here would run the regtest subsidy (halved every 150 blocks) down over a full run.
        let payer = ProcessInfo.processInfo.environment["RAILYARD_TEST_LTC_BANK_WALLET"] ?? "bank"
        let payerAddress = try #require(try await rpc.call("getnewaddress", [.string(""), .string("bech32")], path: "/wallet/\(payer)").stringValue)

        let key = Secp256k1.generatePrivateKey()
        let address = try AddressDerivation.address(publicKey: try Secp256k1.publicKey(privateKey: key), chain: .ltc, network: .regtest)
        #expect(address.hasPrefix("rltc1"))
        let adapter = try BitcoinCoreChain(chain: "LTC", rpc: rpc, wallet: "watch-\(UUID().uuidString.prefix(8))")
        try await adapter.prepareWallet()
        try await adapter.watch([address])

        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            try await db.write { tx in try await ChainWatchList().watch(tx, chain: "LTC", address: address, reference: "inv_1", now: clock.nowMillis()) }
            let watcher = DepositWatcher(adapter: adapter, db: db, clock: clock, owner: "test")
            try await watcher.poll()
            let txid = try #require(try await rpc.call("sendtoaddress", [.string(address), .number("0.125")], path: "/wallet/\(payer)").stringValue)
            try await watcher.poll()
            #expect(try await kinds(db) == ["detected:0"])
            let blocks = try #require(try await rpc.call("generatetoaddress", [.number("1"), .string(payerAddress)]).arrayValue)
            try await watcher.poll()
            _ = try await rpc.call("generatetoaddress", [.number("5"), .string(payerAddress)])
            try await watcher.poll()
            #expect(try await kinds(db) == ["detected:0", "confirmations:1", "confirmations:6", "confirmed:6"])
            let events = try await db.read { try await ChainWatchList().events(after: 0, in: $0) }
            #expect(events.allSatisfy { $0.amount == 12_500_000 && $0.txid == txid && $0.reference == "inv_1" })

            // Invalidate the block holding the deposit: it is back in the mempool, unconfirmed.
            _ = try await rpc.call("invalidateblock", [blocks[0]])
            try await watcher.poll()
            #expect(try await kinds(db).last == "reorged:0")
            #expect(try await adapter.status(txid: txid, outputIndex: events[0].outputIndex) == .mempool)
            // Reconsider it: confirmed again in the same block.
            _ = try await rpc.call("reconsiderblock", [blocks[0]])
            try await watcher.poll()
            let afterReconsider = try await kinds(db)
            #expect(afterReconsider.suffix(2) == ["confirmations:6", "confirmed:6"], "\(afterReconsider)")
            // A node that stops answering is an error, not "no deposits".
            let dead = try BitcoinCoreChain(chain: "LTC", rpc: try JSONRPCClient(url: "http://u:p@127.0.0.1:1"))
            await #expect(throws: ChainError.self) { try await dead.tip() }
        }
    }

    @Test(.enabled(if: evmURL != nil, "needs the EVM JSON-RPC harness"))
    func evmNativeDepositConfirmsAndARevertedChainRemovesIt() async throws {
        let rpc = try JSONRPCClient(url: Self.evmURL!)
        let funded = try #require(try await rpc.call("eth_accounts").arrayValue?.first?.stringValue)
        let watched = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
        let adapter = try EVMChain(chain: "ETH", rpc: rpc, tokens: [:])
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            try await db.write { tx in try await ChainWatchList().watch(tx, chain: "ETH", address: watched, reference: "inv_2", now: clock.nowMillis()) }
            let watcher = DepositWatcher(adapter: adapter, db: db, clock: clock, owner: "test")
            try await watcher.poll()
            let snapshot = try await rpc.call("evm_snapshot")
            let txid = try #require(try await rpc.call("eth_sendTransaction", [.object([
                "from": .string(funded), "to": .string(watched), "value": .string("0xde0b6b3a7640000"),
            ])]).stringValue)
            try await watcher.poll()
            let afterPayment = try await kinds(db)
            #expect(afterPayment == ["detected:1", "confirmations:1"], "\(afterPayment)")
            _ = try await rpc.call("evm_mine", [])
            for _ in 0..<10 { _ = try await rpc.call("evm_mine", []) }
            try await watcher.poll()
            #expect(try await kinds(db).suffix(2) == ["confirmations:12", "confirmed:12"])
            let events = try await db.read { try await ChainWatchList().events(after: 0, in: $0) }
            #expect(events.allSatisfy { $0.amount == 1_000_000_000_000_000_000 && $0.txid == txid })
            // Revert to before the payment and build a longer chain without it.
            _ = try await rpc.call("evm_revert", [snapshot])
            for _ in 0..<15 { _ = try await rpc.call("evm_mine", []) }
            try await watcher.poll()
            #expect(try await kinds(db).last == "double_spent:0")
        }
    }

    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness with its EIP-3009 USDC token"))
    func evmTokenDepositIsDetectedFromTransferLogs() async throws {
        let rpc = try JSONRPCClient(url: Self.evmURL!)
        let holder = try #require(try await rpc.call("eth_accounts").arrayValue?.first?.stringValue)
        let watched = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
        let adapter = try EVMChain(chain: "ETH", rpc: rpc, tokens: ["USDC_ETH": Self.usdc!])
        #expect(try await adapter.tokenBalance(contract: Self.usdc!, owner: watched) == 0)
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            try await db.write { tx in try await ChainWatchList().watch(tx, chain: "ETH", address: watched, reference: "inv_3", now: clock.nowMillis()) }
            let watcher = DepositWatcher(adapter: adapter, db: db, clock: clock, owner: "test")
            try await watcher.poll()
            // transfer(watched, 12.345678 USDC) from the token holder, ABI-encoded by RailyardCrypto.
            let call = try ERC20.transfer(to: watched, amount: Word256(12_345_678))
            let txid = try #require(try await rpc.call("eth_sendTransaction", [.object([
                "from": .string(holder), "to": .string(Self.usdc!), "data": .string(Hex.encode(call, prefix: true)),
            ])]).stringValue)
            try await watcher.poll()
            let events = try await db.read { try await ChainWatchList().events(after: 0, in: $0) }
            #expect(events.map(\.kind) == ["detected", "confirmations"])
            #expect(events.allSatisfy { $0.asset == "USDC_ETH" && $0.amount == 12_345_678 && $0.txid == txid && $0.reference == "inv_3" })
            #expect(try await adapter.tokenBalance(contract: Self.usdc!, owner: watched) == 12_345_678)
            // The receipt's Transfer log, as settlement confirms it: exact value only, and no answer
            // (not "no match") for a transaction this node has no receipt for.
            #expect(try await adapter.hasTransferLog(txid: txid, contract: Self.usdc!, from: holder, to: watched, value: "12345678") == true)
            #expect(try await adapter.hasTransferLog(txid: txid, contract: Self.usdc!, from: holder, to: watched, value: "12345677") == false)
            let unknown = Hex.encode(Secp256k1.generatePrivateKey(), prefix: true)
            #expect(try await adapter.hasTransferLog(txid: unknown, contract: Self.usdc!, from: holder, to: watched, value: "12345678") == nil)
        }
    }

    /// The state view answers a burst of reads with one node round trip per distinct read and block,
    /// keeps answering from the block it saw until the head is looked up again, and `fresh` sees a
    /// block that arrived since.
    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness with its EIP-3009 USDC token"))
    func evmStateViewSharesReadsPerBlockAndSeesNewBlocksWhenFresh() async throws {
        let rpc = try JSONRPCClient(url: Self.evmURL!)
        let holder = try #require(try await rpc.call("eth_accounts").arrayValue?.first?.stringValue)
        let owner = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
        let adapter = try EVMChain(chain: "ETH", rpc: rpc, tokens: ["USDC_ETH": Self.usdc!])
        // An hour between head lookups: only `fresh` moves this view to a new block.
        let view = EVMStateView(node: adapter, headInterval: .seconds(3600))
        let balances = try await withThrowingTaskGroup(of: Word256.self) { group in
            for _ in 0..<32 { group.addTask { try await view.tokenBalance(contract: Self.usdc!, owner: owner) } }
            return try await group.reduce(into: [Word256]()) { $0.append($1) }
        }
        #expect(balances.count == 32 && balances.allSatisfy { $0 == Word256(0) })
        #expect(view.roundTrips == 2, "one head lookup and one balanceOf for 32 concurrent reads")
        let nonce = [UInt8](repeating: 7, count: 32)
        #expect(try await view.authorizationUsed(contract: Self.usdc!, authorizer: owner, nonce: nonce) == false)
        #expect(view.roundTrips == 3)

        let call = try ERC20.transfer(to: owner, amount: Word256(5_000))
        _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(holder), "to": .string(Self.usdc!), "data": .string(Hex.encode(call, prefix: true))])])
        // Pinned to the block it saw: still the old answer, no node round trip.
        #expect(try await view.tokenBalance(contract: Self.usdc!, owner: owner) == Word256(0))
        #expect(view.roundTrips == 3)
        // Fresh: the new head, then the read at it.
        #expect(try await view.tokenBalance(contract: Self.usdc!, owner: owner, fresh: true) == Word256(5_000))
        #expect(try await view.head() == (try await adapter.blockNumber()))
        #expect(view.roundTrips == 5)
        // The same as a plain read of the node at `latest`.
        #expect(try await adapter.tokenBalance(contract: Self.usdc!, owner: owner) == 5_000)
    }

    /// A steady stream of cached reads never waits for the head: past half its interval the head is
    /// looked up ahead of time, so the cache is still good after the interval has passed.
    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness with its EIP-3009 USDC token"))
    func evmStateViewLooksTheHeadUpAheadOfTime() async throws {
        let adapter = try EVMChain(chain: "ETH", rpc: try JSONRPCClient(url: Self.evmURL!), tokens: ["USDC_ETH": Self.usdc!])
        let view = EVMStateView(node: adapter, headInterval: .seconds(2))
        let owner = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
        let nonce = [UInt8](repeating: 9, count: 32)
        _ = try await view.authorizationAndBalance(contract: Self.usdc!, authorizer: owner, nonce: nonce)
        #expect(view.roundTrips == 3, "a head lookup and the two reads")
        #expect(try view.cachedAuthorizationAndBalance(contract: Self.usdc!, authorizer: owner, nonce: nonce) != nil)
        #expect(view.roundTrips == 3, "a young head is not looked up again")
        try await Task.sleep(for: .milliseconds(1200))
        // Past half the interval: answered from the cache, and the head is looked up in the background.
        #expect(try view.cachedAuthorizationAndBalance(contract: Self.usdc!, authorizer: owner, nonce: nonce) != nil)
        #expect(view.roundTrips == 4)
        try await Task.sleep(for: .milliseconds(1200))
        // 2.4 s after the first lookup, but 1.2 s after the one made ahead of time: the head is still
        // young, so asking for it costs no round trip (other tests may have moved the chain meanwhile,
        // so the reads themselves may be gone).
        _ = try await view.head()
        #expect(view.roundTrips == 4)
    }
}
