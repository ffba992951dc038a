import Events
import Foundation
import HTTP
import Money
import RailyardCrypto
import SQLKit
import Storage

/// A merchant's business: where payments are received and webhooks are sent.
struct Business: Sendable {
    let id: String
    let merchantID: String
    let name: String
    let description: String?
    let webhookURL: String?
    let webhookSecretSealed: String?
    let paymentExpiryMinutes: Int?
    let createdAt: Int64
    let updatedAt: Int64
}

struct BusinessView: Encodable {
    let id: String
    let merchant_id: String
    let name: String
    let description: String?
    let webhook_url: String?
    let has_webhook_secret: Bool
    let wallet_addresses: [String: String]
    /// Minutes its payments wait for money; null means the server default (15).
    let payment_expiry_minutes: Int?
    let created_at: String
    let updated_at: String
    /// Present only in the answer that creates or rotates the secret.
    var webhook_secret: String?
}

/// Which coins a business can hold a wallet for, and the chain whose address format applies.
enum WalletCoins {
    static let all: [Asset] = AssetRegistry.crypto

    static func chain(for coin: Asset) -> AddressChain? { coin.chain.flatMap { AddressChain(rawValue: $0) } }

    /// Validates one address for one coin; throws a 400 naming the field and the reason.
    static func validate(_ address: String, coin: Asset, network: ChainNetwork, field: String) throws -> String {
        guard let chain = chain(for: coin) else { throw APIError.badRequest("\(coin.code) has no address format", field: field) }
        do {
            return try AddressValidator.validate(address, chain: chain, network: network).normalized
        } catch {
            throw APIError.badRequest("Invalid \(coin.code) address: \(error.reason)", code: "invalid_address", field: field)
        }
    }

    /// The coins a single `wallet_address` fits (an EVM address fits ETH, POL, Base and their tokens).
    static func coins(accepting address: String, network: ChainNetwork) -> [(Asset, String)] {
        all.compactMap { coin in
            guard let chain = chain(for: coin), let valid = try? AddressValidator.validate(address, chain: chain, network: network) else { return nil }
            return (coin, valid.normalized)
        }
    }
}

struct BusinessStore {
    let clock: any AppClock

    static let columns = "id, merchant_id, name, description, webhook_url, webhook_secret_sealed, payment_expiry_minutes, created_at, updated_at"

    func business(_ id: String, in db: any SQLDatabase) async throws -> Business? {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM businesses WHERE id = \(bind: id) AND deleted_at IS NULL").first().map(Self.decode)
    }

    func businesses(merchantID: String, in db: any SQLDatabase) async throws -> [Business] {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM businesses WHERE merchant_id = \(bind: merchantID) AND deleted_at IS NULL ORDER BY created_at, id")
            .all().map(Self.decode)
    }

    func wallets(businessID: String, in db: any SQLDatabase) async throws -> [(coin: String, address: String, active: Bool)] {
        try await db.raw("SELECT coin, address, is_active FROM business_wallets WHERE business_id = \(bind: businessID) ORDER BY coin").all().map {
            (try $0.decode(column: "coin", as: String.self), try $0.decode(column: "address", as: String.self), try $0.decode(column: "is_active", as: Int.self) == 1)
        }
    }

    func setWallets(_ wallets: [String: String], businessID: String, in tx: Transaction) async throws {
        let now = clock.nowMillis()
        for (coin, address) in wallets.sorted(by: { $0.key < $1.key }) {
            try await tx.sql.raw("""
                INSERT INTO business_wallets (business_id, coin, address, is_active, created_at)
                VALUES (\(bind: businessID), \(bind: coin), \(bind: address), 1, \(bind: now))
                ON CONFLICT (business_id, coin) DO UPDATE SET address = excluded.address, is_active = 1
                """).run()
        }
    }

