import Chains
import Foundation
import Money
import SQLKit
import Ledger
import RailyardCrypto
import Storage

/// Solana `exact` (x402 SVM scheme): the client sends a transaction it signed as the token owner,
/// with Railyard's fee payer as the first account; the facilitator checks its layout as the
/// specification describes, checks the payer's balance, simulates the transaction on the node,
/// co-signs as fee payer and submits it.
///
/// Layout accepted: SetComputeUnitLimit, SetComputeUnitPrice (at most 5 lamports per compute
/// unit), one SPL Token / Token-2022 `TransferChecked` of exactly the price of `asset` to the
/// associated token account of `payTo`, then up to three Memo instructions. The fee payer appears in
/// no instruction, so the facilitator pays fees and nothing else.
public struct SVMExact: Sendable {
    public let network: X402Network
    let node: SolanaChain
    let custody: CustodyVault
    let db: Database
    let decimals: UInt8

    static let computeBudget = SolanaPublicKey(constant: "ComputeBudget111111111111111111111111111111")
    static let memo = SolanaPublicKey(constant: "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
    static let maxMicroLamportsPerUnit: UInt64 = 5_000_000

    public init(network: X402Network, node: SolanaChain, custody: CustodyVault, db: Database, decimals: UInt8 = 6) {
        self.network = network
        self.node = node
        self.custody = custody
        self.db = db
        self.decimals = decimals
    }

    /// The x402 network of a Solana node's USDC (`mint`): the published CAIP-2 ids on mainnet and devnet.
    public static func network(_ deployment: ChainDeployment, mint: String, feePayer: String) -> X402Network {
        let (name, caip2) = deployment == .mainnet ? ("solana", "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp")
            : deployment == .testnet ? ("solana-devnet", "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1") : ("solana-\(deployment.rawValue)", "solana:railyard-\(deployment.rawValue)")
        return X402Network(v1Name: name, caip2: caip2, chain: "SOL", chainID: 0, asset: "USDC_SOL", contract: mint, tokenName: "", tokenVersion: "",
                           kind: .svmExact, feePayer: feePayer)
    }

    /// The fee payer clients must name (`extra.feePayer`), the platform's Solana gas key (registered by App).
    func feePayer() async throws -> String {
        guard let feePayer = network.feePayer else { throw ExactEVMError(.invalidNetwork, "no Solana fee payer is configured") }
        return feePayer
    }

    static func u64(_ bytes: ArraySlice<UInt8>) -> UInt64 { bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }

    /// Checks the transaction against the requirements; returns it and the transfer authority (the payer).
    /// With `checkChainState` it also checks the payer's balance and simulates the transaction, as the
    /// reference facilitator does: a layout can be right and still fail on chain (the payee has no
    /// token account, the source is frozen). `false` checks the layout only: a settlement already
    /// submitted has moved the balance and cannot be simulated again (see `settleSVM`).
    public func verify(transaction base64: String, _ requirements: ExactRequirements, checkChainState: Bool = true) async throws(ExactEVMError) -> (SolanaWireTransaction, String) {
        guard requirements.scheme == "exact" else { throw ExactEVMError(.unsupportedScheme, "only the exact scheme is supported") }
        guard network.matches(requirements.network) else { throw ExactEVMError(.networkMismatch, "\(requirements.network) is not \(network.caip2)") }
        guard requirements.asset == network.contract else { throw ExactEVMError(.assetMismatch, "asset \(requirements.asset) is not the mint \(network.contract)") }
        let required = try ExactPayment.canonical(requirements.amount, "amount")
        guard let bytes = Data(base64Encoded: base64), let transaction = try? SolanaWireTransaction(serialized: Array(bytes)) else {
            throw ExactEVMError(.invalidPayload, "payload.transaction is not a base64 Solana transaction")
        }
        guard transaction.addressTableLookups == 0 else { throw ExactEVMError(.invalidPayload, "address lookup tables are not accepted") }
        let feePayerAddress: String
        do { feePayerAddress = try await feePayer() } catch { throw ExactEVMError(.unexpectedVerifyError, "\(error)") }
        guard transaction.accountKeys.first?.base58 == feePayerAddress else {
            throw ExactEVMError(.invalidPayload, "the fee payer must be \(feePayerAddress) (extra.feePayer)")
        }
        let keys = transaction.accountKeys
        let instructions = transaction.instructions
        guard (3...6).contains(instructions.count) else { throw ExactEVMError(.invalidPayload, "expected 3-6 instructions, got \(instructions.count)") }
        func program(_ index: Int) -> SolanaPublicKey { keys[Int(instructions[index].programIDIndex)] }
        // The fee payer pays fees only: it is in no instruction's accounts.
        guard instructions.allSatisfy({ !$0.accountIndices.contains(0) && $0.programIDIndex != 0 }) else {
            throw ExactEVMError(.invalidPayload, "the fee payer appears in an instruction")
        }
        guard program(0) == Self.computeBudget, instructions[0].data.first == 2, instructions[0].data.count == 5 else {
            throw ExactEVMError(.invalidPayload, "instruction 1 must be ComputeBudget SetComputeUnitLimit")
        }
        guard program(1) == Self.computeBudget, instructions[1].data.first == 3, instructions[1].data.count == 9 else {
            throw ExactEVMError(.invalidPayload, "instruction 2 must be ComputeBudget SetComputeUnitPrice")
        }
        guard Self.u64(instructions[1].data[1...]) <= Self.maxMicroLamportsPerUnit else { throw ExactEVMError(.invalidPayload, "the compute unit price is too high") }
        let transfer = instructions[2]
        let tokenProgram = program(2)
        guard tokenProgram == Solana.tokenProgramID || tokenProgram == Solana.token2022ProgramID, transfer.data.count == 10, transfer.data[0] == 12,
              transfer.accountIndices.count >= 4 else {
            throw ExactEVMError(.invalidPayload, "instruction 3 must be an SPL Token TransferChecked")
        }
        let source = keys[Int(transfer.accountIndices[0])], mint = keys[Int(transfer.accountIndices[1])]
        let destination = keys[Int(transfer.accountIndices[2])], authority = keys[Int(transfer.accountIndices[3])]
        for extra in instructions.dropFirst(3) where keys[Int(extra.programIDIndex)] != Self.memo {
            throw ExactEVMError(.invalidPayload, "only Memo instructions may follow the transfer")
        }
        guard mint.base58 == network.contract else { throw ExactEVMError(.assetMismatch, "the transfer moves mint \(mint.base58)") }
        guard transfer.data[9] == decimals else { throw ExactEVMError(.invalidPayload, "the transfer asserts \(transfer.data[9]) decimals") }
        let payTo: SolanaPublicKey
        do { payTo = try SolanaPublicKey(base58: requirements.payTo) } catch { throw ExactEVMError(.invalidPaymentRequirements, "payTo is not a Solana address") }
        guard let expected = try? Solana.associatedTokenAddress(wallet: payTo, mint: mint, tokenProgramID: tokenProgram), destination == expected else {
            throw ExactEVMError(.recipientMismatch, "the transfer does not go to the token account of \(requirements.payTo)")
        }
        guard Word256(Self.u64(transfer.data[1..<9])) == required else {
            throw ExactEVMError(.valueMismatch, "the transfer moves \(Self.u64(transfer.data[1..<9])), the price is \(required)")
        }
        guard authority.base58 != feePayerAddress, source.base58 != feePayerAddress else { throw ExactEVMError(.invalidPayload, "the fee payer cannot be the payer") }
        guard transaction.isSigned(by: authority) else { throw ExactEVMError(.signature, "the transfer authority \(authority.base58) did not sign") }
        if checkChainState { try await requireState(transaction, payer: authority.base58, required) }
        return (transaction, authority.base58)
    }

    /// The payer holds the amount, and the transaction runs.
    func requireState(_ transaction: SolanaWireTransaction, payer: String, _ required: Word256) async throws(ExactEVMError) {
        try await requireBalance(of: payer, required)
        try await simulate(transaction)
    }

    /// Runs the transaction on the node without committing it. It goes without the fee payer's
    /// signature (the node skips signature checks; the payer's was checked here): a fully signed
    /// transaction handed to a node before its row exists could be relayed and land unbooked.
    func simulate(_ transaction: SolanaWireTransaction) async throws(ExactEVMError) {
        let failure: String?
        do { failure = try await node.simulate(transaction.base64) } catch {
            throw ExactEVMError(.unexpectedVerifyError, "the Solana node could not simulate the transaction: \(error)")
        }
        if let failure { throw ExactEVMError(.transactionSimulationFailed, "the transaction fails on chain: \(failure)") }
    }

    func requireBalance(of authority: String, _ required: Word256) async throws(ExactEVMError) {
        do {
            let held = try await node.tokenBalance(asset: network.asset, wallet: authority)
            guard Word256(UInt64(clamping: held)) >= required else { throw ExactEVMError(.insufficientFunds, "the payer holds \(held)") }
        } catch let error as ExactEVMError {
            throw error
        } catch {
            throw ExactEVMError(.unexpectedVerifyError, "the Solana node could not be read: \(error)")
        }
    }

    /// Co-signs as fee payer; returns the signed transaction and its id (the first signature, the fee
    /// payer's), known before anything is sent.
    func cosign(_ transaction: SolanaWireTransaction) async throws -> (base64: String, txid: String) {
        var signed = transaction
        let key = try await custody.signingKey(db, chain: .sol, address: try await feePayer())
        try signed.sign(privateKey: key)
        return (signed.base64, Base58.encode(signed.signatures[0]))
    }
}

/// The facilitator's Solana settlements.
extension X402Facilitator {

