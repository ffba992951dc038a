/// A Bitcoin-family transaction (BTC, LTC, BCH): model, serialization (legacy and BIP-144 segwit),
/// txid/wtxid, weight and virtual size, signature hashes (legacy, BIP-143 witness v0, and Bitcoin
/// Cash's SIGHASH_FORKID) and signing of P2PKH, P2WPKH and P2SH-P2WPKH inputs.
public struct BitcoinTransaction: Sendable, Equatable {
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String

        public init(_ reason: String) {
            self.reason = reason
        }

        public var description: String { reason }
    }

    /// A reference to an output of an earlier transaction.
    public struct OutPoint: Sendable, Hashable, CustomStringConvertible {
        /// The previous transaction's hash in internal (serialized) byte order: the reverse of the txid as displayed.
        public let hash: [UInt8]
        public let index: UInt32

        public init(hash: [UInt8], index: UInt32) throws(Error) {
            guard hash.count == 32 else { throw Error("outpoint hash must be 32 bytes, got \(hash.count)") }
            self.hash = hash
            self.index = index
        }

        /// `txid` as displayed by explorers and RPC (64 hex digits, big-endian).
        public init(txid: String, index: UInt32) throws(Error) {
            let bytes: [UInt8]
            do {
                bytes = try Hex.decode(txid)
            } catch {
                throw Error("txid is not hex: \(error.description)")
            }
            guard bytes.count == 32 else { throw Error("txid must be 32 bytes (64 hex digits), got \(bytes.count)") }
            try self.init(hash: bytes.reversed(), index: index)
        }

        /// The txid as displayed (big-endian hex).
        public var txid: String { Hex.encode(hash.reversed()) }

        public var description: String { "\(txid):\(index)" }
    }

    public struct Input: Sendable, Equatable {
        public var outpoint: OutPoint
        public var scriptSig: [UInt8]
        public var sequence: UInt32
        /// Witness stack items (empty for non-segwit inputs).
        public var witness: [[UInt8]]

        /// `sequence` defaults to 0xfffffffd: final for lock-time purposes except that it signals
        /// BIP-125 replaceability (use 0xffffffff for a final, non-replaceable input; BCH ignores RBF).
        public init(outpoint: OutPoint, sequence: UInt32 = 0xFFFF_FFFD, scriptSig: [UInt8] = [], witness: [[UInt8]] = []) {
            self.outpoint = outpoint
            self.scriptSig = scriptSig
            self.sequence = sequence
            self.witness = witness
        }
    }

    public struct Output: Sendable, Equatable {
        /// Satoshis (litoshis for LTC).
        public var value: UInt64
        public var scriptPubKey: [UInt8]

        public init(value: UInt64, scriptPubKey: [UInt8]) {
            self.value = value
            self.scriptPubKey = scriptPubKey
        }

        var serialized: [UInt8] {
            var out = ByteWriter()
            out.uint64(value)
            out.varBytes(scriptPubKey)
            return out.bytes
        }
    }

    public var version: UInt32
    public var inputs: [Input]
    public var outputs: [Output]
    public var lockTime: UInt32

    public init(version: UInt32 = 2, inputs: [Input], outputs: [Output], lockTime: UInt32 = 0) {
        self.version = version
        self.inputs = inputs
        self.outputs = outputs
        self.lockTime = lockTime
    }

    // MARK: Serialization

    /// Whether any input carries witness data (then the default serialization is BIP-144's).
    public var hasWitness: Bool { inputs.contains { !$0.witness.isEmpty } }

    /// The wire serialization: BIP-144 (`version ‖ 0x00 0x01 ‖ inputs ‖ outputs ‖ witnesses ‖ locktime`)
    /// when `includingWitness` and some input has a witness, the legacy form otherwise.
    public func serialized(includingWitness: Bool = true) -> [UInt8] {
        let witness = includingWitness && hasWitness
        var out = ByteWriter()
        out.uint32(version)
        if witness { out.bytes += [0x00, 0x01] }
        out.varInt(UInt64(inputs.count))
        for input in inputs {
            out.bytes += input.outpoint.hash
            out.uint32(input.outpoint.index)
            out.varBytes(input.scriptSig)
            out.uint32(input.sequence)
        }
        out.varInt(UInt64(outputs.count))
        for output in outputs { out.bytes += output.serialized }
        if witness {
            for input in inputs {
                out.varInt(UInt64(input.witness.count))
                for item in input.witness { out.varBytes(item) }
            }
        }
        out.uint32(lockTime)
        return out.bytes
    }

    /// Lowercase hex of ``serialized(includingWitness:)``, as `sendrawtransaction` takes it.
    public var hex: String { Hex.encode(serialized()) }

    /// Parses a serialized transaction (legacy or BIP-144). Compact sizes must be minimal and the
    /// whole input must be consumed.
    public init(serialized data: [UInt8]) throws(Error) {
        var reader = ByteReader(data)
        version = try reader.uint32()
        var witness = false
        if reader.remaining >= 2, reader.peek(0) == 0x00, reader.peek(1) == 0x01 {
            witness = true
            try reader.skip(2)
        }
        let inputCount = try reader.count(minimumElementSize: 41)
        var inputs: [Input] = []
        inputs.reserveCapacity(inputCount)
        for _ in 0..<inputCount {
            let outpoint = try OutPoint(hash: reader.bytes(32), index: reader.uint32())
            let scriptSig = try reader.varBytes()
            inputs.append(Input(outpoint: outpoint, sequence: try reader.uint32(), scriptSig: scriptSig))
        }
        let outputCount = try reader.count(minimumElementSize: 9)
        var outputs: [Output] = []
        outputs.reserveCapacity(outputCount)
        for _ in 0..<outputCount {
            outputs.append(Output(value: try reader.uint64(), scriptPubKey: try reader.varBytes()))
        }
        if witness {
            for index in inputs.indices {
                let itemCount = try reader.count(minimumElementSize: 1)
                var items: [[UInt8]] = []
                for _ in 0..<itemCount { items.append(try reader.varBytes()) }
                inputs[index].witness = items
            }
            guard inputs.contains(where: { !$0.witness.isEmpty }) else {
                throw Error("segwit marker present but every witness is empty")
            }
        }
        lockTime = try reader.uint32()
        guard reader.remaining == 0 else { throw Error("\(reader.remaining) unexpected byte(s) after the transaction") }
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Parses hex of a serialized transaction.
    public init(hex text: String) throws(Error) {
        let data: [UInt8]
        do {
            data = try Hex.decode(text)
        } catch {
            throw Error("transaction is not hex: \(error.description)")
        }
        try self.init(serialized: data)
    }

    // MARK: Identifiers and size

    /// double-SHA-256 of the serialization without witnesses, in internal byte order.
    public var txidHash: [UInt8] { Hashes.doubleSHA256(serialized(includingWitness: false)) }

    /// The txid as displayed (big-endian hex).
    public var txid: String { Hex.encode(txidHash.reversed()) }

    /// The witness txid (BIP-141) as displayed; equals ``txid`` when there are no witnesses.
    public var wtxid: String { Hex.encode(Hashes.doubleSHA256(serialized()).reversed()) }

    /// BIP-141 weight: 3 × stripped size + total size.
    public var weight: Int { 3 * serialized(includingWitness: false).count + serialized().count }

    /// Virtual size in vbytes: weight / 4, rounded up.
    public var virtualSize: Int { (weight + 3) / 4 }

    /// The fee for `virtualSize` vbytes at `satsPerVByte`.
    public static func fee(virtualSize: Int, satsPerVByte: UInt64) -> UInt64 {
        UInt64(max(0, virtualSize)) * satsPerVByte
    }

    /// The fee for `virtualSize` vbytes at a rate in sat per 1000 vbytes (Bitcoin Core's
    /// `sat/kvB`, which allows fractional sat/vB rates), rounded up.
    public static func fee(virtualSize: Int, satsPerKilovByte: UInt64) -> UInt64 {
        (UInt64(max(0, virtualSize)) * satsPerKilovByte + 999) / 1000
    }

    /// How an input will be spent, for size estimates before signing.
    public enum SpendKind: Sendable, CaseIterable {
        /// Compressed-key P2PKH (also BCH).
        case p2pkh
        case p2shP2WPKH
        case p2wpkh
    }

    /// The virtual size once every input is signed as `kinds` (one per input), assuming the
    /// largest low-S DER signature (72 bytes with the sighash byte); the real size is at most this.
    public func estimatedSignedVirtualSize(spending kinds: [SpendKind]) throws(Error) -> Int {
        guard kinds.count == inputs.count else { throw Error("need one spend kind per input (\(inputs.count)), got \(kinds.count)") }
        let signature = [UInt8](repeating: 0, count: 72)
        let publicKey = [UInt8](repeating: 0x02, count: 33)
        var copy = self
        for (index, kind) in kinds.enumerated() {
            switch kind {
            case .p2pkh:
                copy.inputs[index].scriptSig = BitcoinScript.pushData(signature) + BitcoinScript.pushData(publicKey)
                copy.inputs[index].witness = []
            case .p2shP2WPKH:
                copy.inputs[index].scriptSig = BitcoinScript.pushData([UInt8](repeating: 0, count: 22))
                copy.inputs[index].witness = [signature, publicKey]
            case .p2wpkh:
                copy.inputs[index].scriptSig = []
                copy.inputs[index].witness = [signature, publicKey]
            }
        }
        return copy.virtualSize
    }

    // MARK: Signature hashes

    /// The hash type appended to the preimage (4 bytes) and to each signature (its low byte).
    public struct SighashType: RawRepresentable, Sendable, Hashable {
        public let rawValue: UInt32

        public init(rawValue: UInt32) {
            self.rawValue = rawValue
        }

        public static let all = SighashType(rawValue: 0x01)
        public static let none = SighashType(rawValue: 0x02)
        public static let single = SighashType(rawValue: 0x03)
        public static let anyoneCanPay: UInt32 = 0x80
        /// Bitcoin Cash's replay protection flag (fork id 0).
        public static let forkID: UInt32 = 0x40
        /// `SIGHASH_ALL | SIGHASH_FORKID` (0x41), what every BCH signature uses.
        public static let allForkID = SighashType(rawValue: 0x41)

        var base: UInt32 { rawValue & 0x1F }
        var isAnyoneCanPay: Bool { rawValue & Self.anyoneCanPay != 0 }
        /// The byte appended to a DER signature.
        public var signatureByte: UInt8 { UInt8(truncatingIfNeeded: rawValue) }
    }

    /// The original (pre-segwit) signature hash, as Bitcoin Core's `SignatureHash` with `SigVersion::BASE`.
    /// `scriptCode` is the script being satisfied (the previous output's scriptPubKey, or the redeem
    /// script for P2SH) and must not contain `OP_CODESEPARATOR`. Includes the `SIGHASH_SINGLE` quirk:
    /// signing an input without a matching output signs the value 1.
    public func legacySignatureHash(inputIndex: Int, scriptCode: [UInt8], sighashType: SighashType = .all) throws(Error) -> [UInt8] {
        try checkIndex(inputIndex)
        guard sighashType.rawValue & SighashType.forkID == 0 else {
            throw Error("SIGHASH_FORKID signatures use forkIDSignatureHash")
        }
        let base = sighashType.base
        if base == SighashType.single.rawValue, inputIndex >= outputs.count {
            return [1] + [UInt8](repeating: 0, count: 31)
        }
        var out = ByteWriter()
        out.uint32(version)
        let signedInputs = sighashType.isAnyoneCanPay ? [inputIndex] : Array(inputs.indices)
        out.varInt(UInt64(signedInputs.count))
        for index in signedInputs {
            let input = inputs[index]
            out.bytes += input.outpoint.hash
            out.uint32(input.outpoint.index)
            out.varBytes(index == inputIndex ? scriptCode : [])
            let zeroSequence = index != inputIndex && (base == SighashType.none.rawValue || base == SighashType.single.rawValue)
            out.uint32(zeroSequence ? 0 : input.sequence)
        }
        switch base {
        case SighashType.none.rawValue:
            out.varInt(0)
        case SighashType.single.rawValue:
            out.varInt(UInt64(inputIndex + 1))
            for _ in 0..<inputIndex { out.bytes += Output(value: UInt64.max, scriptPubKey: []).serialized }
            out.bytes += outputs[inputIndex].serialized
        default:
            out.varInt(UInt64(outputs.count))
            for output in outputs { out.bytes += output.serialized }
        }
        out.uint32(lockTime)
        out.uint32(sighashType.rawValue)
        return Hashes.doubleSHA256(out.bytes)
    }

    /// The BIP-143 signature hash for witness v0 inputs (P2WPKH, P2SH-P2WPKH, P2WSH). `amount` is
    /// the value of the output being spent; `scriptCode` is the script itself, without a length prefix
    /// (for P2WPKH: `OP_DUP OP_HASH160 <20-byte key hash> OP_EQUALVERIFY OP_CHECKSIG`).
    public func witnessV0SignatureHash(inputIndex: Int, scriptCode: [UInt8], amount: UInt64, sighashType: SighashType = .all) throws(Error) -> [UInt8] {
        try checkIndex(inputIndex)
        guard sighashType.rawValue & SighashType.forkID == 0 else {
            throw Error("SIGHASH_FORKID signatures use forkIDSignatureHash")
        }
        return bip143Digest(inputIndex: inputIndex, scriptCode: scriptCode, amount: amount, sighashType: sighashType)
    }

    /// Bitcoin Cash's signature hash (the 2017 replay-protected digest, "BIP-143 with SIGHASH_FORKID"),
    /// used for every BCH input. `sighashType` must include the fork id flag (0x40); the default is
    /// `SIGHASH_ALL | SIGHASH_FORKID` with fork id 0.
    public func forkIDSignatureHash(inputIndex: Int, scriptCode: [UInt8], amount: UInt64, sighashType: SighashType = .allForkID) throws(Error) -> [UInt8] {
        try checkIndex(inputIndex)
        guard sighashType.rawValue & SighashType.forkID != 0 else {
            throw Error("a BCH signature hash type must include SIGHASH_FORKID (0x40)")
        }
        return bip143Digest(inputIndex: inputIndex, scriptCode: scriptCode, amount: amount, sighashType: sighashType)
    }

    private func bip143Digest(inputIndex: Int, scriptCode: [UInt8], amount: UInt64, sighashType: SighashType) -> [UInt8] {
        let base = sighashType.base
        let zero = [UInt8](repeating: 0, count: 32)
        var hashPrevouts = zero
        var hashSequence = zero
        var hashOutputs = zero
        if !sighashType.isAnyoneCanPay {
            var prevouts = ByteWriter()
            for input in inputs {
                prevouts.bytes += input.outpoint.hash
                prevouts.uint32(input.outpoint.index)
            }
            hashPrevouts = Hashes.doubleSHA256(prevouts.bytes)
        }
        if !sighashType.isAnyoneCanPay, base != SighashType.single.rawValue, base != SighashType.none.rawValue {
            var sequences = ByteWriter()
            for input in inputs { sequences.uint32(input.sequence) }
            hashSequence = Hashes.doubleSHA256(sequences.bytes)
        }
        if base != SighashType.single.rawValue, base != SighashType.none.rawValue {
            hashOutputs = Hashes.doubleSHA256(outputs.flatMap(\.serialized))
        } else if base == SighashType.single.rawValue, inputIndex < outputs.count {
            hashOutputs = Hashes.doubleSHA256(outputs[inputIndex].serialized)
        }
        let input = inputs[inputIndex]
        var out = ByteWriter()
        out.uint32(version)
        out.bytes += hashPrevouts
        out.bytes += hashSequence
        out.bytes += input.outpoint.hash
        out.uint32(input.outpoint.index)
        out.varBytes(scriptCode)
        out.uint64(amount)
        out.uint32(input.sequence)
        out.bytes += hashOutputs
        out.uint32(lockTime)
        out.uint32(sighashType.rawValue)
        return Hashes.doubleSHA256(out.bytes)
    }

    private func checkIndex(_ index: Int) throws(Error) {
        guard inputs.indices.contains(index) else { throw Error("input index \(index) is out of range (\(inputs.count) inputs)") }
    }

    // MARK: Signing

    /// A script signature: DER-encoded low-S ECDSA signature (RFC 6979) of `digest`, followed by the hash type byte.
    public static func signature(digest: [UInt8], privateKey: [UInt8], sighashType: SighashType) throws(Error) -> [UInt8] {
        do {
            let compact = try Secp256k1.sign(digest: digest, privateKey: privateKey)
            return try Secp256k1.derSignature(compact: compact) + [sighashType.signatureByte]
        } catch {
            throw Error("signing failed: \(error.description)")
        }
    }

    private static func compressedPublicKey(_ privateKey: [UInt8]) throws(Error) -> [UInt8] {
        do {
            return try Secp256k1.publicKey(privateKey: privateKey, compressed: true)
        } catch {
            throw Error("invalid private key: \(error.description)")
        }
    }

    /// Signs input `inputIndex`, which spends a P2WPKH output worth `amount`, with SIGHASH_ALL:
    /// the witness becomes `[signature, compressed public key]` and the scriptSig is emptied.
    public mutating func signP2WPKH(inputIndex: Int, privateKey: [UInt8], amount: UInt64) throws(Error) {
        let publicKey = try Self.compressedPublicKey(privateKey)
        let scriptCode = BitcoinScript.p2pkh(hash160: Hashes.hash160(publicKey))
        let digest = try witnessV0SignatureHash(inputIndex: inputIndex, scriptCode: scriptCode, amount: amount)
        inputs[inputIndex].witness = [try Self.signature(digest: digest, privateKey: privateKey, sighashType: .all), publicKey]
        inputs[inputIndex].scriptSig = []
    }

    /// Signs input `inputIndex`, which spends a P2SH-P2WPKH output worth `amount`, with SIGHASH_ALL:
    /// the scriptSig pushes the redeem script `0 <20-byte key hash>`, the witness is `[signature, public key]`.
    public mutating func signP2SHP2WPKH(inputIndex: Int, privateKey: [UInt8], amount: UInt64) throws(Error) {
        let publicKey = try Self.compressedPublicKey(privateKey)
        let keyHash = Hashes.hash160(publicKey)
        let digest = try witnessV0SignatureHash(inputIndex: inputIndex, scriptCode: BitcoinScript.p2pkh(hash160: keyHash), amount: amount)
        inputs[inputIndex].witness = [try Self.signature(digest: digest, privateKey: privateKey, sighashType: .all), publicKey]
        inputs[inputIndex].scriptSig = BitcoinScript.pushData(BitcoinScript.p2wpkh(hash160: keyHash))
    }

    /// Signs input `inputIndex`, which spends a P2PKH output, with the legacy SIGHASH_ALL digest:
    /// the scriptSig becomes `<signature> <public key>`. `compressed` must match the key the address was made from.
    public mutating func signP2PKH(inputIndex: Int, privateKey: [UInt8], compressed: Bool = true) throws(Error) {
        let publicKey: [UInt8]
        do {
            publicKey = try Secp256k1.publicKey(privateKey: privateKey, compressed: compressed)
        } catch {
            throw Error("invalid private key: \(error.description)")
        }
        let digest = try legacySignatureHash(inputIndex: inputIndex, scriptCode: BitcoinScript.p2pkh(hash160: Hashes.hash160(publicKey)))
        let signature = try Self.signature(digest: digest, privateKey: privateKey, sighashType: .all)
        inputs[inputIndex].scriptSig = BitcoinScript.pushData(signature) + BitcoinScript.pushData(publicKey)
        inputs[inputIndex].witness = []
    }

    /// Signs a BCH input spending a P2PKH output worth `amount` with `SIGHASH_ALL | SIGHASH_FORKID`
    /// (ECDSA, the form every BCH wallet produces): the scriptSig becomes `<signature> <public key>`.
    public mutating func signP2PKHForkID(inputIndex: Int, privateKey: [UInt8], amount: UInt64, compressed: Bool = true) throws(Error) {
        let publicKey: [UInt8]
        do {
            publicKey = try Secp256k1.publicKey(privateKey: privateKey, compressed: compressed)
        } catch {
            throw Error("invalid private key: \(error.description)")
        }
        let digest = try forkIDSignatureHash(inputIndex: inputIndex, scriptCode: BitcoinScript.p2pkh(hash160: Hashes.hash160(publicKey)), amount: amount)
        let signature = try Self.signature(digest: digest, privateKey: privateKey, sighashType: .allForkID)
        inputs[inputIndex].scriptSig = BitcoinScript.pushData(signature) + BitcoinScript.pushData(publicKey)
        inputs[inputIndex].witness = []
    }
}

