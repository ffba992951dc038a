import App
import Chains
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Money
import NIOCore
import RailyardCrypto
import Testing
import TestSupport
import Synchronization
import X402

/// Carries the paying client's requests through the router under test.
struct RouterTransport: X402Transport {
    let api: TestAPI

    func send(_ request: X402HTTPRequest) async throws -> X402HTTPResponse {
        let path = URLComponents(string: request.url).map { ($0.percentEncodedPath) + ($0.percentEncodedQuery.map { "?\($0)" } ?? "") } ?? request.url
        let response = try await api.call(HTTPRequest.Method(rawValue: request.method) ?? .get, path, headers: request.headers)
        return X402HTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name.canonicalName, $0.value) }, body: Array(response.text.utf8))
    }
}

/// Railyard's own paying client (`x402fetch`) against Railyard's own paywall.
@Suite("x402 paying client", .serialized)
struct X402ClientTests {
    static let btcWallet = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"

    @Test func theClientPaysADevnetBitcoinResourceWithATxid() async throws {
        try await Receiver.with { upstream in
            try await TestApp.with { app, api in
                let session = try await api.merchant()
                let business = try await api.business(session, json: #"{"name":"BTC shop","wallet_addresses":{"BTC":"\#(Self.btcWallet)"}}"#)
                let id = try await api.paidResource(session, business: business, json: #"{"name":"Report","price_usd":"5","upstream_url":"\#(upstream.url)","networks":["bitcoin"]}"#)
                let devnet = try #require(app.railyard.devnets["BTC"])
                let rates = app.railyard.merchants
                let paid = LockedTxids()

                func client(confirm blocks: Int, maxUSD: String = "10") -> X402Client {
                    X402Client(transport: RouterTransport(api: api), wallet: .init(payUTXO: { _, payTo, amount, asset in
                        let txid = try await devnet.pay(to: payTo, asset: asset, amount: amount)
                        if blocks > 0 { try await devnet.mine(blocks) }
                        paid.append(txid)
                        return txid
                    }), maxUSD: try! ExactDecimal(parsing: maxUSD), usdPrice: { try await rates.usdPrice($0) })
                }

                // Over budget: nothing is paid.
                await #expect(throws: X402ClientError.self) { try await client(confirm: 3, maxUSD: "4.99").fetch(X402HTTPRequest(url: "http://localhost/x402/r/\(id)")) }
                #expect(paid.all.isEmpty)
                // Unconfirmed: the server refuses (BTC needs 3 confirmations); the transaction is not lost.
                await #expect(throws: X402ClientError.self) { try await client(confirm: 0).fetch(X402HTTPRequest(url: "http://localhost/x402/r/\(id)")) }
                #expect(upstream.requests.isEmpty)

                let outcome = try await client(confirm: 3).fetch(X402HTTPRequest(url: "http://localhost/x402/r/\(id)?q=1"))
                #expect(outcome.response.status == 200 && outcome.paidNetwork == "bip122:railyard-devnet-btc", "\(String(decoding: outcome.response.body, as: UTF8.self))")
                let txid = try #require(paid.all.last)
                #expect(outcome.settlement?["success"] == .bool(true) && outcome.settlement?["transaction"]?.stringValue == txid)
                #expect(upstream.requests.count == 1)

                // One transaction pays for one request: replaying its proof is refused.
                let proof = JSONValue.object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string("bitcoin"),
                                              "payload": .object(["txid": .string(txid)])])
                let replay = try await api.call(.get, "/x402/r/\(id)", headers: [("X-PAYMENT", Data(proof.serialized.utf8).base64EncodedString())])
                #expect(replay.status.code == 402 && upstream.requests.count == 1)
                // The facilitator API agrees (documented shape).
                let key = try await api.apiKey(session, business: business)
                let verify = try await api.call(.post, "/api/x402/verify", token: key, json: JSONValue.object([
                    "proof": .string(Data(proof.serialized.utf8).base64EncodedString()), "expectedAmount": .string("1"), "expectedAsset": .string("BTC"),
                    "expectedNetwork": .string("bitcoin"), "expectedPayTo": .string(Self.btcWallet),
                ]).serialized)
                #expect(verify["valid"] as? Bool == false && verify["code"] as? String == "duplicate_settlement", "\(verify.text)")
                let history = try await api.call(.get, "/api/x402/payments", token: key)
                #expect(history.array("payments").first?["tx_hash"] as? String == txid && history.array("payments").first?["asset"] as? String == "BTC")
            }
        }
    }