    public func verifySVM(transaction: String, _ requirements: ExactRequirements) async throws(ExactEVMError) -> String {
        guard let svm else { throw ExactEVMError(.invalidNetwork, "no Solana node is configured") }
        // The duplicate check comes first: a settled transaction no longer simulates (it already ran).
        let (wire, payer) = try await svm.verify(transaction: transaction, requirements, checkChainState: false)
        let used: Bool
        do { used = try await settlement(network: svm.network, payer: payer, nonce: Array(Self.authoritySignature(wire, payer).utf8)) != nil } catch {
            throw ExactEVMError(.unexpectedVerifyError, "\(error)")
        }
        if used { throw ExactEVMError(.duplicateSettlement, "this transaction was already submitted") }
        try await svm.requireState(wire, payer: payer, try ExactPayment.canonical(requirements.amount, "amount"))
        return payer
    }

    static func authoritySignature(_ wire: SolanaWireTransaction, _ payer: String) -> String {
        guard let index = wire.signerKeys.firstIndex(where: { $0.base58 == payer }) else { return "" }
        return Hex.encode(wire.signatures[index])
    }

    /// Verifies, records (unique per payer signature, so one transaction is submitted at most once),
    /// co-signs as fee payer, submits, and waits for a confirmed commitment.
    public func settleSVM(transaction: String, _ requirements: ExactRequirements, businessID: String, resourceID: String? = nil) async throws(ExactEVMError) -> X402Settlement {
        guard let svm else { throw ExactEVMError(.invalidNetwork, "no Solana node is configured") }
        do {
            // The row is looked up before the balance: once submitted, the transfer has moved the payer's
            // funds, and a retry must reconcile rather than read "insufficient funds".
            let (wire, payer) = try await svm.verify(transaction: transaction, requirements, checkChainState: false)
            let nonce = Self.authoritySignature(wire, payer)
            /// A transaction already recorded: reconciled for its own business, a replay for anyone else.
            func answer(from existing: Row) async throws -> X402Settlement {
                guard existing.businessID == businessID else {
                    return X402Settlement(success: false, transaction: "", network: svm.network, payer: payer, amount: existing.amount, reason: .duplicateSettlement,
                                          message: "this transaction was already submitted")
                }
                return try await reconcileSVM(existing, svm: svm)
            }
            if let existing = try await settlement(network: svm.network, payer: payer, nonce: Array(nonce.utf8)) { return try await answer(from: existing) }
            // Simulated before a row exists: a transfer that cannot run is refused without using up its signature.
            do {
                try await svm.requireState(wire, payer: payer, try ExactPayment.canonical(requirements.amount, "amount"))
            } catch let refusal {
                // A concurrent settle of the same transaction may have sent it since the lookup: then it
                // no longer simulates, and this caller is answered from that settle's row.
                guard let other = try await settlement(network: svm.network, payer: payer, nonce: Array(nonce.utf8)) else { throw refusal }
                return try await answer(from: other)
            }
            let amount = requirements.amount
            // The transaction id is the fee payer's signature: it is written with the row, before the
            // transaction is sent, so a crash or a lost answer leaves a row that can still be looked up.
            let (signed, txid) = try await svm.cosign(wire)
            let inserted = try await recordSVMSubmission(svm, payer: payer, nonce: nonce, requirements, txid: txid, businessID: businessID, resourceID: resourceID)
            guard inserted, let row = try await settlement(network: svm.network, payer: payer, nonce: Array(nonce.utf8)) else {
                return X402Settlement(success: false, transaction: "", network: svm.network, payer: payer, amount: amount, reason: .duplicateSettlement,
                                      message: "this transaction was already submitted")
            }
            do {
                _ = try await svm.node.broadcast(signed)
            } catch let refusal as JSONRPCClient.RPCError {
                // The node refused it (its simulation failed, its blockhash expired): it cannot land.
                try await finish(row.id, status: "failed", txid: txid, reason: X402Reason.transactionFailed.rawValue)
                return X402Settlement(success: false, transaction: txid, network: svm.network, payer: payer, amount: amount, reason: .transactionFailed, message: "\(refusal)")
            } catch {
                // No answer: the node may have taken it. The row knows its id; a retry or the background pass finds out.
                return X402Settlement(success: false, transaction: txid, network: svm.network, payer: payer, amount: amount, reason: .settlementPending,
                                      message: "sent; the node did not answer (\(error)) — settle again with the same body to reconcile")
            }
            return try await reconcileSVM(row, svm: svm)
        } catch let error as ExactEVMError {
            throw error
        } catch {
            throw ExactEVMError(.unexpectedSettleError, "\(error)")
        }
    }

