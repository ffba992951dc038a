/// BOLT #11 Lightning invoices: `ln<prefix>[<amount><multiplier>]1<timestamp><tagged fields><signature><checksum>`.
///
/// Decoding follows the reader requirements of BOLT #11: Bech32 (not Bech32m) without the 90-character
/// limit, the amount parsed exactly into millisatoshis, tagged fields of the wrong length skipped, unknown
/// fields ignored, unknown *required* (even) feature bits rejected, and the payee's key taken from the `n`
/// field (whose signature is then verified) or recovered from the recoverable signature over
/// `sha256(hrp ‖ data words regrouped into bytes with zero padding)`.
public struct BOLT11Invoice: Sendable, Equatable {
    /// Currency prefix after `ln`: `bc`, `tb`, `bcrt`, `ltc`, … (lowercase).
    public let network: String
    /// Amount in millisatoshis; nil for "any amount" invoices.
    public let amountMsat: Int128?
    /// Creation time, seconds since the Unix epoch.
    public let timestamp: Int64
    /// `p`: the 32-byte payment hash.
    public let paymentHash: [UInt8]
    /// `s`: the 32-byte payment secret, if present.
    public let paymentSecret: [UInt8]?
    /// `d`: the UTF-8 description, if present.
    public let description: String?
    /// `h`: sha256 of a longer description, if present.
    public let descriptionHash: [UInt8]?
    /// `x`: seconds after `timestamp` the invoice stays payable (default 3600).
    public let expirySeconds: Int64
    /// `c`: min_final_cltv_expiry_delta (default 18).
    public let minFinalCLTVExpiry: Int64
    /// `f`: fallback on-chain addresses we understand (version 0…16 witness, 17 P2PKH, 18 P2SH), raw.
    public let fallbacks: [Fallback]
    /// `r`: route hints, raw 5-bit words per field (not interpreted).
    public let routeHints: [[UInt8]]
    /// `9`: feature bits as raw 5-bit words, if present.
    public let features: [UInt8]?
    /// The payee's 33-byte compressed node public key.
    public let payeeNodeKey: [UInt8]
    /// The 64-byte compact signature plus recovery id.
    public let signature: Secp256k1.RecoverableSignature
    /// Every tagged field in the order it appeared, including skipped and unknown ones.
    public let fields: [TaggedField]

    /// Seconds since the Unix epoch after which the payee should not accept payment.
    public var expiresAt: Int64 { timestamp + expirySeconds }

    /// A fallback on-chain address: version (0…16 witness version, 17 P2PKH, 18 P2SH) and its hash/program.
    public struct Fallback: Sendable, Equatable {
        public let version: UInt8
        public let program: [UInt8]
        public init(version: UInt8, program: [UInt8]) {
            self.version = version
            self.program = program
        }
    }

    /// One tagged field: a 5-bit type and its 5-bit data words.
    public struct TaggedField: Sendable, Equatable {
        /// The type as a 5-bit value (e.g. 1 = `p`); see `BOLT11Invoice.Tag`.
        public let type: UInt8
        /// Data as 5-bit words (0…31), at most 1023 of them.
        public let words: [UInt8]

        public init(type: UInt8, words: [UInt8]) {
            self.type = type
            self.words = words
        }

        /// `p`: payment hash (32 bytes).
        public static func paymentHash(_ hash: [UInt8]) -> TaggedField { .bytes(Tag.paymentHash, hash) }
        /// `s`: payment secret (32 bytes).
        public static func paymentSecret(_ secret: [UInt8]) -> TaggedField { .bytes(Tag.paymentSecret, secret) }
        /// `d`: description in UTF-8.
        public static func description(_ text: String) -> TaggedField { .bytes(Tag.description, Array(text.utf8)) }
        /// `h`: sha256 of the description.
        public static func descriptionHash(_ hash: [UInt8]) -> TaggedField { .bytes(Tag.descriptionHash, hash) }
        /// `n`: payee node key (33 bytes).
        public static func payeeNodeKey(_ key: [UInt8]) -> TaggedField { .bytes(Tag.payeeNodeKey, key) }
        /// `x`: expiry in seconds.
        public static func expiry(_ seconds: Int64) -> TaggedField { TaggedField(type: Tag.expiry, words: BOLT11Invoice.words(of: seconds)) }
        /// `c`: min_final_cltv_expiry_delta.
        public static func minFinalCLTVExpiry(_ blocks: Int64) -> TaggedField { TaggedField(type: Tag.minFinalCLTVExpiry, words: BOLT11Invoice.words(of: blocks)) }
        /// `f`: fallback address (version word then the program, zero-padded).
        public static func fallback(_ fallback: Fallback) -> TaggedField {
            TaggedField(type: Tag.fallback, words: [fallback.version] + BOLT11Invoice.toWords(fallback.program))
        }

