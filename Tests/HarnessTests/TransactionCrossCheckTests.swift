import RailyardCrypto
import Testing

/// Signed-transaction vectors from eth-account (EIP-1559, EIP-155 legacy) and solders (ATAs, System
/// and SPL Token transfers), checked against RailyardCrypto's transaction encoders and signers.
@Suite("Transaction cross-checks against eth-account and solders",
       .enabled(if: Harness.has(Harness.vectors), "set RAILYARD_TEST_VECTORS (Tests/Harness/harness.sh start)"))
struct TransactionCrossCheckTests {
    static func accessList(_ v: JSONValue) throws -> [EthereumTransaction.AccessListEntry] {
        try v.array("accessList").map { entry in
            let keys = try entry.array("storageKeys").map { key -> [UInt8] in
                guard let text = key.stringValue else { throw HarnessError("storage key should be a string") }
                return try Hex.decode(text)
            }
            return try EthereumTransaction.AccessListEntry(address: entry.bytes("address"), storageKeys: keys)
        }
    }

    /// Checks signing hash, raw bytes, hash, v/r/s, decoding and sender recovery of one vector.
    static func check(_ transaction: EthereumTransaction, _ v: JSONValue, _ label: String) throws {
        #expect(try transaction.signingHash == v.bytes("signingHash"), "\(label): signing hash")
        let signed = try transaction.sign(privateKey: v.bytes("privateKey"))
        #expect(try signed.raw == v.bytes("raw"), "\(label): raw transaction")
        #expect(try signed.hash == v.bytes("hash"), "\(label): transaction hash")
        #expect(try signed.v == v.uint64("v"), "\(label): v")
        #expect(try signed.signature.r == v.bytes("r"), "\(label): r")
        #expect(try signed.signature.s == v.bytes("s"), "\(label): s")
        let decoded = try EthereumTransaction.Signed(raw: v.bytes("raw"))
        #expect(decoded == signed, "\(label): decoding the raw transaction")
        #expect(try decoded.sender() == v.string("from"), "\(label): sender")
    }

    @Test("EIP-1559 transactions: signing hash, raw, hash, decoding, sender")
    func eip1559() throws {
        let vectors = try Vectors.load()
        try vectors.each("eip1559") { label, v in
            let tx = try v.field("tx")
            let to = try tx.optionalString("to")
            let transaction = EthereumTransaction.eip1559(try EthereumTransaction.EIP1559(
                chainId: tx.uint64("chainId"), nonce: tx.uint64("nonce"),
                maxPriorityFeePerGas: Word256(decimal: tx.numberText("maxPriorityFeePerGas")),
                maxFeePerGas: Word256(decimal: tx.numberText("maxFeePerGas")), gasLimit: tx.uint64("gas"),
                to: to.map { try Hex.decode($0) }, value: Word256(decimal: tx.string("value")), data: tx.bytes("data"),
                accessList: Self.accessList(tx)))
            try Self.check(transaction, v, label)
        }
    }

    @Test("Legacy EIP-155 transactions: signing hash, raw, hash, decoding, sender")
    func legacy() throws {
        let vectors = try Vectors.load()
        try vectors.each("legacyTx") { label, v in
            let tx = try v.field("tx")
            let to = try tx.optionalString("to")
            let transaction = EthereumTransaction.legacy(try EthereumTransaction.Legacy(
                nonce: tx.uint64("nonce"), gasPrice: Word256(decimal: tx.numberText("gasPrice")), gasLimit: tx.uint64("gas"),
                to: to.map { try Hex.decode($0) }, value: Word256(decimal: tx.string("value")), data: tx.bytes("data"),
                chainId: tx.uint64("chainId")))
            try Self.check(transaction, v, label)
        }
    }

    @Test("Associated token accounts and their bump seeds (SPL Token and Token-2022)")
    func associatedTokenAccounts() throws {
        let vectors = try Vectors.load()
        try vectors.each("ata") { label, v in
            let wallet = try SolanaPublicKey(base58: v.string("wallet"))
            let mint = try SolanaPublicKey(base58: v.string("mint"))
            let program = try SolanaPublicKey(base58: v.string("tokenProgram"))
            #expect(program == Solana.tokenProgramID || program == Solana.token2022ProgramID, "\(label)")
            let address = try Solana.associatedTokenAddress(wallet: wallet, mint: mint, tokenProgramID: program)
            #expect(try address.base58 == v.string("address"), "\(label)")
            let found = try Solana.findProgramAddress(seeds: [wallet.bytes, program.bytes, mint.bytes], programID: Solana.associatedTokenProgramID)
            #expect(try Int(found.bump) == Int(v.uint64("bump")), "\(label): bump")
        }
    }

    @Test("Solana System transfer and SPL TransferChecked: message bytes, signature, wire form")
    func solanaTransfers() throws {
        let vectors = try Vectors.load()
        try vectors.each("solanaTransfer") { label, v in
            let payerKey = try v.bytes("payerKey")
            let payer = try SolanaPublicKey(privateKey: payerKey)
            #expect(try payer.base58 == v.string("payer"), "\(label)")
            let ix = try v.field("instruction")
            let instruction: Solana.Instruction
            switch try v.string("kind") {
            case "system":
                guard let lamports = try UInt64(ix.string("lamports")) else { throw HarnessError("\(label): lamports") }
                instruction = Solana.SystemProgram.transfer(from: payer, to: try SolanaPublicKey(base58: ix.string("to")), lamports: lamports)
            case "splTransferChecked":
                let mint = try SolanaPublicKey(base58: ix.string("mint"))
                let destinationOwner = try SolanaPublicKey(base58: ix.string("destinationOwner"))
                let source = try Solana.associatedTokenAddress(wallet: payer, mint: mint)
                let destination = try Solana.associatedTokenAddress(wallet: destinationOwner, mint: mint)
                #expect(try source.base58 == ix.string("source"), "\(label): source ATA")
                #expect(try destination.base58 == ix.string("destination"), "\(label): destination ATA")
                guard let amount = try UInt64(ix.string("amount")), let decimals = try UInt8(exactly: ix.uint64("decimals")) else {
                    throw HarnessError("\(label): amount/decimals")
                }
                instruction = Solana.TokenProgram.transferChecked(source: source, mint: mint, destination: destination,
                                                                  owner: payer, amount: amount, decimals: decimals)
            case let kind:
                throw HarnessError("\(label): unknown kind \(kind)")
            }
            let message = try Solana.Message(instructions: [instruction], payer: payer, recentBlockhash: v.string("recentBlockhash"))
            #expect(try message.serialized == v.bytes("message"), "\(label): message bytes")
            let transaction = try Solana.Transaction(message: message, signers: [payerKey])
            #expect(transaction.verifiesSignatures, "\(label)")
            #if os(Linux)
            // Ed25519 signatures are deterministic with BoringSSL (as in solders), so the wire bytes match exactly.
            #expect(try transaction.id == v.string("signature"), "\(label): signature")
            #expect(try transaction.base64 == v.string("transaction"), "\(label): wire form")
            #endif
        }
    }
}
