import Chains
import Foundation
import Money
import Storage
import SQLKit
import Ledger
import RailyardCrypto

/// A Bitcoin-family x402 payment: the payer broadcast a transaction to `payTo`; the proof is its txid.
public struct UTXOPayment: Sendable, Equatable {
    public let network: String
    public let txid: String

    public init(network: String, txid: String) {
        self.network = network
        self.txid = txid
    }

    /// Reads `{scheme, network, payload: {txid}}` (v1), `{accepted: {network}, payload: {txid}}` (v2),
    /// or a payload that is the txid itself.
    public static func parse<JSON: JSONReadable>(_ json: JSON) throws(ExactEVMError) -> UTXOPayment {
        let accepted = json["x402Version"]?.numberText == "2" ? json["accepted"] : json
        guard let network = accepted?["network"]?.stringValue else { throw ExactEVMError(.invalidPayload, "the payment names no network") }
        let txid = json["payload"]?["txid"]?.stringValue ?? json["payload"]?["transaction"]?.stringValue ?? json["payload"]?.stringValue
        guard let txid, txid.count == 64, txid.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw ExactEVMError(.invalidPayload, "payload.txid must be 64 lowercase hex digits")
        }
        return UTXOPayment(network: network, txid: txid)
    }
}

/// Verifies Bitcoin-family payments: the transaction exists on the active chain with the required
/// confirmations and pays `payTo` at least the amount (outputs to `payTo` added up).
public struct UTXOVerifier: Sendable {
    public let networks: [X402Network]
    let chains: [String: any TransactionLookup]
    let policy: ConfirmationPolicy

    public init(networks: [X402Network], chains: [String: any TransactionLookup], policy: ConfirmationPolicy) {
        self.networks = networks
        self.chains = chains
        self.policy = policy
    }

    public func network(named name: String) -> X402Network? { networks.first { $0.matches(name) } }

    /// The amount received by `payTo` in a valid payment, or the reason it is not valid.
    public func verify(_ payment: UTXOPayment, _ requirements: ExactRequirements) async throws(ExactEVMError) -> (received: Int128, network: X402Network) {
        guard requirements.scheme == "exact" else { throw ExactEVMError(.unsupportedScheme, "only the exact scheme is supported") }
        guard let network = network(named: requirements.network), network.matches(payment.network) else {
            throw ExactEVMError(.networkMismatch, "the payment is for \(payment.network), the requirements for \(requirements.network)")
        }
        guard requirements.asset.uppercased() == network.asset else { throw ExactEVMError(.assetMismatch, "\(network.v1Name ?? network.caip2) pays in \(network.asset)") }
        let required = try ExactPayment.canonical(requirements.amount, "amount")
        guard let lookup = chains[network.chain] else { throw ExactEVMError(.invalidNetwork, "no \(network.chain) backend is configured") }
        let found: TransactionPayments?
        let tip: ChainTip
        do {
            found = try await lookup.payments(inTransaction: payment.txid)
            tip = try await lookup.tip()
        } catch {
            // A node that fails is an error, never "not paid".
            throw ExactEVMError(.unexpectedVerifyError, "the \(network.chain) node could not be read: \(error)")
        }
        guard let found else { throw ExactEVMError(.invalidTransactionState, "transaction \(payment.txid) is not known to the \(network.chain) node") }
        let received = found.outputs.filter { $0.address == requirements.payTo && $0.asset == network.asset }.reduce(Int128(0)) { $0 + $1.amount }
        guard received > 0 else { throw ExactEVMError(.recipientMismatch, "transaction \(payment.txid) pays nothing to \(requirements.payTo)") }
        guard (try? Word256(amount: received)).map({ $0 >= required }) == true else {
            throw ExactEVMError(.amountInsufficient, "transaction \(payment.txid) pays \(received), the price is \(required)")
        }
        let needed = policy.required(for: network.asset)
        guard case .included(let height, _) = found.status else {
            throw ExactEVMError(.invalidTransactionState, "transaction \(payment.txid) is unconfirmed; \(needed) confirmations are required")
        }
        let confirmations = Int(tip.height - height + 1)
        guard confirmations >= needed else {
            throw ExactEVMError(.invalidTransactionState, "transaction \(payment.txid) has \(confirmations) of \(needed) required confirmations")
        }
        return (received, network)
    }
}

/// The facilitator's Bitcoin-family settlements.
extension X402Facilitator {

    public func verify(_ payment: UTXOPayment, _ requirements: ExactRequirements) async throws(ExactEVMError) -> X402Network {
        let (_, network) = try await utxo.verify(payment, requirements)
        let used: Bool
        do { used = try await settlement(network: network, payer: "", nonce: Array(payment.txid.utf8)) != nil } catch {
            throw ExactEVMError(.unexpectedVerifyError, "\(error)")
        }
        if used { throw ExactEVMError(.duplicateSettlement, "transaction \(payment.txid) already paid for a request") }
        return network
    }

    /// A confirmed transaction settles one payment: the row keyed by (network, txid) is unique, so the
    /// same txid can never unlock a second request.
    public func settle(_ payment: UTXOPayment, _ requirements: ExactRequirements, businessID: String, resourceID: String? = nil) async throws(ExactEVMError) -> X402Settlement {
        let (receivedAmount, network) = try await utxo.verify(payment, requirements)
        // Amounts cross async boundaries as text here: Int128 captured by the transaction closure crashed the 6.3 runtime.
        let received = String(receivedAmount)
        do {
            let bps = try await feeBasisPoints(businessID)
            let id = Identifier.make("x402", clock: clock)
            let now = clock.nowMillis()
            let inserted = try await db.write { tx -> Bool in
                let rows = try await tx.sql.raw("""
                    INSERT INTO x402_settlements (id, business_id, resource_id, network, asset, payer, recipient, amount, nonce, status, send_id, txid, reported, created_at, updated_at)
                    VALUES (\(bind: id), \(bind: businessID), \(bind: resourceID), \(bind: network.caip2), \(bind: network.asset), '', \(bind: requirements.payTo), \(bind: received),
                            \(bind: Hex.encode(Array(payment.txid.utf8))), 'settled', '', \(bind: payment.txid), 1, \(bind: now), \(bind: now))
                    ON CONFLICT (network, payer, nonce) DO NOTHING RETURNING id
                    """).all()
                guard !rows.isEmpty else { return false }
                try await self.recordSettlement(tx, settlementID: id, businessID: businessID, asset: network.asset, amount: received,
                                                basisPoints: bps, custodial: false)
                return true
            }
            guard inserted else {
                return X402Settlement(success: false, transaction: "", network: network, payer: "", amount: received, reason: .duplicateSettlement,
                                      message: "transaction \(payment.txid) already paid for a request")
            }
            return X402Settlement(success: true, transaction: payment.txid, network: network, payer: "", amount: received, reason: nil, message: nil)
        } catch {
            throw ExactEVMError(.unexpectedSettleError, "\(error)")
        }
    }
}