        static func bytes(_ type: UInt8, _ bytes: [UInt8]) -> TaggedField {
            TaggedField(type: type, words: BOLT11Invoice.toWords(bytes))
        }
    }

    /// Tagged-field types as 5-bit values (the Bech32 character in the comment).
    public enum Tag {
        public static let paymentHash: UInt8 = 1        // p
        public static let routeHint: UInt8 = 3          // r
        public static let features: UInt8 = 5           // 9
        public static let expiry: UInt8 = 6             // x
        public static let fallback: UInt8 = 9           // f
        public static let description: UInt8 = 13       // d
        public static let paymentSecret: UInt8 = 16     // s
        public static let payeeNodeKey: UInt8 = 19      // n
        public static let descriptionHash: UInt8 = 23   // h
        public static let minFinalCLTVExpiry: UInt8 = 24 // c
    }

    /// Even feature bits we understand in invoices (BOLT #9 context `9`): var_onion_optin (8),
    /// payment_secret (14), basic_mpp (16), option_route_blinding (24), option_payment_metadata (48).
    /// An unknown even bit means "required and not understood", so the invoice is rejected.
    public static let knownRequiredFeatureBits: Set<Int> = [8, 14, 16, 24, 48]

    /// Errors from decoding or encoding an invoice. Each names what is wrong.
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case bech32(Bech32.Error)
        /// BOLT #11 uses the original Bech32 checksum, never Bech32m.
        case wrongChecksumVariant
        /// The human-readable part does not start with `ln`.
        case missingLightningPrefix(String)
        /// No currency letters after `ln`.
        case missingNetwork
        case invalidAmount(String)
        case invalidMultiplier(Character)
        /// A `p` amount not a multiple of 10 pico-BTC (not a whole millisatoshi).
        case subMillisatoshiAmount(String)
        /// Fewer words than timestamp (7) plus signature (104).
        case tooShort(words: Int)
        /// A tagged field claims more data than is left before the signature.
        case truncatedField(type: UInt8)
        case missingPaymentHash
        case invalidDescriptionEncoding
        case unknownRequiredFeature(bit: Int)
        case invalidRecoveryID(Int)
        /// The signature does not yield a public key.
        case unrecoverableSignature
        /// The signature does not verify against the `n` field's key.
        case signatureMismatch
        /// Encoding: a field value is out of range.
        case invalidField(String)
        case invalidPrivateKey

