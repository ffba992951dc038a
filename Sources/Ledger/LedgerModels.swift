import Money

/// A ledger account: four running totals for one asset (after TigerBeetle). What a balance means
/// (credits − debits for liabilities, debits − credits for assets) is the owner's convention.
public struct LedgerAccount: Sendable, Equatable {
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// debits_pending + debits_posted may never exceed credits_posted (a balance that can't go negative).
        public static let debitsMustNotExceedCredits = Flags(rawValue: 1)
        /// credits_pending + credits_posted may never exceed debits_posted.
        public static let creditsMustNotExceedDebits = Flags(rawValue: 2)
    }

    public let id: String
    public let asset: String
    public let kind: String
    public let owner: String?
    public let flags: Flags
    public internal(set) var debitsPending: Int128
    public internal(set) var debitsPosted: Int128
    public internal(set) var creditsPending: Int128
    public internal(set) var creditsPosted: Int128
    public let createdAt: Int64

    /// credits_posted − debits_posted.
    public var creditBalance: Int128 { creditsPosted - debitsPosted }
    /// What can still be debited from a credit-normal account: posted credits minus all debits.
    public var availableCreditBalance: Int128 { creditsPosted - debitsPosted - debitsPending }
    /// debits_posted − credits_posted.
    public var debitBalance: Int128 { debitsPosted - creditsPosted }
}

/// What a caller asks for when opening an account. Creating the same id again with the same fields
/// is a no-op; with different fields it is an error.
public struct AccountSpec: Sendable, Equatable {
    public var id: String
    public var asset: String
    public var kind: String
    public var owner: String?
    public var flags: LedgerAccount.Flags

    public init(id: String, asset: String, kind: String, owner: String? = nil, flags: LedgerAccount.Flags = []) {
        self.id = id
        self.asset = asset
        self.kind = kind
        self.owner = owner
        self.flags = flags
    }
}

/// A request to move money. Transfers are immutable once written; the id is chosen by the caller
/// and makes the request idempotent.
public struct TransferRequest: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Posts immediately.
        case single
        /// Reserves the amount; resolved later by a post or void, or voided when `timeoutSeconds` pass.
        case pending(timeoutSeconds: Int64?)
        /// Posts a pending transfer, fully (amount nil) or partially; the rest is released.
        case postPending(pendingID: String)
        /// Releases a pending transfer.
        case voidPending(pendingID: String)
    }

    public var id: String
    /// Ignored (taken from the pending transfer) for post and void.
    public var debitAccountID: String
    public var creditAccountID: String
    public var asset: String
    /// Nil only for a post of the full pending amount, or a void.
    public var amount: Int128?
    public var kind: Kind
    /// Links this transfer to the next one in the batch: they commit or fail together.
    public var linked: Bool
    /// What the transfer is for (`deposit`, `fee`, `payout`, …).
    public var code: String
    /// The business object it belongs to.
    public var reference: String?

    public init(id: String, debit: String, credit: String, asset: String, amount: Int128?, kind: Kind = .single,
                linked: Bool = false, code: String, reference: String? = nil) {
        self.id = id
        self.debitAccountID = debit
        self.creditAccountID = credit
        self.asset = asset
        self.amount = amount
        self.kind = kind
        self.linked = linked
        self.code = code
        self.reference = reference
    }

    public static func post(id: String, pendingID: String, amount: Int128? = nil, linked: Bool = false, code: String = "post", reference: String? = nil) -> TransferRequest {
        TransferRequest(id: id, debit: "", credit: "", asset: "", amount: amount, kind: .postPending(pendingID: pendingID), linked: linked, code: code, reference: reference)
    }

    public static func void(id: String, pendingID: String, linked: Bool = false, code: String = "void", reference: String? = nil) -> TransferRequest {
        TransferRequest(id: id, debit: "", credit: "", asset: "", amount: nil, kind: .voidPending(pendingID: pendingID), linked: linked, code: code, reference: reference)
    }
}

/// A transfer as stored.
public struct LedgerTransfer: Sendable, Equatable {
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let pending = Flags(rawValue: 1)
        public static let postPending = Flags(rawValue: 2)
        public static let voidPending = Flags(rawValue: 4)
        public static let linked = Flags(rawValue: 8)
    }

    public let sequence: Int64
    public let id: String
    public let debitAccountID: String
    public let creditAccountID: String
    public let asset: String
    public let amount: Int128
    public let flags: Flags
    public let pendingID: String?
    public let timeoutAt: Int64?
    public let code: String
    public let reference: String?
    public let createdAt: Int64
    public let hash: String
}

/// Why a transfer was refused. Checked in this order, so a request that breaks several rules
/// always gets the same answer (after TigerBeetle's precedence-ordered result codes).
public enum TransferError: String, Error, Sendable, CaseIterable {
    case linkedEventFailed = "linked_event_failed"
    case linkedEventChainOpen = "linked_event_chain_open"
    case idMustNotBeEmpty = "id_must_not_be_empty"
    case codeMustNotBeEmpty = "code_must_not_be_empty"
    case amountMustBePositive = "amount_must_be_positive"
    case timeoutMustBePositive = "timeout_must_be_positive"
    case accountsMustBeDifferent = "accounts_must_be_different"
    case existsWithDifferentDebitAccount = "exists_with_different_debit_account_id"
    case existsWithDifferentCreditAccount = "exists_with_different_credit_account_id"
    case existsWithDifferentAsset = "exists_with_different_asset"
    case existsWithDifferentAmount = "exists_with_different_amount"
    case existsWithDifferentFlags = "exists_with_different_flags"
    case existsWithDifferentPendingID = "exists_with_different_pending_id"
    case existsWithDifferentTimeout = "exists_with_different_timeout"
    case existsWithDifferentCode = "exists_with_different_code"
    case existsWithDifferentReference = "exists_with_different_reference"
    case debitAccountNotFound = "debit_account_not_found"
    case creditAccountNotFound = "credit_account_not_found"
    case assetMustMatchAccounts = "asset_must_match_accounts"
    case pendingTransferNotFound = "pending_transfer_not_found"
    case pendingTransferNotPending = "pending_transfer_not_pending"
    case pendingTransferAlreadyPosted = "pending_transfer_already_posted"
    case pendingTransferAlreadyVoided = "pending_transfer_already_voided"
    case pendingTransferExpired = "pending_transfer_expired"
    case exceedsPendingTransferAmount = "exceeds_pending_transfer_amount"
    case exceedsCredits = "exceeds_credits"
    case exceedsDebits = "exceeds_debits"
    case overflow = "overflow"
}

/// The result of one transfer in a batch.
public enum TransferOutcome: Sendable, Equatable {
    case created
    /// The same transfer was already recorded; nothing changed.
    case exists
    case failed(TransferError)
}

public enum LedgerError: Error, Sendable, CustomStringConvertible, Equatable {
    case transferFailed(id: String, TransferError)
    case accountExistsWithDifferentFields(id: String, field: String)
    case unknownAsset(String)
    case accountNotFound(String)
    case batchTooLarge(Int)

    public var description: String {
        switch self {
        case .transferFailed(let id, let error): return "transfer \(id) failed: \(error.rawValue)"
        case .accountExistsWithDifferentFields(let id, let field): return "account \(id) exists with a different \(field)"
        case .unknownAsset(let code): return "unknown asset \(code)"
        case .accountNotFound(let id): return "account \(id) not found"
        case .batchTooLarge(let count): return "batch of \(count) transfers exceeds the limit of \(Ledger.maxBatchSize)"
        }
    }
}
