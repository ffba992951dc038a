import Foundation
import HTTPTypes
import Hummingbird

/// An error answered to the client. CoinPay routes answer `{"success": false, "error": "…"}` with the
/// documented status; `code` is a stable machine-readable name and `field` names the offending input.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let field: String?
    public var extraHeaders: [(HTTPField.Name, String)]

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil, headers: [(HTTPField.Name, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extraHeaders = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public static func badRequest(_ message: String, code: String = "invalid_request", field: String? = nil) -> APIError {
        APIError(.badRequest, code: code, message, field: field)
    }
    public static func unauthorized(_ message: String = "Invalid or missing authentication token", code: String = "unauthorized") -> APIError {
        APIError(.unauthorized, code: code, message)
    }
    public static func forbidden(_ message: String, code: String = "forbidden") -> APIError { APIError(.forbidden, code: code, message) }
    public static func notFound(_ message: String, code: String = "not_found") -> APIError { APIError(.notFound, code: code, message) }
    public static func conflict(_ message: String, code: String = "conflict") -> APIError { APIError(.conflict, code: code, message) }
    public static func tooManyRequests(_ message: String, retryAfter: Int, code: String = "rate_limited") -> APIError {
        APIError(.tooManyRequests, code: code, message, headers: [(.retryAfter, String(retryAfter))])
    }
    public static func internalError(_ message: String = "Internal server error - please try again") -> APIError {
        APIError(.internalServerError, code: "internal_error", message)
    }

    struct Body: Encodable {
        let success = false
        let error: String
        let code: String
        let field: String?
    }

    public var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        for (name, value) in extraHeaders { fields[name] = value }
        return fields
    }

    public func body(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let data = (try? JSONEncoder.api.encode(Body(error: message, code: code, field: field))) ?? Data(#"{"success":false,"error":"error"}"#.utf8)
        return allocator.buffer(bytes: data)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body(allocator: ByteBufferAllocator())!))
    }
}

extension JSONEncoder {
    /// The encoder for API answers: stable key order so replays and signatures are byte-identical.
    public static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// Builds JSON responses.
public enum JSONResponse {
    public static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let data = try JSONEncoder.api.encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