        public var description: String {
            switch self {
            case .bech32(let error): return "invoice is not valid bech32: \(error)"
            case .wrongChecksumVariant: return "invoice uses a bech32m checksum; BOLT 11 requires bech32"
            case .missingLightningPrefix(let hrp): return "invoice prefix '\(hrp)' does not start with 'ln'"
            case .missingNetwork: return "invoice prefix has no currency after 'ln'"
            case .invalidAmount(let amount): return "invoice amount '\(amount)' is not a valid number"
            case .invalidMultiplier(let c): return "invoice amount multiplier '\(c)' is not one of m, u, n, p"
            case .subMillisatoshiAmount(let amount): return "invoice amount '\(amount)p' is not a whole number of millisatoshis"
            case .tooShort(let words): return "invoice data is too short (\(words) words; needs at least 111 for timestamp and signature)"
            case .truncatedField(let type): return "tagged field '\(BOLT11Invoice.tagCharacter(type))' runs past the signature"
            case .missingPaymentHash: return "invoice has no valid payment hash (p) field"
            case .invalidDescriptionEncoding: return "invoice description (d) is not valid UTF-8"
            case .unknownRequiredFeature(let bit): return "invoice requires unknown feature bit \(bit)"
            case .invalidRecoveryID(let id): return "invoice signature recovery id \(id) is not 0...3"
            case .unrecoverableSignature: return "invoice signature does not recover to a public key"
            case .signatureMismatch: return "invoice signature does not match the payee node key (n)"
            case .invalidField(let what): return "cannot encode invoice: \(what)"
            case .invalidPrivateKey: return "cannot sign invoice: invalid node private key"
            }
        }
    }

    // MARK: Decoding

    /// Decodes and authenticates an invoice. Case-insensitive (not mixed case); a `lightning:` URI scheme is stripped.
    public static func decode(_ text: String) throws(Error) -> BOLT11Invoice {
        var text = text.trimmingWhitespace()
        if text.lowercased().hasPrefix("lightning:") { text = String(text.dropFirst("lightning:".count)) }
        let decoded: Bech32.Decoded
        do {
            decoded = try Bech32.decode(text, lengthLimit: Int.max)
        } catch {
            throw .bech32(error)
        }
        guard decoded.variant == .bech32 else { throw .wrongChecksumVariant }
        let (network, amount) = try parseHRP(decoded.hrp)

        let words = decoded.data
        guard words.count >= 7 + 104 else { throw .tooShort(words: words.count) }
        let body = Array(words[..<(words.count - 104)])
        let signatureBytes = fromWords(words[(words.count - 104)...])
        let timestamp = integer(body[0..<7])

        var fields: [TaggedField] = []
        var index = 7
        while index < body.count {
            guard index + 3 <= body.count else { throw .truncatedField(type: body[index]) }
            let type = body[index]
            let length = Int(body[index + 1]) * 32 + Int(body[index + 2])
            index += 3
            guard index + length <= body.count else { throw .truncatedField(type: type) }
            fields.append(TaggedField(type: type, words: Array(body[index..<(index + length)])))
            index += length
        }

        var paymentHash: [UInt8]?
        var paymentSecret: [UInt8]?
        var description: String?
        var descriptionHash: [UInt8]?
        var nodeKey: [UInt8]?
        var expiry: Int64?
        var minFinal: Int64?
        var fallbacks: [Fallback] = []
        var routeHints: [[UInt8]] = []
        var features: [UInt8]?
        for field in fields {
            let w = field.words
            switch field.type {
            case Tag.paymentHash where w.count == 52 && paymentHash == nil:
                paymentHash = fromWords(w)
            case Tag.paymentSecret where w.count == 52 && paymentSecret == nil:
                paymentSecret = fromWords(w)
            case Tag.descriptionHash where w.count == 52 && descriptionHash == nil:
                descriptionHash = fromWords(w)
            case Tag.payeeNodeKey where w.count == 53 && nodeKey == nil:
                nodeKey = fromWords(w)
            case Tag.description where description == nil:
                let bytes = fromWords(w)
                let text = String(decoding: bytes, as: UTF8.self)
                guard Array(text.utf8) == bytes else { throw .invalidDescriptionEncoding }
                description = text
            case Tag.expiry where expiry == nil && w.count <= 12:
                expiry = integer(w)
            case Tag.minFinalCLTVExpiry where minFinal == nil && w.count <= 12:
                minFinal = integer(w)
            case Tag.fallback where !w.isEmpty && w[0] <= 18:
                fallbacks.append(Fallback(version: w[0], program: fromWords(w.dropFirst())))
            case Tag.routeHint:
                routeHints.append(w)
            case Tag.features where features == nil:
                features = w
                for bit in featureBits(w) where bit % 2 == 0 && !knownRequiredFeatureBits.contains(bit) {
                    throw .unknownRequiredFeature(bit: bit)
                }
            default:
                continue  // unknown type or wrong length: skipped, as BOLT 11 requires
            }
        }
        guard let paymentHash else { throw .missingPaymentHash }

        let recoveryID = Int(signatureBytes[64])
        let signature: Secp256k1.RecoverableSignature
        do {
            signature = try Secp256k1.RecoverableSignature(compact: Array(signatureBytes[0..<64]), recoveryID: recoveryID)
        } catch {
            throw .invalidRecoveryID(recoveryID)
        }
        let digest = signingDigest(hrp: decoded.hrp, body: body)
        let payee: [UInt8]
        if let nodeKey {
            guard Secp256k1.verify(signature: signature.compact, digest: digest, publicKey: nodeKey, allowHighS: true) else {
                throw .signatureMismatch
            }
            payee = nodeKey
        } else {
            do {
                payee = try Secp256k1.recoverPublicKey(signature: signature, digest: digest, compressed: true, allowHighS: true)
            } catch {
                throw .unrecoverableSignature
            }
        }

        return BOLT11Invoice(
            network: network, amountMsat: amount, timestamp: timestamp, paymentHash: paymentHash,
            paymentSecret: paymentSecret, description: description, descriptionHash: descriptionHash,
            expirySeconds: expiry ?? 3600, minFinalCLTVExpiry: minFinal ?? 18, fallbacks: fallbacks,
            routeHints: routeHints, features: features, payeeNodeKey: payee, signature: signature, fields: fields)
    }

    /// Splits `ln<network><amount>` into the network prefix and the amount in millisatoshis.
    static func parseHRP(_ hrp: String) throws(Error) -> (network: String, amountMsat: Int128?) {
        guard hrp.hasPrefix("ln") else { throw .missingLightningPrefix(hrp) }
        let rest = hrp.dropFirst(2)
        let network = rest.prefix { $0.isASCII && $0.isLetter }
        guard !network.isEmpty else { throw .missingNetwork }
        let amountText = rest.dropFirst(network.count)
        guard !amountText.isEmpty else { return (String(network), nil) }
        return (String(network), try parseAmount(String(amountText)))
    }

    /// Parses `<digits>[m|u|n|p]` into millisatoshis exactly. 1 BTC = 10^11 msat.
    public static func parseAmount(_ text: String) throws(Error) -> Int128 {
        var digits = Substring(text)
        var multiplier: Character?
        if let last = digits.last, !last.isASCII || !last.isNumber {
            multiplier = last
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.count <= 25, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidAmount(text)
        }
        guard digits.first != "0" else { throw .invalidAmount(text) }  // no leading zeros (nor a zero amount)
        guard let value = Int128(digits) else { throw .invalidAmount(text) }
        switch multiplier {
        case nil: return value * 100_000_000_000
        case "m": return value * 100_000_000
        case "u": return value * 100_000
        case "n": return value * 100
        case "p":
            guard value % 10 == 0 else { throw .subMillisatoshiAmount(String(digits)) }
            return value / 10
        case let other?: throw .invalidMultiplier(other)
        }
    }

    /// The shortest exact amount string for `msat`: no multiplier, m, u, n, or p.
    public static func formatAmount(_ msat: Int128) -> String {
        let units: [(Int128, String)] = [(100_000_000_000, ""), (100_000_000, "m"), (100_000, "u"), (100, "n")]
        for (unit, suffix) in units where msat % unit == 0 {
            return String(msat / unit) + suffix
        }
        return String(msat * 10) + "p"
    }

    /// Set feature bit numbers in a big-endian 5-bit word field (bit 0 is the lowest bit of the last word).
    public static func featureBits(_ words: [UInt8]) -> [Int] {
        var bits: [Int] = []
        for (position, word) in words.reversed().enumerated() {
            for offset in 0..<5 where word >> UInt8(offset) & 1 == 1 { bits.append(position * 5 + offset) }
        }
        return bits
    }

    // MARK: Encoding

    /// Builds and signs an invoice from explicit tagged fields in the given order
    /// (for reproducing an exact invoice, e.g. the BOLT 11 examples).
    public static func encode(network: String, amountMsat: Int128?, timestamp: Int64, fields: [TaggedField], nodePrivateKey: [UInt8]) throws(Error) -> String {
        let network = network.lowercased()
        guard !network.isEmpty, network.allSatisfy({ $0.isASCII && $0.isLetter }) else { throw .invalidField("network prefix '\(network)' must be letters") }
        guard timestamp >= 0, timestamp < 1 << 35 else { throw .invalidField("timestamp \(timestamp) does not fit 35 bits") }
        var hrp = "ln" + network
        if let amountMsat {
            guard amountMsat > 0 else { throw .invalidField("amount must be positive, got \(amountMsat) msat") }
            hrp += formatAmount(amountMsat)
        }
        var body: [UInt8] = (0..<7).map { UInt8((timestamp >> Int64(5 * (6 - $0))) & 31) }
        for field in fields {
            guard field.type < 32, field.words.count < 1024, field.words.allSatisfy({ $0 < 32 }) else {
                throw .invalidField("tagged field \(field.type) is malformed or longer than 1023 words")
            }
            body += [field.type, UInt8(field.words.count / 32), UInt8(field.words.count % 32)] + field.words
        }
        let signature: Secp256k1.RecoverableSignature
        do {
            signature = try Secp256k1.signRecoverable(digest: signingDigest(hrp: hrp, body: body), privateKey: nodePrivateKey)
        } catch {
            throw .invalidPrivateKey
        }
        let data = body + toWords(signature.compact + [UInt8(signature.recoveryID)])
        return Bech32.encodeUnchecked(hrp: Array(hrp.utf8), data: data, variant: .bech32)
    }

    /// Builds and signs a modern invoice: `p`, `s` (if given), `d` or `h`, `x` (if not 3600), `c` (if not 18),
    /// and features var_onion_optin + payment_secret (bits 8 and 14) when a secret is given.
    public static func encode(
        network: String, amountMsat: Int128?, timestamp: Int64, paymentHash: [UInt8], paymentSecret: [UInt8]?,
        description: String? = nil, descriptionHash: [UInt8]? = nil, expirySeconds: Int64 = 3600,
        minFinalCLTVExpiry: Int64 = 18, nodePrivateKey: [UInt8]
    ) throws(Error) -> String {
        guard paymentHash.count == 32 else { throw .invalidField("payment hash must be 32 bytes, got \(paymentHash.count)") }
        var fields: [TaggedField] = [.paymentHash(paymentHash)]
        if let paymentSecret {
            guard paymentSecret.count == 32 else { throw .invalidField("payment secret must be 32 bytes, got \(paymentSecret.count)") }
            fields.append(.paymentSecret(paymentSecret))
        }
        switch (description, descriptionHash) {
        case (let text?, nil):
            guard text.utf8.count <= 639 else { throw .invalidField("description is longer than 639 bytes; use a description hash") }
            fields.append(.description(text))
        case (nil, let hash?):
            guard hash.count == 32 else { throw .invalidField("description hash must be 32 bytes, got \(hash.count)") }
            fields.append(.descriptionHash(hash))
        default:
            throw .invalidField("exactly one of description and description hash is required")
        }
        guard expirySeconds > 0 else { throw .invalidField("expiry must be positive, got \(expirySeconds)") }
        guard minFinalCLTVExpiry >= 0 else { throw .invalidField("min_final_cltv_expiry must not be negative") }
        if expirySeconds != 3600 { fields.append(.expiry(expirySeconds)) }
        if minFinalCLTVExpiry != 18 { fields.append(.minFinalCLTVExpiry(minFinalCLTVExpiry)) }
        if paymentSecret != nil {
            // bits 8 and 14 → word values: bit 8 is word[-2] bit 3, bit 14 is word[-3] bit 4.
            fields.append(TaggedField(type: Tag.features, words: [16, 8, 0]))
        }
        return try encode(network: network, amountMsat: amountMsat, timestamp: timestamp, fields: fields, nodePrivateKey: nodePrivateKey)
    }

    // MARK: Helpers

    /// sha256(hrp bytes ‖ body words regrouped into bytes, zero-padded).
    static func signingDigest(hrp: String, body: [UInt8]) -> [UInt8] {
        Hashes.sha256(Array(hrp.utf8) + toBytesPadded(body))
    }

    static func toWords(_ bytes: [UInt8]) -> [UInt8] {
        regroup(bytes, from: 8, to: 5)
    }

    /// 5-bit words → bytes, dropping incomplete trailing bits (BOLT 11 field data may carry padding).
    static func fromWords(_ words: some Collection<UInt8>) -> [UInt8] {
        var accumulator: UInt32 = 0
        var bits = 0
        var out: [UInt8] = []
        for word in words {
            accumulator = (accumulator << 5) | UInt32(word & 31)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        return out
    }

    static func toBytesPadded(_ words: [UInt8]) -> [UInt8] {
        regroup(words, from: 5, to: 8)
    }

    /// Regroups bit groups with zero padding of the last group (never fails for in-range input).
    private static func regroup(_ values: [UInt8], from: Int, to: Int) -> [UInt8] {
        var accumulator: UInt32 = 0
        var bits = 0
        var out: [UInt8] = []
        let mask: UInt32 = (1 << UInt32(to)) - 1
        for value in values {
            accumulator = (accumulator << UInt32(from)) | UInt32(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((accumulator >> UInt32(bits)) & mask))
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { out.append(UInt8((accumulator << UInt32(to - bits)) & mask)) }
        return out
    }

    /// Big-endian value of 5-bit words.
    static func integer(_ words: some Collection<UInt8>) -> Int64 {
        words.reduce(Int64(0)) { $0 << 5 | Int64($1) }
    }

    /// Minimal big-endian 5-bit words for a non-negative value (at least one word).
    static func words(of value: Int64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        repeat {
            out.insert(UInt8(value & 31), at: 0)
            value >>= 5
        } while value > 0
        return out
    }

    static func tagCharacter(_ type: UInt8) -> Character {
        let charset = Array(Bech32.charset)
        return type < 32 ? charset[Int(type)] : "?"
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
