import Foundation
import Money
import RailyardCrypto

/// A Solana node over JSON-RPC. Deposits are found per watched wallet with
/// `getSignaturesForAddress` on the wallet (SOL) and on its associated token account for each
/// configured mint (SPL tokens), then measured from the transaction's pre/post balances — so the
/// amount is what actually arrived, whatever instructions moved it. A deposit's output index is the
/// credited account's index in the transaction (the wallet for SOL, its token account for tokens).
///
/// Commitment maps to confirmations: `processed` is 0, `confirmed` is the node's confirmation
/// count, `finalized` counts as 32 (the documented requirement for SOL).
public struct SolanaChain: ChainAdapter {
    public let chain = "SOL"
    let rpc: JSONRPCClient
    /// Token asset code → mint address.
    let mints: [String: SolanaPublicKey]
    /// Signatures fetched per address per pass at most.
    let pageSize: Int

    public static let finalizedConfirmations: Int64 = 32

    public init(rpc: JSONRPCClient, mints: [String: String], pageSize: Int = 1_000) throws {
        self.rpc = rpc
        var parsed: [String: SolanaPublicKey] = [:]
        for (asset, mint) in mints { parsed[asset.uppercased()] = try SolanaPublicKey(base58: mint) }
        self.mints = parsed
        self.pageSize = pageSize
    }

    static func slotHash(_ slot: Int64) -> String { "slot:\(slot)" }

    public func tip() async throws -> ChainTip {
        guard let slot = try await rpc.call("getSlot", [.object(["commitment": .string("processed")])]).int64Value else {
            throw ChainError.node("getSlot: not a number")
        }
        return ChainTip(height: slot, hash: Self.slotHash(slot))
    }

    /// A first scan looks at everything: cheap here (the watched addresses' own history only).
    public func height(atOrBefore unixTime: Int64) async throws -> Int64? { 0 }

    public func transfers(to addresses: Set<String>, fromHeight: Int64) async throws -> [ObservedTransfer] {
        var found: [ObservedTransfer] = []
        for wallet in addresses.sorted() {
            guard let owner = try? SolanaPublicKey(base58: wallet) else { continue }
            for signature in try await signatures(of: wallet, fromSlot: fromHeight) {
                found += try await measured(signature: signature, wallet: owner, assets: [nil])
            }
            for (asset, mint) in mints.sorted(by: { $0.key < $1.key }) {
                let account = try Solana.associatedTokenAddress(wallet: owner, mint: mint)
                for signature in try await signatures(of: account.base58, fromSlot: fromHeight) {
                    found += try await measured(signature: signature, wallet: owner, assets: [asset])
                }
            }
        }
        // A transaction paying both SOL and a token to one wallet is seen from both addresses.
        var seen = Set<ObservedTransfer>()
        return found.filter { seen.insert($0).inserted }
    }

    /// Successful signatures touching `address` in slots at or after `fromSlot`, oldest first.
    func signatures(of address: String, fromSlot: Int64) async throws -> [String] {
        var collected: [String] = []
        var before: String?
        while true {
            var options: [String: JSONValue] = ["limit": .number(String(pageSize)), "commitment": .string("confirmed")]
            if let before { options["before"] = .string(before) }
            guard let page = try await rpc.call("getSignaturesForAddress", [.string(address), .object(options)]).arrayValue else {
                throw ChainError.node("getSignaturesForAddress: not a list")
            }
            var reachedOlder = false
            for entry in page {
                guard let signature = entry["signature"]?.stringValue, let slot = entry["slot"]?.int64Value else { throw ChainError.node("getSignaturesForAddress: incomplete entry") }
                if slot < fromSlot { reachedOlder = true; break }
                if entry["err"] == nil || entry["err"] == .null { collected.append(signature) }
            }
            guard !reachedOlder, page.count == pageSize, let last = page.last?["signature"]?.stringValue else { break }
            before = last
        }
        return collected.reversed()
    }

