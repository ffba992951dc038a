/// Version-byte families of serialized extended keys (BIP-32, plus the SLIP-132 prefixes that
/// wallets use to say which address type an account key is for).
public enum ExtendedKeyFormat: String, Sendable, CaseIterable {
    /// BIP-32 mainnet `xprv` / `xpub`.
    case xpub
    /// BIP-32 testnet `tprv` / `tpub` (also used on regtest).
    case tpub
    /// SLIP-132 mainnet P2SH-P2WPKH accounts (BIP-49), `yprv` / `ypub`.
    case ypub
    /// SLIP-132 mainnet P2WPKH accounts (BIP-84), `zprv` / `zpub`.
    case zpub
    /// SLIP-132 testnet P2SH-P2WPKH accounts, `uprv` / `upub`.
    case upub
    /// SLIP-132 testnet P2WPKH accounts, `vprv` / `vpub`.
    case vpub

    public var privateVersion: UInt32 {
        switch self {
        case .xpub: return 0x0488_ADE4
        case .tpub: return 0x0435_8394
        case .ypub: return 0x049D_7878
        case .zpub: return 0x04B2_430C
        case .upub: return 0x044A_4E28
        case .vpub: return 0x045F_18BC
        }
    }

    public var publicVersion: UInt32 {
        switch self {
        case .xpub: return 0x0488_B21E
        case .tpub: return 0x0435_87CF
        case .ypub: return 0x049D_7CB2
        case .zpub: return 0x04B2_4746
        case .upub: return 0x044A_5262
        case .vpub: return 0x045F_1CF6
        }
    }

    /// Testnet/regtest formats (`tpub`, `upub`, `vpub`).
    public var isTestnet: Bool { self == .tpub || self == .upub || self == .vpub }

    /// The address scheme a SLIP-132 prefix announces; `nil` for plain `xpub`/`tpub`.
    public var impliedScheme: AddressScheme? {
        switch self {
        case .xpub, .tpub: return nil
        case .ypub, .upub: return .p2shP2WPKH
        case .zpub, .vpub: return .p2wpkh
        }
    }

    /// The plain BIP-32 format of the same network.
    public var plain: ExtendedKeyFormat { isTestnet ? .tpub : .xpub }

    static func find(version: UInt32) -> (format: ExtendedKeyFormat, isPrivate: Bool)? {
        for format in allCases {
            if format.privateVersion == version { return (format, true) }
            if format.publicVersion == version { return (format, false) }
        }
        return nil
    }
}

/// A BIP-32 extended key (secp256k1): key material plus chain code and position in the tree.
///
/// Private extended keys derive hardened and normal children; public ones (from `xpub`) only normal
/// children. Printing (`description`, `dump`, string interpolation) never shows private material.
public struct ExtendedKey: Sendable, CustomStringConvertible, CustomReflectable {
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case invalidSeedLength(Int)
        /// The master or a child key is invalid (IL ≥ n or a zero key); BIP-32 says to skip such an index.
        case invalidDerivedKey(index: UInt32)
        case hardenedDerivationFromPublicKey(index: UInt32)
        case depthOverflow
        // Parsing
        case invalidEncoding(String)
        case invalidLength(Int)
        case unknownVersion(UInt32)
        case invalidPrivateKey
        case invalidPublicKey
        case zeroDepthWithParentFingerprint
        case zeroDepthWithChildNumber

