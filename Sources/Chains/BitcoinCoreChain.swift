import Foundation
import Money
import RailyardCrypto

/// A Bitcoin Core-compatible node (bitcoind, litecoind, Bitcoin Cash nodes) over JSON-RPC, with a
/// watch-only wallet holding the addresses Railyard hands out. Polls; needs no ZMQ.
public struct BitcoinCoreChain: ChainAdapter, TransactionLookup {
    public let chain: String
    let rpc: JSONRPCClient
    let wallet: String
    let asset: Asset

    public init(chain: String, rpc: JSONRPCClient, wallet: String = "railyard-watch") throws {
        guard let asset = AssetRegistry.asset(chain), asset.tokenStandard == nil, ["BTC", "LTC", "BCH"].contains(asset.code) else {
            throw ChainError.unknownChain(chain)
        }
        self.chain = asset.code
        self.rpc = rpc
        self.wallet = wallet
        self.asset = asset
    }

    var walletPath: String { "/wallet/\(wallet)" }
    /// The watch-only wallet's RPC path (for tests that inspect it).
    public var walletPathForTests: String { walletPath }

    /// Creates (or loads) the watch-only wallet: no private keys ever live on the node.
    public func prepareWallet() async throws {
        do {
            _ = try await rpc.call("createwallet", [.string(wallet), .bool(true), .bool(true)])
        } catch let error as JSONRPCClient.RPCError where error.code == -4 || error.code == -35 {
            // Already exists or already loaded.
            do { _ = try await rpc.call("loadwallet", [.string(wallet)]) } catch let load as JSONRPCClient.RPCError where load.code == -35 || load.code == -4 {}
        }
    }

    /// Adds addresses to the watch-only wallet without a rescan (they are new addresses).
    public func watch(_ addresses: [String]) async throws {
        let requests = addresses.map { address in
            JSONValue.object(["scriptPubKey": .object(["address": .string(address)]), "timestamp": .string("now"), "watchonly": .bool(true)])
        }
        guard !requests.isEmpty else { return }
        let results = try await rpc.call("importmulti", [.array(requests), .object(["rescan": .bool(false)])], path: walletPath)
        for (address, result) in zip(addresses, results.arrayValue ?? []) where result["success"] != .bool(true) {
            throw ChainError.node("importmulti \(address): \(result["error"]?.serialized ?? "failed")")
        }
    }

    public func register(addresses: [String]) async throws {
        try await prepareWallet()
        try await watch(addresses)
    }

    /// An address is imported on the watcher pass after it was handed out; a customer (or an agent)
    /// may have paid it, and a block may have included that payment, in between. The wallet only
    /// sees blocks connected after the import, so the recent blocks are scanned again.
    public func register(addresses: [String], fromHeight: Int64?) async throws {
        try await register(addresses: addresses)
        if let fromHeight { _ = try await rpc.call("rescanblockchain", [.number(String(fromHeight))], path: walletPath) }
    }

    public func height(atOrBefore unixTime: Int64) async throws -> Int64? {
        try await lastBlock(atOrBefore: unixTime, tip: try await tip().height) { height in
            let hash = try await rpc.call("getblockhash", [.number(String(height))])
            guard let time = try await rpc.call("getblockheader", [hash])["time"]?.int64Value else { throw ChainError.node("getblockheader: no time") }
            return time
        }
    }

    public func waitForBlock(above height: Int64, timeout: Duration) async throws -> Bool {
        let millis = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        // A block that arrived since the caller's tip was read ends the wait at once.
        if try await tip().height > height { return true }
        _ = try await rpc.call("waitfornewblock", [.number(String(millis))])
        return true
    }

    public func tip() async throws -> ChainTip {
        let info = try await rpc.call("getblockchaininfo")
        guard let height = info["blocks"]?.int64Value, let hash = info["bestblockhash"]?.stringValue else { throw ChainError.node("getblockchaininfo: unexpected answer") }
        return ChainTip(height: height, hash: hash)
    }

