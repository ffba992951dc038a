/// An Ethereum transaction to sign and broadcast: legacy with EIP-155 replay protection, or
/// EIP-1559 (type 2).
public enum EthereumTransaction: Sendable, Equatable {
    case legacy(Legacy)
    case eip1559(EIP1559)

    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String

        public init(_ reason: String) {
            self.reason = reason
        }

        public var description: String { reason }
    }

    /// One EIP-2930 access list entry (EIP-1559 transactions carry a list; Railyard sends it empty).
    public struct AccessListEntry: Sendable, Equatable {
        /// 20 bytes.
        public let address: [UInt8]
        /// 32 bytes each.
        public let storageKeys: [[UInt8]]

        public init(address: [UInt8], storageKeys: [[UInt8]]) throws(Error) {
            guard address.count == 20 else { throw Error("access list address must be 20 bytes, got \(address.count)") }
            guard storageKeys.allSatisfy({ $0.count == 32 }) else { throw Error("access list storage keys must be 32 bytes") }
            self.address = address
            self.storageKeys = storageKeys
        }

        var rlp: RLP.Item { .list([.bytes(address), .list(storageKeys.map { .bytes($0) })]) }
    }

    /// A legacy (type 0) transaction.
    public struct Legacy: Sendable, Equatable {
        public let nonce: UInt64
        /// Wei per gas.
        public let gasPrice: Word256
        public let gasLimit: UInt64
        /// The recipient's 20 bytes, or `nil` for contract creation.
        public let to: [UInt8]?
        /// Wei.
        public let value: Word256
        public let data: [UInt8]
        /// The EIP-155 chain id; `nil` signs the replayable pre-EIP-155 form (v = 27/28), which only
        /// makes sense for reading old transactions.
        public let chainId: UInt64?

        public init(nonce: UInt64, gasPrice: Word256, gasLimit: UInt64, to: [UInt8]?, value: Word256, data: [UInt8] = [], chainId: UInt64?) throws(Error) {
            try EthereumTransaction.checkRecipient(to)
            self.nonce = nonce
            self.gasPrice = gasPrice
            self.gasLimit = gasLimit
            self.to = to
            self.value = value
            self.data = data
            self.chainId = chainId
        }

        /// `to` as `0x` + 40 hex digits (checksummed or not).
        public init(nonce: UInt64, gasPrice: Word256, gasLimit: UInt64, to: String, value: Word256, data: [UInt8] = [], chainId: UInt64?) throws(Error) {
            try self.init(nonce: nonce, gasPrice: gasPrice, gasLimit: gasLimit, to: try EthereumTransaction.address(to),
                          value: value, data: data, chainId: chainId)
        }

        var unsignedFields: [RLP.Item] {
            [.uint(nonce), .uint(gasPrice), .uint(gasLimit), .bytes(to ?? []), .uint(value), .bytes(data)]
        }
    }

    /// An EIP-1559 (type 2) transaction.
    public struct EIP1559: Sendable, Equatable {
        public let chainId: UInt64
        public let nonce: UInt64
        /// Wei per gas paid to the block producer on top of the base fee.
        public let maxPriorityFeePerGas: Word256
        /// Wei per gas, the most the sender pays including the base fee.
        public let maxFeePerGas: Word256
        public let gasLimit: UInt64
        /// The recipient's 20 bytes, or `nil` for contract creation.
        public let to: [UInt8]?
        public let value: Word256
        public let data: [UInt8]
        public let accessList: [AccessListEntry]

        public init(chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: Word256, maxFeePerGas: Word256, gasLimit: UInt64,
                    to: [UInt8]?, value: Word256, data: [UInt8] = [], accessList: [AccessListEntry] = []) throws(Error) {
            try EthereumTransaction.checkRecipient(to)
            guard maxPriorityFeePerGas <= maxFeePerGas else {
                throw Error("maxPriorityFeePerGas (\(maxPriorityFeePerGas)) exceeds maxFeePerGas (\(maxFeePerGas))")
            }
            self.chainId = chainId
            self.nonce = nonce
            self.maxPriorityFeePerGas = maxPriorityFeePerGas
            self.maxFeePerGas = maxFeePerGas
            self.gasLimit = gasLimit
            self.to = to
            self.value = value
            self.data = data
            self.accessList = accessList
        }

        /// `to` as `0x` + 40 hex digits (checksummed or not).
        public init(chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: Word256, maxFeePerGas: Word256, gasLimit: UInt64,
                    to: String, value: Word256, data: [UInt8] = [], accessList: [AccessListEntry] = []) throws(Error) {
            try self.init(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: maxPriorityFeePerGas, maxFeePerGas: maxFeePerGas,
                          gasLimit: gasLimit, to: try EthereumTransaction.address(to), value: value, data: data, accessList: accessList)
        }

        var unsignedFields: [RLP.Item] {
            [.uint(chainId), .uint(nonce), .uint(maxPriorityFeePerGas), .uint(maxFeePerGas), .uint(gasLimit),
             .bytes(to ?? []), .uint(value), .bytes(data), .list(accessList.map(\.rlp))]
        }
    }

    /// The EIP-2718 type byte of EIP-1559 transactions.
    public static let eip1559Type: UInt8 = 0x02

    public var chainId: UInt64? {
        switch self {
        case .legacy(let tx): return tx.chainId
        case .eip1559(let tx): return tx.chainId
        }
    }

    public var nonce: UInt64 {
        switch self {
        case .legacy(let tx): return tx.nonce
        case .eip1559(let tx): return tx.nonce
        }
    }

    /// The bytes whose keccak-256 is signed: `rlp([…, chainId, 0, 0])` for legacy EIP-155
    /// (`rlp([…])` without a chain id), `0x02 ‖ rlp([…])` for EIP-1559.
    public var signingPayload: [UInt8] {
        switch self {
        case .legacy(let tx):
            var fields = tx.unsignedFields
            if let chainId = tx.chainId { fields += [.uint(chainId), .uint(0), .uint(0)] }
            return RLP.encode(.list(fields))
        case .eip1559(let tx):
            return [Self.eip1559Type] + RLP.encode(.list(tx.unsignedFields))
        }
    }

    /// keccak-256 of ``signingPayload``.
    public var signingHash: [UInt8] { Keccak256.hash(signingPayload) }

    /// Signs with secp256k1 (RFC 6979, low-S).
    public func sign(privateKey: [UInt8]) throws(Error) -> Signed {
        let signature: Secp256k1.RecoverableSignature
        do {
            signature = try Secp256k1.signRecoverable(digest: signingHash, privateKey: privateKey)
        } catch {
            throw Error("signing failed: \(error.description)")
        }
        return try Signed(transaction: self, signature: signature)
    }

    /// A transaction with its signature, ready to broadcast (``Signed/raw``).
    public struct Signed: Sendable, Equatable {
        public let transaction: EthereumTransaction
        /// `r ‖ s` and the y-parity (as the recovery id).
        public let signature: Secp256k1.RecoverableSignature

        /// Attaches a signature made elsewhere (e.g. by a hardware signer) over ``EthereumTransaction/signingHash``.
        public init(transaction: EthereumTransaction, signature: Secp256k1.RecoverableSignature) throws(Error) {
            guard signature.recoveryID <= 1 else { throw Error("y-parity must be 0 or 1, got \(signature.recoveryID)") }
            if case .legacy(let tx) = transaction, let chainId = tx.chainId, Self.eip155V(chainId: chainId, parity: 1) == nil {
                throw Error("chain id \(chainId) is too large for an EIP-155 v value")
            }
            self.transaction = transaction
            self.signature = signature
        }

        /// 0 or 1.
        public var yParity: Int { signature.recoveryID }

        /// The `v` field as serialized: the y-parity for EIP-1559, `chainId·2 + 35 + parity` for legacy
        /// EIP-155, `27 + parity` for legacy without a chain id.
        public var v: UInt64 {
            switch transaction {
            case .eip1559:
                return UInt64(yParity)
            case .legacy(let tx):
                if let chainId = tx.chainId { return Self.eip155V(chainId: chainId, parity: yParity) ?? 0 }
                return 27 + UInt64(yParity)
            }
        }

        static func eip155V(chainId: UInt64, parity: Int) -> UInt64? {
            let (doubled, overflow1) = chainId.multipliedReportingOverflow(by: 2)
            let (v, overflow2) = doubled.addingReportingOverflow(35 + UInt64(parity))
            return overflow1 || overflow2 ? nil : v
        }

        /// The raw signed transaction for `eth_sendRawTransaction`.
        public var raw: [UInt8] {
            let rs: [RLP.Item] = [.bytes(Array(signature.r.drop { $0 == 0 })), .bytes(Array(signature.s.drop { $0 == 0 }))]
            switch transaction {
            case .legacy(let tx):
                return RLP.encode(.list(tx.unsignedFields + [.uint(v)] + rs))
            case .eip1559(let tx):
                return [EthereumTransaction.eip1559Type] + RLP.encode(.list(tx.unsignedFields + [.uint(v)] + rs))
            }
        }

        /// `0x` + hex of ``raw``.
        public var rawHex: String { Hex.encode(raw, prefix: true) }

        /// The transaction hash: keccak-256 of ``raw``.
        public var hash: [UInt8] { Keccak256.hash(raw) }

        /// `0x` + hex of ``hash``.
        public var hashHex: String { Hex.encode(hash, prefix: true) }

        /// The EIP-55 address that signed the transaction. High-S signatures are rejected (EIP-2).
        public func sender() throws(Error) -> String {
            do {
                let publicKey = try Secp256k1.recoverPublicKey(signature: signature, digest: transaction.signingHash, compressed: false)
                return try Secp256k1.ethereumAddress(publicKey: publicKey)
            } catch {
                throw Error("cannot recover the sender: \(error.description)")
            }
        }

        /// Decodes a raw signed transaction (legacy, with or without EIP-155, or EIP-1559).
        /// The encoding must be canonical; other typed transactions are rejected.
        public init(raw: [UInt8]) throws(Error) {
            guard let first = raw.first else { throw Error("empty transaction") }
            do {
                if first >= 0xC0 {
                    try self.init(legacyFields: RLP.list(try RLP.decode(raw), "transaction"))
                } else if first == EthereumTransaction.eip1559Type {
                    try self.init(eip1559Fields: RLP.list(try RLP.decode(Array(raw.dropFirst())), "transaction"))
                } else if first <= 0x7F {
                    throw Error("unsupported transaction type 0x\(Hex.encode([first])) (only legacy and EIP-1559 are supported)")
                } else {
                    throw Error("not a transaction: first byte 0x\(Hex.encode([first]))")
                }
            } catch let error as RLP.Error {
                throw Error("malformed transaction: \(error.description)")
            } catch let error as Error {
                throw error
            } catch {
                throw Error("malformed transaction: \(error)")
            }
        }

        /// Decodes `0x…` hex of a raw signed transaction.
        public init(rawHex: String) throws(Error) {
            let raw: [UInt8]
            do {
                raw = try Hex.decode(rawHex)
            } catch {
                throw Error("raw transaction is not hex: \(error.description)")
            }
            try self.init(raw: raw)
        }

        private init(legacyFields fields: [RLP.Item]) throws {
            guard fields.count == 9 else { throw Error("a legacy transaction has 9 fields, got \(fields.count)") }
            let v = try RLP.uint64(fields[6], "v")
            let chainId: UInt64?
            let parity: Int
            switch v {
            case 27, 28:
                chainId = nil
                parity = Int(v - 27)
            case 35...:
                chainId = (v - 35) / 2
                parity = Int((v - 35) % 2)
            default:
                throw Error("legacy v must be 27, 28 or chainId·2+35/36, got \(v)")
            }
            let tx = try Legacy(nonce: RLP.uint64(fields[0], "nonce"), gasPrice: RLP.word(fields[1], "gasPrice"),
                                gasLimit: RLP.uint64(fields[2], "gasLimit"), to: EthereumTransaction.recipient(fields[3]),
                                value: RLP.word(fields[4], "value"), data: RLP.string(fields[5], "data"), chainId: chainId)
            try self.init(transaction: .legacy(tx), signature: EthereumTransaction.signature(r: fields[7], s: fields[8], parity: parity))
        }

        private init(eip1559Fields fields: [RLP.Item]) throws {
            guard fields.count == 12 else { throw Error("an EIP-1559 transaction has 12 fields, got \(fields.count)") }
            var accessList: [AccessListEntry] = []
            for entry in try RLP.list(fields[8], "accessList") {
                let parts = try RLP.list(entry, "access list entry")
                guard parts.count == 2 else { throw Error("an access list entry has 2 fields, got \(parts.count)") }
                var keys: [[UInt8]] = []
                for key in try RLP.list(parts[1], "storage keys") { keys.append(try RLP.string(key, "storage key")) }
                accessList.append(try AccessListEntry(address: RLP.string(parts[0], "access list address"), storageKeys: keys))
            }
            let tx = try EIP1559(chainId: RLP.uint64(fields[0], "chainId"), nonce: RLP.uint64(fields[1], "nonce"),
                                 maxPriorityFeePerGas: RLP.word(fields[2], "maxPriorityFeePerGas"),
                                 maxFeePerGas: RLP.word(fields[3], "maxFeePerGas"), gasLimit: RLP.uint64(fields[4], "gasLimit"),
                                 to: EthereumTransaction.recipient(fields[5]), value: RLP.word(fields[6], "value"),
                                 data: RLP.string(fields[7], "data"), accessList: accessList)
            let parity = try RLP.uint64(fields[9], "yParity")
            guard parity <= 1 else { throw Error("yParity must be 0 or 1, got \(parity)") }
            try self.init(transaction: .eip1559(tx), signature: EthereumTransaction.signature(r: fields[10], s: fields[11], parity: Int(parity)))
        }
    }

    /// Decodes a raw signed transaction and returns the EIP-55 address that signed it.
    public static func recoverSender(raw: [UInt8]) throws(Error) -> String {
        try Signed(raw: raw).sender()
    }

    // MARK: Internals

    static func checkRecipient(_ to: [UInt8]?) throws(Error) {
        if let to, to.count != 20 { throw Error("recipient must be 20 bytes, got \(to.count)") }
    }

    static func address(_ text: String) throws(Error) -> [UInt8] {
        do {
            return try Ethereum.addressBytes(text)
        } catch {
            throw Error(error.reason)
        }
    }

    static func recipient(_ item: RLP.Item) throws -> [UInt8]? {
        let bytes = try RLP.string(item, "to")
        if bytes.isEmpty { return nil }
        guard bytes.count == 20 else { throw Error("recipient must be empty or 20 bytes, got \(bytes.count)") }
        return bytes
    }

    static func signature(r: RLP.Item, s: RLP.Item, parity: Int) throws -> Secp256k1.RecoverableSignature {
        let r = try RLP.word(r, "r")
        let s = try RLP.word(s, "s")
        guard !r.isZero, !s.isZero else { throw Error("signature r and s must be non-zero") }
        return try Secp256k1.RecoverableSignature(compact: r.bytes + s.bytes, recoveryID: parity)
    }
}