        public var description: String {
            switch self {
            case .invalidSeedLength(let count): return "BIP-32 seed must be 16 to 64 bytes, got \(count)"
            case .invalidDerivedKey(let index): return "child \(DerivationPath.format(index)) gives an invalid key (use the next index)"
            case .hardenedDerivationFromPublicKey(let index):
                return "cannot derive hardened child \(DerivationPath.format(index)) from an extended public key"
            case .depthOverflow: return "extended key depth would exceed 255"
            case .invalidEncoding(let reason): return "extended key is not valid base58check: \(reason)"
            case .invalidLength(let count): return "extended key must be 78 bytes, got \(count)"
            case .unknownVersion(let version): return "unknown extended key version 0x\(String(version, radix: 16, uppercase: false))"
            case .invalidPrivateKey: return "extended private key holds an invalid private key"
            case .invalidPublicKey: return "extended public key holds an invalid public key"
            case .zeroDepthWithParentFingerprint: return "master key (depth 0) must have parent fingerprint 00000000"
            case .zeroDepthWithChildNumber: return "master key (depth 0) must have child number 0"
            }
        }
    }

    public let format: ExtendedKeyFormat
    public let depth: UInt8
    /// First four bytes of the parent's HASH160(public key), big-endian; 0 for the master key.
    public let parentFingerprint: UInt32
    public let childNumber: UInt32
    public let chainCode: [UInt8]
    /// 32 bytes, or `nil` for a public extended key.
    public let privateKey: [UInt8]?
    /// 33-byte compressed public key.
    public let publicKey: [UInt8]

    init(format: ExtendedKeyFormat, depth: UInt8, parentFingerprint: UInt32, childNumber: UInt32,
         chainCode: [UInt8], privateKey: [UInt8]?, publicKey: [UInt8]) {
        self.format = format
        self.depth = depth
        self.parentFingerprint = parentFingerprint
        self.childNumber = childNumber
        self.chainCode = chainCode
        self.privateKey = privateKey
        self.publicKey = publicKey
    }

    /// The master key of `seed` (16–64 bytes; BIP-39 seeds are 64): I = HMAC-SHA512("Bitcoin seed", seed).
    public init(seed: [UInt8], format: ExtendedKeyFormat = .xpub) throws(Error) {
        guard (16...64).contains(seed.count) else { throw .invalidSeedLength(seed.count) }
        let i = hmacSHA512(key: Array("Bitcoin seed".utf8), data: seed)
        let key = Array(i[0..<32])
        guard let publicKey = try? Secp256k1.publicKey(privateKey: key) else { throw .invalidDerivedKey(index: 0) }
        self.init(format: format, depth: 0, parentFingerprint: 0, childNumber: 0,
                  chainCode: Array(i[32..<64]), privateKey: key, publicKey: publicKey)
    }

    /// Parses an `xprv`/`xpub`/`tprv`/`tpub` (or SLIP-132 `y…`/`z…`/`u…`/`v…`) string, checking the
    /// checksum, version, key material and the depth-0 invariants.
    public init(parsing text: String) throws(Error) {
        let payload: [UInt8]
        do {
            payload = try Base58Check.decode(text)
        } catch {
            throw .invalidEncoding(error.description)
        }
        guard payload.count == 78 else { throw .invalidLength(payload.count) }
        let version = Self.readUInt32(payload, at: 0)
        guard let (format, isPrivate) = ExtendedKeyFormat.find(version: version) else { throw .unknownVersion(version) }
        let depth = payload[4]
        let parentFingerprint = Self.readUInt32(payload, at: 5)
        let childNumber = Self.readUInt32(payload, at: 9)
        if depth == 0 {
            guard parentFingerprint == 0 else { throw .zeroDepthWithParentFingerprint }
            guard childNumber == 0 else { throw .zeroDepthWithChildNumber }
        }
        let chainCode = Array(payload[13..<45])
        let keyData = Array(payload[45..<78])
        if isPrivate {
            guard keyData[0] == 0 else { throw .invalidPrivateKey }
            let key = Array(keyData[1...])
            guard let publicKey = try? Secp256k1.publicKey(privateKey: key) else { throw .invalidPrivateKey }
            self.init(format: format, depth: depth, parentFingerprint: parentFingerprint, childNumber: childNumber,
                      chainCode: chainCode, privateKey: key, publicKey: publicKey)
        } else {
            guard keyData[0] == 0x02 || keyData[0] == 0x03, Secp256k1.isValidPublicKey(keyData) else { throw .invalidPublicKey }
            self.init(format: format, depth: depth, parentFingerprint: parentFingerprint, childNumber: childNumber,
                      chainCode: chainCode, privateKey: nil, publicKey: keyData)
        }
    }

    public var isPrivate: Bool { privateKey != nil }

    /// HASH160 of the compressed public key.
    public var identifier: [UInt8] { Hashes.hash160(publicKey) }

    /// First four bytes of ``identifier``, big-endian.
    public var fingerprint: UInt32 { Self.readUInt32(identifier, at: 0) }

    /// The public extended key of the same node.
    public var neutered: ExtendedKey {
        ExtendedKey(format: format, depth: depth, parentFingerprint: parentFingerprint, childNumber: childNumber,
                    chainCode: chainCode, privateKey: nil, publicKey: publicKey)
    }

    /// The same key under another version-byte family (e.g. a `zpub` as an `xpub`).
    public func converted(to format: ExtendedKeyFormat) -> ExtendedKey {
        ExtendedKey(format: format, depth: depth, parentFingerprint: parentFingerprint, childNumber: childNumber,
                    chainCode: chainCode, privateKey: privateKey, publicKey: publicKey)
    }

    /// The serialized extended public key (`xpub…`, `tpub…`, …).
    public var extendedPublicKey: String {
        serialize(version: format.publicVersion, keyData: publicKey)
    }

    /// The serialized extended private key (`xprv…`, …), or `nil` for a public key.
    public var extendedPrivateKey: String? {
        privateKey.map { serialize(version: format.privateVersion, keyData: [0] + $0) }
    }

    /// CKDpriv or CKDpub for one child. Indices ≥ 2^31 are hardened and need a private key.
    public func child(_ index: UInt32) throws(Error) -> ExtendedKey {
        guard depth < UInt8.max else { throw .depthOverflow }
        let hardened = DerivationPath.isHardened(index)
        let indexBytes = Self.bytes(index)
        let data: [UInt8]
        if hardened {
            guard let privateKey else { throw .hardenedDerivationFromPublicKey(index: index) }
            data = [0] + privateKey + indexBytes
        } else {
            data = publicKey + indexBytes
        }
        let i = hmacSHA512(key: chainCode, data: data)
        let tweak = Array(i[0..<32])
        let childChainCode = Array(i[32..<64])
        if let privateKey {
            guard let childKey = try? Secp256k1.privateKeyTweakAdd(privateKey, tweak: tweak),
                  let childPublic = try? Secp256k1.publicKey(privateKey: childKey) else {
                throw .invalidDerivedKey(index: index)
            }
            return ExtendedKey(format: format, depth: depth + 1, parentFingerprint: fingerprint, childNumber: index,
                               chainCode: childChainCode, privateKey: childKey, publicKey: childPublic)
        }
        guard let childPublic = try? Secp256k1.publicKeyTweakAdd(publicKey, tweak: tweak) else {
            throw .invalidDerivedKey(index: index)
        }
        return ExtendedKey(format: format, depth: depth + 1, parentFingerprint: fingerprint, childNumber: index,
                           chainCode: childChainCode, privateKey: nil, publicKey: childPublic)
    }

    /// Derives every component of `path` in turn, starting from this key.
    public func derive(_ path: DerivationPath) throws(Error) -> ExtendedKey {
        var key = self
        for index in path.components { key = try key.child(index) }
        return key
    }

    /// Parses `path` and derives it.
    public func derive(_ path: String) throws -> ExtendedKey {
        try derive(DerivationPath(parsing: path))
    }

    public var description: String { extendedPublicKey }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "format": format, "depth": depth, "childNumber": childNumber,
            "extendedPublicKey": extendedPublicKey, "isPrivate": isPrivate,
        ])
    }

    // MARK: Serialization helpers

    func serialize(version: UInt32, keyData: [UInt8]) -> String {
        var payload: [UInt8] = []
        payload.reserveCapacity(78)
        payload += Self.bytes(version)
        payload.append(depth)
        payload += Self.bytes(parentFingerprint)
        payload += Self.bytes(childNumber)
        payload += chainCode
        payload += keyData
        return Base58Check.encode(payload)
    }

    static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