    func view(_ b: Business, in db: any SQLDatabase, secret: String? = nil) async throws -> BusinessView {
        let wallets = try await wallets(businessID: b.id, in: db)
        return BusinessView(id: b.id, merchant_id: b.merchantID, name: b.name, description: b.description, webhook_url: b.webhookURL,
                            has_webhook_secret: b.webhookSecretSealed != nil,
                            wallet_addresses: Dictionary(uniqueKeysWithValues: wallets.map { ($0.coin, $0.address) }),
                            payment_expiry_minutes: b.paymentExpiryMinutes, created_at: Timestamp.iso8601(millis: b.createdAt), updated_at: Timestamp.iso8601(millis: b.updatedAt),
                            webhook_secret: secret)
    }

    static func decode(_ row: any SQLRow) throws -> Business {
        Business(id: try row.decode(column: "id", as: String.self), merchantID: try row.decode(column: "merchant_id", as: String.self),
                 name: try row.decode(column: "name", as: String.self), description: try row.decode(column: "description", as: String?.self),
                 webhookURL: try row.decode(column: "webhook_url", as: String?.self),
                 webhookSecretSealed: try row.decode(column: "webhook_secret_sealed", as: String?.self),
                 paymentExpiryMinutes: try row.decode(column: "payment_expiry_minutes", as: Int?.self),
                 createdAt: try row.decode(column: "created_at", as: Int64.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }
}

/// Input checks shared by create and update.
enum BusinessInput {
    static func name(_ value: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 100 else {
            throw APIError.badRequest("name must be 1 to 100 characters", code: "invalid_field", field: "name")
        }
        return trimmed
    }

    static func description(_ value: String?) throws -> String? {
        guard let value else { return nil }
        guard value.count <= 1000 else { throw APIError.badRequest("description must be at most 1000 characters", code: "invalid_field", field: "description") }
        return value
    }

    /// 5 minutes to 24 hours: long enough to pay, short enough that the quoted rate still means something.
    static func paymentExpiry(_ value: Int?) throws -> Int? {
        guard let value else { return nil }
        guard (5...1440).contains(value) else {
            throw APIError.badRequest("payment_expiry_minutes must be 5 to 1440", code: "invalid_field", field: "payment_expiry_minutes")
        }
        return value
    }

    static func webhookURL(_ value: String?, policy: WebhookDestinationPolicy) throws -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard value.count <= 2048, let url = URL(string: value), let scheme = url.scheme?.lowercased(),
              scheme == "https" || scheme == "http", url.host?.isEmpty == false else {
            throw APIError.badRequest("webhook_url must be an absolute http(s) URL", code: "invalid_url", field: "webhook_url")
        }
        do { try policy.checkLiteral(value) } catch {
            throw APIError.badRequest("\(error.description) (private destinations are refused unless the operator sets RAILYARD_WEBHOOK_ALLOW_PRIVATE)",
                                      code: "webhook_destination_refused", field: "webhook_url")
        }
        return value
    }

    /// Merges `wallet_address` (fits every coin whose format accepts it) and `wallet_addresses` (per coin).
    static func wallets(single: String?, perCoin: [String: String]?, network: ChainNetwork) throws -> [String: String] {
        var result: [String: String] = [:]
        if let single, !single.isEmpty {
            let fits = WalletCoins.coins(accepting: single, network: network)
            guard !fits.isEmpty else {
                throw APIError.badRequest("wallet_address is not a valid address on any supported chain (\(network.rawValue))", code: "invalid_address", field: "wallet_address")
            }
            for (coin, address) in fits { result[coin.code] = address }
        }
        guard (perCoin?.count ?? 0) <= 32 else { throw APIError.badRequest("too many wallet_addresses", field: "wallet_addresses") }
        for (code, address) in perCoin ?? [:] {
            guard let coin = AssetRegistry.asset(code), !coin.isFiat else {
                throw APIError.badRequest("Unknown coin '\(code)'; expected one of: \(WalletCoins.all.map(\.code).joined(separator: ", "))",
                                          code: "unknown_coin", field: "wallet_addresses.\(code)")
            }
            result[coin.code] = try WalletCoins.validate(address, coin: coin, network: network, field: "wallet_addresses.\(code)")
        }
        return result
    }
}
