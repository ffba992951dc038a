import Chains
import Foundation
import RailyardCrypto

/// Why a payment is not acceptable, as the x402 specification's reason codes (v2 §9 names where the
/// specification has one, the reference SDKs' names otherwise).
public enum X402Reason: String, Sendable, Equatable {
    case invalidX402Version = "invalid_x402_version"
    case invalidPayload = "invalid_payload"
    case invalidPaymentRequirements = "invalid_payment_requirements"
    case unsupportedScheme = "unsupported_scheme"
    case invalidNetwork = "invalid_network"
    case networkMismatch = "network_mismatch"
    case assetMismatch = "invalid_exact_evm_asset_mismatch"
    case missingDomain = "missing_eip712_domain"
    case recipientMismatch = "invalid_exact_evm_payload_recipient_mismatch"
    case valueMismatch = "invalid_exact_evm_payload_authorization_value_mismatch"
    case validAfter = "invalid_exact_evm_payload_authorization_valid_after"
    case validBefore = "invalid_exact_evm_payload_authorization_valid_before"
    case signature = "invalid_exact_evm_payload_signature"
    case nonceUsed = "invalid_exact_evm_nonce_already_used"
    case insufficientFunds = "insufficient_funds"
    case transactionFailed = "invalid_exact_evm_transaction_failed"
    case transferEventMismatch = "invalid_exact_evm_transfer_event_mismatch"
    case settlementPending = "settlement_pending"
    case invalidTransactionState = "invalid_transaction_state"
    case amountInsufficient = "invalid_exact_utxo_payload_amount_insufficient"
    case duplicateSettlement = "duplicate_settlement"
    case transactionSimulationFailed = "transaction_simulation_failed"
    case unexpectedVerifyError = "unexpected_verify_error"
    case unexpectedSettleError = "unexpected_settle_error"
}

/// The fields of one payment requirement that verification needs (v1 `maxAmountRequired` or v2 `amount`).
public struct ExactRequirements: Sendable, Equatable {
    public let scheme: String
    public let network: String
    public let amount: String
    public let asset: String
    public let payTo: String
    public let tokenName: String?
    public let tokenVersion: String?

    public init(scheme: String, network: String, amount: String, asset: String, payTo: String, tokenName: String?, tokenVersion: String?) {
        self.scheme = scheme
        self.network = network
        self.amount = amount
        self.asset = asset
        self.payTo = payTo
        self.tokenName = tokenName
        self.tokenVersion = tokenVersion
    }

    /// Reads a v1 or v2 `PaymentRequirements` object.
    public static func parse<JSON: JSONReadable>(_ json: JSON) throws(ExactEVMError) -> ExactRequirements {
        guard let scheme = json["scheme"]?.stringValue, let network = json["network"]?.stringValue,
              let amount = (json["amount"] ?? json["maxAmountRequired"])?.stringValue,
              let asset = json["asset"]?.stringValue, let payTo = json["payTo"]?.stringValue else {
            throw ExactEVMError(.invalidPaymentRequirements, "requirements need scheme, network, amount (or maxAmountRequired), asset and payTo as strings")
        }
        return ExactRequirements(scheme: scheme, network: network, amount: amount, asset: asset, payTo: payTo,
                                 tokenName: json["extra"]?["name"]?.stringValue, tokenVersion: json["extra"]?["version"]?.stringValue)
    }
}

/// A signed EIP-3009 authorization as x402 clients send it (`payload.authorization` + `payload.signature`).
public struct ExactPayment: Sendable, Equatable {
    public let x402Version: Int
    public let scheme: String
    public let network: String
    public let authorization: EIP3009.Authorization
    public let signature: [UInt8]

    public init(x402Version: Int, scheme: String, network: String, authorization: EIP3009.Authorization, signature: [UInt8]) {
        self.x402Version = x402Version
        self.scheme = scheme
        self.network = network
        self.authorization = authorization
        self.signature = signature
    }

