/// A 32-byte Solana account address (an Ed25519 public key, or a program-derived address off the curve).
public struct SolanaPublicKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(Solana.Error) {
        guard bytes.count == 32 else { throw Solana.Error("a Solana public key is 32 bytes, got \(bytes.count)") }
        self.bytes = bytes
    }

    public init(base58 text: String) throws(Solana.Error) {
        let decoded: [UInt8]
        do {
            decoded = try Base58.decode(text)
        } catch {
            throw Solana.Error("invalid Solana address \(text): \(error.description)")
        }
        guard decoded.count == 32 else { throw Solana.Error("a Solana address decodes to 32 bytes, \(text) gives \(decoded.count)") }
        self.bytes = decoded
    }

    /// For the built-in program ids; traps on a malformed literal.
    public init(constant text: String) {
        guard let key = try? SolanaPublicKey(base58: text) else { preconditionFailure("bad Solana key constant \(text)") }
        self = key
    }

    /// The public key of a 32-byte Ed25519 private key (seed).
    public init(privateKey: [UInt8]) throws(Solana.Error) {
        do {
            bytes = try Ed25519.publicKey(privateKey: privateKey)
        } catch {
            throw Solana.Error(error.description)
        }
    }

    public var base58: String { Base58.encode(bytes) }

    public var description: String { base58 }

    /// Whether the bytes decompress to an Ed25519 point (see ``Ed25519Curve/isOnCurve(_:)``).
    public var isOnCurve: Bool { Ed25519Curve.isOnCurve(bytes) }

    /// Byte-wise order (the order of Rust's `Pubkey`, used when compiling messages).
    public static func < (lhs: SolanaPublicKey, rhs: SolanaPublicKey) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

/// Solana legacy transactions: message compilation and serialization, Ed25519 signing, the System
/// and SPL Token instructions Railyard sends, and program-derived / associated token addresses.
public enum Solana {
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String

        public init(_ reason: String) {
            self.reason = reason
        }

