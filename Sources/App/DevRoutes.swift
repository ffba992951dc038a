import Chains
import Foundation
import HTTP
import HTTPTypes
import Hummingbird
import Money
import Storage

/// Cheat mode: pay, mine, reorganise and double-spend on the devnet chains of a running server
/// (`railyard dev …` calls these). Mounted only while chains run on devnet, and answers only
/// loopback clients unless an admin token is configured and presented.
struct DevRoutes {
    let chains: [String: DevnetChain]
    let adminToken: String?
    /// Nudges the chain's watcher after a cheat changed the chain (so it is seen at once).
    var changed: @Sendable (String) -> Void = { _ in }

    struct PayBody: Decodable { let chain: String; let to: String; let amount: DecimalInput; let asset: String? }
    struct MineBody: Decodable { let chain: String; let blocks: Int? }
    struct ReorgBody: Decodable { let chain: String; let depth: Int; let remine: Bool? }
    struct DoubleSpendBody: Decodable { let chain: String; let txid: String }

    static let loopback: Set<String> = ["127.0.0.1", "::1", "::ffff:127.0.0.1"]

    func authorize(_ request: Request, _ context: RailyardRequestContext) throws {
        if let adminToken, let presented = request.headers[.railyardDevToken] {
            guard presented == adminToken else { throw APIError.forbidden("Invalid dev token", code: "dev_forbidden") }
            return
        }
        guard Self.loopback.contains(context.clientIP) else {
            throw APIError.forbidden("The dev API answers loopback clients only (or set RAILYARD_DEV_TOKEN and send X-Railyard-Dev-Token)", code: "dev_forbidden")
        }
    }

    func chain(_ code: String) throws -> DevnetChain {
        guard let chain = chains[code.uppercased()] else {
            throw APIError.badRequest("Unknown devnet chain '\(code)'; expected one of: \(chains.keys.sorted().joined(separator: ", "))", code: "unknown_chain", field: "chain")
        }
        return chain
    }

    func add(to router: Router<RailyardRequestContext>) {
        router.post("/api/dev/pay") { request, context -> Response in
            try authorize(request, context)
            let body = try await request.decode(as: PayBody.self, context: context)
            let chain = try chain(body.chain)
            let assetCode = (body.asset ?? chain.chain).uppercased()
            guard let asset = AssetRegistry.asset(assetCode), asset.chain == chain.chain else {
                throw APIError.badRequest("\(assetCode) is not an asset of \(chain.chain)", code: "unknown_asset", field: "asset")
            }
            let amount: Amount
            do { amount = try Amount(body.amount.value, decimals: asset.decimals) } catch {
                throw APIError.badRequest("amount: \(error)", code: "invalid_amount", field: "amount")
            }
            guard amount.minorUnits > 0 else { throw APIError.badRequest("amount must be positive", code: "invalid_amount", field: "amount") }
            guard !body.to.isEmpty, body.to.count <= 128 else { throw APIError.badRequest("to must be an address", field: "to") }
            let txid = try await chain.pay(to: body.to, asset: asset.code, amount: amount.minorUnits)
            changed(chain.chain)
            return try JSONResponse.make(DevAnswer(txid: txid, chain: chain.chain, asset: asset.code, amount: String(amount.minorUnits)), status: .created)
        }
        router.post("/api/dev/mine") { request, context -> Response in
            try authorize(request, context)
            let body = try await request.decode(as: MineBody.self, context: context)
            let blocks = body.blocks ?? 1
            guard (1...10_000).contains(blocks) else { throw APIError.badRequest("blocks must be 1-10000", field: "blocks") }
            let tip = try await chain(body.chain).mine(blocks)
            changed(body.chain.uppercased())
            return try JSONResponse.make(DevAnswer(chain: body.chain.uppercased(), height: tip.height, hash: tip.hash))
        }
        router.post("/api/dev/reorg") { request, context -> Response in
            try authorize(request, context)
            let body = try await request.decode(as: ReorgBody.self, context: context)
            let chain = try chain(body.chain)
            do {
                let tip = try await chain.reorg(depth: body.depth, remine: body.remine ?? true)
                changed(chain.chain)
                return try JSONResponse.make(DevAnswer(chain: chain.chain, height: tip.height, hash: tip.hash))
            } catch let error as ChainError {
                throw APIError.badRequest(error.description, code: "invalid_reorg", field: "depth")
            }
        }
        router.post("/api/dev/double-spend") { request, context -> Response in
            try authorize(request, context)
            let body = try await request.decode(as: DoubleSpendBody.self, context: context)
            do {
                try await chain(body.chain).doubleSpend(txid: body.txid)
                changed(body.chain.uppercased())
            } catch let error as ChainError {
                throw APIError.badRequest(error.description, code: "invalid_double_spend", field: "txid")
            }
            return try JSONResponse.make(DevAnswer(txid: body.txid, chain: body.chain.uppercased()))
        }
    }

    struct DevAnswer: Encodable {
        let success = true
        var txid: String? = nil
        var chain: String
        var asset: String? = nil
        var amount: String? = nil
        var height: Int64? = nil
        var hash: String? = nil
    }
}

extension HTTPField.Name {
    static let railyardDevToken = HTTPField.Name("X-Railyard-Dev-Token")!
}