    /// Reads a v1 (`scheme`/`network` at the top) or v2 (`accepted`) `PaymentPayload`. Our documented
    /// proof (no `x402Version`, an extra `asset`) reads as v1.
    public static func parse<JSON: JSONReadable>(_ json: JSON) throws(ExactEVMError) -> ExactPayment {
        let version: Int
        if let given = json["x402Version"] {
            guard let text = given.numberText else { throw ExactEVMError(.invalidX402Version, "x402Version must be a number") }
            guard let parsed = Int(text), parsed == 1 || parsed == 2 else { throw ExactEVMError(.invalidX402Version, "x402Version must be 1 or 2") }
            version = parsed
        } else {
            version = 1
        }
        let accepted = version == 2 ? json["accepted"] : json
        guard let scheme = accepted?["scheme"]?.stringValue, let network = accepted?["network"]?.stringValue else {
            throw ExactEVMError(.invalidPayload, version == 2 ? "a v2 payload names its scheme and network in accepted" : "the payload needs scheme and network")
        }
        guard let payload = json["payload"], let auth = payload["authorization"], let signatureHex = payload["signature"]?.stringValue else {
            throw ExactEVMError(.invalidPayload, "payload.authorization and payload.signature are required")
        }
        func field(_ name: String) throws(ExactEVMError) -> String {
            // Clients send the times as strings; our documented example sends numbers. Both are integers.
            let value = auth[name]
            if let text = value?.stringValue ?? value?.numberText { return text }
            throw ExactEVMError(.invalidPayload, "authorization.\(name) is required")
        }
        do {
            let authorization = EIP3009.Authorization(
                from: try CheckedAddresses.validate(try field("from")), to: try CheckedAddresses.validate(try field("to")),
                value: try canonical(try field("value"), "value"), validAfter: try canonical(try field("validAfter"), "validAfter"),
                validBefore: try canonical(try field("validBefore"), "validBefore"), nonce: try Hex.decode(try field("nonce")))
            guard authorization.nonce.count == 32 else { throw ExactEVMError(.invalidPayload, "authorization.nonce must be 32 bytes") }
            let signature = try Hex.decode(signatureHex)
            return ExactPayment(x402Version: version, scheme: scheme, network: network, authorization: authorization, signature: signature)
        } catch let error as ExactEVMError {
            throw error
        } catch {
            throw ExactEVMError(.invalidPayload, "\(error)")
        }
    }

    /// An unsigned integer written canonically: ASCII digits, no sign, no spaces, no leading zeros.
    static func canonical(_ text: String, _ name: String) throws(ExactEVMError) -> Word256 {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), text == "0" || text.utf8.first != UInt8(ascii: "0"), text.utf8.count <= 78,
              let value = try? Word256(decimal: text) else {
            throw ExactEVMError(.invalidPayload, "authorization.\(name) must be a canonical unsigned integer, got \"\(text)\"")
        }
        return value
    }
}

public struct ExactEVMError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: X402Reason
    public let message: String
    public init(_ reason: X402Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }
    public var description: String { "\(reason.rawValue): \(message)" }
}

/// Verifies `exact` EVM payments (EIP-3009 `transferWithAuthorization`): structure, requirements,
/// time window, signature under the token's domain, then the chain (nonce unused, balance).
public struct ExactEVMVerifier: Sendable {
    public let networks: [X402Network]
    /// Chain reads per chain code.
    let nodes: [String: EVMChain]
    /// The same nodes' reads pinned to their newest block, shared by every verification.
    let views: [String: EVMStateView]
    /// Seconds a settlement needs after verification (the reference facilitators use 6).
    let validBeforeMargin: Int64 = 6

    /// Each network's token domain separator, computed once.
    let domainSeparators: [String: [UInt8]]

    public init(networks: [X402Network], nodes: [String: EVMChain], headInterval: Duration = .milliseconds(250)) {
        self.networks = networks
        self.nodes = nodes
        self.views = nodes.mapValues { EVMStateView(node: $0, headInterval: headInterval) }
        var separators: [String: [UInt8]] = [:]
        for network in networks {
            let domain = EIP3009.Domain(name: network.tokenName, version: network.tokenVersion, chainId: UInt64(network.chainID), verifyingContract: network.contract)
            separators[network.caip2] = try? EIP3009.domainSeparator(domain)
        }
        self.domainSeparators = separators
    }

    public func network(named name: String) -> X402Network? { networks.first { $0.matches(name) } }

    /// The cached chain reads of one chain (to observe how many reach the node).
    public func stateView(chain: String) -> EVMStateView? { views[chain] }

    /// The payer and network of a valid payment, or the reason it is not valid.
    ///
    /// The chain is read at the newest block seen in the last `headInterval` (so a stream of
    /// verifications costs the node one round trip per block, not two per request). Only a pass can
    /// come from that cache: a payment that looks spent or unfunded is checked again after looking
    /// the head up, so funds that just arrived are never refused. `fresh` (settlement) looks the head
    /// up first.
    public func verify(_ payment: ExactPayment, _ requirements: ExactRequirements, now: Int64, fresh: Bool = false) async throws(ExactEVMError) -> (payer: String, network: X402Network) {
        let (_, network) = try checkOffline(payment, requirements, now: now)
        let authorization = payment.authorization
        guard let view = views[network.chain] else { throw ExactEVMError(.invalidNetwork, "no \(network.chain) node is configured") }
        func judge(used: Bool, held: Word256) -> ExactEVMError? {
            if used { return ExactEVMError(.nonceUsed, "this authorization was already used") }
            return held >= authorization.value ? nil : ExactEVMError(.insufficientFunds, "the payer holds \(held.decimalString)")
        }
        // `from` was validated (checksum included) when the payment was parsed.
        func chainRefusal(fresh: Bool) async throws -> ExactEVMError? {
            let (used, held) = try await view.authorizationAndBalance(contract: network.contract, authorizer: authorization.from, nonce: authorization.nonce, fresh: fresh)
            return judge(used: used, held: held)
        }
        do {
            var refusal: ExactEVMError?
            if !fresh, let (used, held) = try view.cachedAuthorizationAndBalance(contract: network.contract, authorizer: authorization.from, nonce: authorization.nonce) {
                // The common case, decided from the cache without an await when it is a pass.
                refusal = judge(used: used, held: held)
                if refusal == nil { return (authorization.from, network) }
            } else {
                refusal = try await chainRefusal(fresh: fresh)
            }
            if refusal != nil, !fresh { refusal = try await chainRefusal(fresh: true) }
            if let refusal { throw refusal }
        } catch let error as ExactEVMError {
            throw error
        } catch {
            throw ExactEVMError(.unexpectedVerifyError, "the \(network.chain) node could not be read: \(error)")
        }
        return (authorization.from, network)
    }

