/// A Solana transaction as it travels on the wire, parsed without re-encoding: the signatures, the
/// exact message bytes they sign (legacy or v0), and the message's parts. Signing or co-signing
/// works on `messageBytes`, so a transaction built elsewhere (a v0 message from an x402 client)
/// round-trips byte for byte.
public struct SolanaWireTransaction: Sendable, Equatable {
    public enum Version: Sendable, Equatable { case legacy, v0 }

    public var signatures: [[UInt8]]
    public let messageBytes: [UInt8]
    public let version: Version
    public let header: Solana.Message.Header
    public let accountKeys: [SolanaPublicKey]
    public let recentBlockhash: [UInt8]
    public let instructions: [Solana.Message.CompiledInstruction]
    /// v0 address-table lookups (their accounts are not in `accountKeys`).
    public let addressTableLookups: Int

    public init(serialized bytes: [UInt8]) throws(Solana.Error) {
        var reader = Reader(bytes: bytes)
        let signatureCount = try reader.compactU16()
        guard signatureCount <= 127 else { throw Solana.Error("too many signatures") }
        var signatures: [[UInt8]] = []
        for _ in 0..<signatureCount { signatures.append(try reader.take(64)) }
        let messageStart = reader.offset
        var version = Version.legacy
        var first = try reader.byte()
        if first & 0x80 != 0 {
            guard first & 0x7F == 0 else { throw Solana.Error("unsupported message version \(first & 0x7F)") }
            version = .v0
            first = try reader.byte()
        }
        let header = Solana.Message.Header(numRequiredSignatures: first, numReadonlySignedAccounts: try reader.byte(), numReadonlyUnsignedAccounts: try reader.byte())
        let keyCount = try reader.compactU16()
        var keys: [SolanaPublicKey] = []
        for _ in 0..<keyCount { keys.append(try SolanaPublicKey(bytes: try reader.take(32))) }
        let blockhash = try reader.take(32)
        let instructionCount = try reader.compactU16()
        var instructions: [Solana.Message.CompiledInstruction] = []
        for _ in 0..<instructionCount {
            let program = try reader.byte()
            let accounts = try reader.take(try reader.compactU16())
            let data = try reader.take(try reader.compactU16())
            instructions.append(Solana.Message.CompiledInstruction(programIDIndex: program, accountIndices: accounts, data: data))
        }
        var lookups = 0
        if version == .v0 {
            lookups = try reader.compactU16()
            for _ in 0..<lookups {
                _ = try reader.take(32)
                _ = try reader.take(try reader.compactU16())
                _ = try reader.take(try reader.compactU16())
            }
        }
        guard reader.offset == bytes.count else { throw Solana.Error("\(bytes.count - reader.offset) trailing bytes after the message") }
        guard Int(header.numRequiredSignatures) == signatureCount, signatureCount <= keys.count else {
            throw Solana.Error("the message needs \(header.numRequiredSignatures) signatures, the transaction carries \(signatureCount)")
        }
        for instruction in instructions {
            guard Int(instruction.programIDIndex) < keys.count || lookups > 0, instruction.accountIndices.allSatisfy({ Int($0) < keys.count || lookups > 0 }) else {
                throw Solana.Error("an instruction refers to an account the message does not list")
            }
        }
        self.signatures = signatures
        self.messageBytes = Array(bytes[messageStart...])
        self.version = version
        self.header = header
        self.accountKeys = keys
        self.recentBlockhash = blockhash
        self.instructions = instructions
        self.addressTableLookups = lookups
    }

    public var signerKeys: [SolanaPublicKey] { Array(accountKeys.prefix(Int(header.numRequiredSignatures))) }

    /// Whether `key` signed (a non-zero signature that verifies over the message).
    public func isSigned(by key: SolanaPublicKey) -> Bool {
        guard let index = signerKeys.firstIndex(of: key) else { return false }
        let signature = signatures[index]
        return signature.contains { $0 != 0 } && Ed25519.verify(signature: signature, message: messageBytes, publicKey: key.bytes)
    }

    /// Adds the signature of `privateKey`, which must be one of the message's signers.
    public mutating func sign(privateKey: [UInt8]) throws(Solana.Error) {
        let key = try SolanaPublicKey(privateKey: privateKey)
        guard let index = signerKeys.firstIndex(of: key) else { throw Solana.Error("\(key.base58) is not a signer of this transaction") }
        do { signatures[index] = try Ed25519.sign(messageBytes, privateKey: privateKey) } catch { throw Solana.Error("cannot sign: \(error)") }
    }

    public var serialized: [UInt8] { Solana.compactU16(signatures.count) + signatures.flatMap { $0 } + messageBytes }
    public var base64: String { Base64.encode(serialized) }
    /// The transaction id: its first signature, base58.
    public var id: String { Base58.encode(signatures.first ?? []) }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func byte() throws(Solana.Error) -> UInt8 {
            guard offset < bytes.count else { throw Solana.Error("transaction ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func take(_ count: Int) throws(Solana.Error) -> [UInt8] {
            guard count >= 0, offset + count <= bytes.count else { throw Solana.Error("transaction ends early") }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func compactU16() throws(Solana.Error) -> Int {
            var value = 0
            for shift in [0, 7, 14] {
                let next = Int(try byte())
                value |= (next & 0x7F) << shift
                if next & 0x80 == 0 { return value }
            }
            throw Solana.Error("malformed compact-u16")
        }
    }
}
