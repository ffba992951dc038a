import Chains
import Crypto
import Foundation
import RailyardCrypto
import SQLKit
import Storage
import Testing
import TestSupport

/// Custody keys and the sender on the devnet: the same contract the real-node tests check on
/// litecoind, the EVM server and LiteSVM.
@Suite("Custody vault and sender (devnet)")
struct CustodySenderTests {
    static let migrations = JobQueue.migrations + DevnetChain.migrations + ChainWatchList.migrations + CustodyVault.migrations + ChainSender.migrations

    @Test func seedIsSealedAtRestAndOnlyTheRightKeyOpensIt() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let key = SymmetricKey(size: .bits256)
            let vault = CustodyVault(key: key, network: .regtest)
            let gas = try await vault.register(db, chain: .eth, purpose: .gas, index: 0, now: 1)
            let sealed = try await db.read { try await $0.raw("SELECT sealed FROM custody_seeds").all() }
            #expect(sealed.count == 1)
            let text = try sealed[0].decode(column: "sealed", as: String.self)
            #expect(text.hasPrefix("v1:"))
            // No mnemonic word sequence in the stored text.
            #expect(!BIP39.englishWordlist.prefix(200).contains { text.contains(" \($0) ") })
            // The same key opens it again (a restart): same addresses.
            let again = try await CustodyVault(key: key, network: .regtest).address(db, chain: .eth, purpose: .gas, index: 0)
            #expect(again.address == gas.address)
            #expect(gas.path == "m/44'/60'/2'/0/0")
            // Another master key cannot.
            let wrong = CustodyVault(key: SymmetricKey(size: .bits256), network: .regtest)
            await #expect(throws: CustodyVault.Error.sealedSeedUnreadable) { try await wrong.address(db, chain: .eth, purpose: .gas, index: 0) }
        }
    }

    @Test func addressesAreAllocatedInOrderWithoutGapsAndWatched() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let vault = CustodyVault(key: SymmetricKey(size: .bits256), network: .regtest)
            try await vault.prepare(db)
            let first = try await db.write { tx in try await vault.allocate(tx, chain: .ltc, purpose: .deposit, reference: "pay_1", now: 1) }
            // A request that fails after allocating rolls the index back with it.
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await db.write { tx in
                    _ = try await vault.allocate(tx, chain: .ltc, purpose: .deposit, reference: "pay_x", now: 2)
                    throw Abort()
                }
            }
            let second = try await db.write { tx in try await vault.allocate(tx, chain: .ltc, purpose: .deposit, reference: "pay_2", now: 3) }
            let sol = try await db.write { tx in try await vault.allocate(tx, chain: .sol, purpose: .deposit, reference: "pay_3", now: 4) }
            #expect(first.index == 0 && second.index == 1)
            #expect(first.path == "m/84'/1'/0'/0/0" && second.path == "m/84'/1'/0'/0/1")
            #expect(first.address.hasPrefix("rltc1") && first.address != second.address)
            #expect(sol.path == "m/44'/501'/0'/0'")
            let watched = try await db.read { try await $0.raw("SELECT address, reference FROM chain_addresses ORDER BY created_at").all() }
            #expect(try watched.map { try $0.decode(column: "reference", as: String.self) } == ["pay_1", "pay_2", "pay_3"])
            // The signing key belongs to the allocated address; a foreign address has none.
            let key = try await vault.signingKey(db, chain: .ltc, address: second.address)
            #expect(try AddressDerivation.address(publicKey: try Secp256k1.publicKey(privateKey: key), chain: .ltc, network: .regtest) == second.address)
            await #expect(throws: CustodyVault.Error.self) { try await vault.signingKey(db, chain: .ltc, address: "rltc1qnotours") }
        }
    }

    func setup(_ db: Database, clock: ManualClock) async throws -> (DevnetChain, CustodyVault, ChainSender, CustodyAddress) {
        let devnet = DevnetChain(chain: "LTC", db: db, clock: clock)
        let vault = CustodyVault(key: SymmetricKey(size: .bits256), network: .regtest)
        try await vault.prepare(db)
        let deposit = try await db.write { tx in try await vault.allocate(tx, chain: .ltc, purpose: .deposit, reference: "pay_1", now: 1) }
        let sender = ChainSender(db: db, clock: clock, vault: vault, builders: [DevnetSender(devnet: devnet)])
        return (devnet, vault, sender, deposit)
    }

    @Test func forwardIsStoredBeforeBroadcastSentOnceAndTrackedToConfirmation() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let (devnet, vault, sender, deposit) = try await setup(db, clock: clock)
            _ = try await devnet.pay(to: deposit.address, asset: "LTC", amount: 1_000_000)
            try await devnet.mine(1)
            let change = try await db.write { tx in try await vault.allocate(tx, chain: .ltc, purpose: .change, reference: nil, now: 2) }
            let request = SendRequest(id: "forward:pay_1", chain: "LTC", asset: "LTC", from: [deposit.address],
                                      outputs: [SendOutput(address: "rltc1qmerchant", amount: 900_000), SendOutput(address: "rltc1qfees", amount: 10_000)],
                                      changeAddress: change.address, reference: "pay_1")
            try await sender.enqueue(request)
            try await sender.enqueue(request)  // same id, same request: one send
            var other = request
            other.outputs[0] = SendOutput(address: "rltc1qmerchant", amount: 1)
            await #expect(throws: ChainError.self) { try await sender.enqueue(other) }

            #expect(try await sender.runDue(owner: "w1") == 1)
            let sent = try #require(try await sender.record("forward:pay_1"))
            #expect(sent.status == .broadcast && sent.broadcasts == 1 && sent.fee == 100)
            let txid = try #require(sent.txid)
            // A retry broadcasts the stored bytes again: the same transaction, never a second one.
            try await sender.process("forward:pay_1")
            let again = try #require(try await sender.record("forward:pay_1"))
            #expect(again.txid == txid && again.raw == sent.raw && again.broadcasts == 2)
            let outputs = try await db.read { try await $0.raw("SELECT address, amount FROM devnet_outputs WHERE txid = \(bind: txid) ORDER BY output_index").all() }
            #expect(try outputs.map { "\(try $0.decode(column: "address", as: String.self))=\(try $0.decode(column: "amount", as: String.self))" }
                    == ["rltc1qmerchant=900000", "rltc1qfees=10000", "\(change.address)=89900"])

            // Confirmations are counted on the active chain; a reorg takes them away again.
            try await devnet.mine(1)
            #expect(try await sender.track().first?.confirmations == 1)
            try await devnet.mine(5)
            try await sender.track()
            #expect(try await sender.record("forward:pay_1")?.status == .confirmed)
            try await devnet.reorg(depth: 6)
            try await sender.track()
            let reorged = try #require(try await sender.record("forward:pay_1"))
            #expect(reorged.status == .broadcast && reorged.confirmations == 0)
            try await devnet.mine(6)
            try await sender.track()
            #expect(try await sender.record("forward:pay_1")?.status == .confirmed)
        }
    }

    @Test func coinsAreClaimedOnceAndShortfallsFailWithoutSigning() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let (devnet, _, sender, deposit) = try await setup(db, clock: clock)
            _ = try await devnet.pay(to: deposit.address, asset: "LTC", amount: 50_000)
            // Unconfirmed coins are not spent.
            try await sender.enqueue(SendRequest(id: "early", chain: "LTC", asset: "LTC", from: [deposit.address],
                                                 outputs: [SendOutput(address: "rltc1qm", amount: 50_000)], feeFromOutput: 0))
            try await sender.runDue(owner: "w")
            let early = try #require(try await sender.record("early"))
            #expect(early.status == .failed && early.raw == nil && early.lastError?.contains("no confirmed") == true)
            try await devnet.mine(1)
            // More than there is: refused before anything is signed.
            try await sender.enqueue(SendRequest(id: "too-much", chain: "LTC", asset: "LTC", from: [deposit.address],
                                                 outputs: [SendOutput(address: "rltc1qm", amount: 50_000)]))
            try await sender.runDue(owner: "w")
            #expect(try await sender.record("too-much")?.status == .failed)
            // A sweep pays the fee from the output; a second sweep of the same coins finds nothing left.
            try await sender.enqueue(SendRequest(id: "sweep-1", chain: "LTC", asset: "LTC", from: [deposit.address],
                                                 outputs: [SendOutput(address: "rltc1qm", amount: 50_000)], feeFromOutput: 0))
            try await sender.enqueue(SendRequest(id: "sweep-2", chain: "LTC", asset: "LTC", from: [deposit.address],
                                                 outputs: [SendOutput(address: "rltc1qm", amount: 50_000)], feeFromOutput: 0))
            try await sender.runDue(owner: "w")
            #expect(try await sender.record("sweep-1")?.status == .broadcast)
            let second = try #require(try await sender.record("sweep-2"))
            #expect(second.status == .failed && second.raw == nil)
            // Only custody addresses can be spent from.
            try await sender.enqueue(SendRequest(id: "foreign", chain: "LTC", asset: "LTC", from: ["rltc1qsomeoneelse"],
                                                 outputs: [SendOutput(address: "rltc1qm", amount: 1_000)]))
            try await sender.runDue(owner: "w")
            #expect(try await sender.record("foreign")?.lastError?.contains("not an address this server holds keys for") == true)
            await #expect(throws: ChainError.self) {
                try await sender.enqueue(SendRequest(id: "eth", chain: "ETH", asset: "ETH", from: [deposit.address], outputs: [SendOutput(address: "x", amount: 1)]))
            }
        }
    }

    @Test func twoWorkersOnOneSendSignOnceAndKeepItsCoinsClaimed() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let (devnet, _, sender, deposit) = try await setup(db, clock: clock)
            _ = try await devnet.pay(to: deposit.address, asset: "LTC", amount: 80_000)
            try await devnet.mine(1)
            try await sender.enqueue(SendRequest(id: "once", chain: "LTC", asset: "LTC", from: [deposit.address],
                                                 outputs: [SendOutput(address: "rltc1qm", amount: 80_000)], feeFromOutput: 0))
            // Two workers at once (as after a lease expiry): one signs; the other either finds it signed or
            // loses the race for the coin with a transient error its job retries.
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<2 { group.addTask { try? await sender.process("once") } }
            }
            try await sender.process("once")
            let record = try #require(try await sender.record("once"))
            #expect(record.status == .broadcast && record.raw != nil, "\(record)")
            let claims = try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM chain_claimed_outputs WHERE send_id = 'once'").first()?.decode(column: "n", as: Int.self) }
            #expect(claims == 1)
            let spends = try await db.read { try await $0.raw("SELECT COUNT(DISTINCT spent_by) AS n FROM devnet_outputs WHERE spent_by IS NOT NULL").first()?.decode(column: "n", as: Int.self) }
            #expect(spends == 1)
        }
    }

    /// A builder that fails the way its `failure` says.
    struct FailingBuilder: TransactionBuilder {
        let devnet: DevnetChain
        let failure: @Sendable () -> any Error
        var chain: String { devnet.chain }
        var adapter: any ChainAdapter { devnet }
        func build(_ request: SendRequest, context: BuildContext, db: Database,
                   store: @escaping @Sendable (Transaction, SignedSend) async throws -> Void) async throws -> SignedSend { throw failure() }
        func broadcast(_ raw: String) async throws -> String { throw ChainError.node("unused") }
    }

    @Test func unbuildableRequestsFailAtOnceAndNodeOutagesAreRetried() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let (devnet, vault, _, deposit) = try await setup(db, clock: clock)
            let request = SendRequest(id: "s", chain: "LTC", asset: "LTC", from: [deposit.address], outputs: [SendOutput(address: "nowhere", amount: 1_000)])
            let badAddress = ChainSender(db: db, clock: clock, vault: vault,
                                         builders: [FailingBuilder(devnet: devnet, failure: { AddressError(reason: "not an LTC address") })])
            try await badAddress.enqueue(request)
            try await badAddress.runDue(owner: "w")
            let failed = try #require(try await badAddress.record("s"))
            #expect(failed.status == .failed && failed.lastError?.contains("not an LTC address") == true)
            // A node outage leaves the send queued and its job scheduled again.
            try await TestDatabase.with(migrations: Self.migrations) { other in
                let (otherDevnet, otherVault, _, otherDeposit) = try await setup(other, clock: clock)
                let outage = ChainSender(db: other, clock: clock, vault: otherVault,
                                         builders: [FailingBuilder(devnet: otherDevnet, failure: { ChainError.node("connection refused") })])
                try await outage.enqueue(SendRequest(id: "s", chain: "LTC", asset: "LTC", from: [otherDeposit.address], outputs: [SendOutput(address: "x", amount: 1)]))
                try await outage.runDue(owner: "w")
                #expect(try await outage.record("s")?.status == .queued)
                clock.advance(seconds: 600)
                #expect(try await outage.runDue(owner: "w") == 1)
            }
        }
    }
}
