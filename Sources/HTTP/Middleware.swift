import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Checks `Authorization: Bearer …` against a JWT or an API key. A request without the header
/// passes through (routes decide whether they need a caller); a header that does not verify is a 401.
public protocol Authenticator: Sendable {
    func authenticate(bearer token: String) async throws -> Principal?
}

public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = RailyardRequestContext
    let authenticator: any Authenticator

    public init(authenticator: any Authenticator) { self.authenticator = authenticator }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers.value(of: .authorization) else { return try await next(request, context) }
        guard let token = Self.bearerToken(header) else {
            throw APIError.unauthorized("Authorization header must be 'Bearer <token>'")
        }
        guard let principal = try await authenticator.authenticate(bearer: token) else {
            throw APIError.unauthorized("Invalid or expired authentication token")
        }
        var context = context
        context.principal = principal
        // Formatted only if a line is written.
        context.logger[metadataKey: "principal"] = .stringConvertible(PrincipalScope(principal: principal))
        return try await next(request, context)
    }

    /// The token of `Bearer <token>` (the scheme in any letter case, one space), or nil.
    static func bearerToken(_ header: String) -> String? {
        let utf8 = header.utf8
        guard utf8.count > 7, let space = utf8.firstIndex(of: UInt8(ascii: " ")), utf8.distance(from: utf8.startIndex, to: space) == 6,
              utf8[..<space].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        let token = header[utf8.index(after: space)...]
        guard !token.isEmpty else { return nil }
        return String(token)
    }
}

/// A caller's log scope (`k:<key id>` or `m:<merchant id>`), built when a log line asks for it.
struct PrincipalScope: CustomStringConvertible, Sendable {
    let principal: Principal
    var description: String { principal.scope }
}

/// Resolves the client IP (trusting `X-Forwarded-For` only from configured proxies), tags the request
/// with an id, turns every error into the documented JSON shape, and logs one line per request.
public struct RequestBasicsMiddleware: RouterMiddleware {
    public typealias Context = RailyardRequestContext
    let trustedProxies: Set<String>

    public init(trustedProxies: Set<String>) { self.trustedProxies = trustedProxies }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.forwardedFor = request.headers.value(of: .xForwardedFor)
        context.trustedProxies = trustedProxies
        // The caller's own request id is logged next to ours (hb.request.id); without one, ours is it.
        let requestID: String
        if let given = request.headers.value(of: .xRequestID), given.utf8.count <= 128 {
            requestID = given
            context.logger[metadataKey: "request_id"] = .string(given)
        } else {
            requestID = context.id
        }
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            // Framework errors (404 for unknown routes, 413, …) in our JSON shape.
            let message = error.status == .notFound ? "Not found" : (error.status.reasonPhrase)
            response = try APIError(error.status, code: error.status == .notFound ? "not_found" : "http_\(error.status.code)", message)
                .response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": .string(String(reflecting: error))])
            response = try APIError.internalError().response(from: request, context: context)
        }
        response.headers[.xRequestID] = requestID
        let elapsed = ContinuousClock.now - started
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)", metadata: [
            "ip": .string(context.clientIP),
            "ms": .string(String(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)),
        ])
        return response
    }

    /// The rightmost address in `X-Forwarded-For` that is not a trusted proxy, when the peer is trusted.
    public static func clientIP(peer: String, forwardedFor: String?, trusted: Set<String>) -> String {
        guard trusted.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !trusted.contains(hop) { return hop }
        return hops.first ?? peer
    }
}

extension HTTPField.Name {
    public static let xRequestID = HTTPField.Name("X-Request-Id")!
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    public static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}

extension HTTPFields {
    /// What the `name` subscript answers (a repeated field's values joined with ", ", cookies with
    /// "; "), found in one pass over the fields. The subscript builds a name index for the first
    /// lookup and copies even a lone value into a new string, which costs more than scanning the
    /// handful of fields a request carries.
    public func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            found = found.map { $0 + (name == .cookie ? "; " : ", ") + field.value } ?? field.value
        }
        return found
    }
}
