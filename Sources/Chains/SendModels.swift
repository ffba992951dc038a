import Foundation
import RailyardCrypto
import Storage

/// One recipient of a send, amount in the asset's smallest unit (decimal text: JSON never carries it as a float).
public struct SendOutput: Sendable, Codable, Equatable {
    public let address: String
    public let amount: String

    public init(address: String, amount: Int128) {
        self.address = address
        self.amount = String(amount)
    }

    public var value: Int128 {
        get throws {
            guard let parsed = Int128(amount), parsed > 0 else { throw ChainError.invalid("output amount must be a positive integer, got \(amount)") }
            return parsed
        }
    }
}

/// A signed EIP-3009 `transferWithAuthorization` to submit on the payer's behalf (x402 settlement).
public struct AuthorizationSubmission: Sendable, Codable, Equatable {
    public let contract: String
    public let from: String
    public let to: String
    public let value: String
    public let validAfter: String
    public let validBefore: String
    /// 0x + 64 hex digits.
    public let nonce: String
    /// 0x + 130 hex digits (r ‖ s ‖ v).
    public let signature: String

    public init(contract: String, authorization: EIP3009.Authorization, signature: [UInt8]) {
        self.contract = contract
        from = authorization.from
        to = authorization.to
        value = authorization.value.decimalString
        validAfter = authorization.validAfter.decimalString
        validBefore = authorization.validBefore.decimalString
        nonce = Hex.encode(authorization.nonce, prefix: true)
        self.signature = Hex.encode(signature, prefix: true)
    }

    func callData() throws -> [UInt8] {
        let authorization = EIP3009.Authorization(from: from, to: to, value: try Word256(decimal: value), validAfter: try Word256(decimal: validAfter),
                                                  validBefore: try Word256(decimal: validBefore), nonce: try Hex.decode(nonce))
        return try EIP3009.transferWithAuthorizationCall(authorization, signature: try Hex.decode(signature))
    }
}

/// What to send. `id` is the caller's idempotency key: enqueueing the same id twice sends once.
public struct SendRequest: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Move `asset` from custody addresses to `outputs`.
        case payment
        /// Submit an EIP-3009 authorization from the gas wallet (`from[0]`), which pays the gas.
        case transferWithAuthorization
    }

    public var id: String
    public var chain: String
    public var asset: String
    public var kind: Kind
    /// Custody addresses whose funds are spent (UTXO chains: all their confirmed coins; account chains: exactly one).
    public var from: [String]
    public var outputs: [SendOutput]
    /// UTXO chains: where the remainder goes. Without it, the remainder must be zero after the fee.
    public var changeAddress: String?
    /// The output that bears the network fee (a sweep: "everything minus fee"); without it, the fee comes from change.
    public var feeFromOutput: Int?
    public var authorization: AuthorizationSubmission?
    /// The caller's object (payment id, settlement id), for lookups.
    public var reference: String?
    /// Sends that share this key move their money at most once, even as separate retries: an EVM token
    /// send from a deposit address derives its EIP-3009 authorization nonce from it (default: `id`).
    public var onceKey: String?

    public init(id: String, chain: String, asset: String, kind: Kind = .payment, from: [String], outputs: [SendOutput],
                changeAddress: String? = nil, feeFromOutput: Int? = nil, authorization: AuthorizationSubmission? = nil, reference: String? = nil,
                onceKey: String? = nil) {
        self.onceKey = onceKey
        self.id = id
        self.chain = chain.uppercased()
        self.asset = asset.uppercased()
        self.kind = kind
        self.from = from
        self.outputs = outputs
        self.changeAddress = changeAddress
        self.feeFromOutput = feeFromOutput
        self.authorization = authorization
        self.reference = reference
    }

    func validate() throws {
        guard !id.isEmpty, id.count <= 200 else { throw ChainError.invalid("send id must be 1-200 characters") }
        guard !from.isEmpty else { throw ChainError.invalid("a send needs at least one source address") }
        switch kind {
        case .payment:
            guard !outputs.isEmpty else { throw ChainError.invalid("a payment needs at least one output") }
            for output in outputs { _ = try output.value }
            if let index = feeFromOutput, !outputs.indices.contains(index) { throw ChainError.invalid("feeFromOutput \(index) is not an output") }
        case .transferWithAuthorization:
            guard authorization != nil else { throw ChainError.invalid("transferWithAuthorization needs the signed authorization") }
        }
    }
}

/// A transaction built and signed, ready to be stored and broadcast.
public struct SignedSend: Sendable, Equatable {
    public let raw: String
    public let txid: String
    /// Network fee paid, in the chain's native smallest unit (the maximum for EVM: gas limit × max fee).
    public let fee: Int128
    public let nonce: Int64?

    public init(raw: String, txid: String, fee: Int128, nonce: Int64?) {
        self.raw = raw
        self.txid = txid
        self.fee = fee
        self.nonce = nonce
    }
}

/// An explicit fee choice for a replacement: sat/vB on UTXO chains, wei per gas (max fee) on EVM chains.
public struct FeeBump: Sendable, Equatable {
    public let feeRate: Int128
    public init(feeRate: Int128) { self.feeRate = feeRate }
}

/// What a builder gets to work with.
public struct BuildContext: Sendable {
    public let sendID: String
    /// Private keys of the request's `from` addresses, in order.
    public let keys: [[UInt8]]
    /// When bumping: the transaction being replaced (same inputs / same nonce, higher fee).
    public let replacing: SignedSend?
    public let bump: FeeBump?
}

/// Builds, signs and broadcasts transactions for one chain. Reads from the node happen before the
/// database transaction; `store` runs inside it together with the builder's own claims (UTXOs,
/// nonce), so a crash leaves either nothing or a stored, signed transaction.
public protocol TransactionBuilder: Sendable {
    var chain: String { get }
    var adapter: any ChainAdapter { get }
    func build(_ request: SendRequest, context: BuildContext, db: Database,
               store: @escaping @Sendable (Transaction, SignedSend) async throws -> Void) async throws -> SignedSend
    /// Broadcasts; returns the transaction id the network reports.
    func broadcast(_ raw: String) async throws -> String
    /// Whether `txid` was mined but failed (an EVM revert): it used its nonce and fee and will never succeed.
    func reverted(txid: String) async throws -> Bool
    /// Whether a transaction the chain has not seen can no longer be mined at all (a Solana
    /// transaction whose blockhash expired). Only then may the same send be built anew.
    func expired(_ signed: SignedSend) async throws -> Bool
    /// The fee a mined transaction actually paid, when it can differ from the signed maximum (EVM:
    /// gas used × effective price). nil keeps the fee recorded at signing.
    func paidFee(txid: String) async throws -> Int128?
}

extension TransactionBuilder {
    public func paidFee(txid: String) async throws -> Int128? { nil }
    public func reverted(txid: String) async throws -> Bool { false }
    public func expired(_ signed: SignedSend) async throws -> Bool { false }
}

extension Word256 {
    /// A non-negative Int128 as a 256-bit word.
    public init(amount: Int128) throws {
        guard amount >= 0 else { throw ChainError.invalid("amount must not be negative") }
        var bytes = [UInt8](repeating: 0, count: 32)
        var rest = UInt128(amount)
        for index in stride(from: 31, through: 16, by: -1) {
            bytes[index] = UInt8(truncatingIfNeeded: rest)
            rest >>= 8
        }
        try self.init(bytes: bytes)
    }
}