/// Output scripts and script building blocks.
public enum BitcoinScript {
    /// The minimal push of `data` (direct push up to 75 bytes, then OP_PUSHDATA1/2/4). Single small
    /// numbers are not turned into OP_1…OP_16: the pushes here are signatures, keys and scripts.
    public static func pushData(_ data: [UInt8]) -> [UInt8] {
        var out = ByteWriter()
        switch data.count {
        case 0...75:
            out.bytes.append(UInt8(data.count))
        case 76...0xFF:
            out.bytes += [0x4C, UInt8(data.count)]
        case 0x100...0xFFFF:
            out.bytes.append(0x4D)
            out.bytes += [UInt8(truncatingIfNeeded: data.count), UInt8(truncatingIfNeeded: data.count >> 8)]
        default:
            out.bytes.append(0x4E)
            out.uint32(UInt32(truncatingIfNeeded: data.count))
        }
        out.bytes += data
        return out.bytes
    }

    /// `OP_DUP OP_HASH160 <hash> OP_EQUALVERIFY OP_CHECKSIG` (also the BIP-143 scriptCode of P2WPKH).
    static func p2pkh(hash160 hash: [UInt8]) -> [UInt8] {
        [0x76, 0xA9, 0x14] + hash + [0x88, 0xAC]
    }