    /// The pending row of a Solana settlement about to be sent; false when the same payer signature
    /// already has one (the unique key on network, payer and nonce).
    func recordSVMSubmission(_ svm: SVMExact, payer: String, nonce: String, _ requirements: ExactRequirements, txid: String,
                             businessID: String, resourceID: String?) async throws -> Bool {
        let id = Identifier.make("x402", clock: clock)
        let now = clock.nowMillis()
        return try await db.write { tx -> Bool in
            try await !tx.sql.raw("""
                INSERT INTO x402_settlements (id, business_id, resource_id, network, asset, payer, recipient, amount, nonce, status, send_id, txid, created_at, updated_at)
                VALUES (\(bind: id), \(bind: businessID), \(bind: resourceID), \(bind: svm.network.caip2), \(bind: svm.network.asset), \(bind: Self.normalized(payer)),
                        \(bind: requirements.payTo), \(bind: requirements.amount), \(bind: Hex.encode(Array(nonce.utf8))), 'pending', '', \(bind: txid), \(bind: now), \(bind: now))
                ON CONFLICT (network, payer, nonce) DO NOTHING RETURNING id
                """).all().isEmpty
        }
    }

    /// One look at a submitted Solana settlement: booked once it has a `confirmed` commitment (at least
    /// one confirmation on the cluster).
    func advanceSVM(_ row: Row, svm: SVMExact, txid: String) async throws -> Progress {
        switch try await svm.node.signatureOutcome(txid) {
        case .landed(let confirmations):
            guard confirmations >= 1 else { return .waiting(txid: txid) }
            try await settled(row, txid: txid)
            return .settled(txid: txid)
        case .failed(let error):
            // Executed with an error: the fee was paid, the transfer did not happen.
            try await finish(row.id, status: "failed", txid: txid, reason: X402Reason.transactionFailed.rawValue)
            return .failed(txid: txid, .transactionFailed, "the transaction failed on chain: \(error)")
        case .unknown:
            // A blockhash is valid for about 150 slots (about a minute): long after that, a transaction
            // the cluster never saw can never land.
            guard clock.nowMillis() - row.createdAt > Self.solanaLandingWindowMillis else { return .waiting(txid: txid) }
            try await finish(row.id, status: "failed", txid: txid, reason: X402Reason.transactionFailed.rawValue)
            return .failed(txid: txid, .transactionFailed, "the transaction never landed (its blockhash expired)")
        }
    }

