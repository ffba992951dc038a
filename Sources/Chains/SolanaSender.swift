import Foundation
import Money
import RailyardCrypto
import Storage

/// Builds and signs Solana transfers (SOL, and SPL tokens with the recipient's associated token
/// account created idempotently). `from[0]` owns the funds; `from[1]`, when given, pays the fee and
/// any account rent (the gas wallet), otherwise `from[0]` pays. A stored transaction is tied to a
/// recent blockhash: once that expires without the transaction landing it can never land, and the
/// sender reports it as expired instead of rebroadcasting forever.
public struct SolanaSender: TransactionBuilder {
    public let node: SolanaChain
    /// Lamports per signature (the protocol's base fee; priority fees are not added).
    public static let feePerSignature: Int128 = 5_000

    public var chain: String { node.chain }
    public var adapter: any ChainAdapter { node }

    public init(node: SolanaChain) {
        self.node = node
    }

    public func build(_ request: SendRequest, context: BuildContext, db: Database,
                      store: @escaping @Sendable (Transaction, SignedSend) async throws -> Void) async throws -> SignedSend {
        guard request.kind == .payment else { throw ChainError.unsupported("SOL sends only payments") }
        guard context.replacing == nil else { throw ChainError.unsupported("Solana has no fee replacement; an expired transaction is rebuilt by queueing a new send") }
        guard (1...8).contains(request.outputs.count) else { throw ChainError.invalid("a SOL send pays 1 to 8 recipients in one transaction") }
        guard (1...2).contains(request.from.count), context.keys.count == request.from.count else { throw ChainError.invalid("a SOL send names the owner and optionally a fee payer") }
        let owner = try SolanaPublicKey(base58: request.from[0])
        let payer = try SolanaPublicKey(base58: request.from.last!)
        for (address, key) in zip(request.from, context.keys) where try SolanaPublicKey(privateKey: key).base58 != address {
            throw ChainError.invalid("signing key does not match \(address)")
        }
        let signatures = Int128(Set(request.from).count)
        let fee = Self.feePerSignature * signatures
        var instructions: [Solana.Instruction] = []
        // Every recipient in one transaction: an account left below the rent-exempt minimum between two
        // transactions would make the second fail.
        if request.asset == "SOL" {
            var total: Int128 = 0
            for (index, output) in request.outputs.enumerated() {
                var amount = try output.value
                if request.feeFromOutput == index { amount -= fee }
                guard amount > 0 else { throw ChainError.invalid("the amount does not cover the network fee of \(fee) lamports") }
                total += amount
                instructions.append(Solana.SystemProgram.transfer(from: owner, to: try SolanaPublicKey(base58: output.address), lamports: UInt64(amount)))
            }
            let available = try await node.balance(of: owner.base58)
            let needed = total + (payer == owner ? fee : 0)
            guard available >= needed else { throw ChainError.invalid("insufficient SOL at \(owner.base58): \(available) available, \(needed) needed") }
        } else {
            guard let mint = node.mints[request.asset], let asset = AssetRegistry.asset(request.asset) else {
                throw ChainError.invalid("\(request.asset) is not a token configured on SOL")
            }
            guard request.feeFromOutput == nil else { throw ChainError.invalid("token sends pay the fee in SOL; it cannot come from the token amount") }
            let total = try request.outputs.reduce(Int128(0)) { $0 + (try $1.value) }
            let held = try await node.tokenBalance(asset: request.asset, wallet: owner.base58)
            guard held >= total else { throw ChainError.invalid("insufficient \(request.asset) at \(owner.base58): \(held) available, \(total) to send") }
            for output in request.outputs {
                let recipient = try SolanaPublicKey(base58: output.address)
                instructions.append(try Solana.AssociatedTokenProgram.createIdempotent(payer: payer, wallet: recipient, mint: mint))
                instructions.append(Solana.TokenProgram.transferChecked(
                    source: try Solana.associatedTokenAddress(wallet: owner, mint: mint), mint: mint,
                    destination: try Solana.associatedTokenAddress(wallet: recipient, mint: mint), owner: owner,
                    amount: UInt64(try output.value), decimals: UInt8(asset.decimals)))
            }
        }
        let payerBalance = try await node.balance(of: payer.base58)
        guard payerBalance >= fee else { throw ChainError.invalid("the fee payer \(payer.base58) holds \(payerBalance) lamports, less than the \(fee) fee") }
        let blockhash = try await node.latestBlockhash()
        let message = try Solana.Message(instructions: instructions, payer: payer, recentBlockhash: blockhash)
        let transaction = try Solana.Transaction(message: message, signers: context.keys)
        let signed = SignedSend(raw: transaction.base64, txid: transaction.id, fee: fee, nonce: nil)
        try await db.write { tx in try await store(tx, signed) }
        return signed
    }

    public func broadcast(_ raw: String) async throws -> String { try await node.broadcast(raw) }

    public func expired(_ signed: SignedSend) async throws -> Bool {
        guard let bytes = Data(base64Encoded: signed.raw), let blockhash = Self.recentBlockhash(Array(bytes)) else { return false }
        return !(try await node.blockhashIsValid(Base58.encode(blockhash)))
    }

    /// The recent blockhash of a serialized legacy transaction: after the signatures, the 3-byte
    /// header and the account keys.
    static func recentBlockhash(_ bytes: [UInt8]) -> [UInt8]? {
        var offset = 0
        func compactU16() -> Int? {
            var value = 0
            for shift in stride(from: 0, through: 14, by: 7) {
                guard offset < bytes.count else { return nil }
                let byte = Int(bytes[offset])
                offset += 1
                value |= (byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
            }
            return nil
        }
        guard let signatures = compactU16() else { return nil }
        offset += signatures * 64 + 3
        guard offset <= bytes.count, let keys = compactU16() else { return nil }
        offset += keys * 32
        guard offset + 32 <= bytes.count else { return nil }
        return Array(bytes[offset..<offset + 32])
    }
}
