import Foundation
import RailyardCrypto
import Testing

/// Transactions built and signed by RailyardCrypto, accepted by real chain software: a P2WPKH
/// spend by litecoind (`testmempoolaccept`, then mined), an EIP-1559 transfer mined by the py-evm
/// server, and a Solana System transfer executed by LiteSVM.
@Suite("Signed transactions accepted by real runtimes")
struct SignedTransactionAcceptanceTests {
    @Test(.enabled(if: Harness.has(Harness.ltcURL), "needs the litecoind harness"))
    func p2wpkhSpendIsAcceptedAndMinedByLitecoind() async throws {
        let rpc = try RPCClient(url: try Harness.require(Harness.ltcURL), version: "1.0")
        // Coins come from the harness's bank wallet (mined while a block paid 50 LTC): mining 101 blocks
        // here would run the regtest subsidy (halved every 150 blocks) down over a full run.
        let miner = ProcessInfo.processInfo.environment["RAILYARD_TEST_LTC_BANK_WALLET"] ?? "bank"
        let minerAddress = try #require(try await rpc.call("getnewaddress", [.string(""), .string("bech32")], path: "/wallet/\(miner)").stringValue)

        // Fund an address whose key only we hold.
        let key = Secp256k1.generatePrivateKey()
        let publicKey = try Secp256k1.publicKey(privateKey: key)
        let ours = try AddressDerivation.address(publicKey: publicKey, chain: .ltc, network: .regtest, scheme: .p2wpkh)
        let fundingTxid = try #require(try await rpc.call("sendtoaddress", [.string(ours), .number("0.05")], path: "/wallet/\(miner)").stringValue)
        _ = try await rpc.call("generatetoaddress", [.number("1"), .string(minerAddress)])
        let funding = try await rpc.call("getrawtransaction", [.string(fundingTxid), .bool(true)])
        let outputs = try funding.array("vout")
        // litecoind 0.21 lists `addresses`; newer nodes say `address`.
        let vout = try #require(outputs.firstIndex { output in
            guard let script = output.objectValue?["scriptPubKey"]?.objectValue else { return false }
            return script["address"]?.stringValue == ours || (script["addresses"]?.arrayValue ?? []).contains(.string(ours))
        })
        let amount = UInt64(try baseUnits(try outputs[vout].numberText("value")))
        #expect(amount == 5_000_000)

        // Spend it back to the miner, paying 2 sat/vB.
        var spend = BitcoinTransaction(
            inputs: [.init(outpoint: try .init(txid: fundingTxid, index: UInt32(vout)))],
            outputs: [.init(value: 0, scriptPubKey: try BitcoinScript.scriptPubKey(address: minerAddress, chain: .ltc, network: .regtest))]
        )
        var signed = spend
        try signed.signP2WPKH(inputIndex: 0, privateKey: key, amount: amount)
        let fee = UInt64(signed.virtualSize) * 2
        spend.outputs[0] = .init(value: amount - fee, scriptPubKey: spend.outputs[0].scriptPubKey)
        try spend.signP2WPKH(inputIndex: 0, privateKey: key, amount: amount)
        let raw = Hex.encode(spend.serialized())

        let verdict = try #require(try await rpc.call("testmempoolaccept", [.array([.string(raw)])]).arrayValue?.first)
        #expect(verdict.objectValue?["allowed"] == .bool(true), "\(verdict.serialized)")
        let txid = try #require(try await rpc.call("sendrawtransaction", [.string(raw)]).stringValue)
        #expect(txid == spend.txid)
        _ = try await rpc.call("generatetoaddress", [.number("1"), .string(minerAddress)])
        let mined = try await rpc.call("getrawtransaction", [.string(txid), .bool(true)])
        #expect(try mined.uint64("confirmations") == 1)
        #expect(try mined.uint64("vsize") == UInt64(spend.virtualSize))
    }

    @Test(.enabled(if: Harness.has(Harness.evmURL, Harness.evmFundedKey), "needs the EVM harness"))
    func eip1559TransferIsMinedByTheEVMServer() async throws {
        let rpc = try RPCClient(url: try Harness.require(Harness.evmURL))
        let key = try Hex.decode(try Harness.require(Harness.evmFundedKey))
        let sender = try Ethereum.address(privateKey: key)
        let recipient = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
        let chainID = try await rpc.call("eth_chainId").stringValue.flatMap { UInt64($0.dropFirst(2), radix: 16) }
        let nonce = try await rpc.call("eth_getTransactionCount", [.string(sender), .string("pending")]).stringValue.flatMap { UInt64($0.dropFirst(2), radix: 16) }
        let transaction = EthereumTransaction.eip1559(try .init(
            chainId: try #require(chainID), nonce: try #require(nonce), maxPriorityFeePerGas: Word256(1_000_000_000),
            maxFeePerGas: Word256(100_000_000_000), gasLimit: 21_000, to: try Ethereum.addressBytes(recipient),
            value: try Word256(decimal: "1234500000000000000")
        ))
        let signed = try transaction.sign(privateKey: key)
        let hash = try #require(try await rpc.call("eth_sendRawTransaction", [.string(signed.rawHex)]).stringValue)
        #expect(hash == signed.hashHex)
        let receipt = try await rpc.call("eth_getTransactionReceipt", [.string(hash)])
        #expect(receipt.objectValue?["status"]?.stringValue == "0x1")
        #expect(try receipt.string("from").lowercased() == sender.lowercased())
        let balance = try await rpc.call("eth_getBalance", [.string(recipient), .string("latest")])
        #expect(balance.stringValue == "0x" + String(UInt64(1_234_500_000_000_000_000), radix: 16))
    }

    @Test(.enabled(if: Harness.has(Harness.solURL, Harness.solFundedKey), "needs the Solana harness"))
    func solanaTransferIsExecutedByLiteSVM() async throws {
        let rpc = try RPCClient(url: try Harness.require(Harness.solURL))
        let payerKey = try Hex.decode(try Harness.require(Harness.solFundedKey))
        let payer = try SolanaPublicKey(privateKey: payerKey)
        let recipient = try SolanaPublicKey(privateKey: SecureRandom.bytes(count: 32))
        let blockhash = try await rpc.call("getLatestBlockhash").field("value").string("blockhash")
        let message = try Solana.Message(instructions: [Solana.SystemProgram.transfer(from: payer, to: recipient, lamports: 2_500_000)],
                                         payer: payer, recentBlockhash: blockhash)
        let transaction = try Solana.Transaction(message: message, signers: [payerKey])
        let signature = try #require(try await rpc.call("sendTransaction", [.string(transaction.base64), .object(["encoding": .string("base64")])]).stringValue)
        #expect(signature == transaction.id)
        let balance = try await rpc.call("getBalance", [.string(recipient.description)]).field("value")
        #expect(balance == .number("2500000"))
    }
}
