import RailyardCrypto
import Storage

/// An invoice a Lightning node issued for us to show a payer.
public struct LightningInvoice: Sendable, Equatable {
    /// The BOLT 11 payment request string.
    public let bolt11: String
    /// Lowercase hex sha256 of the payment preimage; the key for `lookupPayment`.
    public let paymentHash: String
    public let amountMsat: Int128
    /// When the invoice stops being payable, Unix epoch milliseconds (`(timestamp + expiry) × 1000`
    /// from the invoice itself, so it can be up to a second earlier than creation time plus expiry).
    public let expiresAt: Int64

    public init(bolt11: String, paymentHash: String, amountMsat: Int128, expiresAt: Int64) {
        self.bolt11 = bolt11
        self.paymentHash = paymentHash
        self.amountMsat = amountMsat
        self.expiresAt = expiresAt
    }
}

/// Where an invoice stands on the node.
public enum LightningPaymentStatus: Sendable, Equatable {
    case pending
    /// Paid. `settledAt` is Unix epoch milliseconds; `amountMsat` is what was actually received.
    case settled(settledAt: Int64, amountMsat: Int128)
    /// Not paid before its expiry; it can no longer be paid.
    case expired
}

/// Errors from a Lightning node.
public enum LightningError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAmount(Int128)
    case invalidExpiry(Int)
    case invalidPaymentHash(String)
    case unknownInvoice(paymentHash: String)
    case invalidInvoice(String)
    case notOurInvoice
    case alreadyPaid(paymentHash: String)
    case invoiceExpired(paymentHash: String)

    public var description: String {
        switch self {
        case .invalidAmount(let msat): return "invoice amount must be a positive number of millisatoshis, got \(msat)"
        case .invalidExpiry(let seconds): return "invoice expiry must be positive seconds, got \(seconds)"
        case .invalidPaymentHash(let text): return "payment hash '\(text)' is not 32 bytes of hex"
        case .unknownInvoice(let hash): return "no invoice with payment hash \(hash)"
        case .invalidInvoice(let reason): return "invalid BOLT 11 invoice: \(reason)"
        case .notOurInvoice: return "invoice was not issued by this node"
        case .alreadyPaid(let hash): return "invoice \(hash) is already paid"
        case .invoiceExpired(let hash): return "invoice \(hash) has expired"
        }
    }
}

/// What Railyard needs from a Lightning node: issue invoices and learn whether they were paid.
///
/// An error (node unreachable, timeout, unknown invoice) is always thrown, never reported as `.pending`.
public protocol LightningNode: Sendable {
    /// Issues an invoice for exactly `amountMsat`, payable for `expirySeconds`.
    func createInvoice(amountMsat: Int128, description: String, expirySeconds: Int) async throws -> LightningInvoice
    /// The state of the invoice with this payment hash (hex, any case).
    func lookupPayment(paymentHash: String) async throws -> LightningPaymentStatus
}

/// The devnet and test Lightning node. **This is not a Lightning connection**: no channels, no peers,
/// no HTLCs — nothing leaves the process and nobody on a real network can pay its invoices.
///
/// What is real: the invoices are genuine BOLT 11 strings (regtest prefix `lnbcrt`) signed with the node
/// key, so any decoder recovers this node's public key; each has a random 32-byte preimage whose
/// sha256 is the payment hash, and a random payment secret. Payment is simulated with `pay(bolt11:)`,
/// which settles an unexpired invoice exactly once, at the injected clock's time. State lives in
/// memory and is lost when the actor goes away.
public actor FakeLightningNode: LightningNode {
    private struct Entry {
        let invoice: LightningInvoice
        let preimage: [UInt8]
        var settled: (at: Int64, amountMsat: Int128)?
    }

    private let privateKey: [UInt8]
    /// The node's 33-byte compressed public key (its node id).
    public nonisolated let publicKey: [UInt8]
    private let clock: any AppClock
    private var invoices: [String: Entry] = [:]

    /// - Parameters:
    ///   - privateKey: 32-byte secp256k1 node key.
    ///   - clock: time for invoice timestamps, expiry and settlement.
    public init(privateKey: [UInt8], clock: any AppClock) throws {
        self.publicKey = try Secp256k1.publicKey(privateKey: privateKey)
        self.privateKey = privateKey
        self.clock = clock
    }

    /// The node id as lowercase hex.
    public nonisolated var nodeID: String { Hex.encode(publicKey) }

    public func createInvoice(amountMsat: Int128, description: String, expirySeconds: Int) throws -> LightningInvoice {
        guard amountMsat > 0 else { throw LightningError.invalidAmount(amountMsat) }
        guard expirySeconds > 0 else { throw LightningError.invalidExpiry(expirySeconds) }
        let preimage = SecureRandom.bytes(count: 32)
        let paymentHash = Hashes.sha256(preimage)
        let timestamp = clock.nowMillis() / 1000
        let bolt11: String
        do {
            bolt11 = try BOLT11Invoice.encode(
                network: "bcrt", amountMsat: amountMsat, timestamp: timestamp, paymentHash: paymentHash,
                paymentSecret: SecureRandom.bytes(count: 32), description: description,
                expirySeconds: Int64(expirySeconds), nodePrivateKey: privateKey)
        } catch {
            throw LightningError.invalidInvoice(error.description)
        }
        let hashHex = Hex.encode(paymentHash)
        let invoice = LightningInvoice(bolt11: bolt11, paymentHash: hashHex, amountMsat: amountMsat, expiresAt: (timestamp + Int64(expirySeconds)) * 1000)
        invoices[hashHex] = Entry(invoice: invoice, preimage: preimage)
        return invoice
    }

    public func lookupPayment(paymentHash: String) throws -> LightningPaymentStatus {
        let entry = try entry(for: paymentHash)
        if let settled = entry.settled { return .settled(settledAt: settled.at, amountMsat: settled.amountMsat) }
        return clock.nowMillis() >= entry.invoice.expiresAt ? .expired : .pending
    }

    /// Devnet/test cheat: pays one of this node's invoices in full, as if a payer had routed to us.
    /// Throws if the invoice is not ours, unknown, already paid, or expired. Returns the preimage (hex),
    /// the payer's proof of payment.
    @discardableResult
    public func pay(bolt11: String) throws -> String {
        let decoded: BOLT11Invoice
        do {
            decoded = try BOLT11Invoice.decode(bolt11)
        } catch {
            throw LightningError.invalidInvoice(error.description)
        }
        guard decoded.payeeNodeKey == publicKey else { throw LightningError.notOurInvoice }
        let hashHex = Hex.encode(decoded.paymentHash)
        var entry = try entry(for: hashHex)
        guard entry.settled == nil else { throw LightningError.alreadyPaid(paymentHash: hashHex) }
        let now = clock.nowMillis()
        guard now < entry.invoice.expiresAt else { throw LightningError.invoiceExpired(paymentHash: hashHex) }
        entry.settled = (at: now, amountMsat: entry.invoice.amountMsat)
        invoices[hashHex] = entry
        return Hex.encode(entry.preimage)
    }

    private func entry(for paymentHash: String) throws -> Entry {
        let normalized = paymentHash.lowercased()
        guard normalized.utf8.count == 64, (try? Hex.decode(normalized)) != nil else {
            throw LightningError.invalidPaymentHash(paymentHash)
        }
        guard let entry = invoices[normalized] else { throw LightningError.unknownInvoice(paymentHash: normalized) }
        return entry
    }
}
