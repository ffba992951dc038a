import Chains
import Crypto
import Events
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Ledger
import Money
import RailyardCrypto
import Storage
import Synchronization
import Testing
import TestSupport
@testable import X402

/// The signed quote of a Bitcoin-family amount holds only for what it was issued for, and only while valid.
@Suite("x402: price quotes")
struct X402QuoteTests {
    @Test func aQuoteHoldsOnlyItsOwnOfferUntilItExpires() throws {
        let clock = Mutex<Int64>(1_800_000_000)
        let key = SymmetricKey(size: .bits256)
        let signer = X402QuoteSigner(key: key, validitySeconds: 600, now: { clock.withLock { $0 } })
        let btc = try #require(X402Network.utxo(chain: "BTC", deployment: .mainnet))
        let ltc = try #require(X402Network.utxo(chain: "LTC", deployment: .mainnet))
        let option = PaymentOption(network: btc, amount: "10000", payTo: "bc1qpayee")
        let resource = PaidResource(url: "https://shop.example/x402/r/x402r_a", description: "report", pricing: "usd:5")
        let quote = signer.quote(option, resource: resource)
        #expect(signer.honours(quote, amount: "10000", option: option, resource: resource))
        // Anything else it might be presented for: another amount, resource, recipient, network, key.
        #expect(!signer.honours(quote, amount: "9999", option: option, resource: resource))
        #expect(!signer.honours(quote, amount: "10000", option: option, resource: PaidResource(url: "https://shop.example/x402/r/x402r_b", description: "report", pricing: "usd:5")))
        // The merchant changed the price: the quotes issued before no longer hold.
        #expect(!signer.honours(quote, amount: "10000", option: option, resource: PaidResource(url: "https://shop.example/x402/r/x402r_a", description: "report", pricing: "usd:6")))
        #expect(!signer.honours(quote, amount: "10000", option: PaymentOption(network: btc, amount: "10000", payTo: "bc1qother"), resource: resource))
        #expect(!signer.honours(quote, amount: "10000", option: PaymentOption(network: ltc, amount: "10000", payTo: "bc1qpayee"), resource: resource))
        #expect(!X402QuoteSigner(key: SymmetricKey(size: .bits256), validitySeconds: 600, now: { clock.withLock { $0 } })
            .honours(quote, amount: "10000", option: option, resource: resource))
        // Its expiry is signed: moved (or written differently), the quote no longer verifies.
        let (expiry, code) = (try #require(Int64(quote.split(separator: ".")[0])), quote.split(separator: ".")[1])
        #expect(!signer.honours("\(expiry - 300).\(code)", amount: "10000", option: option, resource: resource))
        #expect(!signer.honours("0\(expiry).\(code)", amount: "10000", option: option, resource: resource))
        #expect(!signer.honours("\(expiry)", amount: "10000", option: option, resource: resource) && !signer.honours("", amount: "10000", option: option, resource: resource))
        // A quote claiming to hold longer than quotes are issued for is refused even with a valid code.
        let farSigner = X402QuoteSigner(key: key, validitySeconds: 6000, now: { clock.withLock { $0 } })
        #expect(!signer.honours(farSigner.quote(option, resource: resource), amount: "10000", option: option, resource: resource))
        // Valid to its last second, not after.
        clock.withLock { $0 += 600 }
        #expect(signer.honours(quote, amount: "10000", option: option, resource: resource))
        clock.withLock { $0 += 1 }
        #expect(!signer.honours(quote, amount: "10000", option: option, resource: resource))
    }
}

