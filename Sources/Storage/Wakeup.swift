import Synchronization

/// Lets one background loop nudge another: a service that would otherwise sleep its whole poll
/// interval returns as soon as it is signalled. A confirming block is then turned into a webhook in
/// milliseconds instead of the sum of three poll intervals; the intervals remain the fallback
/// (another node, a missed signal). A waiter parks on a continuation: an idle server's loops cost
/// one timer each per interval, not a wake-up every few milliseconds.
public final class Wakeup: Sendable {
    private struct State {
        /// A signal sent while nobody waited: the next wait returns at once.
        var signalled = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Waits in progress, and those released (timed out or cancelled) before they parked.
        var active: Set<UInt64> = []
        var released: Set<UInt64> = []
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// Wakes every current waiter, or the next one to wait.
    public func signal() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiters.isEmpty else {
                state.signalled = true
                return []
            }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Sleeps up to `duration`, or until signalled (a signal sent before the call counts too).
    /// Throws `CancellationError` when the task is cancelled.
    public func wait(upTo duration: Duration) async throws {
        let id: UInt64? = state.withLock { state in
            if state.signalled {
                state.signalled = false
                return nil
            }
            state.nextID &+= 1
            state.active.insert(state.nextID)
            return state.nextID
        }
        guard let id else { return }
        let timer = Task { [self] in
            try? await Task.sleep(for: duration)
            release(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.released.remove(id) != nil { return true }
                    if state.signalled {
                        state.signalled = false
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            release(id)
        }
        timer.cancel()
        state.withLock { state in
            state.active.remove(id)
            state.released.remove(id)
        }
        try Task.checkCancellation()
    }

    /// Ends one wait (its time is up or its task was cancelled), whether or not it has parked yet.
    private func release(_ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let continuation = state.waiters.removeValue(forKey: id) { return continuation }
            if state.active.contains(id) { state.released.insert(id) }
            return nil
        }
        continuation?.resume()
    }
}
