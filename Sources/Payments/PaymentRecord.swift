import Foundation
import Money
import RailyardCrypto
import SQLKit
import Storage

/// A payment as stored. Amounts are integers in the asset's smallest unit (`*_minor`) or exact
/// decimal text for fiat; nothing here is a float.
public struct PaymentRecord: Sendable, Equatable {
    public var id: String
    public var businessID: String
    /// `payment` (a merchant's sale) or `collection` (business collection: 100% to the platform).
    public var kind: String
    public var asset: String
    public var chain: String
    public var fiat: String
    public var amountFiat: String
    public var networkFeeFiat: String
    public var amountUSD: String
    public var networkFeeUSD: String
    public var amountDue: Int128
    public var networkFeeCrypto: Int128
    public var rate: String
    public var address: String
    /// `custody` (our key, forwarded) or `direct` (the merchant's xpub, never forwarded).
    public var mode: String
    public var merchantWallet: String?
    public var feeBasisPoints: Int
    public var status: PaymentStatus
    public var received: Int128
    public var confirmedAmount: Int128
    public var confirmations: Int
    public var requiredConfirmations: Int
    public var txHash: String?
    public var booked: Int128
    public var bookings: Int
    public var merchantAmount: Int128?
    public var platformFee: Int128?
    public var networkReserve: Int128?
    public var networkCost: Int128?
    public var merchantTxHash: String?
    public var platformTxHash: String?
    public var forwardAttempts: Int
    public var lastError: String?
    public var late: Bool
    public var windowClosed: Bool
    public var description: String?
    public var redirectURL: String?
    public var metadata: String
    public var createdAt: Int64
    public var expiresAt: Int64
    public var detectedAt: Int64?
    public var confirmedAt: Int64?
    public var forwardedAt: Int64?
    public var expiredAt: Int64?
    public var updatedAt: Int64

    public var assetInfo: Asset { AssetRegistry.asset(asset)! }