@Suite("x402 exact EVM: parsing and the network table")
struct X402ParsingTests {
    /// The paying client reads a requirement's network as the specification names it: a published v1
    /// name is EVM even without `extra.chainId`, and a Bitcoin-family name is not.
    @Test func theClientNamesEveryRequirementsNetwork() {
        #expect(X402Client.evmNetwork("base", chainID: nil) == "eip155:8453")
        #expect(X402Client.evmNetwork("base-sepolia", chainID: nil) == "eip155:84532")
        #expect(X402Client.evmNetwork("eip155:137", chainID: nil) == "eip155:137")
        #expect(X402Client.evmNetwork("ethereum", chainID: "31337") == "eip155:31337")
        #expect(X402Client.evmNetwork("eip155:x", chainID: nil) == nil)
        for name in ["bitcoin", "litecoin", "bitcoin-cash", "lightning", "solana"] { #expect(X402Client.evmNetwork(name, chainID: nil) == nil, "\(name)") }
        #expect(X402Client.solanaNetwork("solana") == "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp")
        #expect(X402Client.solanaNetwork("bitcoin") == nil)
        // Every published EVM network's USDC is known to the client by default.
        for network in X402Network.published(.mainnet) + X402Network.published(.testnet) {
            #expect(X402Client.publishedUSDC[network.caip2] == network.contract)
        }
    }

    static func payload(version: Int?, value: JSONValue = .string("10000")) -> JSONValue {
        let authorization = JSONValue.object([
            "from": .string("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"), "to": .string("0x209693Bc6afc0C5328bA36FaF03C514EF312287C"),
            "value": value, "validAfter": .number("0"), "validBefore": .string("1893456000"), "nonce": .string("0x" + String(repeating: "ab", count: 32)),
        ])
        var object: [String: JSONValue] = ["payload": .object(["authorization": authorization, "signature": .string("0x" + String(repeating: "11", count: 65))])]
        switch version {
        case 2?:
            object["x402Version"] = .number("2")
            object["accepted"] = .object(["scheme": .string("exact"), "network": .string("eip155:8453")])
        case 1?:
            object["x402Version"] = .number("1")
            object["scheme"] = .string("exact"); object["network"] = .string("base")
        default:  // our documented proof: no x402Version, an extra asset
            object["scheme"] = .string("exact"); object["network"] = .string("base")
            object["asset"] = .string("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913")
        }
        return .object(object)
    }

    @Test func v1V2AndTheDocumentedProofParse() throws {
        let v2 = try ExactPayment.parse(Self.payload(version: 2))
        #expect(v2.x402Version == 2 && v2.network == "eip155:8453" && v2.authorization.value == Word256(10_000))
        let v1 = try ExactPayment.parse(Self.payload(version: 1))
        #expect(v1.x402Version == 1 && v1.network == "base")
        let documented = try ExactPayment.parse(Self.payload(version: nil))
        #expect(documented.x402Version == 1 && documented.authorization == v1.authorization)
    }

    @Test(arguments: [" 10000 ", "+10000", "10_000", "010000", "10000\n", "１００００", "-1", "1e4", ""])
    func nonCanonicalAmountsAreInvalidPayloads(text: String) throws {
        #expect(throws: ExactEVMError.self) { try ExactPayment.parse(Self.payload(version: 2, value: .string(text))) }
    }

    /// Contract and recipient addresses match in any letter case (clients send checksummed or
    /// lowercase forms), and only letters may differ by case.
    @Test func addressesCompareWithoutLetterCase() {
        #expect(ExactEVMVerifier.sameIgnoringASCIICase("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "0x833589FCD6EDB6E08F4C7C32D4F71B54BDA02913"))
        #expect(ExactEVMVerifier.sameIgnoringASCIICase("0xabc", "0xABC"))
        #expect(!ExactEVMVerifier.sameIgnoringASCIICase("0xabc", "0xabd"))
        #expect(!ExactEVMVerifier.sameIgnoringASCIICase("0xabc", "0xabc0"))
        #expect(!ExactEVMVerifier.sameIgnoringASCIICase("0x@", "0x`"))
        #expect(!ExactEVMVerifier.sameIgnoringASCIICase("0x[", "0x{"))
        #expect(!ExactEVMVerifier.sameIgnoringASCIICase("0x1", "0x\u{11}"))
    }

    @Test func aBadVersionOrMissingFieldsAreNamed() throws {
        var object = try #require(Self.payload(version: 2).objectValue)
        object["x402Version"] = .number("3")
        #expect(throws: ExactEVMError(.invalidX402Version, "x402Version must be 1 or 2")) { try ExactPayment.parse(JSONValue.object(object)) }
        #expect { try ExactRequirements.parse(JSONValue.object(["scheme": .string("exact")])) } throws: { ($0 as? ExactEVMError)?.reason == .invalidPaymentRequirements }
    }

    /// Copy-paste errors in token domains are a known bug class: pin each published network's
    /// domain separator. Values computed independently with eth_abi + eth_utils (x402 venv); Base,
    /// Ethereum, Polygon and Avalanche equal the separators their USDC contracts return on chain.
    @Test func publishedNetworksCarryTheTokensRealDomains() throws {
        let expected = [
            "eip155:8453": "02fa7265e7c5d81118673727957699e4d68f74cd74b7db77da710fe8a2c7834f",
            "eip155:1": "06c37168a7db5138defc7866392bb87a741f9b3d104deb5094588ce041cae335",
            "eip155:137": "caa2ce1a5703ccbe253a34eb3166df60a705c561b44b192061e28f2a985be2ca",
            "eip155:84532": "71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818",
            "eip155:80002": "5cddc98319864e897e4469bd1d13c2288c677047b54b8cca12bd342adb6be9eb",
        ]
        let networks = X402Network.published(.mainnet) + X402Network.published(.testnet)
        #expect(Set(networks.map(\.caip2)) == Set(expected.keys))
        for network in networks {
            let domain = EIP3009.Domain(name: network.tokenName, version: network.tokenVersion, chainId: UInt64(network.chainID), verifyingContract: network.contract)
            #expect(Hex.encode(try EIP3009.domainSeparator(domain)) == expected[network.caip2], "\(network.caip2)")
        }
        // Avalanche USDC (not a network Railyard runs, but the same encoder must reproduce it).
        let avalanche = EIP3009.Domain(name: "USD Coin", version: "2", chainId: 43_114, verifyingContract: "0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E")
        #expect(Hex.encode(try EIP3009.domainSeparator(avalanche)) == "bbea200329a938bc3438984a49cb0732e66d66d7bd59c127abacc1710e77f7b3")
    }
}

/// The facilitator against the py-evm server and its EIP-3009 USDC token (Tests/Harness).
@Suite("x402 facilitator on the EVM server", .serialized)
struct X402FacilitatorTests {
    static let env = ProcessInfo.processInfo.environment
    static let evmURL = env["RAILYARD_TEST_EVM_RPC_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let usdc = env["RAILYARD_TEST_USDC_CONTRACT"].flatMap { $0.isEmpty ? nil : $0 }
    static let migrations = JobQueue.migrations + Ledger.migrations + Outbox.migrations + DevnetChain.migrations + ChainWatchList.migrations + CustodyVault.migrations
        + ChainSender.migrations + X402Facilitator.migrations

    struct Fixture {
        let facilitator: X402Facilitator
        let rpc: JSONRPCClient
        let node: EVMChain
        let network: X402Network
        let payerKey: [UInt8]
        let payer: String
        let payTo: String
        let clock: ManualClock
        let db: Database

        func sign(value: UInt64 = 10_000, to: String? = nil, validAfter: UInt64 = 0, validBefore: UInt64? = nil, chainID: Int64? = nil,
                  name: String? = nil, key: [UInt8]? = nil, version: Int = 2) throws -> (ExactPayment, ExactRequirements) {
            let now = UInt64(clock.nowMillis() / 1000)
            let authorization = EIP3009.Authorization(from: payer, to: to ?? payTo, value: Word256(value), validAfter: Word256(validAfter),
                                                      validBefore: Word256(validBefore ?? now + 600), nonce: Array(SHA256.hash(data: Data(UUID().uuidString.utf8))))
            let domain = EIP3009.Domain(name: name ?? network.tokenName, version: network.tokenVersion, chainId: UInt64(chainID ?? network.chainID), verifyingContract: network.contract)
            let signature = try EIP3009.transferWithAuthorization(authorization, domain: domain).sign(privateKey: key ?? payerKey)
            let payment = ExactPayment(x402Version: version, scheme: "exact", network: network.caip2, authorization: authorization, signature: signature)
            let requirements = ExactRequirements(scheme: "exact", network: network.caip2, amount: "10000", asset: network.contract, payTo: payTo,
                                                 tokenName: network.tokenName, tokenVersion: network.tokenVersion)
            return (payment, requirements)
        }
    }

    func withFixture(headInterval: Duration = .milliseconds(250), _ body: @Sendable (Fixture) async throws -> Void) async throws {
        let rpc = try JSONRPCClient(url: Self.evmURL!)
        let contract = Self.usdc!
        let node = try EVMChain(chain: "ETH", rpc: rpc, tokens: ["USDC_ETH": contract])
        let network = X402Network(v1Name: nil, caip2: "eip155:\(try await node.chainID())", chain: "ETH", chainID: try await node.chainID(), asset: "USDC_ETH",
                                  contract: contract, tokenName: "USD Coin", tokenVersion: "2")
        let funded = try #require(try await rpc.call("eth_accounts").arrayValue?.first?.stringValue)
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock(millis: Int64(Date().timeIntervalSince1970 * 1000))
            let vault = CustodyVault(key: SymmetricKey(size: .bits256), network: .regtest)
            let gas = try await vault.register(db, chain: .eth, purpose: .gas, index: 0, now: 1)
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(gas.address), "value": .string("0x8ac7230489e80000")])])
            let payerKey = Secp256k1.generatePrivateKey()
            let payer = try Ethereum.address(privateKey: payerKey)
            let fund = try ERC20.transfer(to: payer, amount: Word256(100_000))
            _ = try await rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(contract), "data": .string(Hex.encode(fund, prefix: true))])])
            let sender = ChainSender(db: db, clock: clock, vault: vault, builders: [EVMSender(node: node)], policy: ConfirmationPolicy(overrides: ["USDC_ETH": 1]))
            let facilitator = X402Facilitator(verifier: ExactEVMVerifier(networks: [network], nodes: ["ETH": node], headInterval: headInterval),
                                              db: db, clock: clock, sender: sender, custody: vault, ledger: Ledger(clock: clock), outbox: Outbox(jobs: JobQueue(clock: clock), clock: clock), feeBasisPoints: { _ in 100 },
                                              receiptTimeout: .seconds(1))
            try await body(Fixture(facilitator: facilitator, rpc: rpc, node: node, network: network, payerKey: payerKey, payer: payer,
                                   payTo: try Ethereum.address(privateKey: Secp256k1.generatePrivateKey()), clock: clock, db: db))
        }
    }

    func reason(_ body: () async throws -> Void) async -> X402Reason? {
        do { try await body(); return nil } catch let error as ExactEVMError { return error.reason } catch { return .unexpectedVerifyError }
    }

    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness"))
    func verifySettleOnceAndRefuseTheReplay() async throws {
        try await withFixture { f in
            let (payment, requirements) = try f.sign()
            let verified = try await f.facilitator.verify(payment, requirements)
            #expect(verified.payer == f.payer)
            let settled = try await f.facilitator.settle(payment, requirements, businessID: "biz_1")
            #expect(settled.success && settled.transaction.hasPrefix("0x") && settled.payer.lowercased() == f.payer.lowercased(), "\(settled)")
            #expect(try await f.node.tokenBalance(contract: f.network.contract, owner: f.payTo) == 10_000)
            // The 1% commission is owed by the business, in the ledger.
            let receivable = try await f.db.read { try await Ledger(clock: f.clock).account("x402:fees_receivable:biz_1:USDC_ETH", in: $0) }
            #expect(receivable?.debitsPosted == 100)
            // The business hears of it through the webhook outbox, written in the same transaction.
            let events = try await f.db.read { try await Outbox(jobs: JobQueue(clock: f.clock), clock: f.clock).events(businessID: "biz_1", in: $0) }
            #expect(events.map(\.type) == ["x402.payment.settled"])
            #expect(events.first.map { $0.payload.contains(#""platform_fee":"100""#) && $0.payload.contains(settled.transaction) } == true, "\(events)")
            // The same body again: a replay, refused; verify says the nonce is used.
            let replay = try await f.facilitator.settle(payment, requirements, businessID: "biz_1")
            #expect(!replay.success && replay.reason == .nonceUsed && replay.transaction == "")
            #expect(await reason { _ = try await f.facilitator.verify(payment, requirements) } == .nonceUsed)
            #expect(try await f.node.tokenBalance(contract: f.network.contract, owner: f.payTo) == 10_000)
        }
    }

    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness"))
    func aSettlementNotMinedInTimeIsPendingAndARetryReconcilesToTheSameTransaction() async throws {
        try await withFixture { f in
            let (payment, requirements) = try f.sign()
            _ = try await f.rpc.call("evm_setAutomine", [.bool(false)])
            let pending: X402Settlement
            do {
                pending = try await f.facilitator.settle(payment, requirements, businessID: "biz_1")
            } catch {
                _ = try await f.rpc.call("evm_setAutomine", [.bool(true)])
                throw error
            }
            _ = try await f.rpc.call("evm_setAutomine", [.bool(true)])
            #expect(!pending.success && pending.reason == .settlementPending && pending.transaction.hasPrefix("0x"), "\(pending)")
            _ = try await f.rpc.call("evm_mine", [])
            // The retry comes after the authorization expired (validBefore was now + 600): it was valid
            // when submitted, so the retry still learns that it was mined.
            f.clock.advance(seconds: 601)
            let retried = try await f.facilitator.settle(payment, requirements, businessID: "biz_1")
            #expect(retried.success && retried.transaction == pending.transaction, "\(retried)")
            let replay = try await f.facilitator.settle(payment, requirements, businessID: "biz_1")
            #expect(!replay.success && replay.reason == .nonceUsed)
            #expect(try await f.node.tokenBalance(contract: f.network.contract, owner: f.payTo) == 10_000)
        }
    }

    /// A payer who never settles again after `settlement_pending`: the background pass books the mined
    /// transfer (commission, event) once, and leaves the success answer for a retry.
    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness"))
    func aPendingSettlementIsBookedInTheBackgroundWithoutARetry() async throws {
        try await withFixture { f in
            let (payment, requirements) = try f.sign()
            let receivable = { try await f.db.read { try await Ledger(clock: f.clock).account("x402:fees_receivable:biz_1:USDC_ETH", in: $0) }?.debitsPosted ?? 0 }
            let events = { try await f.db.read { try await Outbox(jobs: JobQueue(clock: f.clock), clock: f.clock).events(businessID: "biz_1", in: $0) }.map(\.type) }
            _ = try await f.rpc.call("evm_setAutomine", [.bool(false)])
            let pending: X402Settlement
            let unminedPass: Int
            do {
                pending = try await f.facilitator.settle(payment, requirements, businessID: "biz_1")
                // Not mined yet: nothing to book.
                unminedPass = try await f.facilitator.reconcilePendingSettlements()
            } catch {
                _ = try await f.rpc.call("evm_setAutomine", [.bool(true)])
                throw error
            }
            _ = try await f.rpc.call("evm_setAutomine", [.bool(true)])
            #expect(pending.reason == .settlementPending, "\(pending)")
            #expect(unminedPass == 0)
            #expect(try await receivable() == 0)
            #expect(try await events().isEmpty)
            _ = try await f.rpc.call("evm_mine", [])
            #expect(try await f.facilitator.reconcilePendingSettlements() == 1)
            #expect(try await receivable() == 100)
            #expect(try await events() == ["x402.payment.settled"])
            #expect(try await f.facilitator.reconcilePendingSettlements() == 0)
            // The payer's retry still gets its success, once; nothing is booked twice.
            let retried = try await f.facilitator.settle(payment, requirements, businessID: "biz_1")
            #expect(retried.success && retried.transaction == pending.transaction, "\(retried)")
            #expect(try await receivable() == 100)
            #expect(try await events() == ["x402.payment.settled"])
            #expect(try await f.node.tokenBalance(contract: f.network.contract, owner: f.payTo) == 10_000)
        }
    }

    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness"))
    func anotherBusinessCannotReconcileSomeoneElsesPendingSettlement() async throws {
        try await withFixture { f in
            let (payment, requirements) = try f.sign()
            _ = try await f.rpc.call("evm_setAutomine", [.bool(false)])
            let pending = try await f.facilitator.settle(payment, requirements, businessID: "biz_owner")
            _ = try await f.rpc.call("evm_setAutomine", [.bool(true)])
            #expect(pending.reason == .settlementPending)
            _ = try await f.rpc.call("evm_mine", [])
            // Another business presents the same authorization (its own requirements would have its own payTo).
            let otherPayTo = ExactRequirements(scheme: "exact", network: requirements.network, amount: requirements.amount, asset: requirements.asset,
                                               payTo: try Ethereum.address(privateKey: Secp256k1.generatePrivateKey()), tokenName: nil, tokenVersion: nil)
            #expect(await reason { _ = try await f.facilitator.settle(payment, otherPayTo, businessID: "biz_thief") } == .recipientMismatch)
            let sameRequirements = try await f.facilitator.settle(payment, requirements, businessID: "biz_thief")
            #expect(!sameRequirements.success && sameRequirements.reason == .nonceUsed)
            // The owner still gets its success exactly once.
            let owner = try await f.facilitator.settle(payment, requirements, businessID: "biz_owner")
            #expect(owner.success && owner.transaction == pending.transaction)
        }
    }

    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness"))
    func concurrentSettlesOfOneAuthorizationSubmitOnce() async throws {
        try await withFixture { f in
            let (payment, requirements) = try f.sign()
            let results = try await withThrowingTaskGroup(of: X402Settlement.self) { group in
                for _ in 0..<4 { group.addTask { try await f.facilitator.settle(payment, requirements, businessID: "biz_1") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter(\.success).count == 1, "\(results)")
            #expect(try await f.node.tokenBalance(contract: f.network.contract, owner: f.payTo) == 10_000)
        }
    }

    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness"))
    func everyWrongPaymentIsInvalidWithItsReason() async throws {
        try await withFixture { f in
            let now = UInt64(f.clock.nowMillis() / 1000)
            func check(_ pair: (ExactPayment, ExactRequirements)) async -> X402Reason? {
                await reason { _ = try await f.facilitator.verify(pair.0, pair.1) }
            }
            #expect(await check(try f.sign(to: f.payer)) == .recipientMismatch)
            #expect(await check(try f.sign(value: 9_999)) == .valueMismatch)
            #expect(await check(try f.sign(validBefore: now - 1)) == .validBefore)
            #expect(await check(try f.sign(validBefore: now + 3)) == .validBefore)
            #expect(await check(try f.sign(validAfter: now + 60)) == .validAfter)
            #expect(await check(try f.sign(key: Secp256k1.generatePrivateKey())) == .signature)
            #expect(await check(try f.sign(chainID: 1)) == .signature)
            #expect(await check(try f.sign(name: "USDC")) == .signature)
            // A payer without the funds.
            let (payment, requirements) = try f.sign(value: 10_000)
            let poor = Secp256k1.generatePrivateKey()
            let poorPayment = try Fixture(facilitator: f.facilitator, rpc: f.rpc, node: f.node, network: f.network, payerKey: poor,
                                          payer: try Ethereum.address(privateKey: poor), payTo: f.payTo, clock: f.clock, db: f.db).sign()
            #expect(await check(poorPayment) == .insufficientFunds)
            // Requirements for another asset or network.
            let otherAsset = ExactRequirements(scheme: "exact", network: requirements.network, amount: "10000", asset: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
                                               payTo: f.payTo, tokenName: nil, tokenVersion: nil)
            #expect(await check((payment, otherAsset)) == .assetMismatch)
            let otherNetwork = ExactRequirements(scheme: "exact", network: "eip155:8453", amount: "10000", asset: f.network.contract, payTo: f.payTo, tokenName: nil, tokenVersion: nil)
            #expect(await check((payment, otherNetwork)) == .networkMismatch)
            let wrongScheme = ExactRequirements(scheme: "upto", network: requirements.network, amount: "10000", asset: f.network.contract, payTo: f.payTo, tokenName: nil, tokenVersion: nil)
            #expect(await check((payment, wrongScheme)) == .unsupportedScheme)
            // None of these settled anything.
            #expect(try await f.node.tokenBalance(contract: f.network.contract, owner: f.payTo) == 0)
        }
    }

    /// Verification reads the chain at a cached head block, so a burst of verifications costs the node
    /// one read per distinct question, not two per request; only a pass comes from that cache: funds
    /// that arrive after a refusal are seen at once, and settlement reads the newest block.
    @Test(.enabled(if: evmURL != nil && usdc != nil, "needs the EVM harness"))
    func verificationReadsACachedBlockButNeverRefusesFundsThatJustArrived() async throws {
        try await withFixture(headInterval: .seconds(3600)) { f in
            let view = try #require(f.facilitator.verifier.stateView(chain: "ETH"))
            let (payment, requirements) = try f.sign()
            _ = try await f.facilitator.verify(payment, requirements)
            let before = view.roundTrips
            let payers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<24 { group.addTask { try await f.facilitator.verify(payment, requirements).payer } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(payers.count == 24 && payers.allSatisfy { $0 == f.payer })
            #expect(view.roundTrips == before, "24 verifications of a payment already read at this block cost the node nothing")

            // A payer refused for want of funds is accepted as soon as the funds are on chain.
            let key = Secp256k1.generatePrivateKey()
            let late = Fixture(facilitator: f.facilitator, rpc: f.rpc, node: f.node, network: f.network, payerKey: key,
                               payer: try Ethereum.address(privateKey: key), payTo: f.payTo, clock: f.clock, db: f.db)
            let (latePayment, lateRequirements) = try late.sign()
            #expect(await reason { _ = try await f.facilitator.verify(latePayment, lateRequirements) } == .insufficientFunds)
            let funded = try #require(try await f.rpc.call("eth_accounts").arrayValue?.first?.stringValue)
            let fund = try ERC20.transfer(to: late.payer, amount: Word256(10_000))
            _ = try await f.rpc.call("eth_sendTransaction", [.object(["from": .string(funded), "to": .string(f.network.contract), "data": .string(Hex.encode(fund, prefix: true))])])
            #expect(try await f.facilitator.verify(latePayment, lateRequirements).payer == late.payer)

            // Settlement reads the newest block; once settled, the authorization is refused, by our
            // own record and by the chain.
            let settled = try await f.facilitator.settle(latePayment, lateRequirements, businessID: "biz_late")
            #expect(settled.success, "\(settled.message ?? "")")
            #expect(await reason { _ = try await f.facilitator.verify(latePayment, lateRequirements) } == .nonceUsed)
            let now = f.clock.nowMillis() / 1000
            #expect(await reason { _ = try await f.facilitator.verifier.verify(latePayment, lateRequirements, now: now, fresh: true) } == .nonceUsed)
        }
    }
}

/// Bitcoin-family proofs on litecoind regtest: any transaction, looked up through the node's txindex.
@Suite("x402 txid proofs on litecoind")
struct X402UTXOTests {
    static let ltcURL = ProcessInfo.processInfo.environment["RAILYARD_TEST_LTC_RPC_URL"].flatMap { $0.isEmpty ? nil : $0 }

    @Test(.enabled(if: ltcURL != nil, "needs the litecoind regtest harness"))
    func aTransactionToThePayeeIsValidOnceConfirmedAndOnlyForWhatItPays() async throws {
        let rpc = try JSONRPCClient(url: Self.ltcURL!)
        // Coins come from the harness's bank wallet (mined while a block paid 50 LTC): mining 101 blocks
        // here would run the regtest subsidy (halved every 150 blocks) down over a full run.
        let wallet = ProcessInfo.processInfo.environment["RAILYARD_TEST_LTC_BANK_WALLET"] ?? "bank"
        let path = "/wallet/\(wallet)"
        let miner = try #require(try await rpc.call("getnewaddress", [.string(""), .string("bech32")], path: path).stringValue)
        let payTo = try AddressDerivation.address(publicKey: try Secp256k1.publicKey(privateKey: Secp256k1.generatePrivateKey()), chain: .ltc, network: .regtest)
        let node = try BitcoinCoreChain(chain: "LTC", rpc: rpc)
        let network = try #require(X402Network.utxo(chain: "LTC", deployment: .regtest))
        let verifier = UTXOVerifier(networks: [network], chains: ["LTC": node], policy: ConfirmationPolicy(overrides: ["LTC": 6]))
        let txid = try #require(try await rpc.call("sendtoaddress", [.string(payTo), .number("0.015")], path: path).stringValue)
        let payment = UTXOPayment(network: "litecoin", txid: txid)
        func requirements(_ amount: String) -> ExactRequirements {
            ExactRequirements(scheme: "exact", network: "litecoin", amount: amount, asset: "LTC", payTo: payTo, tokenName: nil, tokenVersion: nil)
        }
        func reason(_ body: () async throws -> Void) async -> X402Reason? {
            do { try await body(); return nil } catch let error as ExactEVMError { return error.reason } catch { return .unexpectedVerifyError }
        }
        #expect(await reason { _ = try await verifier.verify(payment, requirements("1500000")) } == .invalidTransactionState)
        _ = try await rpc.call("generatetoaddress", [.number("6"), .string(miner)])
        let (received, matched) = try await verifier.verify(payment, requirements("1500000"))
        #expect(received == 1_500_000 && matched == network)
        #expect(await reason { _ = try await verifier.verify(payment, requirements("1500001")) } == .amountInsufficient)
        let elsewhere = ExactRequirements(scheme: "exact", network: "litecoin", amount: "1", asset: "LTC", payTo: miner, tokenName: nil, tokenVersion: nil)
        #expect(await reason { _ = try await verifier.verify(payment, elsewhere) } == .recipientMismatch)
        #expect(await reason { _ = try await verifier.verify(UTXOPayment(network: "litecoin", txid: String(repeating: "ab", count: 32)), requirements("1")) }
                == .invalidTransactionState)
        let dead = UTXOVerifier(networks: [network], chains: ["LTC": try BitcoinCoreChain(chain: "LTC", rpc: try JSONRPCClient(url: "http://u:p@127.0.0.1:1"))],
                                policy: ConfirmationPolicy())
        #expect(await reason { _ = try await dead.verify(payment, requirements("1")) } == .unexpectedVerifyError)
    }
}

/// Solana exact on the LiteSVM server: a transfer the payer signed, co-signed by our fee payer.
@Suite("x402 Solana exact on LiteSVM", .serialized)
struct X402SVMTests {
    static let env = ProcessInfo.processInfo.environment
    static let solURL = env["RAILYARD_TEST_SOL_RPC_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let fundedKey = env["RAILYARD_TEST_SOL_FUNDED_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    static let mint = env["RAILYARD_TEST_SOL_USDC_MINT"].flatMap { $0.isEmpty ? nil : $0 }
    static let migrations = JobQueue.migrations + Ledger.migrations + Outbox.migrations + DevnetChain.migrations + ChainWatchList.migrations + CustodyVault.migrations
        + ChainSender.migrations + X402Facilitator.migrations

    /// A facilitator on the LiteSVM server with a funded fee payer, a payer holding USDC and a payee
    /// whose token account exists.
    struct Fixture {
        let rpc: JSONRPCClient
        let node: SolanaChain
        let db: Database
        let clock: ManualClock
        let svm: SVMExact
        let facilitator: X402Facilitator
        let network: X402Network
        let payerKey: [UInt8]
        let payer: SolanaPublicKey
        let mint: SolanaPublicKey
        let feePayer: SolanaPublicKey
        let payTo: SolanaPublicKey

        /// A transfer of `amount` the payer signed (unless `sign` is false), with our fee payer as fee payer.
        func transaction(amount: UInt64, to wallet: SolanaPublicKey? = nil, feePayerKey: SolanaPublicKey? = nil, sign: Bool = true,
                         from payer: SolanaPublicKey? = nil, key payerKey: [UInt8]? = nil) async throws -> String {
            let payer = payer ?? self.payer
            let instructions = [
                Solana.Instruction(programID: SolanaPublicKey(constant: "ComputeBudget111111111111111111111111111111"), accounts: [], data: [2, 0x40, 0x0d, 0x03, 0x00]),
                Solana.Instruction(programID: SolanaPublicKey(constant: "ComputeBudget111111111111111111111111111111"), accounts: [], data: [3, 0xe8, 0x03, 0, 0, 0, 0, 0, 0]),
                Solana.TokenProgram.transferChecked(source: try Solana.associatedTokenAddress(wallet: payer, mint: mint), mint: mint,
                                                    destination: try Solana.associatedTokenAddress(wallet: wallet ?? payTo, mint: mint), owner: payer, amount: amount, decimals: 6),
            ]
            let message = try Solana.Message(instructions: instructions, payer: feePayerKey ?? feePayer, recentBlockhash: try await node.latestBlockhash())
            var partial = Solana.Transaction(message: message)
            if sign { try partial.sign(privateKey: payerKey ?? self.payerKey) }
            return partial.base64
        }

        func requirements(amount: String = "10000", payTo: SolanaPublicKey? = nil) -> ExactRequirements {
            ExactRequirements(scheme: "exact", network: network.caip2, amount: amount, asset: mint.base58, payTo: (payTo ?? self.payTo).base58, tokenName: nil, tokenVersion: nil)
        }
    }

    func withFixture(_ body: @Sendable (Fixture) async throws -> Void) async throws {
        let rpc = try JSONRPCClient(url: Self.solURL!)
        let node = try SolanaChain(rpc: rpc, mints: ["USDC_SOL": Self.mint!])
        let payerKey = try Hex.decode(Self.fundedKey!)
        let payer = try SolanaPublicKey(privateKey: payerKey)
        let mint = try SolanaPublicKey(base58: Self.mint!)
        try await TestDatabase.with(migrations: Self.migrations) { db in
            let clock = ManualClock(millis: Int64(Date().timeIntervalSince1970 * 1000))
            let vault = CustodyVault(key: SymmetricKey(size: .bits256), network: .regtest)
            let feePayer = try await vault.register(db, chain: .sol, purpose: .gas, index: 0, now: 1)
            _ = try await rpc.call("requestAirdrop", [.string(feePayer.address), .number("1000000000")])
            let network = SVMExact.network(.regtest, mint: Self.mint!, feePayer: feePayer.address)
            let svm = SVMExact(network: network, node: node, custody: vault, db: db)
            let sender = ChainSender(db: db, clock: clock, vault: vault, builders: [])
            let facilitator = X402Facilitator(verifier: ExactEVMVerifier(networks: [], nodes: [:]), svm: svm, db: db, clock: clock, sender: sender,
                                              custody: vault, ledger: Ledger(clock: clock), outbox: Outbox(jobs: JobQueue(clock: clock), clock: clock), feeBasisPoints: { _ in 50 }, receiptTimeout: .seconds(1))
            // The payee's token account exists (created by the payer here).
            let payTo = try SolanaPublicKey(privateKey: Array(SHA256.hash(data: Data("payee-\(UUID())".utf8))))
            let setup = try Solana.Message(instructions: [try Solana.AssociatedTokenProgram.createIdempotent(payer: payer, wallet: payTo, mint: mint)],
                                           payer: payer, recentBlockhash: try await node.latestBlockhash())
            _ = try await node.broadcast(try Solana.Transaction(message: setup, signers: [payerKey]).base64)
            try await body(Fixture(rpc: rpc, node: node, db: db, clock: clock, svm: svm, facilitator: facilitator, network: network, payerKey: payerKey,
                                   payer: payer, mint: mint, feePayer: try SolanaPublicKey(base58: feePayer.address), payTo: payTo))
        }
    }

    static func reason(_ body: () async throws -> Void) async -> X402Reason? {
        do { try await body(); return nil } catch let error as ExactEVMError { return error.reason } catch { return .unexpectedVerifyError }
    }

    @Test(.enabled(if: solURL != nil && fundedKey != nil && mint != nil, "needs the LiteSVM harness"))
    func aPartiallySignedTransferIsCheckedCoSignedSubmittedOnce() async throws {
        try await withFixture { f in
            let (rpc, node, facilitator, network, payer, payerKey, mint, payTo) = (f.rpc, f.node, f.facilitator, f.network, f.payer, f.payerKey, f.mint, f.payTo)
            let requirements = f.requirements()
            let good = try await f.transaction(amount: 10_000)
            #expect(try await facilitator.verifySVM(transaction: good, requirements) == payer.base58)
            #expect(await Self.reason { _ = try await facilitator.verifySVM(transaction: try await f.transaction(amount: 9_999), requirements) } == .valueMismatch)
            let elsewhere = try SolanaPublicKey(privateKey: Array(SHA256.hash(data: Data("other-\(UUID())".utf8))))
            #expect(await Self.reason { _ = try await facilitator.verifySVM(transaction: try await f.transaction(amount: 10_000, to: elsewhere), requirements) } == .recipientMismatch)
            #expect(await Self.reason { _ = try await facilitator.verifySVM(transaction: try await f.transaction(amount: 10_000, sign: false), requirements) } == .signature)
            #expect(await Self.reason { _ = try await facilitator.verifySVM(transaction: try await f.transaction(amount: 10_000, feePayerKey: payer), requirements) } == .invalidPayload)

            // Submitted once: pending until confirmed, then the same body reconciles to success, then replays are refused.
            let first = try await facilitator.settleSVM(transaction: good, requirements, businessID: "biz_sol")
            let confirmed: X402Settlement
            if first.success {
                confirmed = first
            } else {
                #expect(first.reason == .settlementPending && !first.transaction.isEmpty, "\(first)")
                _ = try await rpc.call("shim_advanceSlots", [.number("2")])
                confirmed = try await facilitator.settleSVM(transaction: good, requirements, businessID: "biz_sol")
            }
            #expect(confirmed.success && !confirmed.transaction.isEmpty, "\(confirmed)")
            #expect(try await node.tokenBalance(asset: "USDC_SOL", wallet: payTo.base58) == 10_000)
            let replay = try await facilitator.settleSVM(transaction: good, requirements, businessID: "biz_sol")
            #expect(!replay.success && replay.reason == .duplicateSettlement)

            // A payer who holds exactly the price: once the transfer is submitted it holds nothing, and
            // the retry after settlement_pending must still reconcile (not answer insufficient_funds).
            let exactKey = Array(SHA256.hash(data: Data("exact-payer-\(UUID())".utf8)))
            let exact = try SolanaPublicKey(privateKey: exactKey)
            let funding = try Solana.Message(instructions: [
                try Solana.AssociatedTokenProgram.createIdempotent(payer: payer, wallet: exact, mint: mint),
                Solana.TokenProgram.transferChecked(source: try Solana.associatedTokenAddress(wallet: payer, mint: mint), mint: mint,
                                                    destination: try Solana.associatedTokenAddress(wallet: exact, mint: mint), owner: payer, amount: 10_000, decimals: 6),
            ], payer: payer, recentBlockhash: try await node.latestBlockhash())
            _ = try await node.broadcast(try Solana.Transaction(message: funding, signers: [payerKey]).base64)
            _ = try await rpc.call("shim_advanceSlots", [.number("2")])
            let allIn = try await f.transaction(amount: 10_000, from: exact, key: exactKey)
            var settledAllIn = try await facilitator.settleSVM(transaction: allIn, requirements, businessID: "biz_sol")
            if !settledAllIn.success {
                #expect(settledAllIn.reason == .settlementPending, "\(settledAllIn)")
                _ = try await rpc.call("shim_advanceSlots", [.number("2")])
                settledAllIn = try await facilitator.settleSVM(transaction: allIn, requirements, businessID: "biz_sol")
            }
            #expect(settledAllIn.success, "\(settledAllIn)")
            #expect(try await node.tokenBalance(asset: "USDC_SOL", wallet: exact.base58) == 0)
            let replayAllIn = try await facilitator.settleSVM(transaction: allIn, requirements, businessID: "biz_sol")
            #expect(!replayAllIn.success && replayAllIn.reason == .duplicateSettlement, "\(replayAllIn)")

            // The Swift client pays a middleware-protected route on Solana (slots advance in the background,
            // as a real cluster's do, so the settlement reaches a confirmed commitment).
            let router = Router()
            router.add(middleware: X402PaywallMiddleware<BasicRequestContext>(
                facilitator: InProcessFacilitatorClient(facilitator: facilitator, businessID: "biz_sol"),
                options: { _ in [PaymentOption(network: network, amount: "20000", payTo: payTo.base58)] },
                resource: { _ in PaidResource(url: "http://localhost/sol", description: "Solana-paid") }))
            router.get("/sol") { _, _ -> String in "paid on \(X402Payment.current?.network ?? "?")" }
            let ticker = Task { while !Task.isCancelled { _ = try? await rpc.call("shim_advanceSlots", [.number("1")]); try? await Task.sleep(for: .milliseconds(100)) } }
            defer { ticker.cancel() }
            try await Application(router: router).test(.router) { client in
                struct Transport: X402Transport {
                    let client: any TestClientProtocol
                    func send(_ request: X402HTTPRequest) async throws -> X402HTTPResponse {
                        var headers = HTTPFields()
                        for (name, value) in request.headers { headers[HTTPField.Name(name)!] = value }
                        let response = try await client.execute(uri: "/sol", method: .get, headers: headers)
                        return X402HTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name.canonicalName, $0.value) },
                                                body: Array(response.body.readableBytesView))
                    }
                }
                let payer = X402Client(transport: Transport(client: client), wallet: .init(solanaKey: payerKey, solanaBlockhash: { try await node.latestBlockhash() }),
                                       maxUSD: ExactDecimal(1), usdPrice: { _ in ExactDecimal(1) }, tokens: [network.caip2: network.contract])
                let outcome = try await payer.fetch(X402HTTPRequest(url: "http://localhost/sol"))
                #expect(outcome.response.status == 200 && String(decoding: outcome.response.body, as: UTF8.self) == "paid on \(network.caip2)",
                        "\(String(decoding: outcome.response.body, as: UTF8.self))")
            }
            // 10,000 from the first payer, 10,000 from the all-in payer, 20,000 through the middleware.
            #expect(try await node.tokenBalance(asset: "USDC_SOL", wallet: payTo.base58) == 40_000)
            #expect(await Self.reason { _ = try await facilitator.verifySVM(transaction: good, requirements) } == .duplicateSettlement)
        }
    }

    /// A Solana settlement that cannot land is never booked: verify and settle simulate it before
    /// anything is written, and the background pass closes one that failed on chain or never arrived.
    /// (The node refusing a send after a passing simulation, a race, closes its row the same way.)
    @Test(.enabled(if: solURL != nil && fundedKey != nil && mint != nil, "needs the LiteSVM harness"))
    func aSettlementThatCannotLandIsRefusedOrClosedAsFailed() async throws {
        try await withFixture { f in
            func row(_ txid: String) async throws -> (status: String, reason: String?)? {
                try await f.db.read { sql in
                    try await sql.raw("SELECT status, reason FROM x402_settlements WHERE txid = \(bind: txid)").first().map {
                        (try $0.decode(column: "status", as: String.self), try $0.decode(column: "reason", as: String?.self))
                    }
                }
            }
            // A payee with no token account: the layout is right, the transfer would fail on chain.
            let nowhere = try SolanaPublicKey(privateKey: Array(SHA256.hash(data: Data("no-account-\(UUID())".utf8))))
            func unpayable(_ amount: UInt64) async throws -> (base64: String, requirements: ExactRequirements) {
                (try await f.transaction(amount: amount, to: nowhere), f.requirements(amount: String(amount), payTo: nowhere))
            }
            let refused = try await unpayable(10_000)
            #expect(await Self.reason { _ = try await f.facilitator.verifySVM(transaction: refused.base64, refused.requirements) } == .transactionSimulationFailed)

            // Settling it is refused the same way, before anything is written or sent.
            #expect(await Self.reason { _ = try await f.facilitator.settleSVM(transaction: refused.base64, refused.requirements, businessID: "biz_sol") }
                    == .transactionSimulationFailed)
            let written = try await f.db.read { sql in try await sql.raw("SELECT COUNT(*) AS n FROM x402_settlements").first()?.decode(column: "n", as: Int.self) }
            #expect(written == 0)

            // Recorded, then the process stopped before it learned the outcome of the send: the transaction
            // executed with an error on chain (sent here without preflight, as a validator would still land it).
            let failing = try await unpayable(9_000)
            let (failingWire, payer) = try await f.svm.verify(transaction: failing.base64, failing.requirements, checkChainState: false)
            let (failingSigned, failingTxid) = try await f.svm.cosign(failingWire)
            #expect(try await f.facilitator.recordSVMSubmission(f.svm, payer: payer, nonce: X402Facilitator.authoritySignature(failingWire, payer), failing.requirements,
                                                                txid: failingTxid, businessID: "biz_sol", resourceID: nil))
            _ = try await f.rpc.call("sendTransaction", [.string(failingSigned), .object(["encoding": .string("base64"), "skipPreflight": .bool(true)])])
            _ = try await f.rpc.call("shim_advanceSlots", [.number("2")])
            #expect(try await f.facilitator.reconcilePendingSettlements() == 1)
            let closed = try await row(failingTxid)
            #expect(closed?.status == "failed" && closed?.reason == X402Reason.transactionFailed.rawValue)
            let retried = try await f.facilitator.settleSVM(transaction: failing.base64, failing.requirements, businessID: "biz_sol")
            #expect(!retried.success && retried.reason == .transactionFailed && retried.transaction == failingTxid, "\(retried)")

            // Recorded and never sent: pending while its blockhash could still land it, closed as failed after.
            let unsent = try await f.transaction(amount: 8_000)
            let unsentRequirements = f.requirements(amount: "8000")
            let (unsentWire, _) = try await f.svm.verify(transaction: unsent, unsentRequirements)
            let (_, unsentTxid) = try await f.svm.cosign(unsentWire)
            #expect(try await f.facilitator.recordSVMSubmission(f.svm, payer: payer, nonce: X402Facilitator.authoritySignature(unsentWire, payer), unsentRequirements,
                                                                txid: unsentTxid, businessID: "biz_sol", resourceID: nil))
            #expect(try await f.facilitator.reconcilePendingSettlements() == 0)
            #expect(try await row(unsentTxid)?.status == "pending")
            f.clock.advance(millis: X402Facilitator.solanaLandingWindowMillis + 1)
            #expect(try await f.facilitator.reconcilePendingSettlements() == 1)
            #expect(try await row(unsentTxid)?.status == "failed")

            // Nothing moved and nothing was booked: no commission, no settled event.
            #expect(try await f.node.tokenBalance(asset: "USDC_SOL", wallet: f.payTo.base58) == 0)
            let booked = try await f.db.read { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM outbox_events WHERE business_id = 'biz_sol'").first()?.decode(column: "n", as: Int.self)
            }
            #expect(booked == 0)
            #expect(try await f.facilitator.ledger.verify(f.db).isHealthy)
        }
    }
}

