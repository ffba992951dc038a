import Chains
import Synchronization
import Storage
import Testing
import TestSupport

@Suite("Devnet chain and deposit watcher")
struct DevnetWatcherTests {
    static let migrations = DevnetChain.migrations + ChainWatchList.migrations

    func kinds(_ db: Database) async throws -> [String] {
        try await db.read { try await ChainWatchList().events(after: 0, in: $0) }.map { "\($0.kind):\($0.confirmations)" }
    }

    func setup(_ db: Database, clock: ManualClock) async throws -> (DevnetChain, DepositWatcher) {
        let devnet = DevnetChain(chain: "BTC", db: db, clock: clock)
        try await db.write { tx in
            try await ChainWatchList().watch(tx, chain: "BTC", address: "bcrt1qwatched", reference: "pay_1", now: clock.nowMillis())
        }
        return (devnet, DepositWatcher(adapter: devnet, db: db, clock: clock, owner: "node-a"))
    }

    @Test func depositIsDetectedConfirmedReorgedAndReconfirmed() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let (devnet, watcher) = try await setup(db, clock: clock)
            let txid = try await devnet.pay(to: "bcrt1qwatched", asset: "BTC", amount: 50_000)
            _ = try await devnet.pay(to: "bcrt1qsomeoneelse", asset: "BTC", amount: 7)
            try await watcher.poll()
            #expect(try await kinds(db) == ["detected:0"])
            try await devnet.mine(1)
            try await watcher.poll()
            try await devnet.mine(2)
            try await watcher.poll()
            #expect(try await kinds(db) == ["detected:0", "confirmations:1", "confirmations:3", "confirmed:3"])
            // Polling again without new blocks records nothing.
            #expect(try await watcher.poll().events == 0)

            try await devnet.reorg(depth: 3)
            try await watcher.poll()
            #expect(try await kinds(db).last == "reorged:0")
            #expect(try await devnet.status(txid: txid, outputIndex: 0) == .mempool)
            try await devnet.mine(3)
            try await watcher.poll()
            #expect(try await kinds(db).suffix(2) == ["confirmations:3", "confirmed:3"])
            let events = try await db.read { try await ChainWatchList().events(after: 0, in: $0) }
            #expect(events.allSatisfy { $0.reference == "pay_1" && $0.amount == 50_000 && $0.asset == "BTC" })
        }
    }

    @Test func doubleSpentDepositIsRemoved() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let (devnet, watcher) = try await setup(db, clock: clock)
            let txid = try await devnet.pay(to: "bcrt1qwatched", asset: "BTC", amount: 1_000)
            try await watcher.poll()
            try await devnet.doubleSpend(txid: txid)
            try await watcher.poll()
            #expect(try await kinds(db) == ["detected:0", "double_spent:0"])
            await #expect(throws: ChainError.self) { try await devnet.doubleSpend(txid: txid) }
            await #expect(throws: ChainError.self) { try await devnet.pay(to: "x", asset: "ETH", amount: 1) }
        }
    }

    @Test func restartAfterDowntimeCatchesUpExactlyOnce() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let (devnet, watcher) = try await setup(db, clock: clock)
            try await watcher.poll()
            // The server is down while money arrives and blocks are mined.
            _ = try await devnet.pay(to: "bcrt1qwatched", asset: "BTC", amount: 10)
            try await devnet.mine(1)
            _ = try await devnet.pay(to: "bcrt1qwatched", asset: "BTC", amount: 20)
            try await devnet.mine(5)
            let restarted = DepositWatcher(adapter: devnet, db: db, clock: clock, owner: "node-a")
            try await restarted.poll()
            try await restarted.poll()
            let events = try await db.read { try await ChainWatchList().events(after: 0, in: $0) }
            #expect(events.filter { $0.kind == "detected" }.count == 2)
            #expect(events.filter { $0.kind == "confirmed" }.count == 2)
            #expect(Set(events.map(\.id)).count == events.count)
        }
    }

    @Test func onlyOneNodeScansAChainAndAnotherTakesOverWhenItDies() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let (devnet, first) = try await setup(db, clock: clock)
            let second = DepositWatcher(adapter: devnet, db: db, clock: clock, owner: "node-b")
            #expect(try await first.poll().leader)
            #expect(try await second.poll().leader == false)
            clock.advance(seconds: 31)
            _ = try await devnet.pay(to: "bcrt1qwatched", asset: "BTC", amount: 5)
            #expect(try await second.poll().leader)
            #expect(try await first.poll().leader == false)
            #expect(try await kinds(db) == ["detected:0"])
        }
    }

    @Test func aFailingNodeIsAnErrorNotAnEmptyAnswer() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let (devnet, _) = try await setup(db, clock: clock)
            _ = try await devnet.pay(to: "bcrt1qwatched", asset: "BTC", amount: 5)
            let broken = DepositWatcher(adapter: FailingAdapter(inner: devnet), db: db, clock: clock, owner: "node-a")
            await #expect(throws: ChainError.self) { try await broken.poll() }
            #expect(try await kinds(db).isEmpty)
            let cursor = try await db.read { try await $0.raw("SELECT cursor_height FROM chain_watchers").first()?.decode(column: "cursor_height", as: Int64.self) }
            #expect(cursor == -1)
        }
    }

    @Test func devnetSurvivesARestart() async throws {
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock()
            let devnet = DevnetChain(chain: "ETH", db: db, clock: clock)
            let txid = try await devnet.pay(to: "0xabc", asset: "ETH", amount: 1_000_000_000_000_000_000)
            try await devnet.mine(12)
            let reopened = DevnetChain(chain: "ETH", db: db, clock: clock)
            #expect(try await reopened.tip().height == 12)
            #expect(try await reopened.status(txid: txid, outputIndex: 0) == .included(height: 1, blockHash: try await blockHash(db, height: 1)))
            // Same seed, same history: ids are deterministic.
            #expect(txid == DevnetChain.expectedID(seed: "railyard-devnet", chain: "ETH", kind: "tx", counter: 1))
        }
    }

    func blockHash(_ db: Database, height: Int64) async throws -> String {
        try await db.read { try #require(try await $0.raw("SELECT hash FROM devnet_blocks WHERE chain = 'ETH' AND height = \(bind: height) AND active = 1").first()).decode(column: "hash", as: String.self) }
    }
}

