import Foundation
import Money
import RailyardCrypto
import SQLKit
import Storage

/// Builds and signs Bitcoin-family transactions from custody coins that the node's watch-only wallet
/// reports (`listunspent`), and broadcasts them. Every input signals replace-by-fee, so a stuck
/// transaction can be bumped explicitly.
public struct BitcoinCoreSender: TransactionBuilder {
    public let node: BitcoinCoreChain
    let network: ChainNetwork
    /// sat/vB used when the node has no fee estimate (regtest, fresh nodes).
    let fallbackFeeRate: Int128
    /// Outputs below this are not created; the value goes to the fee instead.
    let dustLimit: Int128 = 546

    public var chain: String { node.chain }
    public var adapter: any ChainAdapter { node }

    public init(node: BitcoinCoreChain, network: ChainNetwork, fallbackFeeRate: Int128 = 2) {
        self.node = node
        self.network = network
        self.fallbackFeeRate = fallbackFeeRate
    }

    struct Coin: Sendable {
        let txid: String
        let vout: Int
        let amount: Int128
        let address: String
    }

    var addressChain: AddressChain { AddressChain(rawValue: node.chain) ?? .btc }

    public func build(_ request: SendRequest, context: BuildContext, db: Database,
                      store: @escaping @Sendable (Transaction, SignedSend) async throws -> Void) async throws -> SignedSend {
        guard request.kind == .payment else { throw ChainError.unsupported("\(chain) sends only payments") }
        guard request.asset == node.asset.code else { throw ChainError.invalid("\(request.asset) is not sent on \(chain)") }
        let rate: Int128
        if let bump = context.bump { rate = bump.feeRate } else { rate = try await node.feeRate(fallback: fallbackFeeRate) }
        guard rate >= 1 else { throw ChainError.invalid("fee rate must be at least 1 sat/vB") }
        // Node reads first, outside the database transaction.
        let listed: [Coin] = context.replacing == nil ? try await unspent(addresses: request.from) : []
        let chain = self.chain
        return try await db.write { tx in
            var coins: [Coin]
            if let replacing = context.replacing {
                // The replacement spends exactly the coins of the transaction it replaces.
                let previous = try BitcoinTransaction(hex: replacing.raw)
                coins = []
                for input in previous.inputs {
                    guard let row = try await tx.sql.raw("""
                        SELECT amount, address FROM chain_claimed_outputs
                        WHERE chain = \(bind: chain) AND txid = \(bind: input.outpoint.txid) AND vout = \(bind: Int64(input.outpoint.index))
                        """).first(), let amount = Int128(try row.decode(column: "amount", as: String.self)) else {
                        throw ChainError.invalid("the replaced transaction spends a coin that is not ours")
                    }
                    coins.append(Coin(txid: input.outpoint.txid, vout: Int(input.outpoint.index), amount: amount, address: try row.decode(column: "address", as: String.self)))
                }
            } else {
                let claimed = try await tx.sql.raw("SELECT txid, vout FROM chain_claimed_outputs WHERE chain = \(bind: chain)").all()
                    .map { "\(try $0.decode(column: "txid", as: String.self)):\(try $0.decode(column: "vout", as: Int64.self))" }
                let taken = Set(claimed)
                coins = listed.filter { !taken.contains("\($0.txid):\($0.vout)") }
            }
            guard !coins.isEmpty else { throw ChainError.invalid("no confirmed, unclaimed coins at \(request.from.joined(separator: ", "))") }
            let signed = try self.sign(request, coins: coins, keys: context.keys, rate: rate, replacing: context.replacing)
            if context.replacing == nil {
                for coin in coins {
                    let claimed = try await tx.sql.raw("""
                        INSERT INTO chain_claimed_outputs (chain, txid, vout, amount, address, send_id)
                        VALUES (\(bind: chain), \(bind: coin.txid), \(bind: Int64(coin.vout)), \(bind: String(coin.amount)), \(bind: coin.address), \(bind: context.sendID))
                        ON CONFLICT (chain, txid, vout) DO NOTHING RETURNING txid
                        """).all()
                    // Another send claimed it between our read and this write: try again (transient).
                    guard !claimed.isEmpty else { throw ChainError.node("coin \(coin.txid):\(coin.vout) was just claimed by another send") }
                }
            }
            try await store(tx, signed)
            return signed
        }
    }

    /// Confirmed coins of `addresses` known to the watch-only wallet.
    func unspent(addresses: [String]) async throws -> [Coin] {
        let answer = try await node.rpc.call("listunspent", [.number("1"), .number("9999999"), .array(addresses.map(JSONValue.string))], path: node.walletPath)
        guard let entries = answer.arrayValue else { throw ChainError.node("listunspent: unexpected answer") }
        return try entries.map { entry in
            guard let txid = entry["txid"]?.stringValue, let vout = entry["vout"]?.int64Value, let address = entry["address"]?.stringValue,
                  let amountText = entry["amount"]?.numberText else { throw ChainError.node("listunspent: incomplete entry") }
            return Coin(txid: txid, vout: Int(vout), amount: try Amount.parse(amountText, decimals: node.asset.decimals).minorUnits, address: address)
        }.sorted { ($0.txid, $0.vout) < ($1.txid, $1.vout) }
    }

