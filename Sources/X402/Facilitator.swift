import Chains
import Events
import Foundation
import Ledger
import Money
import RailyardCrypto
import SQLKit
import Storage

/// The outcome of a settlement, in the terms both answer shapes need.
public struct X402Settlement: Sendable, Equatable {
    public let success: Bool
    public let transaction: String
    public let network: X402Network
    public let payer: String
    public let amount: String
    public let reason: X402Reason?
    public let message: String?
}

/// Verifies and settles `exact` EVM payments. A settlement is a row keyed by (network, payer,
/// authorization nonce) — unique, so under any concurrency one authorization is submitted at most
/// once — written in the same transaction as the sender job that submits `transferWithAuthorization`
/// from the platform's gas wallet. A retry of a pending settlement reconciles to the same
/// transaction; a settle of an already settled authorization is refused.
public struct X402Facilitator: Sendable {
    public let verifier: ExactEVMVerifier
    let db: Database
    let clock: any AppClock
    let sender: ChainSender
    let custody: CustodyVault
    /// How long `settle` waits for the receipt before answering `settlement_pending`.
    let receiptTimeout: Duration
    let ledger: Ledger
    /// Settlements are announced to the business (`x402.payment.settled`) in their own transaction.
    let outbox: Outbox
    /// The business's commission in basis points (its plan: 100 Starter, 50 Professional).
    let feeBasisPoints: @Sendable (String) async throws -> Int

    /// Bitcoin-family payments (txid proofs).
    public let utxo: UTXOVerifier
    /// Lightning payments (preimage proofs), when a node is configured.
    public let lightning: LightningPaywall?
    /// Solana `exact` payments, when a Solana node and USDC mint are configured.
    public let svm: SVMExact?
    /// EVM authorizations already submitted, in memory (SQLite only; see the type).
    let submitted: SubmittedAuthorizations?

    public init(verifier: ExactEVMVerifier, utxo: UTXOVerifier = UTXOVerifier(networks: [], chains: [:], policy: ConfirmationPolicy()),
                lightning: LightningPaywall? = nil, svm: SVMExact? = nil, db: Database, clock: any AppClock, sender: ChainSender, custody: CustodyVault,
                ledger: Ledger, outbox: Outbox, feeBasisPoints: @escaping @Sendable (String) async throws -> Int, receiptTimeout: Duration = .seconds(20)) {
        self.verifier = verifier
        self.utxo = utxo
        self.lightning = lightning
        self.svm = svm
        self.db = db
        self.clock = clock
        self.sender = sender
        self.custody = custody
        self.ledger = ledger
        self.outbox = outbox
        self.feeBasisPoints = feeBasisPoints
        self.receiptTimeout = receiptTimeout
        self.submitted = db.engine == .sqlite ? SubmittedAuthorizations() : nil
    }

    /// Reads the submitted authorizations into memory (SQLite); until then every verify asks the table.
    public func loadSubmittedAuthorizations() async throws -> Int {
        try await submitted?.load(db) ?? 0
    }

    /// The gas wallets that submit settlements (the same EVM address on every chain).
    public func signers() async throws -> [String] {
        var addresses: Set<String> = []
        for chain in Set(verifier.networks.map(\.chain)) where ChainRegistry.evmChains.contains(chain) {
            guard let code = AddressChain(rawValue: chain) else { continue }
            addresses.insert(try await custody.address(db, chain: code, purpose: .gas, index: 0).address)
        }
        return addresses.sorted()
    }

