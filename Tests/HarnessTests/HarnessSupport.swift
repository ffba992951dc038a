import AsyncHTTPClient
import Foundation
import NIOCore
import RailyardCrypto

/// What `Tests/Harness/harness.sh start` exported (see the variables it documents). Every suite in
/// this target is enabled only when the variables it needs are set, so a plain `swift test` skips
/// them; with the harness running they run and can fail.
enum Harness {
    static let vectors = "RAILYARD_TEST_VECTORS"
    static let ltcURL = "RAILYARD_TEST_LTC_RPC_URL"
    static let evmURL = "RAILYARD_TEST_EVM_RPC_URL"
    static let evmChainID = "RAILYARD_TEST_EVM_CHAIN_ID"
    static let evmFundedKey = "RAILYARD_TEST_EVM_FUNDED_KEY"
    static let evmFundedAddress = "RAILYARD_TEST_EVM_FUNDED_ADDRESS"
    static let usdcContract = "RAILYARD_TEST_USDC_CONTRACT"
    static let usdcMinted = "RAILYARD_TEST_USDC_MINTED"
    static let usdcMintBlock = "RAILYARD_TEST_USDC_MINT_BLOCK"
    static let solURL = "RAILYARD_TEST_SOL_RPC_URL"
    static let solFundedKey = "RAILYARD_TEST_SOL_FUNDED_KEY"
    static let solFundedAddress = "RAILYARD_TEST_SOL_FUNDED_ADDRESS"
    static let solUSDCMint = "RAILYARD_TEST_SOL_USDC_MINT"
    static let solUSDCAccount = "RAILYARD_TEST_SOL_USDC_ACCOUNT"

    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Whether every variable is set (the condition of the suites' `.enabled(if:)`).
    static func has(_ names: String...) -> Bool {
        names.allSatisfy { value($0) != nil }
    }

    static func require(_ name: String) throws -> String {
        guard let value = value(name) else { throw HarnessError("\(name) is not set (start Tests/Harness/harness.sh)") }
        return value
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

// MARK: JSON access with errors that name the path

extension JSONValue {
    func field(_ key: String) throws -> JSONValue {
        guard let object = objectValue else { throw HarnessError("expected an object holding '\(key)', got \(kindName): \(clipped)") }
        guard let value = object[key] else { throw HarnessError("missing '\(key)' in \(clipped)") }
        return value
    }

    func string(_ key: String) throws -> String {
        let value = try field(key)
        guard let text = value.stringValue else { throw HarnessError("'\(key)' should be a string, got \(value.kindName)") }
        return text
    }

    /// A string, or `nil` for JSON null.
    func optionalString(_ key: String) throws -> String? {
        let value = try field(key)
        if value == .null { return nil }
        guard let text = value.stringValue else { throw HarnessError("'\(key)' should be a string or null, got \(value.kindName)") }
        return text
    }

    /// The literal text of a JSON number (exact: no floating-point conversion).
    func numberText(_ key: String) throws -> String {
        let value = try field(key)
        guard case .number(let text) = value else { throw HarnessError("'\(key)' should be a number, got \(value.kindName)") }
        return text
    }

    func uint64(_ key: String) throws -> UInt64 {
        let text = try numberText(key)
        guard let number = UInt64(text) else { throw HarnessError("'\(key)' = \(text) is not a UInt64") }
        return number
    }

    func array(_ key: String) throws -> [JSONValue] {
        let value = try field(key)
        guard let array = value.arrayValue else { throw HarnessError("'\(key)' should be an array, got \(value.kindName)") }
        return array
    }

    func bytes(_ key: String) throws -> [UInt8] {
        try Hex.decode(string(key))
    }

    var clipped: String { String(serialized.prefix(300)) }
}

// MARK: JSON-RPC over AsyncHTTPClient

/// A minimal JSON-RPC client for the harness servers: Bitcoin Core's 1.0 dialect (credentials from
/// the URL as Basic auth, errors with HTTP 500) and the 2.0 servers. Results keep exact numbers.
struct RPCClient {
    struct RPCError: Error, CustomStringConvertible {
        let method: String
        let code: String
        let message: String
        var description: String { "\(method): RPC error \(code): \(message)" }
    }

    let endpoint: String
    let authorization: String?
    let version: String

    init(url: String, version: String = "2.0") throws {
        guard var components = URLComponents(string: url), components.host != nil else { throw HarnessError("invalid RPC URL") }
        if let user = components.user {
            let password = components.password ?? ""
            let credentials = "\(user.removingPercentEncoding ?? user):\(password.removingPercentEncoding ?? password)"
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        } else {
            authorization = nil
        }
        components.user = nil
        components.password = nil
        guard let endpoint = components.string else { throw HarnessError("invalid RPC URL") }
        self.endpoint = endpoint
        self.version = version
    }

    /// Calls `method`; `path` is appended to the URL (Bitcoin Core wallets: `/wallet/NAME`).
    func call(_ method: String, _ params: [JSONValue] = [], path: String = "") async throws -> JSONValue {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let body: JSONValue = .object([
            "jsonrpc": .string(version), "id": .number("1"), "method": .string(method), "params": .array(params),
        ])
        request.body = .bytes(ByteBuffer(string: body.serialized))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 32 << 20)
        let answer: JSONValue
        do {
            answer = try JSONValue.parse(Array(buffer.readableBytesView))
        } catch {
            throw HarnessError("\(method): HTTP \(response.status.code) with a body that is not JSON: \(String(buffer: buffer).prefix(200))")
        }
        if let error = answer.objectValue?["error"], error != .null {
            let code = error.objectValue?["code"].map { $0.serialized } ?? "?"
            throw RPCError(method: method, code: code, message: error.objectValue?["message"]?.stringValue ?? error.serialized)
        }
        guard response.status.code == 200 else { throw HarnessError("\(method): HTTP \(response.status.code)") }
        return try answer.field("result")
    }
}

// MARK: Small helpers

/// Satoshi-style base units from a decimal amount text such as `50.00000000` or `1.25` (exact).
func baseUnits(_ text: String, decimals: Int = 8) throws -> Int64 {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0 else { throw HarnessError("not a plain decimal amount: \(text)") }
    let fraction = parts.count == 2 ? String(parts[1]) : ""
    guard fraction.count <= decimals, fraction.allSatisfy(\.isASCIIDigit) else { throw HarnessError("amount \(text) has more than \(decimals) decimals") }
    let padded = fraction + String(repeating: "0", count: decimals - fraction.count)
    var scale: Int64 = 1
    for _ in 0..<decimals { scale *= 10 }
    return whole * scale + (padded.isEmpty ? 0 : Int64(padded)!)
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// `0x` + lowercase hex of a quantity (Ethereum JSON-RPC form).
func quantity(_ value: UInt64) -> String {
    "0x" + String(value, radix: 16)
}
