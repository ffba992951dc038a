/// Ethereum message hashing (EIP-191), signing and signer recovery.
public enum Ethereum {
    /// EIP-191 version 0x45 (`personal_sign`): keccak256("\u{19}Ethereum Signed Message:\n" ‖ len(message) ‖ message),
    /// with the length in decimal ASCII.
    public static func personalMessageHash(_ message: some Collection<UInt8>) -> [UInt8] {
        var preimage = Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8)
        preimage += message
        return Keccak256.hash(preimage)
    }

    /// The personal-message hash of the UTF-8 bytes of `text` (a `0x…` string is
    /// hashed as text, not decoded; decode it yourself to sign raw bytes).
    public static func personalMessageHash(_ text: String) -> [UInt8] {
        personalMessageHash(Array(text.utf8))
    }

    /// Signs a 32-byte digest; returns 65 bytes `r ‖ s ‖ v` with `v` ∈ {27, 28} (low-S, RFC 6979).
    public static func sign(digest: [UInt8], privateKey: [UInt8]) throws(Secp256k1.Error) -> [UInt8] {
        try Secp256k1.signRecoverable(digest: digest, privateKey: privateKey).ethereum
    }

    /// The EIP-55 address that signed `digest`. `signature` is 65 bytes `r ‖ s ‖ v` with `v` ∈ {27, 28, 0, 1}.
    /// High-S signatures are rejected (see ``Secp256k1/recoverPublicKey(signature:digest:compressed:allowHighS:)``).
    public static func recoverAddress(digest: [UInt8], signature: [UInt8]) throws(Secp256k1.Error) -> String {
        EIP55.checksumUnchecked(bytes: try recoverAddressBytes(digest: digest, signature: signature))
    }

    /// The 20 address bytes that signed `digest` (``recoverAddress(digest:signature:)`` without the
    /// EIP-55 text, for comparing with a known address).
    public static func recoverAddressBytes(digest: [UInt8], signature: [UInt8]) throws(Secp256k1.Error) -> [UInt8] {
        let parsed = try Secp256k1.RecoverableSignature(ethereum: signature)
        let publicKey = try Secp256k1.recoverPublicKey(signature: parsed, digest: digest, compressed: false)
        return try Secp256k1.ethereumAddressBytes(publicKey: publicKey)
    }

    /// The EIP-55 address of a private key.
    public static func address(privateKey: [UInt8]) throws(Secp256k1.Error) -> String {
        try Secp256k1.ethereumAddress(publicKey: Secp256k1.publicKey(privateKey: privateKey, compressed: false))
    }
}

/// EIP-3009 (`transferWithAuthorization` / `receiveWithAuthorization`) typed data, as signed by
/// x402 clients and accepted by USDC-style tokens.
public enum EIP3009 {
    /// The token's EIP-712 domain (e.g. USDC: name "USD Coin", version "2").
    public struct Domain: Sendable, Equatable {
        public let name: String
        public let version: String
        public let chainId: Word256
        public let verifyingContract: String

        public init(name: String, version: String, chainId: Word256, verifyingContract: String) {
            self.name = name
            self.version = version
            self.chainId = chainId
            self.verifyingContract = verifyingContract
        }

        public init(name: String, version: String, chainId: UInt64, verifyingContract: String) {
            self.init(name: name, version: version, chainId: Word256(chainId), verifyingContract: verifyingContract)
        }
    }

    public struct Authorization: Sendable, Equatable {
        public let from: String
        public let to: String
        /// Token base units.
        public let value: Word256
        /// Unix seconds; valid strictly after this time.
        public let validAfter: Word256
        /// Unix seconds; valid strictly before this time.
        public let validBefore: Word256
        /// 32 random bytes chosen by the payer.
        public let nonce: [UInt8]

        public init(from: String, to: String, value: Word256, validAfter: Word256, validBefore: Word256, nonce: [UInt8]) {
            self.from = from
            self.to = to
            self.value = value
            self.validAfter = validAfter
            self.validBefore = validBefore
            self.nonce = nonce
        }
    }

    public enum Kind: String, Sendable, CaseIterable {
        case transferWithAuthorization = "TransferWithAuthorization"
        case receiveWithAuthorization = "ReceiveWithAuthorization"
    }

    /// The fields shared by both authorization types, in the order the EIP defines.
    public static let authorizationFields: [TypedData.Field] = [
        TypedData.Field(name: "from", type: "address"),
        TypedData.Field(name: "to", type: "address"),
        TypedData.Field(name: "value", type: "uint256"),
        TypedData.Field(name: "validAfter", type: "uint256"),
        TypedData.Field(name: "validBefore", type: "uint256"),
        TypedData.Field(name: "nonce", type: "bytes32"),
    ]

