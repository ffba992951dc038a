import Foundation
import Money
import RailyardCrypto

/// An Ethereum-compatible node (Ethereum, Polygon, Base) over JSON-RPC: native deposits by block
/// scan, ERC-20 deposits by `Transfer` logs, confirmations from receipts checked against the
/// canonical chain (a block hash that changed means a reorg).
public struct EVMChain: ChainAdapter {
    public let chain: String
    let rpc: JSONRPCClient
    let native: Asset
    /// Token asset code → contract address (lowercase 0x-hex).
    let tokens: [String: String]
    /// Blocks scanned per pass at most, so a long outage catches up in bounded steps.
    let maxBlocksPerScan: Int64
    public var maxScanBlocks: Int64? { maxBlocksPerScan }

    public func height(atOrBefore unixTime: Int64) async throws -> Int64? {
        try await lastBlock(atOrBefore: unixTime, tip: try await tip().height) { height in
            let block = try await rpc.call("eth_getBlockByNumber", [Self.hexQuantity(height), .bool(false)])
            return Int64(try Self.quantity(block["timestamp"]))
        }
    }

    static let transferTopic = "0x" + Hex.encode(Keccak256.hash(Array("Transfer(address,address,uint256)".utf8)))

    public init(chain: String, rpc: JSONRPCClient, tokens: [String: String], maxBlocksPerScan: Int64 = 2_000) throws {
        guard let native = AssetRegistry.asset(chain), ["ETH", "POL", "BASE"].contains(chain.uppercased()) else { throw ChainError.unknownChain(chain) }
        self.chain = chain.uppercased()
        self.rpc = rpc
        self.native = native
        self.tokens = tokens.mapValues { $0.lowercased() }
        self.maxBlocksPerScan = maxBlocksPerScan
    }

    static func quantity(_ value: JSONValue?) throws -> Int128 {
        guard let text = value?.stringValue, text.hasPrefix("0x"), let number = Int128(text.dropFirst(2), radix: 16) else {
            throw ChainError.node("expected a hex quantity, got \(value?.serialized ?? "nothing")")
        }
        return number
    }

    /// A `0x` hex quantity as an exact integer (for tests reading raw RPC answers).
    public static func quantityForTests(_ value: JSONValue) throws -> Int128 { try quantity(value) }

    static func hexQuantity(_ value: Int64) -> JSONValue { .string("0x" + String(value, radix: 16)) }

    public func tip() async throws -> ChainTip {
        let block = try await rpc.call("eth_getBlockByNumber", [.string("latest"), .bool(false)])
        guard let hash = block["hash"]?.stringValue else { throw ChainError.node("eth_getBlockByNumber: no hash") }
        return ChainTip(height: Int64(try Self.quantity(block["number"])), hash: hash)
    }