    /// What `signature` credited to `wallet`: lamports (asset nil) or the token balance of its
    /// associated account for each asset, from the transaction's pre/post balances.
    func measured(signature: String, wallet: SolanaPublicKey, assets: [String?]) async throws -> [ObservedTransfer] {
        let transaction = try await rpc.call("getTransaction", [.string(signature), .object([
            "encoding": .string("json"), "commitment": .string("confirmed"), "maxSupportedTransactionVersion": .number("0"),
        ])])
        guard transaction != .null else { return [] }
        guard let meta = transaction["meta"], let keys = transaction["transaction"]?["message"]?["accountKeys"]?.arrayValue?.compactMap(\.stringValue) else {
            throw ChainError.node("getTransaction: no meta or account keys for \(signature)")
        }
        guard meta["err"] == nil || meta["err"] == .null else { return [] }
        var found: [ObservedTransfer] = []
        for asset in assets {
            if let asset {
                guard let mint = mints[asset] else { continue }
                func amount(_ list: JSONValue?) throws -> (index: Int, amount: Int128)? {
                    for entry in list?.arrayValue ?? [] where entry["mint"]?.stringValue == mint.base58 && entry["owner"]?.stringValue == wallet.base58 {
                        guard let index = entry["accountIndex"]?.int64Value, let text = entry["uiTokenAmount"]?["amount"]?.stringValue, let value = Int128(text) else {
                            throw ChainError.node("getTransaction: malformed token balance")
                        }
                        return (Int(index), value)
                    }
                    return nil
                }
                guard let after = try amount(meta["postTokenBalances"]) else { continue }
                let before = try amount(meta["preTokenBalances"])?.amount ?? 0
                if after.amount > before {
                    found.append(ObservedTransfer(txid: signature, outputIndex: after.index, address: wallet.base58, asset: asset, amount: after.amount - before))
                }
            } else {
                guard let index = keys.firstIndex(of: wallet.base58) else { continue }
                guard let pre = meta["preBalances"]?.arrayValue, let post = meta["postBalances"]?.arrayValue, pre.count == keys.count, post.count == keys.count,
                      let beforeText = pre[index].numberText, let afterText = post[index].numberText,
                      let before = Int128(beforeText), let after = Int128(afterText) else { throw ChainError.node("getTransaction: malformed balances") }
                if after > before {
                    // The account's index in the message tells apart several wallets paid by one transaction.
                    found.append(ObservedTransfer(txid: signature, outputIndex: index, address: wallet.base58, asset: "SOL", amount: after - before))
                }
            }
        }
        return found
    }

    /// Where a transaction signature stands on the cluster: unknown (not seen), failed (executed with
    /// an error; its fee was paid, its transfers did not happen), or landed with its confirmations.
    public enum SignatureOutcome: Sendable, Equatable {
        case unknown
        case failed(String)
        case landed(confirmations: Int64)
    }

    public func signatureOutcome(_ txid: String) async throws -> SignatureOutcome {
        let answer = try await rpc.call("getSignatureStatuses", [.array([.string(txid)]), .object(["searchTransactionHistory": .bool(true)])])
        guard let entries = answer["value"]?.arrayValue, entries.count == 1 else { throw ChainError.node("getSignatureStatuses: unexpected answer") }
        let entry = entries[0]
        guard entry != .null else { return .unknown }
        if let error = entry["err"], error != .null { return .failed(error.serialized) }
        switch entry["confirmationStatus"]?.stringValue {
        case "finalized": return .landed(confirmations: Self.finalizedConfirmations)
        case "processed": return .landed(confirmations: 0)
        default: return .landed(confirmations: min(entry["confirmations"]?.int64Value ?? 0, Self.finalizedConfirmations - 1))
        }
    }