    /// Hex addresses compared without their letter case, without building lowercased copies.
    static func sameIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        func same(_ x: UInt8, _ y: UInt8) -> Bool { x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z")) }
        // Native strings hand out their bytes; the generic comparison walks two UTF-8 views a byte at a time.
        let contiguous = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                guard x.count == y.count else { return false }
                for index in 0..<x.count where !same(x[index], y[index]) { return false }
                return true
            }
        }
        if let contiguous, let contiguous { return contiguous }
        return a.utf8.elementsEqual(b.utf8, by: same)
    }

    /// Everything that needs no chain: scheme, network, asset, domain, recipient, exact value, time
    /// window and the signature under the token's real EIP-712 domain.
    /// `timeWindow: false` skips the validity window: a retry that reconciles an authorization already
    /// submitted must be answered even after it expired, since the chain accepted it while it was valid.
    public func checkOffline(_ payment: ExactPayment, _ requirements: ExactRequirements, now: Int64, timeWindow: Bool = true) throws(ExactEVMError) -> (payer: String, network: X402Network) {
        guard payment.scheme == "exact", requirements.scheme == "exact" else { throw ExactEVMError(.unsupportedScheme, "only the exact scheme is supported") }
        guard payment.network == requirements.network else {
            throw ExactEVMError(.networkMismatch, "the payment is for \(payment.network), the requirements for \(requirements.network)")
        }
        guard let network = network(named: requirements.network) else { throw ExactEVMError(.invalidNetwork, "\(requirements.network) is not a network this facilitator settles on") }
        guard Self.sameIgnoringASCIICase(requirements.asset, network.contract) else {
            throw ExactEVMError(.assetMismatch, "asset \(requirements.asset) is not the \(network.asset) contract on \(network.caip2)")
        }
        // The domain the client signed under must be the token's; we sign-check against the real one.
        if let name = requirements.tokenName, name != network.tokenName { throw ExactEVMError(.missingDomain, "extra.name \(name) is not the token's EIP-712 name \(network.tokenName)") }
        if let version = requirements.tokenVersion, version != network.tokenVersion { throw ExactEVMError(.missingDomain, "extra.version \(version) is not the token's EIP-712 version") }
        let authorization = payment.authorization
        guard Self.sameIgnoringASCIICase(authorization.to, requirements.payTo) else {
            throw ExactEVMError(.recipientMismatch, "the authorization pays \(authorization.to), not \(requirements.payTo)")
        }
        let required = try ExactPayment.canonical(requirements.amount, "amount")
        guard authorization.value == required else {
            throw ExactEVMError(.valueMismatch, "the authorization is for \(authorization.value), the price is \(required)")
        }
        if timeWindow {
            guard authorization.validAfter <= Word256(UInt64(max(0, now))) else { throw ExactEVMError(.validAfter, "the authorization is not valid yet") }
            guard authorization.validBefore >= Word256(UInt64(max(0, now + validBeforeMargin))) else {
                throw ExactEVMError(.validBefore, "the authorization expires before it can be settled")
            }
        }
        let signer: [UInt8]
        let payer: [UInt8]
        do {
            guard payment.signature.count == 65 else { throw ExactEVMError(.signature, "only 65-byte EOA signatures are supported") }
            guard let separator = domainSeparators[network.caip2] else { throw ExactEVMError(.invalidNetwork, "no token domain for \(network.caip2)") }
            // The bytes are what was signed; `from` and `to` were validated when the payment was parsed.
            signer = try Ethereum.recoverAddressBytes(digest: try EIP3009.transferDigest(authorization, domainSeparator: separator, addressesValidated: true),
                                                      signature: payment.signature)
            payer = try Ethereum.addressBytesIgnoringChecksum(authorization.from)
        } catch let error as ExactEVMError {
            throw error
        } catch {
            throw ExactEVMError(.signature, "the signature does not verify: \(error)")
        }
        guard signer == payer else { throw ExactEVMError(.signature, "the signature is not from \(authorization.from)") }
        return (authorization.from, network)
    }
}