    /// `OP_0 <hash>`.
    static func p2wpkh(hash160 hash: [UInt8]) -> [UInt8] {
        [0x00, 0x14] + hash
    }

    /// `OP_HASH160 <hash> OP_EQUAL`.
    static func p2sh(hash160 hash: [UInt8]) -> [UInt8] {
        [0xA9, 0x14] + hash + [0x87]
    }

    private static func check(_ hash: [UInt8], _ count: Int, _ what: String) throws(BitcoinTransaction.Error) {
        guard hash.count == count else { throw BitcoinTransaction.Error("\(what) must be \(count) bytes, got \(hash.count)") }
    }

    private static func checkPublicKey(_ publicKey: [UInt8]) throws(BitcoinTransaction.Error) {
        guard Secp256k1.isValidPublicKey(publicKey) else { throw BitcoinTransaction.Error("invalid secp256k1 public key") }
    }

    /// P2PKH output script for a 20-byte public key hash.
    public static func p2pkh(publicKeyHash: [UInt8]) throws(BitcoinTransaction.Error) -> [UInt8] {
        try check(publicKeyHash, 20, "public key hash")
        return p2pkh(hash160: publicKeyHash)
    }

    /// P2PKH output script for a public key (hashed as given: compressed and uncompressed keys differ).
    public static func p2pkh(publicKey: [UInt8]) throws(BitcoinTransaction.Error) -> [UInt8] {
        try checkPublicKey(publicKey)
        return p2pkh(hash160: Hashes.hash160(publicKey))
    }

