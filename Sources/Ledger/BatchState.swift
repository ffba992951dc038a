/// The in-memory state of one `Ledger.submit` call: the accounts it touches, the transfers it has
/// decided to create, and an undo journal so a failed linked chain leaves no trace.
struct BatchState {
    private(set) var accounts: [String: LedgerAccount]
    private let existing: [String: LedgerTransfer]
    private let pendings: [String: LedgerTransfer]
    private var resolutions: [String: LedgerTransfer.Flags]
    private let now: Int64

    private(set) var created: [TransferDraft] = []
    private var createdIndex: [String: Int] = [:]
    private(set) var dirtyAccounts: [String] = []
    private var dirtySet: Set<String> = []

    // Undo journal for the chain in progress.
    private var journalAccounts: [String: LedgerAccount] = [:]
    private var journalResolutions: [String] = []
    private var journalCreatedCount = 0
    private var journalDirtyCount = 0

    init(accounts: [String: LedgerAccount], existing: [String: LedgerTransfer], pendings: [String: LedgerTransfer],
         resolutions: [String: LedgerTransfer.Flags], now: Int64) {
        self.accounts = accounts
        self.existing = existing
        self.pendings = pendings
        self.resolutions = resolutions
        self.now = now
    }

    mutating func beginChain() {
        journalAccounts.removeAll(keepingCapacity: true)
        journalResolutions.removeAll(keepingCapacity: true)
        journalCreatedCount = created.count
        journalDirtyCount = dirtyAccounts.count
    }

    mutating func rollbackChain() {
        for (id, account) in journalAccounts { accounts[id] = account }
        for id in journalResolutions { resolutions[id] = nil }
        for draft in created[journalCreatedCount...] { createdIndex[draft.id] = nil }
        created.removeSubrange(journalCreatedCount...)
        for id in dirtyAccounts[journalDirtyCount...] { dirtySet.remove(id) }
        dirtyAccounts.removeSubrange(journalDirtyCount...)
        beginChain()
    }

    // MARK: applying one request

    mutating func apply(_ r: TransferRequest) -> TransferOutcome {
        if r.id.isEmpty { return .failed(.idMustNotBeEmpty) }
        if r.code.isEmpty { return .failed(.codeMustNotBeEmpty) }
        if let amount = r.amount, amount <= 0 { return .failed(.amountMustBePositive) }
        if case .pending(let timeout?) = r.kind, timeout <= 0 { return .failed(.timeoutMustBePositive) }

        if let previous = existingTransfer(r.id) {
            if let difference = Self.difference(previous, r) { return .failed(difference) }
            return .exists
        }

        switch r.kind {
        case .single, .pending:
            return applyDirect(r)
        case .postPending(let pendingID), .voidPending(let pendingID):
            return applyResolution(r, pendingID: pendingID)
        }
    }

    private mutating func applyDirect(_ r: TransferRequest) -> TransferOutcome {
        guard let amount = r.amount else { return .failed(.amountMustBePositive) }
        if r.debitAccountID == r.creditAccountID { return .failed(.accountsMustBeDifferent) }
        guard let debit = accounts[r.debitAccountID] else { return .failed(.debitAccountNotFound) }
        guard let credit = accounts[r.creditAccountID] else { return .failed(.creditAccountNotFound) }
        let asset = r.asset.uppercased()
        if debit.asset != asset || credit.asset != asset { return .failed(.assetMustMatchAccounts) }

        let isPending: Bool
        var timeoutAt: Int64?
        if case .pending(let timeout) = r.kind {
            isPending = true
            if let timeout { timeoutAt = now + timeout * 1000 }
        } else {
            isPending = false
        }

        // Limits are checked against pending and posted debits, so a later post can never break them.
        guard let debitsTotal = Self.sum(debit.debitsPending, debit.debitsPosted, amount),
              let creditsTotal = Self.sum(credit.creditsPending, credit.creditsPosted, amount) else { return .failed(.overflow) }
        if debit.flags.contains(.debitsMustNotExceedCredits) && debitsTotal > debit.creditsPosted { return .failed(.exceedsCredits) }
        if credit.flags.contains(.creditsMustNotExceedDebits) && creditsTotal > credit.debitsPosted { return .failed(.exceedsDebits) }

        mutate(debit.id) { if isPending { $0.debitsPending += amount } else { $0.debitsPosted += amount } }
        mutate(credit.id) { if isPending { $0.creditsPending += amount } else { $0.creditsPosted += amount } }
        var flags: LedgerTransfer.Flags = isPending ? .pending : []
        if r.linked { flags.insert(.linked) }
        record(TransferDraft(id: r.id, debitAccountID: debit.id, creditAccountID: credit.id, asset: asset, amount: amount,
                             flags: flags, pendingID: nil, timeoutAt: timeoutAt, code: r.code, reference: r.reference, createdAt: now))
        return .created
    }

