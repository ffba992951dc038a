import Foundation
import RailyardCrypto
import Synchronization

/// Contract reads for a hot path (x402 verification), pinned to the newest block this process has
/// seen. State only changes with a block, so a read at one block is cached until the head moves, and
/// concurrent misses share one node round trip. The head is looked up at most once per
/// `headInterval`, so an answer is at most that much older than a read of `latest`; a caller that
/// must not act on an old answer asks for `fresh`, which looks the head up first (and still reuses
/// the cached reads when no block has arrived since).
public final class EVMStateView: Sendable {
    let node: EVMChain
    let headInterval: Duration
    /// Reads kept per head block at most; a flood of distinct reads starts the cache over.
    let maxEntries: Int
    private let state = Mutex(State())
    private let roundTripCount = Atomic<Int>(0)

    /// Requests sent to the node so far (head lookups and reads): what this view saves is visible.
    public var roundTrips: Int { roundTripCount.load(ordering: .relaxed) }

    private struct State {
        var head: Int64?
        /// When the head was last answered by the node.
        var checkedAt: ContinuousClock.Instant?
        /// The lookup in flight, numbered in the order lookups start.
        var headLookup: (Task<Int64, any Error>, UInt64)?
        var lookups: UInt64 = 0
        /// The number of the lookup whose answer is `head`.
        var appliedLookup: UInt64 = 0
        /// Reads at `head`, by contract and call data; a pending read is shared by its waiters.
        var reads: [ReadKey: Read] = [:]
    }

    private struct ReadKey: Hashable {
        let block: Int64
        let contract: String
        let data: [UInt8]