/// The in-memory index of submitted EVM authorizations answers "never submitted" only when that is
/// true: nothing before the table is read, rows written before start-up after it, new ones at once.
@Suite("x402: submitted authorizations in memory")
struct SubmittedAuthorizationsTests {
    @Test func aMissIsOnlyEverANeverSubmitted() async throws {
        try await TestDatabase.with(migrations: X402Facilitator.migrations) { db in
            // A settlement written before this process started (an earlier run).
            try await db.write { tx in
                try await tx.sql.raw("""
                    INSERT INTO x402_settlements (id, business_id, network, asset, payer, recipient, amount, nonce, status, send_id, created_at, updated_at)
                    VALUES ('x402_old', 'biz_1', 'eip155:8453', 'USDC_BASE', '0xaaaa', '0xbbbb', '10000', 'ab01', 'settled', 'x402:x402_old', 1, 1)
                    """).run()
            }
            let submitted = SubmittedAuthorizations()
            // Not read yet: every answer is "maybe", so verify asks the table.
            #expect(submitted.mayContain(network: "eip155:8453", payer: "0xcccc", nonceHex: "ff"))
            #expect(try await submitted.load(db) == 1)
            #expect(submitted.mayContain(network: "eip155:8453", payer: "0xaaaa", nonceHex: "ab01"))
            #expect(!submitted.mayContain(network: "eip155:8453", payer: "0xcccc", nonceHex: "ff"))
            #expect(!submitted.mayContain(network: "eip155:1", payer: "0xaaaa", nonceHex: "ab01"), "another network is another authorization")
            submitted.insert(network: "eip155:8453", payer: "0xcccc", nonceHex: "ff")
            #expect(submitted.mayContain(network: "eip155:8453", payer: "0xcccc", nonceHex: "ff"))
        }
    }