    /// A Bitcoin amount is quoted at the rate of the 402. The payment, proven only after its
    /// confirmations, is held to that amount while the quote holds, although the rate moved meanwhile.
    @Test func aQuotedBitcoinPriceHoldsAfterTheRateMoves() async throws {
        try await Receiver.with { rates in
            rates.setRates(#"{"bitcoin":{"usd":"50000"}}"#)
            try await Receiver.with { upstream in
                try await TestApp.with(configure: { $0.ratesURL = rates.url }) { app, api in
                    let session = try await api.merchant()
                    let business = try await api.business(session, json: #"{"name":"BTC shop","wallet_addresses":{"BTC":"\#(Self.btcWallet)"}}"#)
                    let id = try await api.paidResource(session, business: business, json: #"{"name":"Report","price_usd":"5","upstream_url":"\#(upstream.url)","networks":["bitcoin"]}"#)
                    let unpaid = try await api.call(.get, "/x402/r/\(id)")
                    let required = try #require(unpaid.headers[PaywallGate.requiredHeader].flatMap { Data(base64Encoded: $0) })
                    let offer = try #require(try JSONValue.parse(Array(required))["accepts"]?.arrayValue?.first)
                    #expect(offer["amount"] == .string("10000"), "$5 at $50,000 is 0.0001 BTC: \(offer)")
                    #expect(offer["extra"]?["quote"]?.stringValue != nil && unpaid.array("accepts").first.map { ($0["extra"] as? [String: Any])?["quote"] != nil } == true)

                    let devnet = try #require(app.railyard.devnets["BTC"])
                    let txid = try await devnet.pay(to: Self.btcWallet, asset: "BTC", amount: 10_000)
                    _ = try await devnet.mine(3)
                    // While it confirms, bitcoin falls 20 %: $5 is now 12,500 sats.
                    rates.setRates(#"{"bitcoin":{"usd":"40000"}}"#)
                    app.clock.advance(seconds: 61)
                    #expect(try await api.call(.get, "/x402/r/\(id)").array("accepts").first?["maxAmountRequired"] as? String == "12500")

                    func pay(_ accepted: JSONValue, txid: String) async throws -> APIResponse {
                        let payment = JSONValue.object(["x402Version": .number("2"), "accepted": accepted, "payload": .object(["txid": .string(txid)])])
                        return try await api.call(.get, "/x402/r/\(id)", headers: [("PAYMENT-SIGNATURE", Data(payment.serialized.utf8).base64EncodedString())])
                    }
                    func altered(_ key: String, _ value: JSONValue) throws -> JSONValue {
                        var fields = try #require(offer.objectValue)
                        fields[key] = value
                        return .object(fields)
                    }
                    // The quote covers its amount: a lower one under it is no offer of ours.
                    #expect(try await pay(try altered("amount", .string("9000")), txid: txid).status.code == 402)
                    // Without the quote, the payment is priced now, and 10,000 sats no longer pay for it.
                    let v1 = JSONValue.object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string("bitcoin"),
                                               "payload": .object(["txid": .string(txid)])])
                    #expect(try await api.call(.get, "/x402/r/\(id)", headers: [("X-PAYMENT", Data(v1.serialized.utf8).base64EncodedString())]).status.code == 402)
                    #expect(upstream.requests.isEmpty)
                    // The offer as quoted: served.
                    let paid = try await pay(offer, txid: txid)
                    #expect(paid.status == .ok && upstream.requests.count == 1, "\(paid.text)")

                    // A quote holds for three hours; after that, the payment is priced again: refused when it no
                    // longer covers the price, taken when it does.
                    let late = try await devnet.pay(to: Self.btcWallet, asset: "BTC", amount: 10_000)
                    let covering = try await devnet.pay(to: Self.btcWallet, asset: "BTC", amount: 12_500)
                    _ = try await devnet.mine(3)
                    app.clock.advance(seconds: 3 * 3600)
                    #expect(try await pay(offer, txid: late).status.code == 402)
                    #expect(upstream.requests.count == 1)
                    #expect(try await pay(offer, txid: covering).status == .ok && upstream.requests.count == 2)
                }
            }
        }
    }

    /// Once a payment is settled, the payer gets its receipt even when the upstream cannot answer.
    @Test func aPaidRequestWhoseUpstreamFailsStillCarriesItsReceipt() async throws {
        try await TestApp.with { app, api in
            let session = try await api.merchant()
            let business = try await api.business(session, json: #"{"name":"BTC shop","wallet_addresses":{"BTC":"\#(Self.btcWallet)"}}"#)
            // Nothing listens on port 9 (discard) here: the upstream refuses the connection.
            let id = try await api.paidResource(session, business: business, json: #"{"name":"Broken","price_usd":"5","upstream_url":"http://127.0.0.1:9/","networks":["bitcoin"]}"#)
            let unpaid = try await api.call(.get, "/x402/r/\(id)")
            let amount = try #require((unpaid.array("accepts").first?["maxAmountRequired"] as? String).flatMap { Int128($0) })
            let devnet = try #require(app.railyard.devnets["BTC"])
            let txid = try await devnet.pay(to: Self.btcWallet, asset: "BTC", amount: amount)
            _ = try await devnet.mine(3)
            let proof = JSONValue.object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string("bitcoin"),
                                          "payload": .object(["txid": .string(txid)])])
            let answer = try await api.call(.get, "/x402/r/\(id)", headers: [("X-PAYMENT", Data(proof.serialized.utf8).base64EncodedString())])
            #expect(answer.status == .badGateway && answer.errorCode == "upstream_failed", "\(answer.text)")
            let header = try #require(answer.headers[PaywallGate.responseHeaderV1].flatMap { Data(base64Encoded: $0) }, "no payment response header")
            let receipt = try JSONValue.parse(Array(header))
            #expect(receipt["success"] == .bool(true) && receipt["transaction"]?.stringValue == txid, "\(receipt)")
            let key = try await api.apiKey(session, business: business)
            #expect(try await api.call(.get, "/api/x402/payments", token: key).array("payments").first?["tx_hash"] as? String == txid)
        }
    }

    @Test func theClientPaysADevnetLightningInvoiceWithItsPreimage() async throws {
        try await Receiver.with { upstream in
            try await TestApp.with { app, api in
                let session = try await api.merchant()
                let business = try await api.business(session)
                let id = try await api.paidResource(session, business: business, json: #"{"name":"Tiny","price_usd":"0.001","upstream_url":"\#(upstream.url)","networks":["lightning"]}"#)
                // Every 402 carries a fresh invoice for the price in millisatoshis (never rounded to zero).
                let unpaid = try await api.call(.get, "/x402/r/\(id)")
                let offer = try #require(unpaid.array("accepts").first)
                #expect(unpaid.status.code == 402 && offer["network"] as? String == "lightning" && (offer["payTo"] as? String)?.hasPrefix("lnbcrt") == true)
                let priceMsat = try #require(Int128(offer["maxAmountRequired"] as? String ?? ""))
                #expect(priceMsat > 0)
                let node = try #require(app.railyard.lightning)
                let rates = app.railyard.merchants
                let preimages = LockedTxids()
                let client = X402Client(transport: RouterTransport(api: api), wallet: .init(payLightning: { bolt11 in
                    let preimage = try await node.pay(bolt11: bolt11)
                    preimages.append(preimage)
                    return preimage
                }), maxUSD: ExactDecimal(1), usdPrice: { try await rates.usdPrice($0) })
                let outcome = try await client.fetch(X402HTTPRequest(url: "http://localhost/x402/r/\(id)"))
                #expect(outcome.response.status == 200 && outcome.paidNetwork == "bolt11:devnet" && outcome.settlement?["success"] == .bool(true))
                #expect(upstream.requests.count == 1)
                // The preimage settles one request only.
                let preimage = try #require(preimages.all.first)
                let proof = JSONValue.object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string("lightning"),
                                              "payload": .object(["preimage": .string(preimage)])])
                let replay = try await api.call(.get, "/x402/r/\(id)", headers: [("X-PAYMENT", Data(proof.serialized.utf8).base64EncodedString())])
                #expect(replay.status.code == 402 && upstream.requests.count == 1)
                // The facilitator's verify agrees that the preimage is spent (standard shape).
                let key = try await api.apiKey(session, business: business)
                let verify = try await api.call(.post, "/api/x402/verify", token: key, json: JSONValue.object([
                    "x402Version": .number("1"), "paymentPayload": proof,
                    "paymentRequirements": .object(["scheme": .string("exact"), "network": .string("lightning")]),
                ]).serialized)
                #expect(verify["isValid"] as? Bool == false && verify["invalidReason"] as? String == "duplicate_settlement", "\(verify.text)")
                // A preimage of nothing we issued is refused.
                let forged = JSONValue.object(["x402Version": .number("1"), "scheme": .string("exact"), "network": .string("lightning"),
                                               "payload": .object(["preimage": .string(String(repeating: "11", count: 32))])])
                #expect(try await api.call(.get, "/x402/r/\(id)", headers: [("X-PAYMENT", Data(forged.serialized.utf8).base64EncodedString())]).status.code == 402)
                // The money is on Railyard's node, owed to the business less the commission (1 % on Starter),
                // booked to the millisatoshi: a $0.001 price is about a sat, and whole sats would lose its fraction.
                let payable = try await app.railyard.db.read { try await app.railyard.ledger.account("x402:payable:\(business):BTC_LN", in: $0) }
                #expect(payable?.creditsPosted == priceMsat && payable?.debitsPosted == priceMsat / 100, "\(String(describing: payable)) for \(priceMsat) msat")
                let history = try await api.call(.get, "/api/x402/payments", token: key).array("payments")
                #expect(history.count == 1 && history.first?["asset"] as? String == "BTC_LN" && history.first?["amount"] as? String == String(priceMsat), "\(history)")
                #expect(try await app.ledgerIsHealthy())
            }
        }
    }

    @Test(.enabled(if: EVMHarness.available, "needs the EVM harness"))
    func theClientPaysAnEVMResourceWithAnAuthorization() async throws {
        try await Receiver.with { upstream in
            try await TestApp.with(configure: EVMHarness.configure) { app, api in
                let evm = try await EVMHarness.connect()
                try await evm.fundGas(api)
                let (payerKey, _) = try await evm.fundedPayer(5_000_000)
                let payTo = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
                let session = try await api.merchant()
                let business = try await api.business(session, json: #"{"name":"API shop","wallet_address":"\#(payTo)"}"#)
                let id = try await api.paidResource(session, business: business, json: #"{"name":"Premium","price_usd":"0.5","upstream_url":"\#(upstream.url)"}"#)
                let rates = app.railyard.merchants
                // The shared py-evm clock runs ahead of the wall clock (a second per block mined faster than that, over
                // the whole suite); the payer signs by the chain's clock, as a wallet synced to that chain would.
                let head = try await evm.rpc.call("eth_getBlockByNumber", [.string("latest"), .bool(false)])
                let headTime = try #require(head["timestamp"]?.stringValue.flatMap { Int64($0.dropFirst(2), radix: 16) })
                let ahead = max(0, headTime - Int64(Date().timeIntervalSince1970))
                // The harness's token is a USDC this client is told about; a server naming another token is refused.
                let client = X402Client(transport: RouterTransport(api: api), wallet: .init(evmKey: payerKey), maxUSD: ExactDecimal(1),
                                        usdPrice: { try await rates.usdPrice($0) }, tokens: ["eip155:31337": evm.contract],
                                        clock: { Int64(Date().timeIntervalSince1970) + ahead })
                let stranger = X402Client(transport: RouterTransport(api: api), wallet: .init(evmKey: payerKey), maxUSD: ExactDecimal(1),
                                          usdPrice: { try await rates.usdPrice($0) }, clock: { Int64(Date().timeIntervalSince1970) + ahead })
                await #expect(throws: X402ClientError.self) { try await stranger.fetch(X402HTTPRequest(url: "http://localhost/x402/r/\(id)")) }
                #expect(upstream.requests.isEmpty)
                let outcome = try await client.fetch(X402HTTPRequest(url: "http://localhost/x402/r/\(id)"))
                #expect(outcome.response.status == 200 && outcome.paidNetwork == "eip155:31337" && outcome.settlement?["success"] == .bool(true))
                #expect(try await evm.balance(payTo) > 0 && upstream.requests.count == 1)
            }
        }
    }
}

final class LockedTxids: Sendable {
    private let state = Mutex<[String]>([])
    func append(_ txid: String) { state.withLock { $0.append(txid) } }
    var all: [String] { state.withLock { $0 } }
}