    /// P2SH output script for a 20-byte script hash.
    public static func p2sh(scriptHash: [UInt8]) throws(BitcoinTransaction.Error) -> [UInt8] {
        try check(scriptHash, 20, "script hash")
        return p2sh(hash160: scriptHash)
    }

    /// BCH P2SH32 output script: `OP_HASH256 <32-byte hash> OP_EQUAL`.
    public static func p2sh32(scriptHash: [UInt8]) throws(BitcoinTransaction.Error) -> [UInt8] {
        try check(scriptHash, 32, "script hash")
        return [0xAA, 0x20] + scriptHash + [0x87]
    }

    /// P2WPKH output script for a 20-byte public key hash.
    public static func p2wpkh(publicKeyHash: [UInt8]) throws(BitcoinTransaction.Error) -> [UInt8] {
        try check(publicKeyHash, 20, "public key hash")
        return p2wpkh(hash160: publicKeyHash)
    }

    /// P2WPKH output script for a compressed public key.
    public static func p2wpkh(publicKey: [UInt8]) throws(BitcoinTransaction.Error) -> [UInt8] {
        try checkCompressed(publicKey)
        return p2wpkh(hash160: Hashes.hash160(publicKey))
    }

    /// The P2SH-P2WPKH redeem script `OP_0 <hash160(public key)>` for a compressed public key.
    public static func p2shP2WPKHRedeemScript(publicKey: [UInt8]) throws(BitcoinTransaction.Error) -> [UInt8] {
        try p2wpkh(publicKey: publicKey)
    }