    /// The start-up read goes page by page and misses no row at a page boundary.
    @Test func theStartUpReadPagesThroughEveryRow() async throws {
        try await TestDatabase.with(migrations: X402Facilitator.migrations) { db in
            try await db.write { tx in
                for index in 0..<7 {
                    try await tx.sql.raw("""
                        INSERT INTO x402_settlements (id, business_id, network, asset, payer, recipient, amount, nonce, status, send_id, created_at, updated_at)
                        VALUES (\(bind: "x402_\(index)"), 'biz_1', 'eip155:8453', 'USDC_BASE', '0xaaaa', '0xbbbb', '1', \(bind: "0\(index)"), 'settled', 's', 1, 1)
                        """).run()
                }
            }
            let submitted = SubmittedAuthorizations()
            #expect(try await submitted.load(db, pageSize: 3) == 7)
            for index in 0..<7 { #expect(submitted.mayContain(network: "eip155:8453", payer: "0xaaaa", nonceHex: "0\(index)")) }
            #expect(!submitted.mayContain(network: "eip155:8453", payer: "0xaaaa", nonceHex: "07"))
            let exact = SubmittedAuthorizations()
            #expect(try await exact.load(db, pageSize: 7) == 7, "a last page exactly full ends with an empty one")
        }
    }
}

/// The remembered EIP-55 checks must answer exactly what a fresh check answers.
@Suite("x402: remembered address checks")
struct CheckedAddressesTests {
    @Test func aRememberedAddressAnswersAsAFreshCheckAndAWrongChecksumIsStillRefused() throws {
        let checksummed = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
        #expect(try CheckedAddresses.validate(checksummed) == checksummed)
        #expect(try CheckedAddresses.validate(checksummed) == checksummed)  // answered from memory
        // Lower case carries no checksum: accepted, answered in the checksummed form.
        #expect(try CheckedAddresses.validate(checksummed.lowercased()) == checksummed)
        // Same address, one letter's case flipped: refused every time, never remembered.
        let wrong = "0x209693bc6afc0C5328bA36FaF03C514EF312287C"
        for _ in 0..<2 {
            #expect(throws: EIP55.Error.self) { try CheckedAddresses.validate(wrong) }
        }
        #expect(throws: EIP55.Error.self) { try CheckedAddresses.validate("0x1234") }
        // A payment whose `from` has a wrong checksum is refused after its correct form was seen.
        var payload = X402ParsingTests.payload(version: 2)
        _ = try ExactPayment.parse(payload)
        guard case .object(var object) = payload, case .object(var inner)? = object["payload"], case .object(var authorization)? = inner["authorization"] else {
            Issue.record("payload shape"); return
        }
        authorization["from"] = .string("0x2c7536e3605D9C16a7a3D7b1898e529396a65c23")
        inner["authorization"] = .object(authorization); object["payload"] = .object(inner); payload = .object(object)
        #expect(throws: ExactEVMError.self) { try ExactPayment.parse(payload) }
    }

    @Test func floodsOfOneOffAddressesDoNotGrowItPastItsCapacity() throws {
        for index in 0..<(CheckedAddresses.capacity + 10) {
            _ = try CheckedAddresses.validate("0x" + String(format: "%040x", index))
        }
        #expect(CheckedAddresses.count <= CheckedAddresses.capacity)
    }
}
