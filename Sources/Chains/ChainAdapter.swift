import Money

/// The active chain's tip.
public struct ChainTip: Sendable, Equatable {
    public let height: Int64
    public let hash: String
    public init(height: Int64, hash: String) {
        self.height = height
        self.hash = hash
    }
}

/// One output (UTXO chains) or transfer log (account chains) paying a watched address.
public struct ObservedTransfer: Sendable, Equatable, Hashable {
    public let txid: String
    /// vout for UTXO chains, log index for token transfers, 0 for native account transfers.
    public let outputIndex: Int
    public let address: String
    public let asset: String
    public let amount: Int128

    public init(txid: String, outputIndex: Int, address: String, asset: String, amount: Int128) {
        self.txid = txid
        self.outputIndex = outputIndex
        self.address = address
        self.asset = asset
        self.amount = amount
    }
}

/// Where a transfer stands on the chain that is winning right now.
public enum TransferStatus: Sendable, Equatable {
    /// Broadcast but in no block of the active chain.
    case mempool
    /// In the active chain at `height`.
    case included(height: Int64, blockHash: String)
    /// Gone: conflicted by a double-spend or dropped.
    case notFound
}

/// What every chain backend provides: devnet, Bitcoin Core RPC, EVM JSON-RPC, Solana RPC.
/// A backend that fails or times out throws; it never answers "nothing there" instead.
public protocol ChainAdapter: Sendable {
    /// The chain code (`BTC`, `LTC`, `ETH`, …).
    var chain: String { get }
    func tip() async throws -> ChainTip
    /// Transfers to any of `addresses` in active-chain blocks at `fromHeight` or above, and in the mempool.
    func transfers(to addresses: Set<String>, fromHeight: Int64) async throws -> [ObservedTransfer]
    func status(txid: String, outputIndex: Int) async throws -> TransferStatus
    /// Makes the node watch `addresses` (a Bitcoin Core watch-only wallet must import them before
    /// it reports payments to them). Nodes that see every address need nothing.
    func register(addresses: [String]) async throws
    /// The same, for addresses that may already have been paid in blocks from `fromHeight` on (they
    /// were handed out before this import): such a node must look at those blocks again.
    func register(addresses: [String], fromHeight: Int64?) async throws
    /// Blocks until a block above `height` arrives or `timeout` passes, when the node can (Bitcoin
    /// Core's `waitfornewblock`), so a confirming block is seen at once. Returns false at once when
    /// it cannot; the watcher then sleeps its interval.
    func waitForBlock(above height: Int64, timeout: Duration) async throws -> Bool
    /// How many blocks one `transfers` call looks at from `fromHeight` (nil: everything up to the tip).
    var maxScanBlocks: Int64? { get }
    /// The height of the last block mined at or before `unixTime` (0 when every block is later), so a
    /// first scan can start where the oldest watched address was handed out; nil when unknown.
    func height(atOrBefore unixTime: Int64) async throws -> Int64?
}

/// Finds the last block at or before `time` by bisection over block times (they only roughly
/// increase, which is enough for a starting point with a safety margin).
public func lastBlock(atOrBefore time: Int64, tip: Int64, blockTime: (Int64) async throws -> Int64) async throws -> Int64 {
    if try await blockTime(0) > time { return 0 }
    var (low, high) = (Int64(0), tip)
    while low < high {
        let middle = (low + high + 1) / 2
        if try await blockTime(middle) <= time { low = middle } else { high = middle - 1 }
    }
    return low
}

/// Everything one transaction pays and where it stands: the proof of a payment to an address
/// Railyard does not watch (an x402 payment straight to a merchant's wallet).
public struct TransactionPayments: Sendable, Equatable {
    public let outputs: [ObservedTransfer]
    public let status: TransferStatus
    public init(outputs: [ObservedTransfer], status: TransferStatus) {
        self.outputs = outputs
        self.status = status
    }
}

/// Chains that can look up any transaction by id (UTXO chains: the devnet, Bitcoin Core with `txindex=1`).
public protocol TransactionLookup: ChainAdapter {
    /// The transaction's outputs and standing, or nil when the chain has never seen it.
    func payments(inTransaction txid: String) async throws -> TransactionPayments?
}

extension ChainAdapter {
    public func register(addresses: [String]) async throws {}
    public func register(addresses: [String], fromHeight: Int64?) async throws { try await register(addresses: addresses) }
    public func waitForBlock(above height: Int64, timeout: Duration) async throws -> Bool { false }
    public var maxScanBlocks: Int64? { nil }
    public func height(atOrBefore unixTime: Int64) async throws -> Int64? { nil }
}

public enum ChainError: Error, Sendable, CustomStringConvertible, Equatable {
    case unknownChain(String)
    case unsupported(String)
    case invalid(String)
    case node(String)

    public var description: String {
        switch self {
        case .unknownChain(let c): return "unknown chain \(c)"
        case .unsupported(let m): return "unsupported: \(m)"
        case .invalid(let m): return m
        case .node(let m): return "node error: \(m)"
        }
    }
}

/// Per-asset confirmation requirements (the documented defaults, overridable).
public struct ConfirmationPolicy: Sendable {
    public var overrides: [String: Int]
    public init(overrides: [String: Int] = [:]) { self.overrides = overrides }

    public func required(for asset: String) -> Int {
        if let value = overrides[asset.uppercased()] { return value }
        return AssetRegistry.asset(asset)?.confirmations ?? 6
    }
}