    /// The P2SH-P2WPKH output script `OP_HASH160 <hash160(redeem script)> OP_EQUAL`.
    public static func p2shP2WPKH(publicKey: [UInt8]) throws(BitcoinTransaction.Error) -> [UInt8] {
        p2sh(hash160: Hashes.hash160(try p2shP2WPKHRedeemScript(publicKey: publicKey)))
    }

    private static func checkCompressed(_ publicKey: [UInt8]) throws(BitcoinTransaction.Error) {
        try checkPublicKey(publicKey)
        guard publicKey.count == 33 else { throw BitcoinTransaction.Error("segwit v0 requires a compressed public key") }
    }

    /// The output script paying `address`, after validating it for `chain` and `network` with
    /// ``AddressValidator``: base58 P2PKH/P2SH, segwit v0/v1 (BTC, LTC), CashAddr P2PKH/P2SH/P2SH32 (BCH).
    public static func scriptPubKey(address: String, chain: AddressChain, network: ChainNetwork) throws(AddressError) -> [UInt8] {
        guard chain == .btc || chain == .ltc || chain == .bch else {
            throw AddressError(reason: "\(chain.rawValue) is not a Bitcoin-family chain")
        }
        let validated = try AddressValidator.validate(address, chain: chain, network: network)
        switch validated.kind {
        case .p2pkh, .p2sh:
            guard let payload = try? Base58Check.decode(validated.normalized), payload.count == 21 else {
                throw AddressError(reason: "cannot decode base58 address \(address)")
            }
            let hash = Array(payload[1...])
            return validated.kind == .p2pkh ? p2pkh(hash160: hash) : p2sh(hash160: hash)
        case .p2wpkh, .p2wsh, .p2tr:
            guard let segwit = try? SegwitAddress.decode(validated.normalized) else {
                throw AddressError(reason: "cannot decode segwit address \(address)")
            }
            return segwit.scriptPubKey
        case .cashaddrP2PKH, .cashaddrP2SH:
            guard let cash = try? CashAddr.decode(validated.normalized) else {
                throw AddressError(reason: "cannot decode CashAddr address \(address)")
            }
            if validated.kind == .cashaddrP2PKH { return p2pkh(hash160: cash.hash) }
            return cash.hash.count == 32 ? [0xAA, 0x20] + cash.hash + [0x87] : p2sh(hash160: cash.hash)
        case .evm, .solana:
            throw AddressError(reason: "\(address) is not a Bitcoin-family address")
        }
    }
}