    public func status(txid: String, outputIndex: Int) async throws -> TransferStatus {
        let answer = try await rpc.call("getSignatureStatuses", [.array([.string(txid)]), .object(["searchTransactionHistory": .bool(true)])])
        guard let entries = answer["value"]?.arrayValue, entries.count == 1 else { throw ChainError.node("getSignatureStatuses: unexpected answer") }
        let entry = entries[0]
        guard entry != .null else { return .notFound }
        guard entry["err"] == nil || entry["err"] == .null else { return .notFound }
        guard let slot = entry["slot"]?.int64Value else { throw ChainError.node("getSignatureStatuses: no slot") }
        let confirmations: Int64
        switch entry["confirmationStatus"]?.stringValue {
        case "finalized": confirmations = Self.finalizedConfirmations
        case "processed": confirmations = 0
        default: confirmations = min(entry["confirmations"]?.int64Value ?? 0, Self.finalizedConfirmations - 1)
        }
        // Express the commitment as a height the watcher's `tip - height + 1` turns back into it.
        let tip = try await tip()
        return .included(height: tip.height - confirmations + 1, blockHash: Self.slotHash(slot))
    }

    public func balance(of address: String) async throws -> Int128 {
        guard let value = try await rpc.call("getBalance", [.string(address), .object(["commitment": .string("confirmed")])])["value"]?.numberText,
              let lamports = Int128(value) else { throw ChainError.node("getBalance: unexpected answer") }
        return lamports
    }

    /// The token balance held by `wallet`'s associated account for `asset` (0 when the account does not exist).
    public func tokenBalance(asset: String, wallet: String) async throws -> Int128 {
        guard let mint = mints[asset.uppercased()] else { throw ChainError.invalid("\(asset) is not configured on SOL") }
        let account = try Solana.associatedTokenAddress(wallet: try SolanaPublicKey(base58: wallet), mint: mint)
        let info = try await rpc.call("getAccountInfo", [.string(account.base58), .object(["encoding": .string("base64")])])
        guard info["value"] != nil, info["value"] != .null else { return 0 }
        guard let text = try await rpc.call("getTokenAccountBalance", [.string(account.base58)])["value"]?["amount"]?.stringValue,
              let amount = Int128(text) else { throw ChainError.node("getTokenAccountBalance: unexpected answer") }
        return amount
    }

    public func latestBlockhash() async throws -> String {
        guard let hash = try await rpc.call("getLatestBlockhash", [.object(["commitment": .string("confirmed")])])["value"]?["blockhash"]?.stringValue else {
            throw ChainError.node("getLatestBlockhash: no blockhash")
        }
        return hash
    }

    public func blockhashIsValid(_ hash: String) async throws -> Bool {
        guard case .bool(let valid)? = try await rpc.call("isBlockhashValid", [.string(hash), .object(["commitment": .string("processed")])])["value"] else {
            throw ChainError.node("isBlockhashValid: unexpected answer")
        }
        return valid
    }

    /// Executes a transaction against the current state without committing it and without checking
    /// its signatures (so it may lack some): nil when it succeeds, else the node's error (e.g.
    /// `{"InstructionError":[2,"InvalidAccountData"]}`).
    public func simulate(_ base64: String) async throws -> String? {
        let answer = try await rpc.call("simulateTransaction", [.string(base64), .object([
            "encoding": .string("base64"), "sigVerify": .bool(false), "commitment": .string("confirmed"),
        ])])
        guard let value = answer["value"], value.isObject else { throw ChainError.node("simulateTransaction: unexpected answer") }
        guard let error = value["err"], error != .null else { return nil }
        return error.serialized
    }

    /// Sends a signed transaction (base64); returns its signature.
    public func broadcast(_ base64: String) async throws -> String {
        guard let signature = try await rpc.call("sendTransaction", [.string(base64), .object(["encoding": .string("base64")])]).stringValue else {
            throw ChainError.node("sendTransaction: no signature")
        }
        return signature
    }
}
