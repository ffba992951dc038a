import Synchronization

/// Lets one background loop nudge another: a service that would otherwise sleep its whole poll
/// interval returns early (within about 10 ms) once signalled. A confirming block is then turned
/// into a webhook in milliseconds instead of the sum of three poll intervals; the intervals remain
/// the fallback (another node, a missed signal).
public final class Wakeup: Sendable {
    private let signalled = Mutex(false)

    public init() {}

    public func signal() { signalled.withLock { $0 = true } }

    /// Sleeps up to `duration`, or until signalled (a signal sent before the call counts too).
    public func wait(upTo duration: Duration) async throws {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if signalled.withLock({ flag in defer { flag = false }; return flag }) { return }
            try await Task.sleep(for: min(.milliseconds(10), deadline - ContinuousClock.now))
        }
    }
}