    public static func transferWithAuthorization(_ authorization: Authorization, domain: Domain) throws(EIP712.Error) -> TypedData {
        try typedData(.transferWithAuthorization, authorization, domain: domain)
    }

    public static func receiveWithAuthorization(_ authorization: Authorization, domain: Domain) throws(EIP712.Error) -> TypedData {
        try typedData(.receiveWithAuthorization, authorization, domain: domain)
    }

    /// Builds the typed data, validating the addresses and the 32-byte nonce up front.
    public static func typedData(_ kind: Kind, _ authorization: Authorization, domain: Domain) throws(EIP712.Error) -> TypedData {
        guard authorization.nonce.count == 32 else {
            throw EIP712.Error("EIP-3009 nonce must be 32 bytes, got \(authorization.nonce.count)")
        }
        let from = try checksummed(authorization.from, "from")
        let to = try checksummed(authorization.to, "to")
        let contract = try checksummed(domain.verifyingContract, "verifyingContract")
        let message: JSONValue = .object([
            "from": .string(from),
            "to": .string(to),
            "value": .string(authorization.value.decimalString),
            "validAfter": .string(authorization.validAfter.decimalString),
            "validBefore": .string(authorization.validBefore.decimalString),
            "nonce": .string(Hex.encode(authorization.nonce, prefix: true)),
        ])
        return try TypedData(
            types: [
                "EIP712Domain": EIP712.canonicalDomainFields.filter { $0.name != "salt" },
                kind.rawValue: authorizationFields,
            ],
            primaryType: kind.rawValue,
            domain: [
                "name": .string(domain.name),
                "version": .string(domain.version),
                "chainId": .number(domain.chainId.decimalString),
                "verifyingContract": .string(contract),
            ],
            message: message
        )
    }

    static func checksummed(_ address: String, _ field: String) throws(EIP712.Error) -> String {
        do {
            return try EIP55.validate(address)
        } catch {
            throw EIP712.Error("EIP-3009 \(field): \(error.description)")
        }
    }
}

extension EIP3009 {
    /// keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    public static let transferWithAuthorizationTypeHash = Keccak256.hash(Array(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)".utf8))

    /// The token domain's separator (compute once per token and reuse with ``transferDigest(_:domainSeparator:)``).
    public static func domainSeparator(_ domain: Domain) throws(EIP712.Error) -> [UInt8] {
        let authorization = Authorization(from: domain.verifyingContract, to: domain.verifyingContract, value: .zero, validAfter: .zero, validBefore: .zero,
                                          nonce: [UInt8](repeating: 0, count: 32))
        return try transferWithAuthorization(authorization, domain: domain).domainSeparator()
    }

    /// The EIP-712 digest of a `TransferWithAuthorization`, encoded directly (the same bytes the generic
    /// ``TypedData`` encoder produces, without building the typed-data document per call).
    /// `addressesValidated`: the caller checked `from` and `to` (EIP-55 checksum included) when they came
    /// in, so only their bytes are read here (the verifier's hot path); otherwise they are validated.
    public static func transferDigest(_ authorization: Authorization, domainSeparator: [UInt8], addressesValidated: Bool = false) throws(EIP712.Error) -> [UInt8] {
        guard authorization.nonce.count == 32, domainSeparator.count == 32 else { throw EIP712.Error("EIP-3009 nonce and domain separator must be 32 bytes") }
        // Each part appended in place: no temporary arrays on the verify path.
        var encoded: [UInt8] = []
        encoded.reserveCapacity(7 * 32)
        encoded.append(contentsOf: transferWithAuthorizationTypeHash)
        func appendAddress(_ address: String) throws(EIP712.Error) {
            let bytes: [UInt8]
            do { bytes = addressesValidated ? try Ethereum.addressBytesIgnoringChecksum(address) : try Ethereum.addressBytes(address) } catch { throw EIP712.Error("invalid address \(address): \(error)") }
            encoded.append(contentsOf: repeatElement(0, count: 12))
            encoded.append(contentsOf: bytes)
        }
        try appendAddress(authorization.from)
        try appendAddress(authorization.to)
        encoded.append(contentsOf: authorization.value.bytes)
        encoded.append(contentsOf: authorization.validAfter.bytes)
        encoded.append(contentsOf: authorization.validBefore.bytes)
        encoded.append(contentsOf: authorization.nonce)
        var message: [UInt8] = [0x19, 0x01]
        message.reserveCapacity(2 + 32 + 32)
        message.append(contentsOf: domainSeparator)
        message.append(contentsOf: Keccak256.hash(encoded))
        return Keccak256.hash(message)
    }
}
