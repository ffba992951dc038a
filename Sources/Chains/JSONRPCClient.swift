import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RailyardCrypto

/// A JSON-RPC client (Bitcoin Core's 1.0 dialect and Ethereum/Solana's 2.0 both fit). Results are
/// parsed with exact numbers; transport failures, HTTP errors and RPC errors all throw.
public struct JSONRPCClient: Sendable {
    public let url: String
    let endpoint: String
    let authorization: String?
    let client: HTTPClient
    let timeout: TimeAmount

    public struct RPCError: Error, Sendable, CustomStringConvertible, Equatable {
        public let code: Int
        public let message: String
        public var description: String { "RPC error \(code): \(message)" }
    }

    /// `url` may carry credentials (`http://user:pass@host:port/path`); they become Basic auth.
    /// A client that fails fast when a node refuses connections (AsyncHTTPClient would otherwise keep
    /// retrying the connection until the request deadline).
    public static let defaultClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(30)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(url: String, client: HTTPClient = JSONRPCClient.defaultClient, timeout: TimeAmount = .seconds(15)) throws {
        guard var components = URLComponents(string: url), components.host != nil else { throw ChainError.invalid("invalid RPC URL") }
        if let user = components.user {
            let credentials = "\(user.removingPercentEncoding ?? user):\((components.password ?? "").removingPercentEncoding ?? "")"
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        } else {
            authorization = nil
        }
        components.user = nil
        components.password = nil
        self.endpoint = components.string ?? url
        self.url = url
        self.client = client
        self.timeout = timeout
    }

    public func call(_ method: String, _ params: [JSONValue] = [], path: String = "") async throws -> JSONValue {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let body = JSONValue.object(["jsonrpc": .string("2.0"), "id": .number("1"), "method": .string(method), "params": .array(params)])
        request.body = .bytes(ByteBuffer(string: body.serialized))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw ChainError.node("\(method): \(error)")
        }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let parsed: JSONValue
        do { parsed = try bytes.withUnsafeReadableBytes { raw throws(JSONValue.ParseError) in try JSONValue.parse(bytes: raw) } } catch {
            throw ChainError.node("\(method): HTTP \(response.status.code), unparseable answer")
        }
        if let error = parsed.objectValue?["error"], error != .null {
            let object = error.objectValue ?? [:]
            throw RPCError(code: Int(object["code"]?.numberText ?? "") ?? -1, message: object["message"]?.stringValue ?? error.serialized)
        }
        guard response.status.code < 300 else { throw ChainError.node("\(method): HTTP \(response.status.code)") }
        guard let result = parsed.objectValue?["result"] else { throw ChainError.node("\(method): answer has no result") }
        return result
    }
}
