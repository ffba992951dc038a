import App
import Chains
import Crypto
import Foundation
import RailyardCrypto
import Testing

/// The EVM harness as the x402 app tests use it: configuration for a regtest server on the py-evm
/// node with the EIP-3009 USDC token, funding, and EIP-3009 payloads signed by a payer key.
struct EVMHarness: Sendable {
    static let env = ProcessInfo.processInfo.environment
    static let url = env["RAILYARD_TEST_EVM_RPC_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let usdc = env["RAILYARD_TEST_USDC_CONTRACT"].flatMap { $0.isEmpty ? nil : $0 }
    static var available: Bool { url != nil && usdc != nil }

    let rpc: JSONRPCClient
    let contract: String
    let funded: String

    static func configure(_ config: inout RailyardConfiguration) {
        config.network = .regtest
        config.chainRPCURLs["ETH"] = url!
        config.tokenContracts["USDC_ETH"] = usdc!
    }

    static func connect() async throws -> EVMHarness {
        let rpc = try JSONRPCClient(url: url!)
        let funded = try #require(try await rpc.call("eth_accounts").arrayValue?.first?.stringValue)
        return EVMHarness(rpc: rpc, contract: usdc!, funded: funded)
    }

    /// Sends 10 ETH to the server's gas signer (listed by /api/x402/supported).
    func fundGas(_ api: TestAPI) async throws {
        let gas = try #require((try await api.call(.get, "/api/x402/supported").object("signers")["eip155:*"] as? [String])?.first)
        _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(gas), "value": .string("0x8ac7230489e80000")])])
    }

    /// A new payer key holding `amount` USDC base units.
    func fundedPayer(_ amount: UInt64) async throws -> (key: [UInt8], address: String) {
        let key = Secp256k1.generatePrivateKey()
        let address = try Ethereum.address(privateKey: key)
        _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(contract),
                                                                "data": .string(Hex.encode(try ERC20.transfer(to: address, amount: Word256(amount)), prefix: true))])])
        return (key, address)
    }

    func balance(_ owner: String) async throws -> Int128 {
        try await EVMChain(chain: "ETH", rpc: rpc, tokens: [:]).tokenBalance(contract: contract, owner: owner)
    }

    /// `payload` of an x402 exact payment: a fresh EIP-3009 authorization of `value` to `payTo`, valid 10 minutes.
    func signedPayload(key: [UInt8], payTo: String, value: String) throws -> JSONValue {
        let payer = try Ethereum.address(privateKey: key)
        let authorization = EIP3009.Authorization(from: payer, to: payTo, value: try Word256(decimal: value), validAfter: .zero,
                                                  validBefore: Word256(UInt64(Date().timeIntervalSince1970) + 600),
                                                  nonce: Array(SHA256.hash(data: Data(UUID().uuidString.utf8))))
        let domain = EIP3009.Domain(name: "USD Coin", version: "2", chainId: 31_337, verifyingContract: contract)
        let signature = try EIP3009.transferWithAuthorization(authorization, domain: domain).sign(privateKey: key)
        return .object(["signature": .string(Hex.encode(signature, prefix: true)), "authorization": .object([
            "from": .string(payer), "to": .string(payTo), "value": .string(value), "validAfter": .string("0"),
            "validBefore": .string(authorization.validBefore.decimalString), "nonce": .string(Hex.encode(authorization.nonce, prefix: true)),
        ])])
    }
}