    public func transfers(to addresses: Set<String>, fromHeight: Int64) async throws -> [ObservedTransfer] {
        guard !addresses.isEmpty else { return [] }
        let byLower = Dictionary(addresses.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let tip = try await tip()
        let from = max(0, fromHeight)
        let to = min(tip.height, from + maxBlocksPerScan - 1)
        guard from <= to else { return [] }
        var found: [ObservedTransfer] = []
        // Native coin: every transaction in the range whose recipient is watched and that succeeded.
        for height in from...to {
            let block = try await rpc.call("eth_getBlockByNumber", [Self.hexQuantity(height), .bool(true)])
            for transaction in block["transactions"]?.arrayValue ?? [] {
                guard let recipient = transaction["to"]?.stringValue?.lowercased(), let address = byLower[recipient],
                      let hash = transaction["hash"]?.stringValue else { continue }
                let value = try Self.quantity(transaction["value"])
                guard value > 0 else { continue }
                let receipt = try await rpc.call("eth_getTransactionReceipt", [.string(hash)])
                guard receipt["status"]?.stringValue == "0x1" else { continue }
                found.append(ObservedTransfer(txid: hash, outputIndex: -1, address: address, asset: native.code, amount: value))
            }
        }
        // Tokens: Transfer(from, to, value) logs whose `to` topic is watched.
        for (asset, contract) in tokens.sorted(by: { $0.key < $1.key }) {
            let recipients = byLower.keys.sorted().map { JSONValue.string("0x" + String(repeating: "0", count: 24) + $0.dropFirst(2)) }
            let filter = JSONValue.object([
                "fromBlock": Self.hexQuantity(from), "toBlock": Self.hexQuantity(to), "address": .string(contract),
                "topics": .array([.string(Self.transferTopic), .null, .array(recipients)]),
            ])
            for log in try await rpc.call("eth_getLogs", [filter]).arrayValue ?? [] {
                guard log["removed"] != .bool(true), let hash = log["transactionHash"]?.stringValue,
                      let topics = log["topics"]?.arrayValue, topics.count == 3, let toTopic = topics[2].stringValue,
                      let address = byLower["0x" + toTopic.suffix(40).lowercased()], let data = log["data"]?.stringValue else { continue }
                let index = Int(try Self.quantity(log["logIndex"]))
                let value = try Word256(hex: data).int128OrThrow()
                guard value > 0 else { continue }
                found.append(ObservedTransfer(txid: hash, outputIndex: index, address: address, asset: asset, amount: value))
            }
        }
        return found
    }

    public func status(txid: String, outputIndex: Int) async throws -> TransferStatus {
        let receipt = try await rpc.call("eth_getTransactionReceipt", [.string(txid)])
        if receipt == .null {
            let transaction = try await rpc.call("eth_getTransactionByHash", [.string(txid)])
            return transaction == .null ? .notFound : .mempool
        }
        guard receipt["status"]?.stringValue == "0x1" else { return .notFound }
        let height = Int64(try Self.quantity(receipt["blockNumber"]))
        guard let blockHash = receipt["blockHash"]?.stringValue else { throw ChainError.node("receipt without block hash") }
        // The receipt may describe a block that is no longer canonical.
        let canonical = try await rpc.call("eth_getBlockByNumber", [Self.hexQuantity(height), .bool(false)])
        guard canonical["hash"]?.stringValue == blockHash else { return .mempool }
        return .included(height: height, blockHash: blockHash)
    }

    /// Broadcasts a signed raw transaction; returns its hash.
    public func broadcast(_ rawHex: String) async throws -> String {
        guard let hash = try await rpc.call("eth_sendRawTransaction", [.string(rawHex)]).stringValue else { throw ChainError.node("eth_sendRawTransaction: no hash") }
        return hash
    }

    public func nonce(of address: String, pending: Bool = true) async throws -> Int64 {
        Int64(try Self.quantity(try await rpc.call("eth_getTransactionCount", [.string(address), .string(pending ? "pending" : "latest")])))
    }

    public func chainID() async throws -> Int64 { Int64(try Self.quantity(try await rpc.call("eth_chainId"))) }

    /// EIP-3009 `authorizationState(authorizer, nonce)`: whether the token has seen this authorization.
    public func authorizationUsed(contract: String, authorizer: String, nonce: [UInt8]) async throws -> Bool {
        try ABI.decodeBool(try await call(contract: contract, data: try Self.authorizationStateCall(authorizer: authorizer, nonce: nonce)))
    }

    static let authorizationStateSelector = ABI.selector("authorizationState(address,bytes32)")
    static let balanceOfSelector = ABI.selector("balanceOf(address)")

    /// Call data with the selector hashed once. `validated`: the caller already checked the address's
    /// EIP-55 checksum (the verifier's hot path), so only its bytes are read.
    static func authorizationStateCall(authorizer: String, nonce: [UInt8], validated: Bool = false) throws -> [UInt8] {
        // An address is 20 bytes, laid out directly with the usual 32-byte nonce (built on every
        // verification); ABI encodes any other nonce (pads a shorter one, refuses a longer one).
        let address = try addressBytes(authorizer, validated: validated)
        guard nonce.count == 32 else { return authorizationStateSelector + (try ABI.encode([.address(address), .fixedBytes(nonce)])) }
        return authorizationStateSelector + [UInt8](repeating: 0, count: 12) + address + nonce
    }

    static func balanceOfCall(owner: String, validated: Bool = false) throws -> [UInt8] {
        balanceOfSelector + [UInt8](repeating: 0, count: 12) + (try addressBytes(owner, validated: validated))
    }

    private static func addressBytes(_ text: String, validated: Bool) throws -> [UInt8] {
        validated ? try Ethereum.addressBytesIgnoringChecksum(text) : try Ethereum.addressBytes(text)
    }

    /// `eth_call` of `data` on `contract`, at `block` (the latest when nil).
    public func call(contract: String, data: [UInt8], block: Int64? = nil) async throws -> [UInt8] {
        let tag: JSONValue = block.map(Self.hexQuantity) ?? .string("latest")
        let answer = try await rpc.call("eth_call", [.object(["to": .string(contract), "data": .string(Hex.encode(data, prefix: true))]), tag])
        guard let hex = answer.stringValue else { throw ChainError.node("eth_call: no data") }
        return try Hex.decode(hex)
    }

    /// The number of the newest block.
    public func blockNumber() async throws -> Int64 {
        let number = try Self.quantity(try await rpc.call("eth_blockNumber"))
        guard let height = Int64(exactly: number) else { throw ChainError.node("eth_blockNumber: \(number) is not a block height") }
        return height
    }

    /// Whether the receipt of `txid` succeeded and holds the token's `Transfer(from, to, value)` event.
    /// Whether the mined transaction's receipt holds the ERC-20 `Transfer` of exactly `value` from
    /// `from` to `to` on `contract`; nil while this node has no receipt for it (a node behind the one
    /// that reported the transaction mined must not turn a good settlement into a mismatch).
    public func hasTransferLog(txid: String, contract: String, from: String, to: String, value: String) async throws -> Bool? {
        let receipt = try await rpc.call("eth_getTransactionReceipt", [.string(txid)])
        guard receipt != .null else { return nil }
        guard receipt["status"]?.stringValue == "0x1" else { return false }
        func topic(_ address: String) -> String { "0x" + String(repeating: "0", count: 24) + address.lowercased().dropFirst(2) }
        let expected = try Word256(decimal: value)
        for log in receipt["logs"]?.arrayValue ?? [] {
            guard log["address"]?.stringValue?.lowercased() == contract.lowercased(), let topics = log["topics"]?.arrayValue?.compactMap(\.stringValue),
                  topics.count == 3, topics[0] == Self.transferTopic, topics[1].lowercased() == topic(from), topics[2].lowercased() == topic(to),
                  let data = log["data"]?.stringValue, let amount = try? Word256(hex: data) else { continue }
            if amount == expected { return true }
        }
        return false
    }

    /// ERC-20 `balanceOf`, exactly.
    public func tokenBalance(contract: String, owner: String) async throws -> Int128 {
        try Word256(bytes: try await call(contract: contract, data: try Self.balanceOfCall(owner: owner))).int128OrThrow()
    }
}

extension Word256 {
    /// The value as Int128, or an error for amounts beyond 2^127 (no supported asset comes close;
    /// such a log is hostile or broken and must not be truncated).
    func int128OrThrow() throws -> Int128 {
        let raw = bytes
        guard raw.prefix(16).allSatisfy({ $0 == 0 }), raw[16] < 0x80 else { throw ChainError.invalid("token amount exceeds 128 bits") }
        var value: Int128 = 0
        for byte in raw.suffix(16) { value = value << 8 | Int128(byte) }
        return value
    }
}