        // The call data hashed as one run of bytes (an array's own hash feeds the hasher one byte at a time).
        func hash(into hasher: inout Hasher) {
            hasher.combine(block)
            hasher.combine(contract)
            data.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    private enum Read {
        case done([UInt8])
        case pending(Task<[UInt8], any Error>)
    }

    public init(node: EVMChain, headInterval: Duration = .milliseconds(250), maxEntries: Int = 50_000) {
        self.node = node
        self.headInterval = headInterval
        self.maxEntries = maxEntries
    }

    /// The newest block number known, looked up again when older than `headInterval` or when `fresh`.
    public func head(fresh: Bool = false) async throws -> Int64 {
        let now = ContinuousClock.now
        enum Next { case known(Int64), wait(Task<Int64, any Error>) }
        let next: Next = state.withLock { state in
            if !fresh, let head = state.head, let checkedAt = state.checkedAt, now - checkedAt < headInterval { return .known(head) }
            return .wait(startHeadLookup(&state))
        }
        switch next {
        case .known(let head): return head
        case .wait(let lookup): return try await lookup.value
        }
    }

    /// The lookup in flight, or a new one. The lookup applies its own answer, so one started ahead of
    /// time (see `cachedAnswers`) moves the head without anyone waiting for it.
    private func startHeadLookup(_ state: inout State) -> Task<Int64, any Error> {
        if let (running, _) = state.headLookup { return running }
        state.lookups += 1
        let sequence = state.lookups
        roundTripCount.add(1, ordering: .relaxed)
        let node = self.node
        let task = Task {
            do {
                return self.apply(head: try await node.blockNumber(), lookup: sequence)
            } catch {
                self.state.withLock { state in
                    if state.headLookup?.1 == sequence { state.headLookup = nil }
                }
                throw error
            }
        }
        state.headLookup = (task, sequence)
        return task
    }

    private func apply(head: Int64, lookup sequence: UInt64) -> Int64 {
        state.withLock { state in
            if state.headLookup?.1 == sequence { state.headLookup = nil }
            // Only a lookup started after the one that set the head may replace it: a slow
            // lookup must not move the head back over a newer answer.
            guard sequence > state.appliedLookup else { return state.head ?? head }
            state.appliedLookup = sequence
            state.checkedAt = ContinuousClock.now
            if state.head != head {
                state.head = head
                state.reads = [:]
            }
            return head
        }
    }

    /// `eth_call` of `data` on `contract` at the head block.
    public func call(contract: String, data: [UInt8], fresh: Bool = false) async throws -> [UInt8] {
        let block = try await head(fresh: fresh)
        let key = ReadKey(block: block, contract: contract.lowercased(), data: data)
        enum Next { case answer([UInt8]), wait(Task<[UInt8], any Error>) }
        let next: Next = state.withLock { state in
            switch state.reads[key] {
            case .done(let answer)?: return .answer(answer)
            case .pending(let task)?: return .wait(task)
            case nil:
                let node = self.node
                roundTripCount.add(1, ordering: .relaxed)
                let task = Task {
                    do { return try await node.call(contract: contract, data: data, block: block) } catch {
                        // A load-balanced endpoint whose backend lags may not know the block yet.
                        return try await node.call(contract: contract, data: data)
                    }
                }
                // Only reads at the current head are kept; an older head's read is answered, not cached.
                if state.head == block {
                    if state.reads.count >= maxEntries { state.reads = [:] }
                    state.reads[key] = .pending(task)
                }
                return .wait(task)
            }
        }
        switch next {
        case .answer(let answer): return answer
        case .wait(let task):
            do {
                let answer = try await task.value
                state.withLock { state in
                    if case .pending(let stored)? = state.reads[key], stored == task { state.reads[key] = .done(answer) }
                }
                return answer
            } catch {
                state.withLock { state in
                    if case .pending(let stored)? = state.reads[key], stored == task { state.reads[key] = nil }
                }
                throw error
            }
        }
    }

    /// The answers to `calls` on `contract` when every one is cached at a head looked up within
    /// `headInterval`; nil otherwise. No suspension: the common case of a stream of verifications
    /// costs two dictionary lookups.
    func cachedAnswers(contract: String, _ calls: [[UInt8]]) -> [[UInt8]]? {
        let now = ContinuousClock.now
        let contract = contract.lowercased()
        return state.withLock { state in
            guard let head = state.head, let checkedAt = state.checkedAt, now - checkedAt < headInterval else { return nil }
            // Past half its life the head is looked up ahead of time, so a steady stream of
            // verifications never stops to wait for it.
            if now - checkedAt >= headInterval / 2, state.headLookup == nil { _ = startHeadLookup(&state) }
            var answers: [[UInt8]] = []
            answers.reserveCapacity(calls.count)
            for data in calls {
                guard case .done(let answer)? = state.reads[ReadKey(block: head, contract: contract, data: data)] else { return nil }
                answers.append(answer)
            }
            return answers
        }
    }

    /// Whether an EIP-3009 authorization is used and what its authorizer holds, at the head block: from
    /// the cache without a task when both are there, else both read from the node concurrently.
    /// `authorizer` must already be a validated address (its checksum is not checked again here).
    public func authorizationAndBalance(contract: String, authorizer: String, nonce: [UInt8], fresh: Bool = false) async throws -> (used: Bool, balance: Word256) {
        let (usedCall, balanceCall) = try Self.authorizationAndBalanceCalls(authorizer: authorizer, nonce: nonce)
        if !fresh, let answers = cachedAnswers(contract: contract, [usedCall, balanceCall]) { return try Self.decode(used: answers[0], balance: answers[1]) }
        async let used = call(contract: contract, data: usedCall, fresh: fresh)
        async let balance = call(contract: contract, data: balanceCall, fresh: fresh)
        return try Self.decode(used: try await used, balance: try await balance)
    }

    /// ``authorizationAndBalance(contract:authorizer:nonce:fresh:)`` when both answers are cached at a
    /// recent head, without an await (each call into an async function costs a trip through the
    /// event loop's queue); nil when the node must be asked.
    public func cachedAuthorizationAndBalance(contract: String, authorizer: String, nonce: [UInt8]) throws -> (used: Bool, balance: Word256)? {
        let (usedCall, balanceCall) = try Self.authorizationAndBalanceCalls(authorizer: authorizer, nonce: nonce)
        guard let answers = cachedAnswers(contract: contract, [usedCall, balanceCall]) else { return nil }
        return try Self.decode(used: answers[0], balance: answers[1])
    }

    private static func authorizationAndBalanceCalls(authorizer: String, nonce: [UInt8]) throws -> ([UInt8], [UInt8]) {
        (try EVMChain.authorizationStateCall(authorizer: authorizer, nonce: nonce, validated: true), try EVMChain.balanceOfCall(owner: authorizer, validated: true))
    }

    private static func decode(used: [UInt8], balance: [UInt8]) throws -> (used: Bool, balance: Word256) {
        guard balance.count == 32 else { throw ChainError.node("balanceOf answered \(balance.count) bytes") }
        return (try ABI.decodeBool(used), try Word256(bytes: balance))
    }

    /// EIP-3009 `authorizationState(authorizer, nonce)` at the head block.
    public func authorizationUsed(contract: String, authorizer: String, nonce: [UInt8], fresh: Bool = false) async throws -> Bool {
        try ABI.decodeBool(try await call(contract: contract, data: try EVMChain.authorizationStateCall(authorizer: authorizer, nonce: nonce), fresh: fresh))
    }

    /// ERC-20 `balanceOf(owner)` at the head block.
    public func tokenBalance(contract: String, owner: String, fresh: Bool = false) async throws -> Word256 {
        let answer = try await call(contract: contract, data: try EVMChain.balanceOfCall(owner: owner), fresh: fresh)
        guard answer.count == 32 else { throw ChainError.node("balanceOf answered \(answer.count) bytes") }
        return try Word256(bytes: answer)
    }
}
