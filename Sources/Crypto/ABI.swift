/// Solidity contract ABI encoding for the calls Railyard makes: static words (address, uint, bool,
/// bytesN) and dynamic `bytes`/`string`, head/tail layout, 4-byte selectors.
public enum ABI {
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String

        public init(_ reason: String) {
            self.reason = reason
        }

        public var description: String { reason }
    }

    /// One argument.
    public enum Value: Sendable, Equatable {
        /// 20 bytes, left-padded to a word.
        case address([UInt8])
        /// `uint<M>`: the caller keeps the value within M bits (a `uint8` is just a small uint).
        case uint(Word256)
        case bool(Bool)
        /// `bytes1`…`bytes32`, right-padded to a word.
        case fixedBytes([UInt8])
        /// Dynamic `bytes`: an offset in the head; length word and right-padded data in the tail.
        case bytes([UInt8])
        /// Dynamic `string` (its UTF-8 bytes, encoded like `bytes`).
        case string(String)

        var isDynamic: Bool {
            switch self {
            case .bytes, .string: return true
            case .address, .uint, .bool, .fixedBytes: return false
            }
        }

        /// `uint` from a 64-bit value.
        public static func uint(_ value: UInt64) -> Value { .uint(Word256(value)) }

        /// An address from `0x` + 40 hex digits (mixed case must carry a valid EIP-55 checksum).
        public static func address(_ text: String) throws(Error) -> Value {
            .address(try Ethereum.addressBytes(text))
        }
    }

    /// The first 4 bytes of keccak-256 of a canonical function signature such as `transfer(address,uint256)`.
    public static func selector(_ signature: String) -> [UInt8] {
        Array(Keccak256.hash(Array(signature.utf8)).prefix(4))
    }

    /// `selector(signature) ‖ encode(arguments)`.
    public static func encodeCall(_ signature: String, _ arguments: [Value]) throws(Error) -> [UInt8] {
        selector(signature) + (try encode(arguments))
    }

    /// The ABI encoding of a tuple of arguments (without a selector).
    public static func encode(_ arguments: [Value]) throws(Error) -> [UInt8] {
        var head: [UInt8] = []
        var tail: [UInt8] = []
        let headSize = 32 * arguments.count
        for argument in arguments {
            switch argument {
            case .address(let bytes):
                guard bytes.count == 20 else { throw Error("an address must be 20 bytes, got \(bytes.count)") }
                head += [UInt8](repeating: 0, count: 12) + bytes
            case .uint(let word):
                head += word.bytes
            case .bool(let flag):
                head += Word256(flag ? 1 : 0).bytes
            case .fixedBytes(let bytes):
                guard (1...32).contains(bytes.count) else { throw Error("bytesN must be 1 to 32 bytes, got \(bytes.count)") }
                head += bytes + [UInt8](repeating: 0, count: 32 - bytes.count)
            case .bytes(let bytes):
                head += Word256(UInt64(headSize + tail.count)).bytes
                tail += dynamicTail(bytes)
            case .string(let text):
                head += Word256(UInt64(headSize + tail.count)).bytes
                tail += dynamicTail(Array(text.utf8))
            }
        }
        return head + tail
    }

    /// Length word, then the data right-padded to a multiple of 32 bytes.
    private static func dynamicTail(_ bytes: [UInt8]) -> [UInt8] {
        let padding = (32 - bytes.count % 32) % 32
        return Word256(UInt64(bytes.count)).bytes + bytes + [UInt8](repeating: 0, count: padding)
    }

    /// Decodes a single `uint256` return value (exactly one 32-byte word, as `eth_call` returns
    /// for `balanceOf`, `decimals`, `allowance`, …).
    public static func decodeUInt256(_ returnData: [UInt8]) throws(Error) -> Word256 {
        guard returnData.count == 32 else {
            throw Error(returnData.isEmpty
                ? "empty return data (no contract at that address, or the call reverted)"
                : "a uint256 return value is 32 bytes, got \(returnData.count)")
        }
        return Word256(uncheckedBytes: returnData)
    }

    /// Decodes a single `uint256` return value from `eth_call`'s `0x…` hex result.
    public static func decodeUInt256(hex text: String) throws(Error) -> Word256 {
        let data: [UInt8]
        do {
            data = try Hex.decode(text)
        } catch {
            throw Error("return data is not hex: \(error.description)")
        }
        return try decodeUInt256(data)
    }

    /// Decodes a single `bool` return value (a word that is exactly 0 or 1).
    public static func decodeBool(_ returnData: [UInt8]) throws(Error) -> Bool {
        let word = try decodeUInt256(returnData)
        if word.isZero { return false }
        if word == Word256(1) { return true }
        throw Error("a bool return value must be 0 or 1")
    }
}

