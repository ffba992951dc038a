import Foundation
import Money
import RailyardCrypto
import SQLKit
import Storage

/// Builds EIP-1559 transactions (native transfers, ERC-20 transfers, EIP-3009
/// `transferWithAuthorization` submissions) with gas estimated by the node, and hands out nonces
/// from a database row so they survive restarts and never collide between concurrent sends.
public struct EVMSender: TransactionBuilder {
    public let node: EVMChain

    public var chain: String { node.chain }
    public var adapter: any ChainAdapter { node }

    public init(node: EVMChain) {
        self.node = node
    }

    struct Plan {
        let to: String
        let value: Int128
        let data: [UInt8]
    }

    func plan(_ request: SendRequest, maxGasCost: Int128?) throws -> Plan {
        switch request.kind {
        case .transferWithAuthorization:
            guard let authorization = request.authorization else { throw ChainError.invalid("missing authorization") }
            return Plan(to: authorization.contract, value: 0, data: try authorization.callData())
        case .payment:
            guard request.outputs.count == 1 else { throw ChainError.invalid("an \(chain) send has exactly one recipient (one transaction per output)") }
            let output = request.outputs[0]
            var amount = try output.value
            if request.asset == node.native.code {
                if request.feeFromOutput == 0, let maxGasCost { amount -= maxGasCost }
                guard amount > 0 else { throw ChainError.invalid("the amount does not cover the network fee") }
                return Plan(to: output.address, value: amount, data: [])
            }
            guard let contract = node.tokens[request.asset] else { throw ChainError.invalid("\(request.asset) is not a token configured on \(chain)") }
            guard request.feeFromOutput == nil else { throw ChainError.invalid("token sends pay gas in \(node.native.code); the fee cannot come from the token amount") }
            return Plan(to: contract, value: 0, data: try ERC20.transfer(to: output.address, amount: try Word256(amount: amount)))
        }
    }

    public func build(_ request: SendRequest, context: BuildContext, db: Database,
                      store: @escaping @Sendable (Transaction, SignedSend) async throws -> Void) async throws -> SignedSend {
        var request = request
        var keys = context.keys
        if request.from.count == 2 && request.kind == .payment {
            // A token leaves from[0] (a deposit address holding no gas) by an EIP-3009 authorization that
            // from[0] signs; from[1] (the gas wallet) submits it and pays the gas.
            guard keys.count == 2 else { throw ChainError.invalid("an \(chain) token send needs the owner's and the gas payer's keys") }
            let submission = try await authorizeTokenTransfer(request, ownerKey: keys[0])
            request = SendRequest(id: request.id, chain: request.chain, asset: request.asset, kind: .transferWithAuthorization, from: [request.from[1]],
                                  outputs: request.outputs, authorization: submission, reference: request.reference)
            keys = [keys[1]]
        }
        guard request.from.count == 1, let key = keys.first else { throw ChainError.invalid("an \(chain) send spends from one address, or a token from an owner with a gas payer") }
        let from = request.from[0]
        guard try Ethereum.address(privateKey: key).lowercased() == from.lowercased() else { throw ChainError.invalid("signing key does not match \(from)") }
        // Node reads: chain id, fees, gas, balance, nonce.
        let chainID = try await node.chainID()
        let latest = try await node.rpc.call("eth_getBlockByNumber", [.string("latest"), .bool(false)])
        let baseFee: Int128 = latest["baseFeePerGas"] == nil ? 0 : try EVMChain.quantity(latest["baseFeePerGas"])
        let suggestedTip = try EVMChain.quantity(try await node.rpc.call("eth_maxPriorityFeePerGas"))
        var priority = suggestedTip
        var maxFee = baseFee * 2 + priority
        var replacedNonce: Int64?
        if let replacing = context.replacing {
            let previous = try EthereumTransaction.Signed(rawHex: replacing.raw)
            guard case .eip1559(let old) = previous.transaction else { throw ChainError.invalid("only EIP-1559 transactions can be bumped") }
            let oldMax = try old.maxFeePerGas.int128OrThrow(), oldTip = try old.maxPriorityFeePerGas.int128OrThrow()
            // Nodes accept a replacement only when both fee caps rise by at least 10%.
            let minimum = oldMax + (oldMax + 9) / 10
            guard let bump = context.bump, bump.feeRate >= minimum else {
                throw ChainError.invalid("a replacement needs a max fee of at least \(minimum) wei/gas (10% above \(oldMax))")
            }
            maxFee = bump.feeRate
            priority = min(maxFee, max(suggestedTip, oldTip + (oldTip + 9) / 10))
            replacedNonce = Int64(old.nonce)
        } else if let bump = context.bump {
            maxFee = bump.feeRate
            priority = min(priority, maxFee)
        }
        // Gas: 21,000 for a plain transfer, otherwise the node's estimate plus a 20% margin.
        let draft = try plan(request, maxGasCost: nil)
        let gasLimit: Int128
        if draft.data.isEmpty {
            gasLimit = 21_000
        } else {
            let answer: JSONValue
            do {
                answer = try await node.rpc.call("eth_estimateGas", [.object([
                    "from": .string(from), "to": .string(draft.to), "data": .string(Hex.encode(draft.data, prefix: true)), "value": .string("0x0"),
                ])])
            } catch let error as JSONRPCClient.RPCError where error.code == 3 || error.message.contains("revert") {
                // The call would fail on chain (e.g. an authorization already used): nothing to sign.
                throw ChainError.invalid("the transaction would revert: \(error.message)")
            }
            let estimate = try EVMChain.quantity(answer)
            gasLimit = estimate + estimate / 5
        }
        let gasCost = gasLimit * maxFee
        let plan = try plan(request, maxGasCost: gasCost)
        let balance = try EVMChain.quantity(try await node.rpc.call("eth_getBalance", [.string(from), .string("latest")]))
        guard balance >= plan.value + gasCost else {
            throw ChainError.invalid("insufficient \(node.native.code) at \(from): \(balance) available, \(plan.value) to send plus up to \(gasCost) gas")
        }
        if request.kind == .payment, request.asset != node.native.code, let contract = node.tokens[request.asset] {
            let held = try await node.tokenBalance(contract: contract, owner: from)
            let amount = try request.outputs[0].value
            guard held >= amount else { throw ChainError.invalid("insufficient \(request.asset) at \(from): \(held) available, \(amount) to send") }
        }
        let nodeNonce = try await node.nonce(of: from)
        let chain = self.chain
        let (fixedNonce, tip, cap) = (replacedNonce, priority, maxFee)
        return try await db.write { tx in
            let nonce: Int64
            if let replacedNonce = fixedNonce {
                nonce = replacedNonce
            } else {
                try await tx.sql.raw("""
                    INSERT INTO chain_nonces (chain, address, next_nonce) VALUES (\(bind: chain), \(bind: from.lowercased()), 0)
                    ON CONFLICT (chain, address) DO NOTHING
                    """).run()
                guard let row = try await tx.sql.raw("""
                    SELECT next_nonce FROM chain_nonces WHERE chain = \(bind: chain) AND address = \(bind: from.lowercased())\(unsafeRaw: tx.lockClause)
                    """).first() else { throw StorageError.integrity("nonce row missing") }
                // The node may know of transactions sent from this key elsewhere; never go below it.
                nonce = max(try row.decode(column: "next_nonce", as: Int64.self), nodeNonce)
                try await tx.sql.raw("""
                    UPDATE chain_nonces SET next_nonce = \(bind: nonce + 1) WHERE chain = \(bind: chain) AND address = \(bind: from.lowercased())
                    """).run()
            }
            let transaction = try EthereumTransaction.eip1559(EthereumTransaction.EIP1559(
                chainId: UInt64(chainID), nonce: UInt64(nonce), maxPriorityFeePerGas: try Word256(amount: tip), maxFeePerGas: try Word256(amount: cap),
                gasLimit: UInt64(gasLimit), to: plan.to, value: try Word256(amount: plan.value), data: plan.data))
            let signed = try transaction.sign(privateKey: key)
            let result = SignedSend(raw: signed.rawHex, txid: signed.hashHex, fee: gasCost, nonce: nonce)
            try await store(tx, result)
            return result
        }
    }

