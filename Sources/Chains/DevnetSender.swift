import Crypto
import Foundation
import Money
import RailyardCrypto
import SQLKit
import Storage

/// Sends on the simulated chain with the same contract as on real nodes: only custody addresses can
/// spend, coins are claimed once, the "signed transaction" (a canonical JSON document naming the
/// coins spent and the outputs) is stored before it is broadcast, and broadcasting it twice is a no-op.
/// Every asset behaves like a UTXO chain here; the fee is a fixed 10^(decimals-6) smallest units of
/// the asset sent, so forwarding code sees a real network cost.
public struct DevnetSender: TransactionBuilder {
    public let devnet: DevnetChain

    public var chain: String { devnet.chain }
    public var adapter: any ChainAdapter { devnet }

    public init(devnet: DevnetChain) {
        self.devnet = devnet
    }

    struct Document: Codable, Equatable {
        struct Coin: Codable, Equatable { let txid: String; let index: Int }
        struct Output: Codable, Equatable { let address: String; let asset: String; let amount: String }
        let send: String
        let inputs: [Coin]
        let outputs: [Output]
    }

    public static func fee(for asset: Asset) -> Int128 {
        var fee: Int128 = 1
        for _ in 0..<max(0, asset.decimals - 6) { fee *= 10 }
        return fee
    }

    public func build(_ request: SendRequest, context: BuildContext, db: Database,
                      store: @escaping @Sendable (Transaction, SignedSend) async throws -> Void) async throws -> SignedSend {
        guard request.kind == .payment else { throw ChainError.unsupported("the devnet has no contracts; \(request.kind.rawValue) needs a real EVM node") }
        guard let asset = AssetRegistry.asset(request.asset), asset.chain == chain else { throw ChainError.invalid("\(request.asset) is not an asset of \(chain)") }
        guard context.replacing == nil else { throw ChainError.unsupported("devnet transactions are mined on demand; there is nothing to bump") }
        let chain = self.chain
        return try await db.write { tx in
            let rows = try await tx.sql.raw("""
                SELECT o.txid, o.output_index, o.amount FROM devnet_outputs o
                JOIN devnet_blocks b ON b.chain = o.chain AND b.hash = o.block_hash AND b.active = 1
                WHERE o.chain = \(bind: chain) AND o.asset = \(bind: asset.code) AND o.address IN (\(binds: request.from))
                  AND o.status = 'included' AND o.spent_by IS NULL
                  AND NOT EXISTS (SELECT 1 FROM chain_claimed_outputs c WHERE c.chain = o.chain AND c.txid = o.txid AND c.vout = o.output_index)
                ORDER BY o.txid, o.output_index
                """).all()
            var inputs: [Document.Coin] = []
            var total: Int128 = 0
            for row in rows {
                guard let amount = Int128(try row.decode(column: "amount", as: String.self)) else { throw ChainError.invalid("bad devnet amount") }
                inputs.append(Document.Coin(txid: try row.decode(column: "txid", as: String.self), index: try row.decode(column: "output_index", as: Int.self)))
                total += amount
                let claimed = try await tx.sql.raw("""
                    INSERT INTO chain_claimed_outputs (chain, txid, vout, amount, address, send_id)
                    VALUES (\(bind: chain), \(bind: inputs.last!.txid), \(bind: Int64(inputs.last!.index)), \(bind: String(amount)), '', \(bind: context.sendID))
                    ON CONFLICT (chain, txid, vout) DO NOTHING RETURNING txid
                    """).all()
                // Another send claimed it between our read and this write: try again (transient).
                guard !claimed.isEmpty else { throw ChainError.node("coin \(inputs.last!.txid):\(inputs.last!.index) was just claimed by another send") }
            }
            guard !inputs.isEmpty else { throw ChainError.invalid("no confirmed, unclaimed \(asset.code) at \(request.from.joined(separator: ", "))") }
            let fee = Self.fee(for: asset)
            var amounts = try request.outputs.map { try $0.value }
            if let index = request.feeFromOutput {
                amounts[index] -= fee
                guard amounts[index] > 0 else { throw ChainError.invalid("output \(index) is too small to pay the network fee of \(fee)") }
            }
            let change = total - amounts.reduce(0, +) - fee
            guard change >= 0 else { throw ChainError.invalid("insufficient funds: \(total) available, \(amounts.reduce(0, +)) to send plus \(fee) network fee") }
            var outputs = zip(request.outputs, amounts).map { Document.Output(address: $0.0.address, asset: asset.code, amount: String($0.1)) }
            if change > 0 { outputs.append(Document.Output(address: request.changeAddress ?? request.from[0], asset: asset.code, amount: String(change))) }
            let document = Document(send: context.sendID, inputs: inputs, outputs: outputs)
            let raw = String(decoding: try ChainSender.encoder.encode(document), as: UTF8.self)
            let signed = SignedSend(raw: raw, txid: Hex.encode(SHA256.hash(data: Data(raw.utf8))), fee: fee, nonce: nil)
            try await store(tx, signed)
            return signed
        }
    }

    /// Puts the transaction in the devnet mempool: its coins are marked spent and its outputs appear.
    /// Broadcasting the same document again changes nothing.
    public func broadcast(_ raw: String) async throws -> String {
        let document = try JSONDecoder().decode(Document.self, from: Data(raw.utf8))
        let txid = Hex.encode(SHA256.hash(data: Data(raw.utf8)))
        let chain = self.chain
        let now = devnet.clock.nowMillis()
        return try await devnet.db.write { tx in
            if try await tx.sql.raw("SELECT 1 AS one FROM devnet_outputs WHERE chain = \(bind: chain) AND txid = \(bind: txid)").first() != nil {
                return txid
            }
            for coin in document.inputs {
                let spent = try await tx.sql.raw("""
                    UPDATE devnet_outputs SET spent_by = \(bind: txid)
                    WHERE chain = \(bind: chain) AND txid = \(bind: coin.txid) AND output_index = \(bind: coin.index) AND spent_by IS NULL RETURNING txid
                    """).all()
                guard !spent.isEmpty else { throw ChainError.invalid("coin \(coin.txid):\(coin.index) is missing or already spent") }
            }
            for (index, output) in document.outputs.enumerated() {
                try await tx.sql.raw("""
                    INSERT INTO devnet_outputs (chain, txid, output_index, address, asset, amount, status, block_hash, created_at)
                    VALUES (\(bind: chain), \(bind: txid), \(bind: index), \(bind: output.address), \(bind: output.asset), \(bind: output.amount), 'mempool', NULL, \(bind: now))
                    """).run()
            }
            return txid
        }
    }
}