    /// How long an unseen Solana settlement stays pending before it is closed as never landed.
    static let solanaLandingWindowMillis: Int64 = 5 * 60 * 1000

    /// Waits (up to the receipt timeout) for a confirmed commitment of a submitted Solana settlement.
    func reconcileSVM(_ row: Row, svm: SVMExact) async throws -> X402Settlement {
        func answer(_ success: Bool, _ txid: String, _ reason: X402Reason?, _ message: String?) -> X402Settlement {
            X402Settlement(success: success, transaction: txid, network: svm.network, payer: row.payer, amount: row.amount, reason: reason, message: message)
        }
        if row.status == "failed" { return answer(false, row.txid ?? "", .transactionFailed, "settlement failed") }
        guard let txid = row.txid else { return answer(false, "", .settlementPending, "not submitted yet") }
        if row.status == "settled" { return try await reportOnce(row, network: svm.network, txid: txid, replay: .duplicateSettlement) }
        let deadline = ContinuousClock.now + receiptTimeout
        while true {
            switch try await advanceSVM(row, svm: svm, txid: txid) {
            case .settled:
                return try await reportOnce(row, network: svm.network, txid: txid, replay: .duplicateSettlement)
            case .failed(_, let reason, let message):
                return answer(false, txid, reason, message)
            case .waiting:
                break
            }
            if ContinuousClock.now >= deadline {
                return answer(false, txid, .settlementPending, "submitted; not confirmed yet — settle again with the same body to reconcile")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
