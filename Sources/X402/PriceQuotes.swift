import Crypto
import Foundation
import RailyardCrypto

/// Signed price quotes for payment options priced from a market rate (the Bitcoin-family coins).
///
/// A 402 names an amount at the rate of that moment, but a Bitcoin-family payment is proven only
/// after its confirmations, when the rate has moved: priced again at the retry, an honest payer
/// would be refused for paying what it was asked. So each such requirement carries `extra.quote`
/// (an expiry and an HMAC over what the requirement offers), and a paid retry that echoes the
/// requirement (v2 `accepted`) is held to the quoted amount until the quote expires; after that it is
/// priced again (and still taken if it covers the new price). No state is kept: the quote verifies
/// itself. A payer can at most choose the lowest price quoted within one validity window. Three
/// hours cover the default confirmations (BCH: 6 blocks, about an hour) with a wide margin.
public struct X402QuoteSigner: Sendable {
    let key: SymmetricKey
    let now: @Sendable () -> Int64
    /// How long a quote holds, in seconds: long enough for the confirmations the payment needs.
    public let validitySeconds: Int64

    /// `key` should be stable across restarts and instances (a restart otherwise voids the quotes
    /// outstanding, which then fall back to the current price); `now` is in Unix seconds.
    public init(key: SymmetricKey = SymmetricKey(size: .bits256), validitySeconds: Int64 = 3 * 3600,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.key = key
        self.validitySeconds = validitySeconds
        self.now = now
    }

    /// The quote for `option` on `resource`, valid from now.
    func quote(_ option: PaymentOption, resource: PaidResource) -> String {
        let expires = now() + validitySeconds
        let code = HMAC<SHA256>.authenticationCode(for: Self.message(option, amount: option.amount, resource: resource, expires: expires), using: key)
        return "\(expires).\(Hex.encode(Array(code)))"
    }

    /// Whether `quote` is one this signer issued for `amount` on `option`'s network, recipient and
    /// asset for `resource` at its current pricing, and has not expired.
    func honours(_ quote: String, amount: String, option: PaymentOption, resource: PaidResource) -> Bool {
        let parts = quote.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let expires = Int64(parts[0]), String(expires) == parts[0], let code = try? Hex.decode(String(parts[1])), code.count == 32 else {
            return false
        }
        let current = now()
        guard expires >= current, expires <= current + validitySeconds else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Self.message(option, amount: amount, resource: resource, expires: expires), using: key)
    }

    static func message(_ option: PaymentOption, amount: String, resource: PaidResource, expires: Int64) -> Data {
        Data("x402-quote-v1\n\(resource.url)\n\(resource.pricing)\n\(option.network.caip2)\n\(option.payTo)\n\(option.network.asset)\n\(amount)\n\(expires)".utf8)
    }
}
