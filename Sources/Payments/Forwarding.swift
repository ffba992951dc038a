import Chains
import Foundation
import Ledger
import Money
import RailyardCrypto
import SQLKit
import Storage

/// Paying confirmed money out of custody: the merchant's share to its wallet, the commission and
/// the network-fee reserve to the platform treasury, through the chain sender (signed and stored
/// before broadcast; a retry rebroadcasts, never re-signs).
extension PaymentProcessor {
    static let maxForwardAttempts = 5

    /// How a chain pays out: one transaction with both outputs (UTXO chains, devnet, Solana), or one
    /// transaction per recipient from the deposit address (EVM); tokens on EVM and Solana have their
    /// fees paid by the platform gas wallet.
    enum Route: Equatable {
        case single(gasPayer: String?)
        case evmNative
        case evmToken(gasPayer: String)
    }

    func route(_ p: PaymentRecord) async throws -> Route {
        if deps.devnetChains.contains(p.chain) || ChainRegistry.utxoChains.contains(p.chain) { return .single(gasPayer: nil) }
        guard let chain = AddressChain(rawValue: p.chain) else { throw ChainError.unsupported("no forwarding on \(p.chain)") }
        let gas = try await deps.fixedAddresses.address(deps, chain: chain, purpose: .gas)
        if p.chain == "SOL" { return .single(gasPayer: gas) }
        return p.assetInfo.tokenStandard == nil ? .evmNative : .evmToken(gasPayer: gas)
    }

    func treasury(_ p: PaymentRecord) async throws -> String {
        guard let chain = AddressChain(rawValue: p.chain) else { throw ChainError.unsupported("no treasury on \(p.chain)") }
        return try await deps.fixedAddresses.address(deps, chain: chain, purpose: .treasury)
    }

    static func sendID(_ p: PaymentRecord, leg: String, attempt: Int) -> String { "fwd:\(p.id):\(leg):\(attempt)" }

    /// Starts forwarding confirmed payments, and retries failed forwarding after its back-off.
    @discardableResult
    public func startForwarding() async throws -> Int {
        let now = deps.clock.nowMillis()
        let ids = try await deps.db.read { sql in
            try await sql.raw("""
                SELECT id FROM payments WHERE mode = 'custody' AND (status IN ('confirmed', 'overpaid')
                    OR (status = 'underpaid' AND window_closed = 1 AND booked <> '0' AND kind = 'payment')
                    OR (status = 'forwarding_failed' AND forward_attempts < \(literal: Self.maxForwardAttempts) AND next_forward_at <= \(bind: now)))
                ORDER BY updated_at LIMIT 200
                """).all().map { try $0.decode(column: "id", as: String.self) }
        }
        var started = 0
        for id in ids {
            guard let snapshot = try await deps.db.read({ try await PaymentStore.load($0, id: id) }) else { continue }
            let route = try await route(snapshot)
            let treasury = try await treasury(snapshot)
            let existing = try await deps.sender.records(reference: id)
            let (deps, sender) = (deps, deps.sender)
            let moved = try await deps.db.write { tx -> Bool in
                guard var p = try await PaymentStore.lock(tx, id: id), p.booked > 0, let wallet = p.merchantWallet else { return false }
                let eligible = [.confirmed, .overpaid].contains(p.status) || (p.status == .underpaid && p.windowClosed && p.kind == "payment")
                    || (p.status == .forwardingFailed && p.forwardAttempts < Self.maxForwardAttempts)
                guard eligible else { return false }
                if p.status == .forwardingFailed { p.status = try p.status.transition(to: .retrying) }
                p.forwardAttempts += 1
                for request in try Self.requests(p, route: route, wallet: wallet, treasury: treasury, existing: existing) {
                    try await sender.enqueue(tx, request)
                }
                p.status = try p.status.transition(to: .forwarding)
                p.lastError = nil
                p.updatedAt = deps.clock.nowMillis()
                try await PaymentStore.save(tx, p)
                return true
            }
            if moved { started += 1 }
        }
        return started
    }

