/// When to try a webhook again after a failed attempt.
///
/// `delays[n - 1]` is the pause (in seconds) after attempt `n` fails, so a schedule makes
/// `delays.count + 1` attempts in all. Each pause is spread by ±`jitter` (a fraction) using the
/// injected random source, so that a receiver coming back up is not hit by every retry at once.
public struct RetrySchedule: Sendable {
    public let delays: [Int64]
    public let jitter: Double
    /// Uniform random numbers in `0..<1`. Inject a constant (or seeded sequence) in tests.
    public let random: @Sendable () -> Double

    public init(delays: [Int64], jitter: Double = 0.2, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        precondition(delays.allSatisfy { $0 >= 0 }, "retry delays must not be negative")
        precondition((0.0..<1.0).contains(jitter), "jitter must be in 0..<1")
        self.delays = delays
        self.jitter = jitter
        self.random = random
    }

    /// 11 attempts: right away, then after 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 6 h, 8 h and
    /// 10 h — about 31.7 h in all, and more than 24 h even if every pause is jittered down by 20%.
    public static let `default` = RetrySchedule(delays: [30, 120, 600, 1_800, 3_600, 7_200, 14_400, 21_600, 28_800, 36_000])

    /// The same pauses with another random source.
    public func with(random: @escaping @Sendable () -> Double) -> RetrySchedule {
        RetrySchedule(delays: delays, jitter: jitter, random: random)
    }

    /// Attempts in all, the first included.
    public var maxAttempts: Int { delays.count + 1 }

    /// Seconds from the first attempt to the last, without jitter.
    public var totalSeconds: Int64 { delays.reduce(0, +) }

    /// Seconds from the first attempt to the last when every pause is jittered to its shortest.
    public var minimumTotalSeconds: Int64 { delays.reduce(0) { $0 + Int64((Double($1) * (1 - jitter)).rounded(.down)) } }

    /// The jittered pause, in milliseconds, after attempt `attempt` (1-based) fails; nil when that
    /// was the last attempt.
    public func delayMillis(afterAttempt attempt: Int) -> Int64? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        let base = Double(delays[attempt - 1]) * 1000
        let r = min(max(random(), 0), 1)
        let factor = 1 + jitter * (2 * r - 1)
        return Int64((base * factor).rounded())
    }

    /// When to run the next attempt after attempt `attempt` failed at `nowMillis`; nil for never.
    public func retryAt(afterAttempt attempt: Int, nowMillis: Int64) -> Int64? {
        delayMillis(afterAttempt: attempt).map { nowMillis + $0 }
    }
}