// MARK: - Byte reading and writing (little-endian, Bitcoin compact sizes)

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func uint32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func uint64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Bitcoin's CompactSize.
    mutating func varInt(_ value: UInt64) {
        switch value {
        case 0..<0xFD:
            bytes.append(UInt8(value))
        case 0xFD...0xFFFF:
            bytes.append(0xFD)
            bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        case 0x1_0000...0xFFFF_FFFF:
            bytes.append(0xFE)
            uint32(UInt32(value))
        default:
            bytes.append(0xFF)
            uint64(value)
        }
    }

    mutating func varBytes(_ data: [UInt8]) {
        varInt(UInt64(data.count))
        bytes += data
    }
}

struct ByteReader {
    let data: [UInt8]
    var offset = 0

    init(_ data: [UInt8]) {
        self.data = data
    }

    var remaining: Int { data.count - offset }

    func peek(_ ahead: Int) -> UInt8 { data[offset + ahead] }

    mutating func skip(_ count: Int) throws(BitcoinTransaction.Error) {
        guard remaining >= count else { throw BitcoinTransaction.Error("transaction is truncated") }
        offset += count
    }

    mutating func bytes(_ count: Int) throws(BitcoinTransaction.Error) -> [UInt8] {
        guard remaining >= count else { throw BitcoinTransaction.Error("transaction is truncated") }
        defer { offset += count }
        return Array(data[offset..<(offset + count)])
    }