/// ERC-20 calls.
public enum ERC20 {
    public static let transferSignature = "transfer(address,uint256)"
    public static let balanceOfSignature = "balanceOf(address)"
    /// `a9059cbb`
    public static let transferSelector = ABI.selector(transferSignature)
    /// `70a08231`
    public static let balanceOfSelector = ABI.selector(balanceOfSignature)

    /// Call data for `transfer(to, amount)` (amount in the token's base units).
    public static func transfer(to: String, amount: Word256) throws(ABI.Error) -> [UInt8] {
        try ABI.encodeCall(transferSignature, [ABI.Value.address(to), .uint(amount)])
    }

    /// Call data for `balanceOf(owner)`; decode the result with ``ABI/decodeUInt256(_:)``.
    public static func balanceOf(_ owner: String) throws(ABI.Error) -> [UInt8] {
        try ABI.encodeCall(balanceOfSignature, [ABI.Value.address(owner)])
    }
}

extension EIP3009 {
    /// `transferWithAuthorization` with the signature split into `v`, `r`, `s` (USDC v2 and the EIP's reference).
    public static let transferWithAuthorizationVRSSignature =
        "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)"
    /// `transferWithAuthorization` with the signature as `bytes` (USDC v2.2+, which also accepts ERC-1271 wallets).
    public static let transferWithAuthorizationBytesSignature =
        "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)"
    /// `e3ee160e`
    public static let transferWithAuthorizationVRSSelector = ABI.selector(transferWithAuthorizationVRSSignature)
    /// `cf092995`
    public static let transferWithAuthorizationBytesSelector = ABI.selector(transferWithAuthorizationBytesSignature)

    /// Call data for the `v, r, s` form. `signature` is 65 bytes `r ‖ s ‖ v` with `v` ∈ {27, 28, 0, 1}
    /// (`v` is sent as 27 or 28).
    public static func transferWithAuthorizationCall(_ authorization: Authorization, signature: [UInt8]) throws(ABI.Error) -> [UInt8] {
        guard signature.count == 65 else { throw ABI.Error("an EIP-3009 signature must be 65 bytes r ‖ s ‖ v, got \(signature.count)") }
        let v: UInt64
        switch signature[64] {
        case 0, 1: v = UInt64(signature[64]) + 27
        case 27, 28: v = UInt64(signature[64])
        default: throw ABI.Error("signature v must be 27 or 28 (or 0/1), got \(signature[64])")
        }
        return try ABI.encodeCall(transferWithAuthorizationVRSSignature, try authorizationArguments(authorization) + [
            .uint(v), .fixedBytes(Array(signature[0..<32])), .fixedBytes(Array(signature[32..<64])),
        ])
    }

    /// Call data for the `bytes signature` form; the signature bytes are passed through unchanged
    /// (65 bytes `r ‖ s ‖ v` for an EOA, anything the wallet's ERC-1271 check accepts otherwise).
    public static func transferWithAuthorizationCall(_ authorization: Authorization, signatureBytes: [UInt8]) throws(ABI.Error) -> [UInt8] {
        try ABI.encodeCall(transferWithAuthorizationBytesSignature, try authorizationArguments(authorization) + [.bytes(signatureBytes)])
    }

    private static func authorizationArguments(_ authorization: Authorization) throws(ABI.Error) -> [ABI.Value] {
        guard authorization.nonce.count == 32 else { throw ABI.Error("EIP-3009 nonce must be 32 bytes, got \(authorization.nonce.count)") }
        return [
            try ABI.Value.address(authorization.from),
            try ABI.Value.address(authorization.to),
            .uint(authorization.value),
            .uint(authorization.validAfter),
            .uint(authorization.validBefore),
            .fixedBytes(authorization.nonce),
        ]
    }
}

extension Ethereum {
    /// The 20 bytes of an address written `0x` + 40 hex digits (mixed case must carry a valid EIP-55 checksum).
    public static func addressBytes(_ text: String) throws(ABI.Error) -> [UInt8] {
        let checksummed: String
        do {
            checksummed = try EIP55.validate(text)
        } catch {
            throw ABI.Error("invalid address \(text): \(error.description)")
        }
        // A validated address is `0x` + 40 hex digits, so this cannot fail.
        return (try? Hex.decode(checksummed)) ?? []
    }

    /// The 20 bytes of `0x` + 40 hex digits in any letter case, without the EIP-55 check: for
    /// addresses validated where they came in, on hot paths where the bytes are what is hashed
    /// or compared (the checksum costs a keccak-256 each time).
    public static func addressBytesIgnoringChecksum(_ text: String) throws(ABI.Error) -> [UInt8] {
        guard text.utf8.count == 42, text.utf8.starts(with: [UInt8(ascii: "0"), UInt8(ascii: "x")]),
              let bytes = try? Hex.decode(text), bytes.count == 20 else {
            throw ABI.Error("invalid address \(text): expected 0x and 40 hex digits")
        }
        return bytes
    }
}