    /// Signs, as the owner (`from[0]`), an EIP-3009 authorization moving the token to the one output.
    /// Its nonce is derived from the send's once-key (default: its id), so a rebuilt, replaced or retried
    /// send can never move the money twice.
    func authorizeTokenTransfer(_ request: SendRequest, ownerKey: [UInt8]) async throws -> AuthorizationSubmission {
        guard request.asset != node.native.code, let contract = node.tokens[request.asset] else {
            throw ChainError.invalid("only a token send can name a gas payer on \(chain)")
        }
        guard request.outputs.count == 1, request.feeFromOutput == nil else {
            throw ChainError.invalid("a token send has exactly one recipient and pays gas in \(node.native.code)")
        }
        let owner = request.from[0]
        guard try Ethereum.address(privateKey: ownerKey).lowercased() == owner.lowercased() else { throw ChainError.invalid("signing key does not match \(owner)") }
        let amount = try request.outputs[0].value
        let held = try await node.tokenBalance(contract: contract, owner: owner)
        guard held >= amount else { throw ChainError.invalid("insufficient \(request.asset) at \(owner): \(held) available, \(amount) to send") }
        // DOMAIN_SEPARATOR() of the token (EIP-2612/3009 tokens such as USDC expose it).
        let answer = try await node.rpc.call("eth_call", [.object(["to": .string(contract), "data": .string("0x3644e515")]), .string("latest")])
        guard let hex = answer.stringValue, let separator = try? Hex.decode(hex), separator.count == 32 else {
            throw ChainError.node("\(request.asset) at \(contract) has no DOMAIN_SEPARATOR()")
        }
        let authorization = EIP3009.Authorization(
            from: owner, to: request.outputs[0].address, value: try Word256(amount: amount), validAfter: .zero,
            validBefore: Word256(UInt64(4_102_444_800)),  // 2100-01-01: the authorization never leaves our database
            nonce: Keccak256.hash(Array("railyard-send:\(request.onceKey ?? request.id)".utf8)))
        let signature = try Ethereum.sign(digest: try EIP3009.transferDigest(authorization, domainSeparator: separator), privateKey: ownerKey)
        return AuthorizationSubmission(contract: contract, authorization: authorization, signature: signature)
    }

    public func broadcast(_ raw: String) async throws -> String { try await node.broadcast(raw) }

    public func reverted(txid: String) async throws -> Bool {
        let receipt = try await node.rpc.call("eth_getTransactionReceipt", [.string(txid)])
        return receipt != .null && receipt["status"]?.stringValue == "0x0"
    }

    public func paidFee(txid: String) async throws -> Int128? {
        let receipt = try await node.rpc.call("eth_getTransactionReceipt", [.string(txid)])
        guard receipt != .null, let used = receipt["gasUsed"], let price = receipt["effectiveGasPrice"] else { return nil }
        return try EVMChain.quantity(used) * EVMChain.quantity(price)
    }
}