    mutating func uint32() throws(BitcoinTransaction.Error) -> UInt32 {
        let raw = try bytes(4)
        return raw.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64() throws(BitcoinTransaction.Error) -> UInt64 {
        let raw = try bytes(8)
        return raw.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A CompactSize, rejecting non-minimal encodings (as Bitcoin Core does).
    mutating func varInt() throws(BitcoinTransaction.Error) -> UInt64 {
        let first = try bytes(1)[0]
        let value: UInt64
        let minimum: UInt64
        switch first {
        case 0xFD:
            value = try bytes(2).reversed().reduce(0) { $0 << 8 | UInt64($1) }
            minimum = 0xFD
        case 0xFE:
            value = UInt64(try uint32())
            minimum = 0x1_0000
        case 0xFF:
            value = try uint64()
            minimum = 0x1_0000_0000
        default:
            return UInt64(first)
        }
        guard value >= minimum else { throw BitcoinTransaction.Error("non-canonical compact size") }
        return value
    }

    /// An element count, bounded by what the remaining bytes could hold.
    mutating func count(minimumElementSize: Int) throws(BitcoinTransaction.Error) -> Int {
        let value = try varInt()
        guard value <= UInt64(remaining / minimumElementSize) else { throw BitcoinTransaction.Error("transaction is truncated") }
        return Int(value)
    }

    mutating func varBytes() throws(BitcoinTransaction.Error) -> [UInt8] {
        let length = try varInt()
        guard length <= UInt64(remaining) else { throw BitcoinTransaction.Error("transaction is truncated") }
        return try bytes(Int(length))
    }
}
