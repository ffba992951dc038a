import Crypto
import Foundation

/// The `X-CoinPay-Signature` header: `t=<unix seconds>,v1=<lowercase hex HMAC-SHA256>`, where the
/// MAC is keyed with the endpoint secret over the bytes `"<t>." + rawBody`.
public enum WebhookSignature {
    public static let headerName = "X-CoinPay-Signature"
    /// Default accepted clock difference between sender and receiver, in seconds.
    public static let defaultTolerance: Int64 = 300

    /// The header value for `body` signed at `timestamp` (Unix seconds).
    public static func header(secret: String, timestamp: Int64, body: some DataProtocol) -> String {
        "t=\(timestamp),v1=\(hex(mac(secret: secret, timestamp: timestamp, body: body)))"
    }

    public static func header(secret: String, timestamp: Int64, body: String) -> String {
        header(secret: secret, timestamp: timestamp, body: Array(body.utf8))
    }

    /// The lowercase hex signature (the `v1` value) alone.
    public static func signature(secret: String, timestamp: Int64, body: some DataProtocol) -> String {
        hex(mac(secret: secret, timestamp: timestamp, body: body))
    }

    /// Checks a received header against the raw body: the timestamp must be within `tolerance`
    /// seconds of `now` (Unix seconds), and at least one `v1=` value must match (compared in
    /// constant time). Other schemes (`v0=` …) and unknown fields are ignored.
    public static func verify(header: String, body: some DataProtocol, secret: String, now: Int64, tolerance: Int64 = defaultTolerance) -> Bool {
        guard let parsed = parse(header) else { return false }
        let (age, overflow) = now.subtractingReportingOverflow(parsed.timestamp)
        guard !overflow, age.magnitude <= tolerance.magnitude else { return false }
        let key = SymmetricKey(data: Array(secret.utf8))
        let signed = signedPayload(timestamp: parsed.timestamp, body: body)
        var matched = false
        for candidate in parsed.signatures {
            guard let bytes = unhex(candidate), bytes.count == SHA256.byteCount else { continue }
            // swift-crypto compares MACs in constant time; keep checking the others regardless.
            if HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: signed, using: key) { matched = true }
        }
        return matched
    }

    public static func verify(header: String, body: String, secret: String, now: Int64, tolerance: Int64 = defaultTolerance) -> Bool {
        verify(header: header, body: Array(body.utf8), secret: secret, now: now, tolerance: tolerance)
    }

    /// The timestamp and every `v1` value of a header, or nil if it has no valid `t` or no `v1`.
    public static func parse(_ header: String) -> (timestamp: Int64, signatures: [String])? {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = part[..<equals].trimmingCharacters(in: .whitespaces)
            let value = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "t": timestamp = timestamp ?? Int64(value)
            case "v1": signatures.append(value)
            default: continue
            }
        }
        guard let timestamp, !signatures.isEmpty else { return nil }
        return (timestamp, signatures)
    }

    static func signedPayload(timestamp: Int64, body: some DataProtocol) -> [UInt8] {
        var bytes = Array("\(timestamp).".utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    static func mac(secret: String, timestamp: Int64, body: some DataProtocol) -> [UInt8] {
        let key = SymmetricKey(data: Array(secret.utf8))
        return Array(HMAC<SHA256>.authenticationCode(for: signedPayload(timestamp: timestamp, body: body), using: key))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let high = nibble(chars[i]), let low = nibble(chars[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}