    /// The sends of one attempt: every leg not already confirmed by an earlier attempt.
    static func requests(_ p: PaymentRecord, route: Route, wallet: String, treasury: String, existing: [SendRecord]) throws -> [SendRequest] {
        let merchant = p.merchantAmount ?? 0
        let platform = (p.platformFee ?? 0) + (p.networkReserve ?? 0)
        func done(_ leg: String) -> Bool { existing.contains { $0.id.hasPrefix("fwd:\(p.id):\(leg):") && $0.status == .confirmed } }
        let attempt = p.forwardAttempts
        switch route {
        case .single(let gasPayer):
            var outputs: [SendOutput] = []
            if merchant > 0 { outputs.append(SendOutput(address: wallet, amount: merchant)) }
            if platform > 0 { outputs.append(SendOutput(address: treasury, amount: platform)) }
            guard !outputs.isEmpty, !done("all") else { return [] }
            // Without a gas payer the platform's output bears the network fee (the reserve the customer paid for).
            let feeFrom = gasPayer == nil ? outputs.count - 1 : nil
            return [SendRequest(id: sendID(p, leg: "all", attempt: attempt), chain: p.chain, asset: p.asset,
                                from: [p.address] + (gasPayer.map { [$0] } ?? []), outputs: outputs, feeFromOutput: feeFrom, reference: p.id)]
        case .evmNative:
            // A collection has only the platform leg, which pays its own gas.
            if merchant == 0 {
                guard platform > 0, !done("p") else { return [] }
                return [SendRequest(id: sendID(p, leg: "p", attempt: attempt), chain: p.chain, asset: p.asset, from: [p.address],
                                    outputs: [SendOutput(address: treasury, amount: platform)], feeFromOutput: 0, reference: p.id)]
            }
            // The platform leg is queued once the merchant leg is signed (its gas cost is then known).
            guard !done("m") else { return [] }
            return [SendRequest(id: sendID(p, leg: "m", attempt: attempt), chain: p.chain, asset: p.asset, from: [p.address],
                                outputs: [SendOutput(address: wallet, amount: merchant)], reference: p.id)]
        case .evmToken(let gas):
            var requests: [SendRequest] = []
            // Every attempt of a leg signs the same authorization (one nonce per leg): an earlier attempt
            // that still lands makes the retry revert instead of paying twice.
            if merchant > 0 && !done("m") {
                requests.append(SendRequest(id: sendID(p, leg: "m", attempt: attempt), chain: p.chain, asset: p.asset, from: [p.address, gas],
                                            outputs: [SendOutput(address: wallet, amount: merchant)], reference: p.id, onceKey: "fwd:\(p.id):m"))
            }
            if platform > 0 && !done("p") {
                requests.append(SendRequest(id: sendID(p, leg: "p", attempt: attempt), chain: p.chain, asset: p.asset, from: [p.address, gas],
                                            outputs: [SendOutput(address: treasury, amount: platform)], reference: p.id, onceKey: "fwd:\(p.id):p"))
            }
            return requests
        }
    }

    /// Follows forwarding sends: queues the second EVM leg, marks payments forwarded (booking the
    /// payout and the network cost) or failed (retried with back-off).
    @discardableResult
    public func trackForwarding() async throws -> Int {
        let ids = try await deps.db.read { sql in
            try await sql.raw("SELECT id FROM payments WHERE status = 'forwarding' ORDER BY updated_at LIMIT 500").all()
                .map { try $0.decode(column: "id", as: String.self) }
        }
        guard !ids.isEmpty else { return 0 }
        _ = try? await deps.sender.track()
        var changed = 0
        for id in ids {
            guard let snapshot = try await deps.db.read({ try await PaymentStore.load($0, id: id) }) else { continue }
            let route = try await route(snapshot)
            let records = try await deps.sender.records(reference: id).filter { $0.status != .replaced }
            func latest(_ leg: String) -> SendRecord? { records.last { $0.id.hasPrefix("fwd:\(id):\(leg):") } }
            let legs: [String]
            switch route {
            case .single: legs = ["all"]
            case .evmNative, .evmToken:
                legs = ((snapshot.merchantAmount ?? 0) > 0 ? ["m"] : []) + (((snapshot.platformFee ?? 0) + (snapshot.networkReserve ?? 0)) > 0 ? ["p"] : [])
            }
            if route == .evmNative, let m = latest("m"), [.signed, .broadcast, .confirmed].contains(m.status), latest("p") == nil || latest("p")!.isFailure,
               let mFee = m.fee {
                let treasury = try await treasury(snapshot)
                let platform = (snapshot.platformFee ?? 0) + (snapshot.networkReserve ?? 0) - mFee
                guard platform > 0 else {
                    if try await fail(id, error: "the network-fee reserve does not cover the gas of the merchant transfer (\(mFee) wei)") { changed += 1 }
                    continue
                }
                let attempt = snapshot.forwardAttempts
                let request = SendRequest(id: Self.sendID(snapshot, leg: "p", attempt: attempt), chain: snapshot.chain, asset: snapshot.asset,
                                          from: [snapshot.address], outputs: [SendOutput(address: treasury, amount: platform)],
                                          feeFromOutput: 0, reference: id)
                if latest("p")?.id != request.id { try await deps.sender.enqueue(request); changed += 1 }
                continue
            }
            let latestByLeg = legs.map { latest($0) }
            if let failed = latestByLeg.compactMap({ $0 }).first(where: { $0.isFailure }) {
                if try await fail(id, error: failed.lastError ?? "send \(failed.id) \(failed.status.rawValue)") { changed += 1 }
                continue
            }
            let confirmed = latestByLeg.compactMap { $0 }.filter { $0.status == .confirmed }
            guard confirmed.count == legs.count else { continue }
            if try await forwarded(id, legs: Dictionary(uniqueKeysWithValues: zip(legs, confirmed)), route: route) { changed += 1 }
        }
        return changed
    }

