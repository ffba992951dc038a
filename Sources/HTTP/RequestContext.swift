import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Who is calling: a merchant signed in with a JWT, or a business API key.
public enum Principal: Sendable, Equatable {
    case merchant(id: String)
    case apiKey(keyID: String, businessID: String, merchantID: String, live: Bool)

    public var merchantID: String {
        switch self {
        case .merchant(let id): return id
        case .apiKey(_, _, let merchantID, _): return merchantID
        }
    }

    /// The business an API key is scoped to; nil for a merchant session.
    public var businessID: String? {
        if case .apiKey(_, let businessID, _, _) = self { return businessID }
        return nil
    }

    /// A stable key for per-caller limits and idempotency scopes.
    public var scope: String {
        switch self {
        case .merchant(let id): return "m:\(id)"
        case .apiKey(let keyID, _, _, _): return "k:\(keyID)"
        }
    }
}

/// The request context of every Railyard route.
public struct RailyardRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Set by `AuthMiddleware` when the request carries valid credentials.
    public var principal: Principal?
    /// What the client address is worked out from, set by `RequestBasicsMiddleware`. Formatting the
    /// peer address costs more than most requests need (an API key is the usual rate-limit scope),
    /// so it happens only when something asks.
    var forwardedFor: String?
    var trustedProxies: Set<String> = []

    /// The client address after applying the trusted-proxy rule.
    public var clientIP: String {
        RequestBasicsMiddleware.clientIP(peer: remoteAddress?.ipAddress ?? "unknown", forwardedFor: forwardedFor, trusted: trustedProxies)
    }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 1024 * 1024 }
    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }

    /// The caller, or a 401.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized() }
        return principal
    }

    /// The merchant behind a JWT session, or a 401 (API keys are not accepted here).
    public func requireMerchantSession() throws -> String {
        guard case .merchant(let id) = principal else {
            throw principal == nil ? APIError.unauthorized() : APIError.forbidden("This endpoint needs a merchant login token, not an API key", code: "session_required")
        }
        return id
    }
}
