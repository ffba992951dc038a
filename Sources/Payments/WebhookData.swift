import Foundation
import Money
import RailyardCrypto
import Storage

/// The documented `data` objects of payment webhooks. Amounts are decimal strings of the coin
/// (exact), and `*_units` give the same in the smallest unit.
enum WebhookData {
    struct Confirmed: Encodable, Sendable {
        let payment_id: String
        let status: String
        let amount_crypto: String
        let amount_usd: String
        let currency: String
        let payment_address: String
        let tx_hash: String?
        let received_amount: String
        let received_amount_units: String
        let confirmed_at: String
        let paid_late: Bool
        let metadata: JSONBox
    }

    struct Forwarded: Encodable, Sendable {
        let payment_id: String
        let status: String
        let amount_crypto: String
        let amount_usd: String
        let currency: String
        let payment_address: String
        /// Numbers, as documented (written from exact decimal text, never through a float).
        let merchant_amount: Decimal
        let platform_fee: Decimal
        let network_fee: Decimal
        let tx_hash: String?
        let merchant_tx_hash: String?
        let platform_tx_hash: String?
        let forwarded_at: String
        let metadata: JSONBox
    }

    struct Expired: Encodable, Sendable {
        let payment_id: String
        let status: String
        let amount_crypto: String
        let amount_usd: String
        let currency: String
        let payment_address: String
        let received_amount: String
        let reason: String
        let expired_at: String
        let metadata: JSONBox
    }

    static func coins(_ p: PaymentRecord, _ units: Int128?) -> String {
        coinText(units ?? 0, decimals: p.assetInfo.decimals)
    }

    static func number(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0 }

    static func confirmed(_ p: PaymentRecord) -> Confirmed {
        Confirmed(payment_id: p.id, status: p.status.rawValue, amount_crypto: coins(p, p.amountDue), amount_usd: p.amountUSD,
                  currency: p.asset, payment_address: p.address, tx_hash: p.txHash, received_amount: coins(p, p.booked),
                  received_amount_units: String(p.booked), confirmed_at: Timestamp.iso8601(millis: p.confirmedAt ?? p.updatedAt),
                  paid_late: p.late, metadata: JSONBox(p.metadataView))
    }

    static func forwarded(_ p: PaymentRecord) -> Forwarded {
        Forwarded(payment_id: p.id, status: p.status.rawValue, amount_crypto: coins(p, p.amountDue), amount_usd: p.amountUSD,
                  currency: p.asset, payment_address: p.address, merchant_amount: number(coins(p, p.merchantAmount)),
                  platform_fee: number(coins(p, p.platformFee)), network_fee: number(coins(p, p.networkCost)), tx_hash: p.merchantTxHash, merchant_tx_hash: p.merchantTxHash, platform_tx_hash: p.platformTxHash,
                  forwarded_at: Timestamp.iso8601(millis: p.forwardedAt ?? p.updatedAt), metadata: JSONBox(p.metadataView))
    }

    static func expired(_ p: PaymentRecord, minutes: Int) -> Expired {
        let reason = p.received > 0
            ? "Payment window expired (\(minutes) minutes) with \(coins(p, p.received)) of \(coins(p, p.amountDue)) \(p.asset) received"
            : "Payment window expired (\(minutes) minutes)"
        return Expired(payment_id: p.id, status: p.status.rawValue, amount_crypto: coins(p, p.amountDue), amount_usd: p.amountUSD, currency: p.asset,
                       payment_address: p.address, received_amount: coins(p, p.received), reason: reason,
                       expired_at: Timestamp.iso8601(millis: p.expiredAt ?? p.updatedAt), metadata: JSONBox(p.metadataView))
    }
}