    private mutating func applyResolution(_ r: TransferRequest, pendingID: String) -> TransferOutcome {
        guard let pending = pendingTransfer(pendingID) else { return .failed(.pendingTransferNotFound) }
        guard pending.flags.contains(.pending) else { return .failed(.pendingTransferNotPending) }
        if let resolved = resolutions[pendingID] {
            return .failed(resolved.contains(.postPending) ? .pendingTransferAlreadyPosted : .pendingTransferAlreadyVoided)
        }
        let isPost: Bool
        if case .postPending = r.kind { isPost = true } else { isPost = false }
        if isPost, let timeoutAt = pending.timeoutAt, timeoutAt <= now { return .failed(.pendingTransferExpired) }
        if !r.debitAccountID.isEmpty && r.debitAccountID != pending.debitAccountID { return .failed(.existsWithDifferentDebitAccount) }
        if !r.creditAccountID.isEmpty && r.creditAccountID != pending.creditAccountID { return .failed(.existsWithDifferentCreditAccount) }
        if !r.asset.isEmpty && r.asset.uppercased() != pending.asset { return .failed(.assetMustMatchAccounts) }

        let reserved = pending.amount
        let posted: Int128 = isPost ? (r.amount ?? reserved) : 0
        if posted > reserved { return .failed(.exceedsPendingTransferAmount) }

        mutate(pending.debitAccountID) { $0.debitsPending -= reserved; $0.debitsPosted += posted }
        mutate(pending.creditAccountID) { $0.creditsPending -= reserved; $0.creditsPosted += posted }
        var flags: LedgerTransfer.Flags = isPost ? .postPending : .voidPending
        if r.linked { flags.insert(.linked) }
        resolutions[pendingID] = flags
        journalResolutions.append(pendingID)
        record(TransferDraft(id: r.id, debitAccountID: pending.debitAccountID, creditAccountID: pending.creditAccountID,
                             asset: pending.asset, amount: isPost ? posted : reserved, flags: flags, pendingID: pendingID,
                             timeoutAt: nil, code: r.code, reference: r.reference, createdAt: now))
        return .created
    }

    // MARK: helpers

    private mutating func mutate(_ id: String, _ change: (inout LedgerAccount) -> Void) {
        guard var account = accounts[id] else { preconditionFailure("account \(id) was validated before mutation") }
        if journalAccounts[id] == nil { journalAccounts[id] = account }
        change(&account)
        accounts[id] = account
        if dirtySet.insert(id).inserted { dirtyAccounts.append(id) }
    }

    private mutating func record(_ draft: TransferDraft) {
        createdIndex[draft.id] = created.count
        created.append(draft)
    }

    private func existingTransfer(_ id: String) -> LedgerTransfer? {
        if let stored = existing[id] { return stored }
        guard let index = createdIndex[id] else { return nil }
        return Self.transfer(from: created[index])
    }

    private func pendingTransfer(_ id: String) -> LedgerTransfer? {
        if let stored = pendings[id] { return stored }
        guard let index = createdIndex[id] else { return nil }
        return Self.transfer(from: created[index])
    }

    private static func transfer(from d: TransferDraft) -> LedgerTransfer {
        LedgerTransfer(sequence: 0, id: d.id, debitAccountID: d.debitAccountID, creditAccountID: d.creditAccountID, asset: d.asset,
                       amount: d.amount, flags: d.flags, pendingID: d.pendingID, timeoutAt: d.timeoutAt, code: d.code,
                       reference: d.reference, createdAt: d.createdAt, hash: "")
    }

    private static func sum(_ values: Int128...) -> Int128? {
        var total: Int128 = 0
        for value in values {
            let (next, overflow) = total.addingReportingOverflow(value)
            if overflow { return nil }
            total = next
        }
        return total
    }

    /// The first field in which a retried request differs from the stored transfer, if any.
    static func difference(_ stored: LedgerTransfer, _ r: TransferRequest) -> TransferError? {
        var flags: LedgerTransfer.Flags = r.linked ? .linked : []
        var pendingID: String?
        var timeout: Int64?
        switch r.kind {
        case .single: break
        case .pending(let seconds): flags.insert(.pending); timeout = seconds
        case .postPending(let id): flags.insert(.postPending); pendingID = id
        case .voidPending(let id): flags.insert(.voidPending); pendingID = id
        }
        let isResolution = pendingID != nil
        if !(isResolution && r.debitAccountID.isEmpty) && stored.debitAccountID != r.debitAccountID { return .existsWithDifferentDebitAccount }
        if !(isResolution && r.creditAccountID.isEmpty) && stored.creditAccountID != r.creditAccountID { return .existsWithDifferentCreditAccount }
        if !(isResolution && r.asset.isEmpty) && stored.asset != r.asset.uppercased() { return .existsWithDifferentAsset }
        if let amount = r.amount, amount != stored.amount { return .existsWithDifferentAmount }
        if stored.flags != flags { return .existsWithDifferentFlags }
        if stored.pendingID != pendingID { return .existsWithDifferentPendingID }
        let storedTimeout = stored.timeoutAt.map { ($0 - stored.createdAt) / 1000 }
        if storedTimeout != timeout { return .existsWithDifferentTimeout }
        if stored.code != r.code { return .existsWithDifferentCode }
        if stored.reference != r.reference { return .existsWithDifferentReference }
        return nil
    }
}