struct FailingAdapter: ChainAdapter {
    let inner: DevnetChain
    var chain: String { inner.chain }
    func tip() async throws -> ChainTip { throw ChainError.node("connection refused") }
    func transfers(to addresses: Set<String>, fromHeight: Int64) async throws -> [ObservedTransfer] { throw ChainError.node("connection refused") }
    func status(txid: String, outputIndex: Int) async throws -> TransferStatus { throw ChainError.node("connection refused") }
}

/// A backend that, like the EVM adapter, looks at a bounded range of blocks per call.
struct RangeLimitedChain: ChainAdapter {
    let inner: DevnetChain
    let limit: Int64
    var chain: String { inner.chain }
    var maxScanBlocks: Int64? { limit }
    func tip() async throws -> ChainTip { try await inner.tip() }
    func status(txid: String, outputIndex: Int) async throws -> TransferStatus { try await inner.status(txid: txid, outputIndex: outputIndex) }
    func transfers(to addresses: Set<String>, fromHeight: Int64) async throws -> [ObservedTransfer] {
        var seen: [ObservedTransfer] = []
        for transfer in try await inner.transfers(to: addresses, fromHeight: fromHeight) {
            if case .included(let height, _) = try await inner.status(txid: transfer.txid, outputIndex: transfer.outputIndex),
               height > fromHeight + limit - 1 { continue }  // beyond this call's range
            seen.append(transfer)
        }
        return seen
    }
}

