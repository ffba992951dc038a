import CSecp256k1
import Foundation
import RailyardCrypto
import X402

/// x402 `exact` verification in process: the whole offline check of a standard verify body (JSON
/// parse, requirements, time window, EIP-712 digest, ecrecover, signer compare) next to the raw
/// libsecp256k1 recovery of the same digest, measured in the same run. Prints a JSON line for run.sh.
struct X402Benchmark {
    func run() throws {
        let key = Secp256k1.generatePrivateKey()
        let payer = try Ethereum.address(privateKey: key)
        let network = X402Network.published(.mainnet).first { $0.caip2 == "eip155:8453" }!
        let payTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
        let now = Int64(Date().timeIntervalSince1970)
        let authorization = EIP3009.Authorization(from: payer, to: payTo, value: Word256(10_000), validAfter: .zero, validBefore: Word256(UInt64(now + 3600)),
                                                  nonce: [UInt8](repeating: 0x5A, count: 32))
        let typed = try EIP3009.transferWithAuthorization(authorization, domain: EIP3009.Domain(name: network.tokenName, version: network.tokenVersion,
                                                                                                 chainId: UInt64(network.chainID), verifyingContract: network.contract))
        let signature = try typed.sign(privateKey: key)
        let requirements = JSONValue.object([
            "scheme": .string("exact"), "network": .string(network.caip2), "amount": .string("10000"), "asset": .string(network.contract),
            "payTo": .string(payTo), "maxTimeoutSeconds": .number("60"), "extra": .object(["name": .string("USD Coin"), "version": .string("2")]),
        ])
        let body = JSONValue.object(["x402Version": .number("2"), "paymentRequirements": requirements, "paymentPayload": .object([
            "x402Version": .number("2"), "accepted": requirements, "payload": .object([
                "signature": .string(Hex.encode(signature, prefix: true)), "authorization": .object([
                    "from": .string(payer), "to": .string(payTo), "value": .string("10000"), "validAfter": .string("0"),
                    "validBefore": .string(authorization.validBefore.decimalString), "nonce": .string(Hex.encode(authorization.nonce, prefix: true)),
                ]),
            ]),
        ])]).serialized
        let verifier = ExactEVMVerifier(networks: [network], nodes: [:])
        let digest = try typed.digest()

        let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_VERIFY))!
        defer { secp256k1_context_destroy(context) }
        var compact = Array(signature[0..<64])
        let recid = Int32(signature[64] - 27)
        let iterations = 20_000
        func rate(_ body: () throws -> Void) rethrows -> Double {
            let started = ContinuousClock.now
            for _ in 0..<iterations { try body() }
            let elapsed = ContinuousClock.now - started
            return Double(iterations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let raw = rate {
            var parsed = secp256k1_ecdsa_recoverable_signature()
            var publicKey = secp256k1_pubkey()
            precondition(secp256k1_ecdsa_recoverable_signature_parse_compact(context, &parsed, &compact, recid) == 1)
            precondition(secp256k1_ecdsa_recover(context, &publicKey, &parsed, digest) == 1)
        }
        let full = try rate {
            let json = try JSONValue.parse(body)
            let payment = try ExactPayment.parse(json["paymentPayload"]!)
            let parsed = try ExactRequirements.parse(json["paymentRequirements"]!)
            _ = try verifier.checkOffline(payment, parsed, now: now)
        }
        print("x402 exact verification, in process (\(iterations) iterations):")
        print("  raw libsecp256k1 recover of the EIP-712 digest (baseline): \(Int(raw))/s")
        print("  Railyard: JSON body -> fields, window, EIP-712 digest, ecrecover, signer: \(Int(full))/s")
        print(String(format: "  ratio ours/raw ecrecover: %.3f", full / raw))
        print("RESULT x402_inprocess=\(Int(full)) raw_ecrecover=\(Int(raw))")
    }
}
