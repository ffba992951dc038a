import Chains
import Foundation
import HTTP
import Hummingbird
import Money
import RailyardCrypto
import SQLKit
import Storage

/// Direct mode: a business that registers an extended public key for a chain is paid on addresses
/// derived from it (the merchant's own wallet, watch-only here). Nothing passes through custody, so
/// nothing is forwarded and no network fee is added; the commission accrues as a receivable the
/// business owes the platform.
enum DirectModeSchema {
    static let migration = Migration(id: "0720_direct_sources", [
        """
        CREATE TABLE payment_direct_sources (
            business_id TEXT NOT NULL, chain TEXT NOT NULL, source_id TEXT NOT NULL, created_at BIGINT NOT NULL,
            PRIMARY KEY (business_id, chain)
        )
        """,
    ])

    /// The address source of a business on a chain, if it is in direct mode there.
    static func source(_ sql: any SQLDatabase, businessID: String, chain: String) async throws -> String? {
        try await sql.raw("SELECT source_id FROM payment_direct_sources WHERE business_id = \(bind: businessID) AND chain = \(bind: chain)")
            .first()?.decode(column: "source_id", as: String.self)
    }
}

extension PaymentsFeature {
    struct DirectInput: Decodable {
        let business_id: String?
        let blockchain: String?
        let xpub: String?
    }

    struct DirectWalletView: Encodable {
        let business_id: String
        let blockchain: String
        /// The key's fingerprint-free summary: its first characters and the address scheme.
        let xpub_prefix: String
        let scheme: String
        let addresses_issued: Int
        let created_at: String
    }
    struct OneDirect: Encodable { let success = true; let direct_wallet: DirectWalletView }
    struct DirectList: Encodable { let success = true; let direct_wallets: [DirectWalletView] }

    func addDirectModeRoutes(to router: Router<RailyardRequestContext>) {
        let feature = self
        // Changing where money goes needs the merchant's login, like changing a business's wallets: a
        // leaked API key must not be able to redirect payments.
        router.post("/api/direct-wallets") { request, context -> Response in
            let principal = Principal.merchant(id: try context.requireMerchantSession())
            let input = try await APIRequestDecoder().decode(DirectInput.self, from: request, context: context)
            let businessID = try await feature.directBusiness(input.business_id, principal: principal)
            guard let code = input.blockchain?.uppercased(), !code.isEmpty else {
                throw APIError.badRequest("blockchain is required", code: "missing_field", field: "blockchain")
            }
            guard feature.deps.chains.contains(code), let chain = AddressChain(rawValue: code) else {
                throw APIError.badRequest("Unknown or disabled blockchain '\(code)'", code: "unsupported_blockchain", field: "blockchain")
            }
            guard let xpub = input.xpub?.trimmingCharacters(in: .whitespaces), !xpub.isEmpty else {
                throw APIError.badRequest("xpub is required", code: "missing_field", field: "xpub")
            }
            do { _ = try AddressBook.validate(xpub: xpub, chain: chain, network: feature.deps.network) } catch let error as AddressBook.Error {
                throw APIError.badRequest(error.description, code: "invalid_xpub", field: "xpub")
            }
            let now = feature.deps.clock.nowMillis()
            // One source (and one address counter) per (chain, key), whichever businesses register it: two
            // businesses with one wallet never get the same address. Registering again is a no-op.
            let sourceID = "direct:\(code):" + Hex.encode(Array(Keccak256.hash(Array(xpub.utf8)).prefix(16)))
            let network = feature.deps.network
            try await feature.deps.db.write { tx in
                try await AddressBook().register(tx, id: sourceID, chain: chain, network: network, xpub: xpub, now: now)
                try await tx.sql.raw("""
                    INSERT INTO payment_direct_sources (business_id, chain, source_id, created_at)
                    VALUES (\(bind: businessID), \(bind: code), \(bind: sourceID), \(bind: now))
                    ON CONFLICT (business_id, chain) DO UPDATE SET source_id = excluded.source_id, created_at = excluded.created_at
                    """).run()
            }
            guard let view = try await feature.directWallets(businessID: businessID).first(where: { $0.blockchain == code }) else {
                throw APIError(.conflict, code: "direct_wallet_changed", "The direct wallet was removed while it was being registered; try again")
            }
            return try JSONResponse.make(OneDirect(direct_wallet: view), status: .created)
        }
        router.get("/api/direct-wallets") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let businessID = try await feature.directBusiness(request.query("business_id"), principal: principal)
            return try JSONResponse.make(DirectList(direct_wallets: try await feature.directWallets(businessID: businessID)))
        }
        router.delete("/api/direct-wallets/:blockchain") { request, context -> Response in
            let principal = Principal.merchant(id: try context.requireMerchantSession())
            let businessID = try await feature.directBusiness(request.query("business_id"), principal: principal)
            let code = (context.parameters.get("blockchain") ?? "").uppercased()
            // Addresses already issued stay watched; only new payments go back to custody.
            let removed = try await feature.deps.db.write { tx in
                try await tx.sql.raw("DELETE FROM payment_direct_sources WHERE business_id = \(bind: businessID) AND chain = \(bind: code) RETURNING chain").all().count
            }
            guard removed > 0 else { throw APIError.notFound("No direct wallet for \(code)", code: "direct_wallet_not_found") }
            return try JSONResponse.make(DirectList(direct_wallets: try await feature.directWallets(businessID: businessID)))
        }
    }

    func directBusiness(_ requested: String?, principal: Principal) async throws -> String {
        guard let businessID = requested ?? principal.businessID, !businessID.isEmpty else {
            throw APIError.badRequest("business_id is required", code: "missing_field", field: "business_id")
        }
        guard try await mayAct(on: businessID, principal: principal) else { throw APIError.notFound("Business not found", code: "business_not_found") }
        return businessID
    }

    func directWallets(businessID: String) async throws -> [DirectWalletView] {
        try await deps.db.read { sql in
            try await sql.raw("""
                SELECT d.business_id, d.chain, d.created_at, s.xpub, s.scheme, s.next_index
                FROM payment_direct_sources d JOIN chain_address_sources s ON s.id = d.source_id
                WHERE d.business_id = \(bind: businessID) ORDER BY d.chain
                """).all().map { row in
                    DirectWalletView(business_id: try row.decode(column: "business_id", as: String.self), blockchain: try row.decode(column: "chain", as: String.self),
                                     xpub_prefix: String(try row.decode(column: "xpub", as: String.self).prefix(12)) + "…",
                                     scheme: try row.decode(column: "scheme", as: String.self), addresses_issued: try row.decode(column: "next_index", as: Int.self),
                                     created_at: Timestamp.iso8601(millis: try row.decode(column: "created_at", as: Int64.self)))
                }
        }
    }
}