    func fail(_ id: String, error: String) async throws -> Bool {
        let deps = self.deps
        return try await deps.db.write { tx in
            guard var p = try await PaymentStore.lock(tx, id: id), p.status == .forwarding else { return false }
            p.status = try p.status.transition(to: .forwardingFailed)
            p.lastError = String(error.prefix(500))
            p.updatedAt = deps.clock.nowMillis()
            try await PaymentStore.save(tx, p)
            // Back off 1, 2, 4, 8 minutes between attempts.
            let delay = Int64(60_000) << Int64(min(p.forwardAttempts - 1, 6))
            try await tx.sql.raw("UPDATE payments SET next_forward_at = \(bind: p.updatedAt + delay) WHERE id = \(bind: id)").run()
            deps.logger.warning("forwarding failed", metadata: ["payment": "\(id)", "error": "\(error)"])
            return true
        }
    }

    /// Books the payout and the network cost, marks the payment forwarded and announces it.
    func forwarded(_ id: String, legs: [String: SendRecord], route: Route) async throws -> Bool {
        let deps = self.deps
        return try await deps.db.write { tx in
            guard var p = try await PaymentStore.lock(tx, id: id), p.status == .forwarding else { return false }
            let a = Self.accounts(p)
            let merchant = p.merchantAmount ?? 0
            var transfers: [TransferRequest] = []
            if merchant > 0 {
                transfers.append(TransferRequest(id: "pay-out:\(p.id)", debit: a.payable, credit: a.custody, asset: p.asset, amount: merchant,
                                                 code: "payment_forwarded", reference: p.id))
            }
            var sameAssetFee: Int128 = 0
            for (leg, record) in legs.sorted(by: { $0.key < $1.key }) {
                guard let fee = record.fee, fee > 0 else { continue }
                switch route {
                case .single(gasPayer: nil), .evmNative:
                    sameAssetFee += fee
                    transfers.append(TransferRequest(id: "pay-netfee:\(p.id):\(leg)", debit: a.reserve, credit: a.custody, asset: p.asset, amount: fee,
                                                     code: "network_fee", reference: p.id))
                case .single, .evmToken:
                    // The gas wallet paid in the chain's native coin: a platform expense.
                    let native = ChainRegistry.assets(on: p.chain).first?.code ?? p.chain
                    let costs = "platform:network_costs:\(native)", custody = "chain:custody:\(native)"
                    try await deps.ledger.createAccounts([AccountSpec(id: costs, asset: native, kind: "expense"),
                                                          AccountSpec(id: custody, asset: native, kind: "custody")], in: tx)
                    transfers.append(TransferRequest(id: "pay-gas:\(p.id):\(leg)", debit: costs, credit: custody, asset: native, amount: fee,
                                                     code: "network_fee", reference: p.id))
                }
            }
            if !transfers.isEmpty { try await deps.ledger.post(transfers, in: tx) }
            p.status = try p.status.transition(to: .forwarded)
            p.networkCost = sameAssetFee
            p.merchantTxHash = (legs["all"] ?? legs["m"])?.txid
            p.platformTxHash = (legs["all"] ?? legs["p"])?.txid
            let now = deps.clock.nowMillis()
            p.forwardedAt = now
            p.updatedAt = now
            try await PaymentStore.save(tx, p)
            try await deps.outbox.publish(tx, businessID: p.businessID, type: "payment.forwarded", data: WebhookData.forwarded(p), eventID: "evt_\(p.id)_forwarded")
            return true
        }
    }
}

extension SendRecord {
    var isFailure: Bool { [.failed, .reverted, .expired].contains(status) }
}
