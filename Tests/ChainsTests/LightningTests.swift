import Chains
import RailyardCrypto
import Storage
import Testing

@Suite("Fake Lightning node (devnet/test)")
struct LightningTests {
    static let nodeKey = [UInt8](repeating: 0, count: 31) + [0x2A]

    func node(_ clock: ManualClock) throws -> FakeLightningNode {
        try FakeLightningNode(privateKey: Self.nodeKey, clock: clock)
    }

    @Test func invoiceIsARealSignedBOLT11FromThisNode() async throws {
        let clock = ManualClock()
        let node = try node(clock)
        let invoice = try await node.createInvoice(amountMsat: 1_234_560, description: "order 7", expirySeconds: 600)
        #expect(invoice.bolt11.hasPrefix("lnbcrt"))
        let decoded = try BOLT11Invoice.decode(invoice.bolt11)
        #expect(decoded.network == "bcrt")
        #expect(decoded.payeeNodeKey == (try Secp256k1.publicKey(privateKey: Self.nodeKey)))
        #expect(Hex.encode(decoded.payeeNodeKey) == node.nodeID)
        #expect(decoded.amountMsat == 1_234_560)
        #expect(decoded.description == "order 7")
        #expect(decoded.expirySeconds == 600)
        #expect(decoded.timestamp == clock.nowMillis() / 1000)
        #expect(decoded.paymentSecret?.count == 32)
        #expect(Hex.encode(decoded.paymentHash) == invoice.paymentHash)
        #expect(invoice.amountMsat == 1_234_560)
        #expect(invoice.expiresAt == clock.nowMillis() + 600_000)
        // Fresh random preimage per invoice.
        let second = try await node.createInvoice(amountMsat: 1_234_560, description: "order 7", expirySeconds: 600)
        #expect(second.paymentHash != invoice.paymentHash)
    }

    @Test func pendingThenSettledOnceWithPreimage() async throws {
        let clock = ManualClock()
        let node = try node(clock)
        let invoice = try await node.createInvoice(amountMsat: 50_000, description: "coffee", expirySeconds: 3600)
        #expect(try await node.lookupPayment(paymentHash: invoice.paymentHash) == .pending)
        clock.advance(seconds: 10)
        let preimage = try await node.pay(bolt11: invoice.bolt11)
        #expect(Hex.encode(Hashes.sha256(try Hex.decode(preimage))) == invoice.paymentHash)
        let settled = LightningPaymentStatus.settled(settledAt: clock.nowMillis(), amountMsat: 50_000)
        #expect(try await node.lookupPayment(paymentHash: invoice.paymentHash) == settled)
        #expect(try await node.lookupPayment(paymentHash: invoice.paymentHash.uppercased()) == settled)
        await #expect(throws: LightningError.alreadyPaid(paymentHash: invoice.paymentHash)) {
            try await node.pay(bolt11: invoice.bolt11)
        }
        // A settled invoice stays settled after its expiry passes.
        clock.advance(seconds: 7200)
        #expect(try await node.lookupPayment(paymentHash: invoice.paymentHash) == settled)
    }

    @Test func expiryFollowsTheInjectedClock() async throws {
        let clock = ManualClock()
        let node = try node(clock)
        let invoice = try await node.createInvoice(amountMsat: 1000, description: "short", expirySeconds: 60)
        clock.advance(seconds: 59)
        #expect(try await node.lookupPayment(paymentHash: invoice.paymentHash) == .pending)
        clock.advance(seconds: 1)
        #expect(try await node.lookupPayment(paymentHash: invoice.paymentHash) == .expired)
        await #expect(throws: LightningError.invoiceExpired(paymentHash: invoice.paymentHash)) {
            try await node.pay(bolt11: invoice.bolt11)
        }
        #expect(try await node.lookupPayment(paymentHash: invoice.paymentHash) == .expired)
    }

    @Test func rejectsForeignUnknownAndMalformedInput() async throws {
        let clock = ManualClock()
        let node = try node(clock)
        let other = try FakeLightningNode(privateKey: [UInt8](repeating: 0, count: 31) + [0x2B], clock: clock)
        let foreign = try await other.createInvoice(amountMsat: 1000, description: "theirs", expirySeconds: 60)
        await #expect(throws: LightningError.notOurInvoice) { try await node.pay(bolt11: foreign.bolt11) }
        await #expect(throws: LightningError.unknownInvoice(paymentHash: foreign.paymentHash)) {
            try await node.lookupPayment(paymentHash: foreign.paymentHash)
        }
        await #expect(throws: LightningError.invalidPaymentHash("abc")) { try await node.lookupPayment(paymentHash: "abc") }
        await #expect(throws: LightningError.invalidAmount(0)) {
            try await node.createInvoice(amountMsat: 0, description: "free", expirySeconds: 60)
        }
        await #expect(throws: LightningError.invalidExpiry(0)) {
            try await node.createInvoice(amountMsat: 1, description: "now", expirySeconds: 0)
        }
        await #expect(throws: LightningError.self) { try await node.pay(bolt11: "lnbcrt1notaninvoice") }
    }

    @Test func usableThroughTheProtocol() async throws {
        let clock = ManualClock()
        let fake = try node(clock)
        let node: any LightningNode = fake
        let invoice = try await node.createInvoice(amountMsat: 21_000, description: "via protocol", expirySeconds: 120)
        #expect(try await node.lookupPayment(paymentHash: invoice.paymentHash) == .pending)
        try await fake.pay(bolt11: invoice.bolt11)
        #expect(try await node.lookupPayment(paymentHash: invoice.paymentHash) == .settled(settledAt: clock.nowMillis(), amountMsat: 21_000))
    }
}