    public func transfers(to addresses: Set<String>, fromHeight: Int64) async throws -> [ObservedTransfer] {
        guard !addresses.isEmpty else { return [] }
        var params: [JSONValue] = []
        if fromHeight > 0 {
            let hash = try await rpc.call("getblockhash", [.number(String(fromHeight - 1))])
            params = [hash, .number("1"), .bool(true)]
        } else {
            params = [.string(""), .number("1"), .bool(true)]
        }
        let answer = try await rpc.call("listsinceblock", params, path: walletPath)
        var found: [ObservedTransfer] = []
        for entry in answer["transactions"]?.arrayValue ?? [] {
            guard entry["category"]?.stringValue == "receive", let address = entry["address"]?.stringValue, addresses.contains(address),
                  let txid = entry["txid"]?.stringValue, let vout = entry["vout"]?.int64Value, let amountText = entry["amount"]?.numberText else { continue }
            let amount = try Amount.parse(amountText, decimals: asset.decimals)
            found.append(ObservedTransfer(txid: txid, outputIndex: Int(vout), address: address, asset: asset.code, amount: amount.minorUnits))
        }
        return found
    }

    public func status(txid: String, outputIndex: Int) async throws -> TransferStatus {
        let transaction: JSONValue
        do {
            transaction = try await rpc.call("gettransaction", [.string(txid), .bool(true)], path: walletPath)
        } catch let error as JSONRPCClient.RPCError where error.code == -5 {
            return .notFound
        }
        guard let confirmations = transaction["confirmations"]?.int64Value else { throw ChainError.node("gettransaction: no confirmations") }
        if confirmations < 0 { return .notFound }  // conflicted: a double-spend won
        if confirmations == 0 { return .mempool }
        guard let blockHash = transaction["blockhash"]?.stringValue, let height = transaction["blockheight"]?.int64Value else {
            throw ChainError.node("gettransaction: confirmed without a block")
        }
        return .included(height: height, blockHash: blockHash)
    }

    /// Any transaction by id, through the node's transaction index (`txindex=1` on the node).
    public func payments(inTransaction txid: String) async throws -> TransactionPayments? {
        let transaction: JSONValue
        do {
            transaction = try await rpc.call("getrawtransaction", [.string(txid), .bool(true)])
        } catch let error as JSONRPCClient.RPCError where error.code == -5 {
            return nil
        }
        var outputs: [ObservedTransfer] = []
        for output in transaction["vout"]?.arrayValue ?? [] {
            guard let index = output["n"]?.int64Value, let value = output["value"]?.numberText else { throw ChainError.node("getrawtransaction: malformed output") }
            let script = output["scriptPubKey"]
            guard let address = script?["address"]?.stringValue ?? script?["addresses"]?.arrayValue?.first?.stringValue else { continue }
            outputs.append(ObservedTransfer(txid: txid, outputIndex: Int(index), address: address, asset: asset.code,
                                            amount: try Amount.parse(value, decimals: asset.decimals).minorUnits))
        }
        guard let blockHash = transaction["blockhash"]?.stringValue else { return TransactionPayments(outputs: outputs, status: .mempool) }
        // The block must be on the active chain (a header on a stale branch reports -1 confirmations).
        let header = try await rpc.call("getblockheader", [.string(blockHash)])
        guard let confirmations = header["confirmations"]?.int64Value, confirmations > 0, let height = header["height"]?.int64Value else {
            return TransactionPayments(outputs: outputs, status: .mempool)
        }
        return TransactionPayments(outputs: outputs, status: .included(height: height, blockHash: blockHash))
    }

    /// Broadcasts a signed transaction; returns its txid.
    public func broadcast(_ rawHex: String) async throws -> String {
        guard let txid = try await rpc.call("sendrawtransaction", [.string(rawHex)]).stringValue else { throw ChainError.node("sendrawtransaction: no txid") }
        return txid
    }

    /// Fee rate in the smallest unit per virtual byte, or `fallback` when the node has no estimate.
    public func feeRate(targetBlocks: Int = 3, fallback: Int128) async throws -> Int128 {
        let estimate = try await rpc.call("estimatesmartfee", [.number(String(targetBlocks))])
        guard let perKB = estimate["feerate"]?.numberText else { return fallback }
        let perKilobyte = try Amount.parse(perKB, decimals: asset.decimals).minorUnits
        return max(1, (perKilobyte + 999) / 1000)
    }
}
