import AsyncHTTPClient
import Foundation
import Money
import NIOCore
import RailyardCrypto

/// A minimal HTTP exchange, so the paying client runs over any transport (AsyncHTTPClient in
/// production, an in-process router in tests).
public struct X402HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct X402HTTPResponse: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1 }
}

public protocol X402Transport: Sendable {
    func send(_ request: X402HTTPRequest) async throws -> X402HTTPResponse
}

public struct HTTPClientTransport: X402Transport {
    let client: HTTPClient
    public init(client: HTTPClient = .shared) { self.client = client }

    public func send(_ request: X402HTTPRequest) async throws -> X402HTTPResponse {
        var outbound = HTTPClientRequest(url: request.url)
        outbound.method = .init(rawValue: request.method)
        for (name, value) in request.headers { outbound.headers.add(name: name, value: value) }
        if !request.body.isEmpty { outbound.body = .bytes(ByteBuffer(bytes: request.body)) }
        let response = try await client.execute(outbound, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 10 << 20)
        return X402HTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Array(buffer: body))
    }
}

public enum X402ClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedPaymentRequired(String)
    case noPayableOption(String)
    case overBudget(String)
    case paymentRefused(String)

    public var description: String {
        switch self {
        case .malformedPaymentRequired(let why): return "the 402 answer cannot be read: \(why)"
        case .noPayableOption(let why): return "no accepted payment can be made with this wallet: \(why)"
        case .overBudget(let why): return "the price exceeds the budget: \(why)"
        case .paymentRefused(let why): return "the server refused the payment: \(why)"
        }
    }
}

/// The `x402fetch` of the documentation: fetches a URL; on 402 it reads the payment options (v2
/// header first, else the v1 body), picks the first one this wallet can pay within the budget (in
/// the caller's network order), pays (signs an EIP-3009 authorization, or broadcasts a Bitcoin-family
/// transaction and waits for it), retries once with the proof, and returns the answer.
public struct X402Client: Sendable {
    public struct Wallet: Sendable {
        /// secp256k1 key for EVM `exact` (EIP-3009) payments.
        public var evmKey: [UInt8]?
        /// Pays a Bitcoin-family requirement and returns the txid once it has the confirmations the
        /// server needs: (network, payTo, amount in the smallest unit, asset).
        public var payUTXO: (@Sendable (String, String, Int128, String) async throws -> String)?
        /// Pays a BOLT 11 invoice and returns the preimage (hex).
        public var payLightning: (@Sendable (String) async throws -> String)?
        /// Ed25519 key (32-byte seed) of a Solana token owner, and where to get a recent blockhash.
        public var solanaKey: [UInt8]?
        public var solanaBlockhash: (@Sendable () async throws -> String)?

        public init(evmKey: [UInt8]? = nil, payUTXO: (@Sendable (String, String, Int128, String) async throws -> String)? = nil,
                    payLightning: (@Sendable (String) async throws -> String)? = nil,
                    solanaKey: [UInt8]? = nil, solanaBlockhash: (@Sendable () async throws -> String)? = nil) {
            self.evmKey = evmKey
            self.payUTXO = payUTXO
            self.payLightning = payLightning
            self.solanaKey = solanaKey
            self.solanaBlockhash = solanaBlockhash
        }
    }

    /// What one paid fetch did.
    public struct Outcome: Sendable {
        public let response: X402HTTPResponse
        /// The decoded X-PAYMENT-RESPONSE / PAYMENT-RESPONSE, when a payment was made.
        public let settlement: JSONValue?
        public let paidNetwork: String?
    }

    let transport: any X402Transport
    let wallet: Wallet
    /// Networks in order of preference (v1 names or CAIP-2); empty means the server's order.
    let preference: [String]
    /// Budget per request in USD, and the USD price of an asset code (`USDC`, `BTC`, …).
    let maxUSD: ExactDecimal
    let usdPrice: @Sendable (String) async throws -> ExactDecimal
    let clock: @Sendable () -> Int64
    /// The USDC deployments this client signs for, CAIP-2 network → token contract (EVM) or mint
    /// (Solana). A token is priced as USDC with 6 decimals, so any other token a server names is
    /// refused rather than valued wrongly against the budget.
    let tokens: [String: String]

    /// Circle's USDC on the networks x402 clients use (mainnet and test networks).
    public static let publishedUSDC: [String: String] = {
        var tokens: [String: String] = [:]
        for network in X402Network.published(.mainnet) + X402Network.published(.testnet) { tokens[network.caip2] = network.contract }
        tokens["solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"] = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
        tokens["solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"] = "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU"
        return tokens
    }()

    public init(transport: any X402Transport, wallet: Wallet, preference: [String] = [], maxUSD: ExactDecimal,
                usdPrice: @escaping @Sendable (String) async throws -> ExactDecimal, tokens: [String: String] = X402Client.publishedUSDC,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.transport = transport
        self.wallet = wallet
        self.preference = preference
        self.maxUSD = maxUSD
        self.usdPrice = usdPrice
        self.tokens = tokens
        self.clock = clock
    }

