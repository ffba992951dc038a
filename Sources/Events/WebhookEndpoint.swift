/// Where a business wants its events POSTed, and the secret their signatures are made with.
public struct WebhookEndpoint: Sendable, Equatable {
    public var url: String
    /// The plaintext signing secret (decrypted by whoever stores it, e.g. with `SecretBox`).
    public var secret: String

    public init(url: String, secret: String) {
        self.url = url
        self.secret = secret
    }
}

/// Looks up a business's webhook endpoint. The Merchants feature implements it; Events never
/// imports features.
public protocol WebhookEndpointDirectory: Sendable {
    /// The endpoint to deliver to, or nil when the business has none configured.
    func webhookEndpoint(businessID: String) async throws -> WebhookEndpoint?
}