@Suite("Deposit watcher behind a bounded-range backend")
struct BoundedScanTests {
    @Test func theCursorMovesOnlyAsFarAsTheBackendLookedAndWindowsStayOpenUntilCaughtUp() async throws {
        try await TestDatabase.with(migrations: DevnetChain.migrations + ChainWatchList.migrations) { db in
            let clock = ManualClock()
            let devnet = DevnetChain(chain: "ETH", db: db, clock: clock)
            try await db.write { tx in try await ChainWatchList().watch(tx, chain: "ETH", address: "0xwatched", reference: "pay_1", now: clock.nowMillis()) }
            let watcher = DepositWatcher(adapter: RangeLimitedChain(inner: devnet, limit: 40), db: db, clock: clock, owner: "node-a", rescanDepth: 10)
            func cursor() async throws -> (height: Int64, updated: Int64) {
                let row = try await db.read { try await $0.raw("SELECT cursor_height, updated_at FROM chain_watchers WHERE chain = 'ETH'").first() }
                return (try row!.decode(column: "cursor_height", as: Int64.self), try row!.decode(column: "updated_at", as: Int64.self))
            }
            let first = try await watcher.poll()
            #expect(first.caughtUp)
            let lookedAt = try await cursor().updated
            // The node goes away while 100 blocks pass; a payment lands in the last of them.
            try await devnet.mine(99)
            _ = try await devnet.pay(to: "0xwatched", asset: "ETH", amount: 5)
            try await devnet.mine(1)
            clock.advance(seconds: 60)
            var passes = 0
            var found = 0
            while true {
                let pass = try await watcher.poll()
                passes += 1
                found += pass.events
                if pass.caughtUp { break }
                // Behind the tip: the watcher has not looked at the whole chain, so it does not say it has.
                #expect(try await cursor().updated == lookedAt)
                #expect(try await cursor().height < 100)
            }
            #expect(passes == 4)  // 30 new blocks per pass (40 scanned, 10 again)
            #expect(found > 0)
            let end = try await cursor()
            #expect(end.height == 100 && end.updated > lookedAt)
        }
    }
}

/// A node whose first scan would otherwise start near the tip: it knows at which height a given time was.
struct TimedChain: ChainAdapter {
    let inner: DevnetChain
    let heightAtTime: @Sendable (Int64) -> Int64
    var chain: String { inner.chain }
    func tip() async throws -> ChainTip { try await inner.tip() }
    func status(txid: String, outputIndex: Int) async throws -> TransferStatus { try await inner.status(txid: txid, outputIndex: outputIndex) }
    func transfers(to addresses: Set<String>, fromHeight: Int64) async throws -> [ObservedTransfer] {
        var seen: [ObservedTransfer] = []
        for transfer in try await inner.transfers(to: addresses, fromHeight: fromHeight) {
            if case .included(let height, _) = try await inner.status(txid: transfer.txid, outputIndex: transfer.outputIndex), height < fromHeight { continue }
            seen.append(transfer)
        }
        return seen
    }
    func height(atOrBefore unixTime: Int64) async throws -> Int64? { heightAtTime(unixTime) }
}

@Suite("First scan of a chain")
struct FirstScanTests {
    @Test func bisectionFindsTheLastBlockAtOrBeforeATime() async throws {
        let times: [Int64] = [100, 110, 110, 125, 140, 160, 161, 200]
        for (time, expected) in [(99, 0), (100, 0), (110, 2), (124, 2), (125, 3), (199, 6), (200, 7), (5_000, 7)] as [(Int64, Int64)] {
            #expect(try await lastBlock(atOrBefore: time, tip: 7) { times[Int($0)] } == expected, "\(time)")
        }
    }

    @Test func addressesHandedOutWhileTheNodeWasDownAreScannedFromWhenTheyWereHandedOut() async throws {
        try await TestDatabase.with(migrations: DevnetChain.migrations + ChainWatchList.migrations) { db in
            let clock = ManualClock()
            let devnet = DevnetChain(chain: "ETH", db: db, clock: clock)
            try await db.write { tx in try await ChainWatchList().watch(tx, chain: "ETH", address: "0xwatched", reference: "pay_1", now: clock.nowMillis()) }
            // Paid in block 3; 200 blocks follow before the watcher ever scans.
            try await devnet.mine(2)
            _ = try await devnet.pay(to: "0xwatched", asset: "ETH", amount: 5)
            try await devnet.mine(201)
            let asked = Mutex<[Int64]>([])
            let adapter = TimedChain(inner: devnet) { time in asked.withLock { $0.append(time) }; return 2 }
            let pass = try await DepositWatcher(adapter: adapter, db: db, clock: clock, owner: "node-a", rescanDepth: 10).poll()
            #expect(pass.events > 0)  // near the tip (height 193+) it would have been missed
            // It asked for the block at the address's creation time less ten minutes.
            #expect(asked.withLock { $0 } == [clock.nowMillis() / 1000 - 600])
        }
    }
}