    /// The CAIP-2 name of an EVM requirement's network: `eip155:<id>`, a published v1 name (`base`),
    /// or our documented shape's v1 name with `extra.chainId`; nil when the network is not EVM.
    static func evmNetwork(_ network: String, chainID: String?) -> String? {
        if network.hasPrefix("eip155:") { return UInt64(network.dropFirst(7)) != nil ? network : nil }
        if let chainID, let id = UInt64(chainID) { return "eip155:\(id)" }
        return (X402Network.published(.mainnet) + X402Network.published(.testnet)).first { $0.v1Name == network }?.caip2
    }

    /// The CAIP-2 name of a Solana requirement's network (v1 `solana` / `solana-devnet`, or CAIP-2).
    static func solanaNetwork(_ network: String) -> String? {
        switch network {
        case "solana": return "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"
        case "solana-devnet": return "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
        default: return network.hasPrefix("solana:") ? network : nil
        }
    }

    public func fetch(_ request: X402HTTPRequest) async throws -> Outcome {
        let first = try await transport.send(request)
        guard first.status == 402 else { return Outcome(response: first, settlement: nil, paidNetwork: nil) }
        let (version, accepts) = try Self.paymentOptions(first)
        let ordered = preference.isEmpty ? accepts : preference.flatMap { name in accepts.filter { $0["network"]?.stringValue == name } }
        var reasons: [String] = []
        for requirement in ordered {
            do {
                let payload = try await pay(requirement, version: version)
                var retry = request
                let header = Data(payload.serialized.utf8).base64EncodedString()
                retry.headers.append((version == 2 ? "PAYMENT-SIGNATURE" : "X-PAYMENT", header))
                let paid = try await transport.send(retry)
                guard paid.status != 402 else {
                    let reason = (try? JSONValue.parse(paid.body))?["error"]?.stringValue ?? "402 again"
                    throw X402ClientError.paymentRefused(reason)
                }
                let receipt = (paid.header("PAYMENT-RESPONSE") ?? paid.header("X-PAYMENT-RESPONSE")).flatMap { Data(base64Encoded: $0) }.flatMap { try? JSONValue.parse(Array($0)) }
                return Outcome(response: paid, settlement: receipt, paidNetwork: requirement["network"]?.stringValue)
            } catch let error as X402ClientError {
                if case .paymentRefused = error { throw error }
                reasons.append(error.description)
            }
        }
        throw X402ClientError.noPayableOption(reasons.isEmpty ? "the server offered nothing this wallet pays with" : reasons.joined(separator: "; "))
    }