        public var description: String { reason }
    }

    public static let systemProgramID = SolanaPublicKey(constant: "11111111111111111111111111111111")
    public static let tokenProgramID = SolanaPublicKey(constant: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
    public static let token2022ProgramID = SolanaPublicKey(constant: "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
    public static let associatedTokenProgramID = SolanaPublicKey(constant: "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")

    // MARK: Instructions

    public struct AccountMeta: Sendable, Equatable {
        public let publicKey: SolanaPublicKey
        public let isSigner: Bool
        public let isWritable: Bool

        public init(_ publicKey: SolanaPublicKey, isSigner: Bool, isWritable: Bool) {
            self.publicKey = publicKey
            self.isSigner = isSigner
            self.isWritable = isWritable
        }
    }

    public struct Instruction: Sendable, Equatable {
        public let programID: SolanaPublicKey
        public let accounts: [AccountMeta]
        public let data: [UInt8]

        public init(programID: SolanaPublicKey, accounts: [AccountMeta], data: [UInt8]) {
            self.programID = programID
            self.accounts = accounts
            self.data = data
        }
    }

    public enum SystemProgram {
        /// `SystemInstruction::Transfer` (index 2): moves `lamports` from `from` (signer) to `to`.
        public static func transfer(from: SolanaPublicKey, to: SolanaPublicKey, lamports: UInt64) -> Instruction {
            Instruction(programID: systemProgramID,
                        accounts: [AccountMeta(from, isSigner: true, isWritable: true), AccountMeta(to, isSigner: false, isWritable: true)],
                        data: littleEndian(UInt32(2)) + littleEndian(lamports))
        }
    }

    public enum TokenProgram {
        /// `TokenInstruction::TransferChecked` (tag 12): `amount` base units of `mint` (with `decimals`
        /// asserted) from token account `source` to token account `destination`, authorised by `owner`.
        /// Works for Token-2022 too when `programID` is ``Solana/token2022ProgramID`` (for mints without transfer hooks).
        public static func transferChecked(source: SolanaPublicKey, mint: SolanaPublicKey, destination: SolanaPublicKey,
                                           owner: SolanaPublicKey, amount: UInt64, decimals: UInt8,
                                           programID: SolanaPublicKey = tokenProgramID) -> Instruction {
            Instruction(programID: programID,
                        accounts: [
                            AccountMeta(source, isSigner: false, isWritable: true),
                            AccountMeta(mint, isSigner: false, isWritable: false),
                            AccountMeta(destination, isSigner: false, isWritable: true),
                            AccountMeta(owner, isSigner: true, isWritable: false),
                        ],
                        data: [12] + littleEndian(amount) + [decimals])
        }
    }

    public enum AssociatedTokenProgram {
        /// `AssociatedTokenAccountInstruction::CreateIdempotent` (1): creates `wallet`'s associated token
        /// account for `mint` if it does not exist yet, paid by `payer`; succeeds if it already exists.
        public static func createIdempotent(payer: SolanaPublicKey, wallet: SolanaPublicKey, mint: SolanaPublicKey,
                                            tokenProgramID: SolanaPublicKey = Solana.tokenProgramID) throws(Error) -> Instruction {
            let account = try associatedTokenAddress(wallet: wallet, mint: mint, tokenProgramID: tokenProgramID)
            return Instruction(programID: associatedTokenProgramID,
                               accounts: [
                                   AccountMeta(payer, isSigner: true, isWritable: true),
                                   AccountMeta(account, isSigner: false, isWritable: true),
                                   AccountMeta(wallet, isSigner: false, isWritable: false),
                                   AccountMeta(mint, isSigner: false, isWritable: false),
                                   AccountMeta(systemProgramID, isSigner: false, isWritable: false),
                                   AccountMeta(tokenProgramID, isSigner: false, isWritable: false),
                               ],
                               data: [1])
        }
    }

    // MARK: Messages

    /// A legacy (unversioned) message.
    public struct Message: Sendable, Equatable {
        public struct Header: Sendable, Equatable {
            public let numRequiredSignatures: UInt8
            public let numReadonlySignedAccounts: UInt8
            public let numReadonlyUnsignedAccounts: UInt8
        }

        public struct CompiledInstruction: Sendable, Equatable {
            public let programIDIndex: UInt8
            public let accountIndices: [UInt8]
            public let data: [UInt8]
        }

        public let header: Header
        /// Writable signers (fee payer first), read-only signers, writable non-signers, read-only non-signers.
        public let accountKeys: [SolanaPublicKey]
        public let recentBlockhash: [UInt8]
        public let instructions: [CompiledInstruction]

        /// Compiles `instructions` as solana-sdk's `Message::new_with_blockhash` does: the fee payer is
        /// the first writable signer; every other key takes the strongest role any instruction gives it
        /// (program ids are read-only non-signers unless used otherwise), and keys within each of the four
        /// groups are in byte order.
        public init(instructions: [Instruction], payer: SolanaPublicKey, recentBlockhash: [UInt8]) throws(Error) {
            guard recentBlockhash.count == 32 else { throw Error("a blockhash is 32 bytes, got \(recentBlockhash.count)") }
            var roles: [SolanaPublicKey: (signer: Bool, writable: Bool)] = [:]
            for instruction in instructions {
                if roles[instruction.programID] == nil { roles[instruction.programID] = (false, false) }
                for meta in instruction.accounts {
                    let current = roles[meta.publicKey] ?? (false, false)
                    roles[meta.publicKey] = (current.signer || meta.isSigner, current.writable || meta.isWritable)
                }
            }
            roles[payer] = nil
            let others = roles.keys.sorted()
            let writableSigners = [payer] + others.filter { roles[$0]!.signer && roles[$0]!.writable }
            let readonlySigners = others.filter { roles[$0]!.signer && !roles[$0]!.writable }
            let writableUnsigned = others.filter { !roles[$0]!.signer && roles[$0]!.writable }
            let readonlyUnsigned = others.filter { !roles[$0]!.signer && !roles[$0]!.writable }
            let keys = writableSigners + readonlySigners + writableUnsigned + readonlyUnsigned
            guard keys.count <= 256 else { throw Error("a legacy message holds at most 256 accounts, got \(keys.count)") }
            guard writableSigners.count + readonlySigners.count <= 255 else { throw Error("too many signers") }

            var indexOf: [SolanaPublicKey: UInt8] = [:]
            for (index, key) in keys.enumerated() { indexOf[key] = UInt8(index) }
            var compiled: [CompiledInstruction] = []
            for instruction in instructions {
                guard instruction.data.count <= Int(UInt16.max), instruction.accounts.count <= Int(UInt16.max) else {
                    throw Error("instruction data or account list too long")
                }
                compiled.append(CompiledInstruction(programIDIndex: indexOf[instruction.programID]!,
                                                    accountIndices: instruction.accounts.map { indexOf[$0.publicKey]! },
                                                    data: instruction.data))
            }
            self.header = Header(numRequiredSignatures: UInt8(writableSigners.count + readonlySigners.count),
                                 numReadonlySignedAccounts: UInt8(readonlySigners.count),
                                 numReadonlyUnsignedAccounts: UInt8(readonlyUnsigned.count))
            self.accountKeys = keys
            self.recentBlockhash = recentBlockhash
            self.instructions = compiled
        }

        /// `recentBlockhash` as base58, as RPC's `getLatestBlockhash` returns it.
        public init(instructions: [Instruction], payer: SolanaPublicKey, recentBlockhash: String) throws(Error) {
            let hash: [UInt8]
            do {
                hash = try Base58.decode(recentBlockhash)
            } catch {
                throw Error("invalid blockhash: \(error.description)")
            }
            try self.init(instructions: instructions, payer: payer, recentBlockhash: hash)
        }

        /// The signers, in signature order.
        public var signerKeys: [SolanaPublicKey] { Array(accountKeys.prefix(Int(header.numRequiredSignatures))) }

        /// The bytes that every signer signs.
        public var serialized: [UInt8] {
            var out: [UInt8] = [header.numRequiredSignatures, header.numReadonlySignedAccounts, header.numReadonlyUnsignedAccounts]
            out += compactU16(accountKeys.count)
            for key in accountKeys { out += key.bytes }
            out += recentBlockhash
            out += compactU16(instructions.count)
            for instruction in instructions {
                out.append(instruction.programIDIndex)
                out += compactU16(instruction.accountIndices.count)
                out += instruction.accountIndices
                out += compactU16(instruction.data.count)
                out += instruction.data
            }
            return out
        }
    }

    // MARK: Transactions

    public struct Transaction: Sendable, Equatable {
        /// One 64-byte Ed25519 signature per required signer (all zeros until signed).
        public private(set) var signatures: [[UInt8]]
        public let message: Message

        /// An unsigned transaction (zeroed signatures).
        public init(message: Message) {
            self.message = message
            self.signatures = Array(repeating: [UInt8](repeating: 0, count: 64), count: Int(message.header.numRequiredSignatures))
        }

        /// Signs with every required signer's 32-byte Ed25519 private key (seed), in any order.
        public init(message: Message, signers: [[UInt8]]) throws(Error) {
            self.init(message: message)
            for key in signers { try sign(privateKey: key) }
            guard isFullySigned else {
                let missing = zip(message.signerKeys, signatures).filter { $0.1.allSatisfy { $0 == 0 } }.map(\.0.base58)
                throw Error("missing signatures for \(missing.joined(separator: ", "))")
            }
        }

        /// A transaction with signatures made elsewhere (one 64-byte signature per required signer, in
        /// ``Message/signerKeys`` order; all zeros for a missing one). Check them with ``verifiesSignatures``.
        public init(message: Message, signatures: [[UInt8]]) throws(Error) {
            guard signatures.count == Int(message.header.numRequiredSignatures) else {
                throw Error("the message needs \(message.header.numRequiredSignatures) signatures, got \(signatures.count)")
            }
            guard signatures.allSatisfy({ $0.count == 64 }) else { throw Error("an Ed25519 signature is 64 bytes") }
            self.message = message
            self.signatures = signatures
        }

        /// Adds the signature of the signer whose private key this is.
        public mutating func sign(privateKey: [UInt8]) throws(Error) {
            let publicKey = try SolanaPublicKey(privateKey: privateKey)
            guard let index = message.signerKeys.firstIndex(of: publicKey) else {
                throw Error("\(publicKey.base58) is not a signer of this transaction")
            }
            do {
                signatures[index] = try Ed25519.sign(message.serialized, privateKey: privateKey)
            } catch {
                throw Error(error.description)
            }
        }

        public var isFullySigned: Bool { signatures.allSatisfy { signature in signature.contains { $0 != 0 } } }

        /// Whether every signature verifies against its signer's key.
        public var verifiesSignatures: Bool {
            let bytes = message.serialized
            return zip(message.signerKeys, signatures).allSatisfy { Ed25519.verify(signature: $0.1, message: bytes, publicKey: $0.0.bytes) }
        }

        /// The wire format: compact-u16 signature count, signatures, message.
        public var serialized: [UInt8] {
            compactU16(signatures.count) + signatures.flatMap { $0 } + message.serialized
        }

        /// Base64 of ``serialized``, the encoding `sendTransaction` takes.
        public var base64: String { Base64.encode(serialized) }

        /// The transaction id: base58 of the first (fee payer's) signature.
        public var id: String { Base58.encode(signatures.first ?? []) }
    }

    // MARK: Program-derived addresses

    public static let maxSeeds = 16
    public static let maxSeedLength = 32

    /// `sha256(seeds… ‖ programID ‖ "ProgramDerivedAddress")`, rejected if it lies on the Ed25519 curve.
    public static func createProgramAddress(seeds: [[UInt8]], programID: SolanaPublicKey) throws(Error) -> SolanaPublicKey {
        try checkSeeds(seeds, limit: maxSeeds)
        guard let address = offCurveAddress(seeds: seeds, programID: programID) else {
            throw Error("the derived address lies on the Ed25519 curve")
        }
        return address
    }

    /// The first off-curve address for `seeds ‖ [bump]` with the bump counting down from 255 to 1
    /// (as `Pubkey::find_program_address`).
    public static func findProgramAddress(seeds: [[UInt8]], programID: SolanaPublicKey) throws(Error) -> (address: SolanaPublicKey, bump: UInt8) {
        try checkSeeds(seeds, limit: maxSeeds - 1)
        for bump in stride(from: UInt8(255), through: 1, by: -1) {
            if let address = offCurveAddress(seeds: seeds + [[bump]], programID: programID) { return (address, bump) }
        }
        throw Error("no viable bump seed")
    }

    private static func checkSeeds(_ seeds: [[UInt8]], limit: Int) throws(Error) {
        guard seeds.count <= limit else { throw Error("at most \(limit) seeds, got \(seeds.count)") }
        if let long = seeds.first(where: { $0.count > maxSeedLength }) {
            throw Error("a seed is at most \(maxSeedLength) bytes, got \(long.count)")
        }
    }

    private static func offCurveAddress(seeds: [[UInt8]], programID: SolanaPublicKey) -> SolanaPublicKey? {
        let hash = Hashes.sha256(seeds.flatMap { $0 } + programID.bytes + Array("ProgramDerivedAddress".utf8))
        guard !Ed25519Curve.isOnCurve(hash) else { return nil }
        return try? SolanaPublicKey(bytes: hash)
    }

    /// The associated token account of `wallet` for `mint`: the program address of
    /// `[wallet, token program, mint]` under the Associated Token Account program.
    public static func associatedTokenAddress(wallet: SolanaPublicKey, mint: SolanaPublicKey,
                                              tokenProgramID: SolanaPublicKey = tokenProgramID) throws(Error) -> SolanaPublicKey {
        try findProgramAddress(seeds: [wallet.bytes, tokenProgramID.bytes, mint.bytes], programID: associatedTokenProgramID).address
    }

    // MARK: Encoding helpers

    /// Solana's compact-u16 ("shortvec"): 7 bits per byte, least significant first, high bit = more.
    public static func compactU16(_ value: Int) -> [UInt8] {
        precondition((0...Int(UInt16.max)).contains(value), "compact-u16 value out of range")
        var remaining = value
        var out: [UInt8] = []
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining != 0 { byte |= 0x80 }
            out.append(byte)
        } while remaining != 0
        return out
    }

    static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }
}
