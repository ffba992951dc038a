import Foundation
import Synchronization

/// Time as the application sees it. Injected everywhere so tests and the simulation control it.
public protocol AppClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func nowMillis() -> Int64
}

extension AppClock {
    public func now() -> Date { Date(timeIntervalSince1970: TimeInterval(nowMillis()) / 1000) }
}

public struct SystemClock: AppClock {
    public init() {}
    public func nowMillis() -> Int64 { Timestamp.nowMillis() }
}

/// A clock that only moves when told to.
public final class ManualClock: AppClock {
    private let millis: Mutex<Int64>
    public init(millis: Int64 = 1_767_225_600_000) { self.millis = Mutex(millis) }  // 2026-01-01T00:00:00Z
    public func nowMillis() -> Int64 { millis.withLock { $0 } }
    public func advance(seconds: Int64) { millis.withLock { $0 += seconds * 1000 } }
    public func advance(millis delta: Int64) { millis.withLock { $0 += delta } }
}

public enum Timestamp {
    public static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// ISO 8601 in UTC with seconds precision, as the API documents (`2024-01-15T10:30:00Z`).
    public static func iso8601(millis: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(millis / 1000)).formatted(.iso8601)
    }
}

/// Identifiers: a short type prefix plus a time-ordered random part (UUIDv7 layout), so ids sort by
/// creation time and never collide across nodes.
public enum Identifier {
    public static func make(_ prefix: String, clock: any AppClock = SystemClock()) -> String {
        prefix + "_" + uuidV7(millis: clock.nowMillis()).lowercased()
    }

    public static func uuidV7(millis: Int64) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in 6..<16 { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        for i in 0..<6 { bytes[i] = UInt8((UInt64(millis) >> (8 * (5 - i))) & 0xff) }
        bytes[6] = (bytes[6] & 0x0f) | 0x70
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.lowercaseHex
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
