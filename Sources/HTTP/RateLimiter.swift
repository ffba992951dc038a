import HTTPTypes
import Hummingbird
import Storage
import Synchronization

/// Fixed-window request counters, in memory on each node (a cluster of N nodes allows up to N× the
/// limit; the documented limits are per minute, so this errs on the side of availability).
public final class RateLimiter: Sendable {
    public struct Rule: Sendable {
        public let name: String
        public let limit: Int
        public let windowSeconds: Int64
        public init(name: String, limit: Int, windowSeconds: Int64 = 60) {
            self.name = name
            self.limit = limit
            self.windowSeconds = windowSeconds
        }
    }

    private struct Window { var start: Int64; var count: Int }
    private let windows = Mutex<[String: Window]>([:])
    private let clock: any AppClock

    public init(clock: any AppClock) { self.clock = clock }

    /// Counts one request for `key` under `rule`; throws 429 with `Retry-After` when over the limit.
    public func hit(_ rule: Rule, key: String) throws(APIError) {
        let now = clock.nowMillis()
        let windowMillis = rule.windowSeconds * 1000
        let retryAfter: Int? = windows.withLock { windows in
            if windows.count > 100_000 { windows = windows.filter { now - $0.value.start < windowMillis } }
            let id = rule.name + "|" + key
            var window = windows[id] ?? Window(start: now, count: 0)
            if now - window.start >= windowMillis { window = Window(start: now, count: 0) }
            window.count += 1
            windows[id] = window
            guard window.count > rule.limit else { return nil }
            return Int(max(1, (window.start + windowMillis - now + 999) / 1000))
        }
        if let retryAfter {
            throw APIError.tooManyRequests("Rate limit exceeded: \(rule.limit) requests per \(rule.windowSeconds) seconds", retryAfter: retryAfter)
        }
    }
}

/// Applies the general API limit: per API key or merchant when authenticated, else per client IP.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = RailyardRequestContext
    let limiter: RateLimiter
    let rule: RateLimiter.Rule

    public init(limiter: RateLimiter, rule: RateLimiter.Rule) {
        self.limiter = limiter
        self.rule = rule
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/api/") {
            try limiter.hit(rule, key: context.principal?.scope ?? "ip:\(context.clientIP)")
        }
        return try await next(request, context)
    }
}
