import Chains
import Crypto
import Foundation
import Money
import Ledger
import RailyardCrypto
import SQLKit
import Storage

/// Lightning for x402: each 402 answer carries a fresh BOLT 11 invoice (the `payTo`) issued by our
/// node for the resource's price in millisatoshis; the proof is the payment preimage. Valid when
/// its SHA-256 is the hash of an invoice we issued for this business and the node reports it paid
/// in full. A preimage settles one request.
public struct LightningPaywall: Sendable {
    public let network: X402Network
    let node: any LightningNode
    let db: Database
    let clock: any AppClock
    /// How long an invoice in a 402 answer stays payable.
    let expirySeconds: Int

    public init(network: X402Network, node: any LightningNode, db: Database, clock: any AppClock, expirySeconds: Int = 600) {
        self.network = network
        self.node = node
        self.db = db
        self.clock = clock
        self.expirySeconds = expirySeconds
    }

    /// The x402 network of a Lightning node on `deployment` (v1 name `lightning`).
    public static func network(_ deployment: ChainDeployment) -> X402Network {
        X402Network(v1Name: "lightning", caip2: "bolt11:\(deployment == .mainnet ? "bitcoin" : deployment.rawValue)", chain: "BTC", chainID: 0,
                    asset: "BTC", contract: "BTC", tokenName: "", tokenVersion: "", kind: .lightning)
    }

    static let migrations: [Migration] = [
        Migration(id: "0620_x402_invoices", [
            """
            CREATE TABLE x402_invoices (
                payment_hash TEXT PRIMARY KEY, business_id TEXT NOT NULL, resource_id TEXT, amount_msat TEXT NOT NULL, bolt11 TEXT NOT NULL,
                created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
            )
            """,
        ]),
    ]

    /// Issues (and records) an invoice for `amountMsat` to put in a 402 answer.
    public func invoice(amountMsat: String, businessID: String, resourceID: String?, description: String) async throws -> String {
        guard let msat = Int128(amountMsat), msat > 0 else { throw ExactEVMError(.invalidPaymentRequirements, "invoice amount must be positive") }
        let invoice = try await node.createInvoice(amountMsat: msat, description: String(description.prefix(200)), expirySeconds: expirySeconds)
        let now = clock.nowMillis()
        try await db.write { tx in
            try await tx.sql.raw("""
                INSERT INTO x402_invoices (payment_hash, business_id, resource_id, amount_msat, bolt11, created_at, expires_at)
                VALUES (\(bind: invoice.paymentHash), \(bind: businessID), \(bind: resourceID), \(bind: amountMsat), \(bind: invoice.bolt11), \(bind: now), \(bind: invoice.expiresAt))
                """).run()
        }
        return invoice.bolt11
    }

    /// Checks a preimage against the invoices issued for `businessID` and the node's record of payment.
    /// Returns the payment hash and the amount received (msat).
    /// The amount due is the invoice's own (the price quoted when it was issued), so a rate change
    /// between the 402 answer and the paid retry does not fail an honest payment. With `resourceID`,
    /// the invoice must have been issued for that resource; with a BOLT 11 `payTo`, it must be that invoice.
    public func verify(preimageHex: String, businessID: String, resourceID: String?, payTo: String?) async throws(ExactEVMError) -> (paymentHash: String, receivedMsat: String) {
        guard preimageHex.count == 64, let preimage = try? Hex.decode(preimageHex) else {
            throw ExactEVMError(.invalidPayload, "payload.preimage must be 32 bytes of hex")
        }
        let hash = Hex.encode(SHA256.hash(data: Data(preimage)))
        let issued: (business: String, resource: String?, amount: String, bolt11: String)?
        do {
            issued = try await db.read { sql in
                try await sql.raw("SELECT business_id, resource_id, amount_msat, bolt11 FROM x402_invoices WHERE payment_hash = \(bind: hash)").first().map {
                    (try $0.decode(column: "business_id", as: String.self), try $0.decode(column: "resource_id", as: String?.self),
                     try $0.decode(column: "amount_msat", as: String.self), try $0.decode(column: "bolt11", as: String.self))
                }
            }
        } catch { throw ExactEVMError(.unexpectedVerifyError, "\(error)") }
        guard let issued, issued.business == businessID, resourceID == nil || issued.resource == resourceID,
              payTo.map({ !$0.lowercased().hasPrefix("ln") || $0 == issued.bolt11 }) ?? true, let required = Int128(issued.amount) else {
            throw ExactEVMError(.invalidPayload, "the preimage does not belong to an invoice issued for this payment")
        }
        let status: LightningPaymentStatus
        do { status = try await node.lookupPayment(paymentHash: hash) } catch {
            throw ExactEVMError(.unexpectedVerifyError, "the Lightning node could not be read: \(error)")
        }
        guard case .settled(_, let received) = status else { throw ExactEVMError(.invalidTransactionState, "the invoice is not paid") }
        guard received >= required else { throw ExactEVMError(.amountInsufficient, "the invoice was paid \(received) msat, the price is \(required)") }
        return (hash, String(received))
    }
}

/// The facilitator's Lightning settlements.
extension X402Facilitator {

    /// The ledger asset of Lightning settlements: bitcoin counted in millisatoshis.
    static let lightningLedgerAsset = "BTC_LN"

    /// A preimage settles one request: the row keyed by (network, payment hash) is unique.
    public func settleLightning(preimage: String, payTo: String?, resourceID: String?, businessID: String) async throws(ExactEVMError) -> X402Settlement {
        guard let lightning else { throw ExactEVMError(.invalidNetwork, "no Lightning node is configured") }
        let (hash, receivedMsat) = try await lightning.verify(preimageHex: preimage, businessID: businessID, resourceID: resourceID, payTo: payTo)
        // Booked in millisatoshis (BTC_LN), exactly what the node received: a price below one sat is
        // x402's everyday case, and whole sats would book it as nothing.
        let asset = X402Facilitator.lightningLedgerAsset
        do {
            let bps = try await feeBasisPoints(businessID)
            let id = Identifier.make("x402", clock: clock)
            let now = clock.nowMillis()
            let network = lightning.network
            let inserted = try await db.write { tx -> Bool in
                let rows = try await tx.sql.raw("""
                    INSERT INTO x402_settlements (id, business_id, resource_id, network, asset, payer, recipient, amount, nonce, status, send_id, txid, reported, created_at, updated_at)
                    VALUES (\(bind: id), \(bind: businessID), \(bind: resourceID), \(bind: network.caip2), \(bind: asset), '', \(bind: payTo ?? ""), \(bind: receivedMsat), \(bind: hash),
                            'settled', '', \(bind: hash), 1, \(bind: now), \(bind: now))
                    ON CONFLICT (network, payer, nonce) DO NOTHING RETURNING id
                    """).all()
                guard !rows.isEmpty else { return false }
                try await self.recordSettlement(tx, settlementID: id, businessID: businessID, asset: asset, amount: receivedMsat, basisPoints: bps, custodial: true)
                return true
            }
            guard inserted else {
                return X402Settlement(success: false, transaction: "", network: network, payer: "", amount: receivedMsat, reason: .duplicateSettlement,
                                      message: "this preimage already paid for a request")
            }
            return X402Settlement(success: true, transaction: hash, network: network, payer: "", amount: receivedMsat, reason: nil, message: nil)
        } catch {
            throw ExactEVMError(.unexpectedSettleError, "\(error)")
        }
    }
}
