import App
import Chains
import Crypto
import Foundation
import Money
import Payments
import RailyardCrypto
import Storage
import Testing

/// Payments through the whole server on real chain software started by Tests/Harness/harness.sh:
/// litecoind regtest, the py-evm JSON-RPC server with the EIP-3009 USDC token, and LiteSVM.
/// Create → pay → confirmations → forwarding (built, signed and mined by the node) → webhooks →
/// ledger, plus a reorg on litecoind and on the EVM server. Skipped without the harness.
@Suite("Payments on real runtimes", .serialized)
struct PaymentRuntimeTests {
    static let env = ProcessInfo.processInfo.environment
    static func setting(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
    static let ltcURL = setting("RAILYARD_TEST_LTC_RPC_URL")
    static let solURL = setting("RAILYARD_TEST_SOL_RPC_URL")
    static let solFundedKey = setting("RAILYARD_TEST_SOL_FUNDED_KEY")
    static let solMint = setting("RAILYARD_TEST_SOL_USDC_MINT")

    /// A business whose wallets are the given addresses.
    static func merchant(_ api: TestAPI, wallets: [String: String]) async throws -> PaymentMerchant {
        let token = try await api.merchant()
        let list = wallets.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
        let business = try await api.business(token, json: #"{"name":"Shop","wallet_addresses":{\#(list)},"webhook_url":"https://shop.example/hook"}"#)
        return PaymentMerchant(token: token, business: business, key: try await api.apiKey(token, business: business, mode: "test"))
    }

    /// Watches the node once and moves payments along (what the background services do).
    static func step(_ app: TestApp, _ watcher: DepositWatcher) async throws {
        _ = try await watcher.poll()
        try await app.processor.runOnce()
    }

    static func watcher(_ app: TestApp, _ adapter: any ChainAdapter) -> DepositWatcher {
        DepositWatcher(adapter: adapter, db: app.railyard.db, clock: app.clock,
                       policy: ConfirmationPolicy(overrides: app.railyard.configuration.confirmationOverrides), owner: "test")
    }

    /// Broadcasts due sends, lets `mine` produce blocks, and steps until the payment is forwarded.
    static func forward(_ app: TestApp, _ watcher: DepositWatcher, id: String, mine: @Sendable () async throws -> Void) async throws {
        for _ in 0..<12 {
            _ = try await app.railyard.sender.runDue(owner: "test")
            try await mine()
            try await step(app, watcher)
            if try await app.payment(id)["status"] as? String == "forwarded" { return }
        }
        Issue.record("payment \(id) not forwarded: \(try await app.payment(id)); sends: \(try await app.railyard.sender.records(reference: id))")
    }

    // MARK: litecoind

    @Test(.enabled(if: ltcURL != nil, "needs the litecoind regtest harness"))
    func litecoinIsConfirmedForwardedAndMovedBackByAReorg() async throws {
        let rpc = try JSONRPCClient(url: Self.ltcURL!)
        // Coins come from the harness's bank wallet (mined while a block paid 50 LTC): mining 101 blocks
        // here would run the regtest subsidy (halved every 150 blocks) down over a full run.
        let wallet = ProcessInfo.processInfo.environment["RAILYARD_TEST_LTC_BANK_WALLET"] ?? "bank"
        let customer = "/wallet/\(wallet)"
        let mineTo = try #require(try await rpc.call("getnewaddress", [.string(""), .string("bech32")], path: customer).stringValue)
        @Sendable func mine(_ blocks: Int) async throws { _ = try await rpc.call("generatetoaddress", [.number(String(blocks)), .string(mineTo)]) }

        try await TestApp.with(configure: { $0.network = .regtest; $0.chainRPCURLs["LTC"] = Self.ltcURL! }) { app, api in
            let shop = try AddressDerivation.address(publicKey: try Secp256k1.publicKey(privateKey: Secp256k1.generatePrivateKey()), chain: .ltc, network: .regtest)
            let m = try await Self.merchant(api, wallets: ["LTC": shop])
            let watcher = Self.watcher(app, try BitcoinCoreChain(chain: "LTC", rpc: rpc))
            // Small amounts, near the documented minimum.
            let p = try await m.create(api, currency: "ltc", usd: "2.00").object("payment")
            let id = try #require(p["id"] as? String)
            #expect((p["payment_address"] as? String)?.hasPrefix("rltc1") == true)
            #expect(p["required_confirmations"] as? Int == 6)
            try await Self.step(app, watcher)  // the node's watch-only wallet learns the address
            _ = try await rpc.call("sendtoaddress", [.string(p["payment_address"] as! String), .number(p["amount_crypto"] as! String)], path: customer)
            try await Self.step(app, watcher)
            #expect(try await app.payment(id)["status"] as? String == "detected")
            try await mine(1)
            try await Self.step(app, watcher)
            #expect(try await app.payment(id)["status"] as? String == "confirming")
            try await mine(5)
            try await Self.step(app, watcher)
            #expect(try await app.payment(id)["status"] as? String == "forwarding")
            try await Self.forward(app, watcher, id: id) { try await mine(6) }
            let done = try await app.payment(id)
            let merchantAmount = try #require(Int128(done["merchant_amount"] as? String ?? ""))
            // The shop's address holds exactly its share, on the node.
            let scan = try await rpc.call("scantxoutset", [.string("start"), .array([.string("addr(\(shop))")])])
            #expect(scan["total_amount"]?.numberLiteral.flatMap { try? ExactDecimal(parsing: $0) } == ExactDecimal(significand: merchantAmount, exponent: -8))
            #expect(try await app.events(m.business).map(\.type) == ["payment.confirmed", "payment.forwarded"])
            #expect(try await app.balance("payments:payable:\(m.business):LTC") == 0)
            #expect(try await app.ledgerIsHealthy())

            // A reorg before forwarding: the confirming blocks are invalidated, the payment moves back and
            // its booking is reversed; when they return, it is booked again.
            let q = try await m.create(api, currency: "ltc", usd: "1.00").object("payment")
            let qid = q["id"] as! String
            try await Self.step(app, watcher)
            _ = try await rpc.call("sendtoaddress", [.string(q["payment_address"] as! String), .number(q["amount_crypto"] as! String)], path: customer)
            try await mine(6)
            _ = try await watcher.poll()
            try await app.processor.applyDepositEvents()
            #expect(try await app.payment(qid)["status"] as? String == "confirmed")
            let payable = "payments:payable:\(m.business):LTC"
            #expect(try await app.balance(payable)! > 0)
            let height = try #require(try await rpc.call("getblockcount").numberLiteral.flatMap { Int($0) })
            let confirming = try #require(try await rpc.call("getblockhash", [.number(String(height - 5))]).stringValue)
            _ = try await rpc.call("invalidateblock", [.string(confirming)])
            do {
                _ = try await watcher.poll()
                try await app.processor.applyDepositEvents()
            } catch {
                _ = try? await rpc.call("reconsiderblock", [.string(confirming)])  // leave the shared node as we found it
                throw error
            }
            #expect(try await app.payment(qid)["status"] as? String == "detected")  // back in the mempool
            #expect(try await app.balance(payable) == 0)
            #expect(try await app.ledgerIsHealthy())
            _ = try await rpc.call("reconsiderblock", [.string(confirming)])
            _ = try await watcher.poll()
            try await app.processor.applyDepositEvents()
            #expect(try await app.payment(qid)["status"] as? String == "confirmed")
            #expect(try await app.balance(payable)! > 0)
            #expect(try await app.ledgerIsHealthy())

            // Paid and mined before the watcher imported the new address into the node's wallet (an agent
            // paying within the second): the import rescans recent blocks, so the payment is still seen.
            let fast = try await m.create(api, currency: "ltc", usd: "1.00").object("payment")
            _ = try await rpc.call("sendtoaddress", [.string(fast["payment_address"] as! String), .number(fast["amount_crypto"] as! String)], path: customer)
            try await mine(6)
            try await Self.step(app, watcher)
            #expect(try await app.payment(fast["id"] as! String)["status"] as? String == "forwarding")
        }
    }

    // MARK: EVM server

    @Test(.enabled(if: EVMHarness.available, "needs the EVM harness"))
    func etherAndUSDCAreForwardedOnTheEVMServerAndAReorgReversesABooking() async throws {
        let harness = try await EVMHarness.connect()
        let rpc = harness.rpc
        @Sendable func mine(_ blocks: Int = 1) async throws { for _ in 0..<blocks { _ = try await rpc.call("evm_mine", []) } }
        @Sendable func balance(_ address: String) async throws -> Int128 {
            Int128(try #require(try await rpc.call("eth_getBalance", [.string(address), .string("latest")]).stringValue).dropFirst(2), radix: 16)!
        }
        try await TestApp.with(configure: {
            EVMHarness.configure(&$0)
            // Few blocks: the shared py-evm clock runs ahead of the wall clock by a second per block mined faster than that.
            $0.confirmationOverrides = ["ETH": 2, "USDC_ETH": 2]
        }) { app, api in
            let shop = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
            let m = try await Self.merchant(api, wallets: ["ETH": shop, "USDC_ETH": shop])
            // The platform gas wallet pays for moving tokens out of deposit addresses.
            let gas = try await app.railyard.custody.address(app.railyard.db, chain: .eth, purpose: .gas, index: 0).address
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(harness.funded), "to": .string(gas), "value": .string("0x8ac7230489e80000")])])
            let treasury = try await app.railyard.custody.address(app.railyard.db, chain: .eth, purpose: .treasury, index: 0).address
            let watcher = Self.watcher(app, try EVMChain(chain: "ETH", rpc: rpc, tokens: ["USDC_ETH": harness.contract]))

            // Ether: the merchant leg pays its gas from the deposit, the platform leg takes the rest.
            let eth = try await m.create(api, currency: "eth", usd: "25.00").object("payment")
            let ethID = eth["id"] as! String
            let due = Int128(eth["amount_crypto_units"] as! String)!
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(harness.funded), "to": .string(eth["payment_address"] as! String),
                                                                    "value": .string("0x" + String(due, radix: 16))])])
            try await Self.step(app, watcher)
            #expect(try await app.payment(ethID)["status"] as? String == "confirming")
            try await mine(1)
            try await Self.step(app, watcher)
            #expect(try await app.payment(ethID)["status"] as? String == "forwarding")
            try await Self.forward(app, watcher, id: ethID) { try await mine(1) }
            let ethDone = try await app.payment(ethID)
            #expect(try await balance(shop) == Int128(ethDone["merchant_amount"] as? String ?? ""))
            // The gas actually paid (less than the signed maximum) is what the ledger books, so custody on chain
            // (the treasury plus the deposit's unspent gas allowance) is exactly the platform's share less that cost.
            let platformShare = try #require(Int128(try await app.paymentColumn(ethID, "platform_fee") ?? ""))
                + Int128(try await app.paymentColumn(ethID, "network_reserve") ?? "")!
            let cost = try #require(Int128(try await app.paymentColumn(ethID, "network_cost") ?? ""))
            #expect(cost > 0 && cost < 21_000 * 2 * 10_000_000_000)
            #expect(try await balance(eth["payment_address"] as! String) + balance(treasury) == platformShare - cost)

            // USDC: both legs leave the deposit by EIP-3009 authorizations the deposit key signs, submitted by the gas wallet.
            let usdc = try await m.create(api, currency: "usdc_eth", usd: "40.00").object("payment")
            let usdcID = usdc["id"] as! String
            let units = Int128(usdc["amount_crypto_units"] as! String)!
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(harness.funded), "to": .string(harness.contract),
                "data": .string(Hex.encode(try ERC20.transfer(to: usdc["payment_address"] as! String, amount: Word256(amount: units)), prefix: true))])])
            try await mine(1)
            try await Self.step(app, watcher)
            #expect(try await app.payment(usdcID)["status"] as? String == "forwarding")
            try await Self.forward(app, watcher, id: usdcID) { try await mine(1) }
            let usdcDone = try await app.payment(usdcID)
            let merchantUSDC = try #require(Int128(usdcDone["merchant_amount"] as? String ?? ""))
            #expect(try await harness.balance(shop) == merchantUSDC)
            #expect(try await harness.balance(treasury) == units - merchantUSDC)
            #expect(try await harness.balance(usdc["payment_address"] as! String) == 0)
            #expect(try await app.balance("payments:payable:\(m.business):USDC_ETH") == 0)
            #expect(try await app.ledgerIsHealthy())
            let events = try await app.events(m.business).map(\.type)
            #expect(events == ["payment.confirmed", "payment.forwarded", "payment.confirmed", "payment.forwarded"])

            // A reorg: the blocks with the payment are replaced by a longer chain without it.
            let r = try await m.create(api, currency: "eth", usd: "5.00").object("payment")
            let rid = r["id"] as! String
            let snapshot = try await rpc.call("evm_snapshot")
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(harness.funded), "to": .string(r["payment_address"] as! String),
                                                                    "value": .string("0x" + String(Int128(r["amount_crypto_units"] as! String)!, radix: 16))])])
            try await mine(1)
            _ = try await watcher.poll()
            try await app.processor.applyDepositEvents()
            #expect(try await app.payment(rid)["status"] as? String == "confirmed")
            #expect(try await app.balance("payments:payable:\(m.business):ETH")! > 0)
            _ = try await rpc.call("evm_revert", [snapshot])
            try await mine(3)
            _ = try await watcher.poll()
            try await app.processor.applyDepositEvents()
            #expect(try await app.payment(rid)["status"] as? String == "pending")
            #expect(try await app.balance("payments:payable:\(m.business):ETH") == 0)
            #expect(try await app.ledgerIsHealthy())
        }
    }

    // MARK: LiteSVM

    @Test(.enabled(if: solURL != nil && solFundedKey != nil && solMint != nil, "needs the LiteSVM harness"))
    func solAndUSDCAreForwardedOnLiteSVMInOneTransactionEach() async throws {
        let rpc = try JSONRPCClient(url: Self.solURL!)
        let node = try SolanaChain(rpc: rpc, mints: ["USDC_SOL": Self.solMint!])
        let fundedKey = try Hex.decode(Self.solFundedKey!)
        let funded = try SolanaPublicKey(privateKey: fundedKey)
        let mint = try SolanaPublicKey(base58: Self.solMint!)
        @Sendable func advance() async throws { _ = try await rpc.call("shim_advanceSlots", [.number("3")]) }
        try await TestApp.with(configure: {
            $0.network = .regtest
            $0.chainRPCURLs["SOL"] = Self.solURL!
            $0.tokenContracts["USDC_SOL"] = Self.solMint!
            $0.confirmationOverrides = ["SOL": 2, "USDC_SOL": 2]
        }) { app, api in
            let shop = try SolanaPublicKey(privateKey: Array(SHA256.hash(data: Data("shop-\(UUID())".utf8)))).base58
            let m = try await Self.merchant(api, wallets: ["SOL": shop, "USDC_SOL": shop])
            let gas = try await app.railyard.custody.address(app.railyard.db, chain: .sol, purpose: .gas, index: 0).address
            _ = try await rpc.call("requestAirdrop", [.string(gas), .number("1000000000")])
            let treasury = try await app.railyard.custody.address(app.railyard.db, chain: .sol, purpose: .treasury, index: 0).address
            let watcher = Self.watcher(app, node)

            let sol = try await m.create(api, currency: "sol", usd: "25.00").object("payment")
            let solID = sol["id"] as! String
            let deposit = try SolanaPublicKey(base58: sol["payment_address"] as! String)
            let lamports = UInt64(sol["amount_crypto_units"] as! String)!
            let pay = try Solana.Message(instructions: [Solana.SystemProgram.transfer(from: funded, to: deposit, lamports: lamports)],
                                         payer: funded, recentBlockhash: try await node.latestBlockhash())
            _ = try await node.broadcast(try Solana.Transaction(message: pay, signers: [fundedKey]).base64)
            try await advance()
            try await Self.step(app, watcher)
            #expect(try await app.payment(solID)["status"] as? String == "forwarding")
            try await Self.forward(app, watcher, id: solID) { try await advance() }
            let solDone = try await app.payment(solID)
            let merchantSOL = try #require(Int128(solDone["merchant_amount"] as? String ?? ""))
            #expect(try await node.balance(of: shop) == merchantSOL)
            // The gas wallet paid the fee: the treasury got commission and reserve whole, the deposit is empty.
            #expect(try await node.balance(of: treasury) == Int128(lamports) - merchantSOL)
            #expect(try await node.balance(of: deposit.base58) == 0)

            let usdc = try await m.create(api, currency: "usdc_sol", usd: "40.00").object("payment")
            let usdcID = usdc["id"] as! String
            let owner = try SolanaPublicKey(base58: usdc["payment_address"] as! String)
            let units = UInt64(usdc["amount_crypto_units"] as! String)!
            let transfer = try Solana.Message(instructions: [
                try Solana.AssociatedTokenProgram.createIdempotent(payer: funded, wallet: owner, mint: mint),
                Solana.TokenProgram.transferChecked(source: try Solana.associatedTokenAddress(wallet: funded, mint: mint), mint: mint,
                                                    destination: try Solana.associatedTokenAddress(wallet: owner, mint: mint), owner: funded,
                                                    amount: units, decimals: 6),
            ], payer: funded, recentBlockhash: try await node.latestBlockhash())
            _ = try await node.broadcast(try Solana.Transaction(message: transfer, signers: [fundedKey]).base64)
            try await advance()
            try await Self.step(app, watcher)
            #expect(try await app.payment(usdcID)["status"] as? String == "forwarding")
            try await Self.forward(app, watcher, id: usdcID) { try await advance() }
            let usdcDone = try await app.payment(usdcID)
            let merchantUSDC = try #require(Int128(usdcDone["merchant_amount"] as? String ?? ""))
            #expect(try await node.tokenBalance(asset: "USDC_SOL", wallet: shop) == merchantUSDC)
            #expect(try await node.tokenBalance(asset: "USDC_SOL", wallet: treasury) == Int128(units) - merchantUSDC)
            #expect(try await app.balance("payments:payable:\(m.business):USDC_SOL") == 0)
            #expect(try await app.ledgerIsHealthy())
            #expect(try await app.events(m.business).map(\.type) == ["payment.confirmed", "payment.forwarded", "payment.confirmed", "payment.forwarded"])
        }
    }
}

extension JSONValue {
    /// A JSON number's literal text.
    var numberLiteral: String? {
        if case .number(let text) = self { return text }
        return nil
    }
}