    public static let migrations: [Migration] = [
        Migration(id: "0600_x402_settlements", [
            """
            CREATE TABLE x402_settlements (
                id TEXT PRIMARY KEY, business_id TEXT NOT NULL, network TEXT NOT NULL, asset TEXT NOT NULL, payer TEXT NOT NULL,
                recipient TEXT NOT NULL, amount TEXT NOT NULL, nonce TEXT NOT NULL, status TEXT NOT NULL, send_id TEXT NOT NULL,
                txid TEXT, reason TEXT, fee TEXT, resource_id TEXT, reported BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX x402_settlements_authorization ON x402_settlements (network, payer, nonce)",
            "CREATE INDEX x402_settlements_business ON x402_settlements (business_id, created_at)",
        ]),
    ]

    var nowSeconds: Int64 { clock.nowMillis() / 1000 }

    public func verify(_ payment: ExactPayment, _ requirements: ExactRequirements) async throws(ExactEVMError) -> (payer: String, network: X402Network) {
        let result = try await verifier.verify(payment, requirements, now: nowSeconds)
        // An authorization we already submitted counts as used even before the chain shows it.
        let known: Bool
        do {
            if let submitted, !submitted.mayContain(network: result.network.caip2, payer: Self.normalized(result.payer),
                                                    nonceHex: Hex.encode(payment.authorization.nonce)) {
                known = false
            } else {
                known = try await settlement(network: result.network, payer: result.payer, nonce: payment.authorization.nonce) != nil
            }
        } catch {
            throw ExactEVMError(.unexpectedVerifyError, "\(error)")
        }
        if known { throw ExactEVMError(.nonceUsed, "this authorization was already submitted for settlement") }
        return result
    }

    public func settle(_ payment: ExactPayment, _ requirements: ExactRequirements, businessID: String, resourceID: String? = nil) async throws(ExactEVMError) -> X402Settlement {
        do {
            guard let network = verifier.network(named: requirements.network) else { throw ExactEVMError(.invalidNetwork, "\(requirements.network) is not supported") }
            let payer = payment.authorization.from
            if let existing = try await settlement(network: network, payer: payer, nonce: payment.authorization.nonce) {
                // A retry reconciles only for the same business and against requirements the payment
                // satisfies; anyone else presenting the authorization is replaying it. Its validity window
                // is not checked again: the authorization was valid when it was submitted, and a retry
                // after it expired must still learn whether it was mined.
                _ = try verifier.checkOffline(payment, requirements, now: nowSeconds, timeWindow: false)
                guard existing.businessID == businessID else {
                    return X402Settlement(success: false, transaction: "", network: network, payer: payer, amount: existing.amount, reason: .nonceUsed,
                                          message: "this authorization was already submitted for settlement")
                }
                return try await reconcile(existing, network: network)
            }
            _ = try await verifier.verify(payment, requirements, now: nowSeconds, fresh: true)
            guard let chain = AddressChain(rawValue: network.chain) else { throw ExactEVMError(.invalidNetwork, "unknown chain \(network.chain)") }
            let gas = try await custody.register(db, chain: chain, purpose: .gas, index: 0, now: clock.nowMillis())
            let id = Identifier.make("x402")
            let sendID = "x402:\(id)"
            let submission = AuthorizationSubmission(contract: network.contract, authorization: payment.authorization, signature: payment.signature)
            let request = SendRequest(id: sendID, chain: network.chain, asset: network.asset, kind: .transferWithAuthorization,
                                      from: [gas.address], outputs: [], authorization: submission, reference: id)
            let now = clock.nowMillis()
            // Known in memory before the row exists, so no verify can miss it (see SubmittedAuthorizations).
            submitted?.insert(network: network.caip2, payer: Self.normalized(payer), nonceHex: Hex.encode(payment.authorization.nonce))
            let inserted = try await db.write { tx -> Bool in
                let rows = try await tx.sql.raw("""
                    INSERT INTO x402_settlements (id, business_id, resource_id, network, asset, payer, recipient, amount, nonce, status, send_id, created_at, updated_at)
                    VALUES (\(bind: id), \(bind: businessID), \(bind: resourceID), \(bind: network.caip2), \(bind: network.asset), \(bind: payer.lowercased()),
                            \(bind: payment.authorization.to), \(bind: payment.authorization.value.decimalString), \(bind: Hex.encode(payment.authorization.nonce)),
                            'pending', \(bind: sendID), \(bind: now), \(bind: now))
                    ON CONFLICT (network, payer, nonce) DO NOTHING RETURNING id
                    """).all()
                guard !rows.isEmpty else { return false }
                try await self.sender.enqueue(tx, request)
                return true
            }
            guard inserted, let row = try await settlement(network: network, payer: payer, nonce: payment.authorization.nonce) else {
                // A concurrent settle of the same authorization won; answer from its row.
                guard let other = try await settlement(network: network, payer: payer, nonce: payment.authorization.nonce) else {
                    throw ExactEVMError(.unexpectedSettleError, "settlement row vanished")
                }
                guard other.businessID == businessID else {
                    return X402Settlement(success: false, transaction: "", network: network, payer: payer, amount: other.amount, reason: .nonceUsed,
                                          message: "this authorization was already submitted for settlement")
                }
                return try await reconcile(other, network: network)
            }
            // Submit now rather than waiting for the background sender; a failure here leaves the job to retry.
            try? await sender.process(sendID)
            return try await reconcile(row, network: network)
        } catch let error as ExactEVMError {
            throw error
        } catch {
            throw ExactEVMError(.unexpectedSettleError, "\(error)")
        }
    }

    static let rowColumns = "id, business_id, asset, status, send_id, payer, amount, txid, reason, created_at"

    static func row(_ row: any SQLRow) throws -> Row {
        Row(id: try row.decode(column: "id", as: String.self), businessID: try row.decode(column: "business_id", as: String.self),
            asset: try row.decode(column: "asset", as: String.self), status: try row.decode(column: "status", as: String.self),
            sendID: try row.decode(column: "send_id", as: String.self), payer: try row.decode(column: "payer", as: String.self),
            amount: try row.decode(column: "amount", as: String.self), txid: try row.decode(column: "txid", as: String?.self),
            reason: try row.decode(column: "reason", as: String?.self), createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    struct Row: Sendable {
        let id: String
        let businessID: String
        let asset: String
        let status: String
        let sendID: String
        let payer: String
        let amount: String
        let txid: String?
        let reason: String?
        let createdAt: Int64
    }

    func settlement(network: X402Network, payer: String, nonce: [UInt8]) async throws -> Row? {
        try await db.read { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.rowColumns) FROM x402_settlements
                WHERE network = \(bind: network.caip2) AND payer = \(bind: Self.normalized(payer)) AND nonce = \(bind: Hex.encode(nonce))
                """).first().map(Self.row)
        }
    }