    static func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }

    /// The version and the `accepts` list of a 402 answer (the v2 header wins over a v1 body).
    static func paymentOptions(_ response: X402HTTPResponse) throws -> (Int, [JSONValue]) {
        if let header = response.header("PAYMENT-REQUIRED") {
            guard let data = Data(base64Encoded: header), let json = try? JSONValue.parse(Array(data)), let accepts = json["accepts"]?.arrayValue else {
                throw X402ClientError.malformedPaymentRequired("PAYMENT-REQUIRED is not base64 JSON with accepts")
            }
            return (2, accepts)
        }
        guard let json = try? JSONValue.parse(response.body), let accepts = json["accepts"]?.arrayValue else {
            throw X402ClientError.malformedPaymentRequired("no PAYMENT-REQUIRED header and no JSON body with accepts")
        }
        return (json["x402Version"] == .number("2") ? 2 : 1, accepts)
    }

    func pay(_ requirement: JSONValue, version: Int) async throws -> JSONValue {
        guard requirement["scheme"]?.stringValue == "exact", let network = requirement["network"]?.stringValue,
              let amountText = (requirement["amount"] ?? requirement["maxAmountRequired"])?.stringValue, let amount = Int128(amountText), amount > 0,
              let payTo = requirement["payTo"]?.stringValue, let asset = requirement["asset"]?.stringValue else {
            throw X402ClientError.noPayableOption("a requirement is missing scheme, network, amount, payTo or asset")
        }
        let evmNetwork = Self.evmNetwork(network, chainID: requirement["extra"]?["chainId"]?.numberText ?? requirement["extra"]?["chainId"]?.stringValue)
        let solanaNetwork = evmNetwork == nil ? Self.solanaNetwork(network) : nil
        let isEVM = evmNetwork != nil
        let isLightning = network == "lightning" || network.hasPrefix("bolt11:")
        let isSolana = solanaNetwork != nil
        if let caip2 = evmNetwork ?? solanaNetwork {
            // Valued as USDC below: only a USDC deployment this client knows may be signed for.
            guard let known = tokens[caip2], isEVM ? known.lowercased() == asset.lowercased() : known == asset else {
                throw X402ClientError.noPayableOption("\(asset) on \(network) is not a USDC deployment this client pays with")
            }
        }
        let assetCode = isEVM || isSolana ? "USDC" : asset.uppercased()
        // Lightning amounts are millisatoshis: BTC with 11 decimals.
        let decimals = isEVM || isSolana ? 6 : isLightning ? 11 : (AssetRegistry.asset(assetCode)?.decimals ?? 8)
        // Budget: amount × price ≤ maxUSD, exactly (both sides as integers in 10^-(decimals + price digits)).
        let price = try await usdPrice(assetCode)
        let cost = try Amount(minorUnits: amount).converted(fromDecimals: decimals, rate: price, toDecimals: 6, rounding: .up).minorUnits
        let budget = try maxUSD.scaled(toDecimals: 6, rounding: .down)
        guard cost <= budget else { throw X402ClientError.overBudget("\(amountText) \(assetCode) on \(network) costs more than $\(maxUSD)") }

        let payload: JSONValue
        if isEVM {
            guard let key = wallet.evmKey else { throw X402ClientError.noPayableOption("no EVM key for \(network)") }
            guard let name = requirement["extra"]?["name"]?.stringValue, let tokenVersion = requirement["extra"]?["version"]?.stringValue else {
                throw X402ClientError.noPayableOption("\(network) does not name the token's EIP-712 domain (extra.name / extra.version)")
            }
            guard let chainID = evmNetwork.flatMap({ UInt64($0.dropFirst(7)) }) else { throw X402ClientError.noPayableOption("no chain id for \(network)") }
            let timeout = UInt64(requirement["maxTimeoutSeconds"]?.numberText.flatMap { Int($0) } ?? 60)
            var nonce = [UInt8](repeating: 0, count: 32)
            var generator = SystemRandomNumberGenerator()
            for index in nonce.indices { nonce[index] = UInt8.random(in: 0...255, using: &generator) }
            let now = UInt64(max(0, clock()))
            let authorization = EIP3009.Authorization(from: try Ethereum.address(privateKey: key), to: payTo, value: try Word256(amount: amount),
                                                      validAfter: Word256(now > 600 ? now - 600 : 0), validBefore: Word256(now + max(timeout, 30)), nonce: nonce)
            let domain = EIP3009.Domain(name: name, version: tokenVersion, chainId: chainID, verifyingContract: asset)
            let signature = try EIP3009.transferWithAuthorization(authorization, domain: domain).sign(privateKey: key)
            payload = .object(["signature": .string(Hex.encode(signature, prefix: true)), "authorization": .object([
                "from": .string(authorization.from), "to": .string(payTo), "value": .string(amountText), "validAfter": .string(authorization.validAfter.decimalString),
                "validBefore": .string(authorization.validBefore.decimalString), "nonce": .string(Hex.encode(nonce, prefix: true)),
            ])])
        } else if isSolana {
            guard let key = wallet.solanaKey, let blockhash = wallet.solanaBlockhash else { throw X402ClientError.noPayableOption("no Solana key for \(network)") }
            guard let feePayerText = requirement["extra"]?["feePayer"]?.stringValue, let feePayer = try? SolanaPublicKey(base58: feePayerText),
                  let mint = try? SolanaPublicKey(base58: asset), let payee = try? SolanaPublicKey(base58: payTo) else {
                throw X402ClientError.noPayableOption("\(network) needs extra.feePayer, a mint and a Solana payTo")
            }
            let owner = try SolanaPublicKey(privateKey: key)
            let tokenDecimals = UInt8(requirement["extra"]?["decimals"]?.numberText.flatMap { Int($0) } ?? 6)
            let computeBudget = SolanaPublicKey(constant: "ComputeBudget111111111111111111111111111111")
            let instructions = [
                Solana.Instruction(programID: computeBudget, accounts: [], data: [2] + Self.littleEndian(UInt64(200_000), bytes: 4)),
                Solana.Instruction(programID: computeBudget, accounts: [], data: [3] + Self.littleEndian(UInt64(1_000), bytes: 8)),
                Solana.TokenProgram.transferChecked(source: try Solana.associatedTokenAddress(wallet: owner, mint: mint), mint: mint,
                                                    destination: try Solana.associatedTokenAddress(wallet: payee, mint: mint), owner: owner,
                                                    amount: UInt64(amount), decimals: tokenDecimals),
            ]
            // The facilitator pays the fee and co-signs; the payer signs only as the token owner.
            var transaction = Solana.Transaction(message: try Solana.Message(instructions: instructions, payer: feePayer, recentBlockhash: try await blockhash()))
            try transaction.sign(privateKey: key)
            payload = .object(["transaction": .string(transaction.base64)])
        } else if isLightning {
            guard let payLightning = wallet.payLightning else { throw X402ClientError.noPayableOption("no Lightning wallet for \(network)") }
            payload = .object(["preimage": .string(try await payLightning(payTo))])
        } else {
            guard let payUTXO = wallet.payUTXO else { throw X402ClientError.noPayableOption("no \(assetCode) wallet for \(network)") }
            payload = .object(["txid": .string(try await payUTXO(network, payTo, amount, assetCode))])
        }
        if version == 2 {
            return .object(["x402Version": .number("2"), "accepted": requirement, "payload": payload])
        }
        return .object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string(network), "payload": payload])
    }
}