    func spendKind(_ address: String) throws -> BitcoinTransaction.SpendKind {
        switch try AddressValidator.validate(address, chain: addressChain, network: network).kind {
        case .p2wpkh: return .p2wpkh
        case .p2sh: return .p2shP2WPKH
        case .p2pkh, .cashaddrP2PKH: return .p2pkh
        default: throw ChainError.unsupported("cannot spend from \(address): only P2WPKH, P2SH-P2WPKH and P2PKH custody addresses are supported")
        }
    }

    func sign(_ request: SendRequest, coins: [Coin], keys: [[UInt8]], rate: Int128, replacing: SignedSend?) throws -> SignedSend {
        let total = coins.reduce(Int128(0)) { $0 + $1.amount }
        var outputs: [BitcoinTransaction.Output] = []
        var amounts: [Int128] = []
        for output in request.outputs {
            amounts.append(try output.value)
            outputs.append(BitcoinTransaction.Output(value: 0, scriptPubKey: try BitcoinScript.scriptPubKey(address: output.address, chain: addressChain, network: network)))
        }
        let changeScript = try request.changeAddress.map { try BitcoinScript.scriptPubKey(address: $0, chain: addressChain, network: network) }
        let inputs = try coins.map { BitcoinTransaction.Input(outpoint: try BitcoinTransaction.OutPoint(txid: $0.txid, index: UInt32($0.vout))) }
        let kinds = try coins.map { try spendKind($0.address) }
        // Size with a change output (the larger case) decides the fee.
        var sizing = BitcoinTransaction(inputs: inputs, outputs: outputs + (changeScript.map { [BitcoinTransaction.Output(value: 0, scriptPubKey: $0)] } ?? []))
        sizing.lockTime = 0
        let virtualSize = try sizing.estimatedSignedVirtualSize(spending: kinds)
        var fee = Int128(virtualSize) * rate
        if let replacing {
            // BIP-125: the replacement pays more in total and at least the incremental relay fee (1 sat/vB) for its own size.
            guard fee >= replacing.fee + Int128(virtualSize) else {
                throw ChainError.invalid("fee rate \(rate) sat/vB does not outbid the transaction it replaces (fee \(replacing.fee) sat); use at least \((replacing.fee + Int128(virtualSize)) / Int128(virtualSize) + 1) sat/vB")
            }
        }
        if let index = request.feeFromOutput {
            amounts[index] -= fee
            guard amounts[index] >= dustLimit else { throw ChainError.invalid("output \(index) is too small to pay the network fee of \(fee)") }
        }
        let sent = amounts.reduce(Int128(0), +)
        let change = total - sent - fee
        guard change >= 0 else {
            throw ChainError.invalid("insufficient funds: \(total) available, \(sent) to send plus \(fee) network fee")
        }
        for (index, amount) in amounts.enumerated() {
            guard amount >= dustLimit else { throw ChainError.invalid("output \(index) (\(amount)) is below the dust limit \(dustLimit)") }
            outputs[index] = BitcoinTransaction.Output(value: UInt64(amount), scriptPubKey: outputs[index].scriptPubKey)
        }
        if change >= dustLimit {
            guard let changeScript else { throw ChainError.invalid("\(change) left over and no change address given") }
            outputs.append(BitcoinTransaction.Output(value: UInt64(change), scriptPubKey: changeScript))
        } else {
            fee += change  // dust goes to the miner
        }
        var transaction = BitcoinTransaction(inputs: inputs, outputs: outputs)
        for (index, coin) in coins.enumerated() {
            guard let keyIndex = request.from.firstIndex(of: coin.address) else { throw ChainError.invalid("coin \(coin.txid):\(coin.vout) is not at a source address") }
            let key = keys[keyIndex]
            switch (kinds[index], addressChain) {
            case (.p2wpkh, _): try transaction.signP2WPKH(inputIndex: index, privateKey: key, amount: UInt64(coin.amount))
            case (.p2shP2WPKH, _): try transaction.signP2SHP2WPKH(inputIndex: index, privateKey: key, amount: UInt64(coin.amount))
            case (.p2pkh, .bch): try transaction.signP2PKHForkID(inputIndex: index, privateKey: key, amount: UInt64(coin.amount))
            case (.p2pkh, _): try transaction.signP2PKH(inputIndex: index, privateKey: key)
            }
        }
        return SignedSend(raw: transaction.hex, txid: transaction.txid, fee: fee, nonce: nil)
    }

    public func broadcast(_ raw: String) async throws -> String { try await node.broadcast(raw) }
}
