import Foundation
import HTTPTypes
import Hummingbird

/// Decodes JSON request bodies and turns every decoding failure into a 400 that names the field.
public struct APIRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        if let contentType = request.headers[.contentType], !contentType.lowercased().contains("json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "Content-Type must be application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", "Request body exceeds \(context.maxUploadSize) bytes")
        }
        return try Self.decode(type, from: Data(buffer: buffer))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else { throw APIError.badRequest("Request body is empty; expected a JSON object", code: "empty_body") }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw Self.describe(error)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("Malformed JSON body", code: "malformed_json")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    static func describe(_ error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .badRequest("Missing required field '\(field)'", code: "missing_field", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return .badRequest("Field '\(field)' has the wrong type (expected \(Self.typeName(type)))", code: "invalid_type", field: field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return .badRequest("Field '\(field)' must not be null (expected \(Self.typeName(type)))", code: "invalid_type", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty { return .badRequest("Malformed JSON body", code: "malformed_json") }
            return .badRequest("Field '\(field)' is invalid: \(context.debugDescription)", code: "invalid_field", field: field)
        @unknown default:
            return .badRequest("Malformed JSON body", code: "malformed_json")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        switch name {
        case "String": return "a string"
        case "Int", "Int64", "Int32": return "an integer"
        case "Bool": return "a boolean"
        case "Dictionary<String, Any>", "KeyedDecodingContainer": return "an object"
        default: return name.hasPrefix("Array") ? "an array" : (name.hasPrefix("Dictionary") ? "an object" : name)
        }
    }
}

/// A string enum whose unknown values decode to a clear 400 naming the allowed values.
public protocol APIEnum: RawRepresentable, CaseIterable, Decodable, Sendable where RawValue == String {}

extension APIEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let allowed = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown value '\(raw)'; expected one of: \(allowed)"))
        }
        self = value
    }
}

extension Request {
    /// A query parameter, or nil when absent or empty.
    public func query(_ name: String) -> String? {
        guard let value = uri.queryParameters[Substring(name)], !value.isEmpty else { return nil }
        return String(value)
    }

    /// An integer query parameter within `range`, or `defaultValue` when absent.
    public func intQuery(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badRequest("Query parameter '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound)", code: "invalid_query", field: name)
        }
        return value
    }
}