    /// Brings a settlement up to date with its transaction, waiting up to the receipt timeout.
    /// Success is reported exactly once per authorization (an atomic claim), so concurrent or later
    /// duplicates of a payment cannot each unlock a resource; a caller that got `settlement_pending`
    /// and settles again with the same body receives the success it has not seen yet.
    func reconcile(_ row: Row, network: X402Network) async throws -> X402Settlement {
        func answer(_ success: Bool, _ txid: String, _ reason: X402Reason?, _ message: String?) -> X402Settlement {
            X402Settlement(success: success, transaction: txid, network: network, payer: row.payer, amount: row.amount, reason: reason, message: message)
        }
        switch row.status {
        case "settled":
            return try await reportOnce(row, network: network, txid: row.txid ?? "", replay: .nonceUsed)
        case "failed":
            return answer(false, row.txid ?? "", X402Reason(rawValue: row.reason ?? "") ?? .transactionFailed, "settlement failed")
        default:
            break
        }
        let deadline = ContinuousClock.now + receiptTimeout
        while true {
            switch try await advance(row, network: network) {
            case .settled(let txid):
                return try await reportOnce(row, network: network, txid: txid, replay: .nonceUsed)
            case .failed(let txid, let reason, let message):
                return answer(false, txid ?? "", reason, message)
            case .waiting(let txid):
                if ContinuousClock.now >= deadline {
                    if let txid { try await finish(row.id, status: "pending", txid: txid, reason: nil) }
                    return answer(false, txid ?? "", .settlementPending, "submitted; not mined yet — settle again with the same body to reconcile")
                }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Where a pending settlement's transaction stands after one look at the chain.
    enum Progress: Sendable {
        case settled(txid: String)
        case failed(txid: String?, X402Reason, String)
        case waiting(txid: String?)
    }

    /// One look at a pending EVM settlement's transaction, without waiting: a mined transfer is booked
    /// (`settled`: status, commission and event in one transaction, at most once), a failed one closed.
    func advance(_ row: Row, network: X402Network) async throws -> Progress {
        _ = try await sender.track(only: row.sendID)
        guard let record = try await sender.record(row.sendID) else { throw ExactEVMError(.unexpectedSettleError, "send \(row.sendID) missing") }
        switch record.status {
        case .failed, .reverted, .expired, .replaced:
            // Nothing moved (failed before signing, or mined and reverted).
            try await finish(row.id, status: "failed", txid: record.txid, reason: X402Reason.transactionFailed.rawValue)
            return .failed(txid: record.txid, .transactionFailed, record.lastError ?? "the transaction \(record.status.rawValue)")
        case .confirmed, .broadcast:
            guard record.status == .confirmed || record.confirmations >= 1, let txid = record.txid else { return .waiting(txid: record.txid) }
            switch try await transferLogged(txid: txid, network: network, row: row) {
            case false?:
                try await finish(row.id, status: "failed", txid: txid, reason: X402Reason.transferEventMismatch.rawValue)
                return .failed(txid: txid, .transferEventMismatch, "the receipt has no matching Transfer event")
            case true?:
                try await settled(row, txid: txid)
                return .settled(txid: txid)
            case nil:
                return .waiting(txid: txid)  // The node has no receipt yet: as for an unmined transaction.
            }
        default:
            return .waiting(txid: record.txid)
        }
    }

    /// Moves every pending EVM and Solana settlement one step (see `advance`), for the payers who never
    /// settle again after `settlement_pending`: their transfers still get booked (the commission, the
    /// `x402.payment.settled` event) or closed as failed. The success answer is left to a retry with the
    /// same body, which still receives it once. Returns how many settlements changed.
    public func reconcilePendingSettlements(limit: Int = 100) async throws -> Int {
        let pending = try await db.read { sql in
            try await sql.raw("""
                SELECT network, \(unsafeRaw: Self.rowColumns) FROM x402_settlements WHERE status = 'pending' AND (send_id <> '' OR txid IS NOT NULL) ORDER BY created_at LIMIT \(bind: limit)
                """).all().map { (try $0.decode(column: "network", as: String.self), try Self.row($0)) }
        }
        var changed = 0
        for (caip2, row) in pending {
            let progress: Progress
            if let network = verifier.networks.first(where: { $0.caip2 == caip2 }), !row.sendID.isEmpty {
                progress = try await advance(row, network: network)
            } else if let svm, svm.network.caip2 == caip2, let txid = row.txid {
                progress = try await advanceSVM(row, svm: svm, txid: txid)
            } else {
                continue
            }
            if case .waiting = progress { continue }
            changed += 1
        }
        return changed
    }

    func transferLogged(txid: String, network: X402Network, row: Row) async throws -> Bool? {
        guard let node = verifier.nodes[network.chain] else { return false }
        guard let recipient = try await db.read({ sql in
            try await sql.raw("SELECT recipient FROM x402_settlements WHERE id = \(bind: row.id)").first()?.decode(column: "recipient", as: String.self)
        }) else { return false }
        return try await node.hasTransferLog(txid: txid, contract: network.contract, from: row.payer, to: recipient, value: row.amount)
    }

    /// Every network this facilitator verifies and settles on.
    public var networks: [X402Network] { verifier.networks + utxo.networks + (lightning.map { [$0.network] } ?? []) + (svm.map { [$0.network] } ?? []) }

    /// EVM addresses compare case-insensitively; base58 (Solana) addresses do not.
    static func normalized(_ payer: String) -> String { payer.hasPrefix("0x") ? payer.lowercased() : payer }

    /// What a settled payment does to the books, in the caller's transaction: the commission (1 % /
    /// 0.5 % by plan, rounded down in the merchant's favour) in the ledger, and the
    /// `x402.payment.settled` event for the business. When the payer paid the merchant directly
    /// (EVM, Solana, Bitcoin family) Railyard never held the money, so the commission is a receivable;
    /// Lightning money lands on Railyard's node, so it is custody owed to the business less the commission.
    func recordSettlement(_ tx: Transaction, settlementID: String, businessID: String, asset: String, amount: String, basisPoints: Int,
                          custodial: Bool) async throws {
        guard let value = Int128(amount) else { throw StorageError.integrity("settlement \(settlementID) has amount \(amount)") }
        let fee = try Amount(minorUnits: value).multiplied(by: Int128(basisPoints), dividedBy: 10_000, rounding: .down).minorUnits
        try await tx.sql.raw("UPDATE x402_settlements SET fee = \(bind: String(fee)) WHERE id = \(bind: settlementID)").run()
        let revenue = "platform:revenue:x402:\(asset)"
        var transfers: [TransferRequest] = []
        if custodial {
            let custody = "lightning:node:\(asset)", payable = "x402:payable:\(businessID):\(asset)"
            try await ledger.createAccounts([
                AccountSpec(id: custody, asset: asset, kind: "custody"), AccountSpec(id: payable, asset: asset, kind: "payable", owner: businessID),
                AccountSpec(id: revenue, asset: asset, kind: "revenue"),
            ], in: tx)
            if value > 0 {
                transfers.append(TransferRequest(id: "x402-ln:\(settlementID)", debit: custody, credit: payable, asset: asset, amount: value,
                                                 code: "x402_lightning", reference: settlementID))
            }
            if fee > 0 {
                transfers.append(TransferRequest(id: "x402-fee:\(settlementID)", debit: payable, credit: revenue, asset: asset, amount: fee,
                                                 code: "x402_fee", reference: settlementID))
            }
        } else if fee > 0 {
            let receivable = "x402:fees_receivable:\(businessID):\(asset)"
            try await ledger.createAccounts([
                AccountSpec(id: receivable, asset: asset, kind: "receivable", owner: businessID), AccountSpec(id: revenue, asset: asset, kind: "revenue"),
            ], in: tx)
            transfers.append(TransferRequest(id: "x402-fee:\(settlementID)", debit: receivable, credit: revenue, asset: asset, amount: fee,
                                             code: "x402_fee", reference: settlementID))
        }
        if !transfers.isEmpty { try await ledger.post(transfers, in: tx) }
        guard let row = try await tx.sql.raw("""
            SELECT network, asset, payer, recipient, amount, fee, txid, resource_id FROM x402_settlements WHERE id = \(bind: settlementID)
            """).first() else { throw StorageError.integrity("settlement \(settlementID) missing") }
        let event = SettledEvent(settlement_id: settlementID, network: try row.decode(column: "network", as: String.self),
                                 asset: try row.decode(column: "asset", as: String.self), amount: try row.decode(column: "amount", as: String.self),
                                 platform_fee: try row.decode(column: "fee", as: String?.self), payer: try row.decode(column: "payer", as: String.self),
                                 pay_to: try row.decode(column: "recipient", as: String.self), tx_hash: try row.decode(column: "txid", as: String?.self),
                                 resource_id: try row.decode(column: "resource_id", as: String?.self))
        _ = try await outbox.publish(tx, businessID: businessID, type: "x402.payment.settled", data: event, eventID: "evt_x402_\(settlementID)")
    }

    struct SettledEvent: Encodable, Sendable {
        let settlement_id: String
        let network: String
        let asset: String
        let amount: String
        let platform_fee: String?
        let payer: String
        let pay_to: String
        let tx_hash: String?
        let resource_id: String?
    }

    /// Success is reported once per settlement (an atomic claim): a second caller presenting the same
    /// proof is told it was already used, so one payment never unlocks two requests.
    func reportOnce(_ row: Row, network: X402Network, txid: String, replay: X402Reason) async throws -> X402Settlement {
        let claimed = try await db.write { tx in
            try await tx.sql.raw("UPDATE x402_settlements SET reported = 1 WHERE id = \(bind: row.id) AND reported = 0 RETURNING id").all()
        }
        guard !claimed.isEmpty else {
            return X402Settlement(success: false, transaction: "", network: network, payer: row.payer, amount: row.amount, reason: replay,
                                  message: "this payment was already settled in \(txid)")
        }
        return X402Settlement(success: true, transaction: txid, network: network, payer: row.payer, amount: row.amount, reason: nil, message: nil)
    }

    /// Marks the settlement settled and books the commission the business owes, in one transaction.
    /// The payer paid the merchant directly on chain; Railyard never held the money, so the fee is a
    /// receivable from the business, rounded down (in the merchant's favour).
    func settled(_ row: Row, txid: String) async throws {
        let bps = try await feeBasisPoints(row.businessID)
        let now = clock.nowMillis()
        try await db.write { tx in
            let updated = try await tx.sql.raw("""
                UPDATE x402_settlements SET status = 'settled', txid = \(bind: txid), updated_at = \(bind: now)
                WHERE id = \(bind: row.id) AND status = 'pending' RETURNING id
                """).all()
            guard !updated.isEmpty else { return }
            try await self.recordSettlement(tx, settlementID: row.id, businessID: row.businessID, asset: row.asset, amount: row.amount,
                                            basisPoints: bps, custodial: false)
        }
    }

    func finish(_ id: String, status: String, txid: String?, reason: String?) async throws {
        try await db.write { tx in
            try await tx.sql.raw("""
                UPDATE x402_settlements SET status = \(bind: status), txid = \(bind: txid), reason = \(bind: reason), updated_at = \(bind: self.clock.nowMillis())
                WHERE id = \(bind: id) AND status = 'pending'
                """).run()
        }
    }
}