    static func decode(_ row: any SQLRow) throws -> PaymentRecord {
        func int128(_ column: String) throws -> Int128 {
            let text = try row.decode(column: column, as: String.self)
            guard let value = Int128(text) else { throw StorageError.integrity("payments.\(column) holds \(text)") }
            return value
        }
        func optionalInt128(_ column: String) throws -> Int128? {
            guard let text = try row.decode(column: column, as: String?.self) else { return nil }
            guard let value = Int128(text) else { throw StorageError.integrity("payments.\(column) holds \(text)") }
            return value
        }
        let statusText = try row.decode(column: "status", as: String.self)
        guard let status = PaymentStatus(rawValue: statusText) else { throw StorageError.integrity("payment status \(statusText)") }
        return PaymentRecord(
            id: try row.decode(column: "id", as: String.self), businessID: try row.decode(column: "business_id", as: String.self),
            kind: try row.decode(column: "kind", as: String.self), asset: try row.decode(column: "asset", as: String.self),
            chain: try row.decode(column: "chain", as: String.self), fiat: try row.decode(column: "fiat", as: String.self),
            amountFiat: try row.decode(column: "amount_fiat", as: String.self), networkFeeFiat: try row.decode(column: "network_fee_fiat", as: String.self),
            amountUSD: try row.decode(column: "amount_usd", as: String.self), networkFeeUSD: try row.decode(column: "network_fee_usd", as: String.self),
            amountDue: try int128("amount_due"), networkFeeCrypto: try int128("network_fee_crypto"), rate: try row.decode(column: "rate", as: String.self),
            address: try row.decode(column: "address", as: String.self), mode: try row.decode(column: "mode", as: String.self),
            merchantWallet: try row.decode(column: "merchant_wallet", as: String?.self), feeBasisPoints: try row.decode(column: "fee_bps", as: Int.self),
            status: status, received: try int128("received"), confirmedAmount: try int128("confirmed_amount"),
            confirmations: try row.decode(column: "confirmations", as: Int.self), requiredConfirmations: try row.decode(column: "required_confirmations", as: Int.self),
            txHash: try row.decode(column: "tx_hash", as: String?.self), booked: try int128("booked"), bookings: try row.decode(column: "bookings", as: Int.self),
            merchantAmount: try optionalInt128("merchant_amount"), platformFee: try optionalInt128("platform_fee"),
            networkReserve: try optionalInt128("network_reserve"), networkCost: try optionalInt128("network_cost"),
            merchantTxHash: try row.decode(column: "merchant_tx_hash", as: String?.self), platformTxHash: try row.decode(column: "platform_tx_hash", as: String?.self),
            forwardAttempts: try row.decode(column: "forward_attempts", as: Int.self), lastError: try row.decode(column: "last_error", as: String?.self),
            late: try row.decode(column: "late", as: Int.self) != 0, windowClosed: try row.decode(column: "window_closed", as: Int.self) != 0,
            description: try row.decode(column: "description", as: String?.self), redirectURL: try row.decode(column: "redirect_url", as: String?.self),
            metadata: try row.decode(column: "metadata", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64.self), detectedAt: try row.decode(column: "detected_at", as: Int64?.self),
            confirmedAt: try row.decode(column: "confirmed_at", as: Int64?.self), forwardedAt: try row.decode(column: "forwarded_at", as: Int64?.self),
            expiredAt: try row.decode(column: "expired_at", as: Int64?.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}

enum PaymentsSchema {
    static let migrations: [Migration] = [
        Migration(id: "0700_payments", [
            """
            CREATE TABLE payments (
                id TEXT PRIMARY KEY, business_id TEXT NOT NULL, kind TEXT NOT NULL, asset TEXT NOT NULL, chain TEXT NOT NULL,
                fiat TEXT NOT NULL, amount_fiat TEXT NOT NULL, network_fee_fiat TEXT NOT NULL, amount_usd TEXT NOT NULL,
                network_fee_usd TEXT NOT NULL, amount_due TEXT NOT NULL,
                network_fee_crypto TEXT NOT NULL, rate TEXT NOT NULL, address TEXT NOT NULL, mode TEXT NOT NULL, merchant_wallet TEXT,
                fee_bps BIGINT NOT NULL, status TEXT NOT NULL, received TEXT NOT NULL DEFAULT '0', confirmed_amount TEXT NOT NULL DEFAULT '0',
                confirmations BIGINT NOT NULL DEFAULT 0, required_confirmations BIGINT NOT NULL, tx_hash TEXT,
                booked TEXT NOT NULL DEFAULT '0', bookings BIGINT NOT NULL DEFAULT 0, merchant_amount TEXT, platform_fee TEXT,
                network_reserve TEXT, network_cost TEXT, merchant_tx_hash TEXT, platform_tx_hash TEXT,
                forward_attempts BIGINT NOT NULL DEFAULT 0, next_forward_at BIGINT, last_error TEXT,
                late BIGINT NOT NULL DEFAULT 0, window_closed BIGINT NOT NULL DEFAULT 0,
                description TEXT, redirect_url TEXT, metadata TEXT NOT NULL,
                created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, detected_at BIGINT, confirmed_at BIGINT, forwarded_at BIGINT,
                expired_at BIGINT, updated_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX payments_address ON payments (chain, address)",
            "CREATE INDEX payments_business ON payments (business_id, kind, created_at)",
            "CREATE INDEX payments_status ON payments (status, expires_at)",
            // How far the payment processor has read the chain layer's deposit events.
            "CREATE TABLE payments_cursor (name TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
        ]),
    ]
}

struct PaymentStore {
    static func load(_ sql: any SQLDatabase, id: String) async throws -> PaymentRecord? {
        try await sql.raw("SELECT * FROM payments WHERE id = \(bind: id)").first().map(PaymentRecord.decode)
    }

    static func lock(_ tx: Transaction, id: String) async throws -> PaymentRecord? {
        try await tx.sql.raw("SELECT * FROM payments WHERE id = \(bind: id)\(unsafeRaw: tx.lockClause)").first().map(PaymentRecord.decode)
    }

    /// Writes every mutable column of `payment` back.
    static func save(_ tx: Transaction, _ p: PaymentRecord) async throws {
        try await tx.sql.raw("""
            UPDATE payments SET status = \(bind: p.status.rawValue), received = \(bind: String(p.received)),
                confirmed_amount = \(bind: String(p.confirmedAmount)), confirmations = \(bind: p.confirmations), tx_hash = \(bind: p.txHash),
                booked = \(bind: String(p.booked)), bookings = \(bind: p.bookings), merchant_amount = \(bind: p.merchantAmount.map { String($0) }),
                platform_fee = \(bind: p.platformFee.map { String($0) }), network_reserve = \(bind: p.networkReserve.map { String($0) }),
                network_cost = \(bind: p.networkCost.map { String($0) }), merchant_tx_hash = \(bind: p.merchantTxHash),
                platform_tx_hash = \(bind: p.platformTxHash), forward_attempts = \(bind: p.forwardAttempts), last_error = \(bind: p.lastError),
                late = \(bind: p.late ? 1 : 0), window_closed = \(bind: p.windowClosed ? 1 : 0), detected_at = \(bind: p.detectedAt),
                confirmed_at = \(bind: p.confirmedAt), forwarded_at = \(bind: p.forwardedAt), expired_at = \(bind: p.expiredAt),
                updated_at = \(bind: p.updatedAt)
            WHERE id = \(bind: p.id)
            """).run()
    }
}
