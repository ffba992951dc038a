import Foundation
import NIOCore
import NIOPosix

/// Where webhooks may be sent. By default only public addresses: a tenant must not be able to make
/// the server POST to loopback, private networks or cloud metadata endpoints (SSRF). Operators
/// whose receivers live on a private network opt in with `RAILYARD_WEBHOOK_ALLOW_PRIVATE=true`.
public struct WebhookDestinationPolicy: Sendable {
    public let allowsPrivateAddresses: Bool

    public init(allowsPrivateAddresses: Bool) { self.allowsPrivateAddresses = allowsPrivateAddresses }

    public static let publicOnly = WebhookDestinationPolicy(allowsPrivateAddresses: false)
    public static let allowingPrivate = WebhookDestinationPolicy(allowsPrivateAddresses: true)

    public struct Refused: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Checks a URL's host without DNS: IP literals in private ranges and `localhost` are refused.
    public func checkLiteral(_ url: String) throws(Refused) {
        guard !allowsPrivateAddresses else { return }
        guard let host = URL(string: url)?.host?.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased() else {
            throw Refused(description: "webhook URL has no host")
        }
        if host == "localhost" || host.hasSuffix(".localhost") { throw Refused(description: "webhook URL points at localhost") }
        if let reason = Self.privateReason(host) { throw Refused(description: "webhook URL points at \(reason) address \(host)") }
    }

    /// Resolves the host and refuses the destination if any address it resolves to is not public.
    /// (A resolver that changes its answer between this check and the connection can still win; the
    /// check closes the direct paths.)
    public func check(_ url: String) async throws {
        try checkLiteral(url)
        guard !allowsPrivateAddresses, let host = URL(string: url)?.host?.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) else { return }
        if Self.isIPLiteral(host) { return }
        let addresses = try await NIOThreadPool.singleton.runIfActive { Self.resolve(host) }
        guard !addresses.isEmpty else { throw Refused(description: "webhook host \(host) does not resolve") }
        for address in addresses {
            if let reason = Self.privateReason(address) { throw Refused(description: "webhook host \(host) resolves to \(reason) address \(address)") }
        }
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    /// Why an IP address is not public, or nil if it is.
    static func privateReason(_ address: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return v4Reason(b)
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return nil }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b.allSatisfy({ $0 == 0 }) { return "an unspecified" }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "a loopback" }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return v4Reason(Array(b[12..<16])) }  // IPv4-mapped
        if b[0..<12].allSatisfy({ $0 == 0 }) { return v4Reason(Array(b[12..<16])) ?? "an IPv4-compatible" }  // ::a.b.c.d (deprecated)
        // Addresses that carry an IPv4 address a gateway will connect to: NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
        if b[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { return v4Reason(Array(b[12..<16])) }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1 { return "a local NAT64" }  // 64:ff9b:1::/48
        if b[0] == 0x20 && b[1] == 0x02 { return v4Reason(Array(b[2..<6])) }
        if b[0] & 0xfe == 0xfc { return "a unique-local" }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return "a link-local" }
        if b[0] == 0xff { return "a multicast" }
        return nil
    }

    static func v4Reason(_ b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (0, _): return "an unspecified"
        case (127, _): return "a loopback"
        case (10, _), (172, 16...31), (192, 168): return "a private"
        case (169, 254): return "a link-local"
        case (100, 64...127): return "a carrier-grade NAT"
        case (192, 0) where b[2] == 0: return "an IETF protocol"
        case (198, 18...19): return "a benchmarking"
        case (224...255, _): return "a multicast or reserved"
        default: return nil
        }
    }
}
