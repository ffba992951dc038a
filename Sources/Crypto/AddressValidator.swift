/// Chains whose payout addresses the merchant API accepts.
public enum AddressChain: String, Sendable, CaseIterable {
    case btc = "BTC", ltc = "LTC", bch = "BCH", eth = "ETH", pol = "POL", base = "BASE", sol = "SOL"

    /// EVM chains share one address format on every network.
    public var isEVM: Bool { self == .eth || self == .pol || self == .base }
}

public enum ChainNetwork: String, Sendable, CaseIterable {
    case mainnet, testnet, regtest
}

/// Why an address was rejected; `reason` is a specific, human-readable sentence fragment.
public struct AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

public enum AddressKind: String, Sendable {
    case p2pkh, p2sh, p2wpkh, p2wsh, p2tr, cashaddrP2PKH, cashaddrP2SH, evm, solana
}

public struct ValidatedAddress: Sendable, Equatable {
    public let chain: AddressChain
    public let network: ChainNetwork
    public let kind: AddressKind
    /// Canonical form to store: lowercase for bech32 and CashAddr (CashAddr always with its prefix),
    /// EIP-55 checksummed for EVM, unchanged for base58 (legacy and Solana).
    public let normalized: String

    public init(chain: AddressChain, network: ChainNetwork, kind: AddressKind, normalized: String) {
        self.chain = chain
        self.network = network
        self.kind = kind
        self.normalized = normalized
    }
}

/// Validates a payout address for a chain and network.
///
/// Notes on what can and cannot be told apart:
/// - Base58 legacy addresses use the same version bytes on testnet and regtest (BTC, LTC and BCH
///   alike), so a testnet legacy address is also accepted on regtest and vice versa. Bech32 and
///   CashAddr prefixes do distinguish them.
/// - Legacy base58 addresses of BTC and BCH are byte-identical on a given network.
/// - Only defined segwit outputs are accepted (v0 P2WPKH/P2WSH, v1 32-byte P2TR); higher witness
///   versions are valid BIP-350 strings but have no spending rules yet, so paying them is unsafe.
public enum AddressValidator {
    /// Inputs longer than this are rejected before any decoding (the longest accepted form,
    /// a BCH P2SH32 CashAddr with prefix, is 73 characters).
    public static let maximumLength = 128

    public static func validate(_ address: String, chain: AddressChain, network: ChainNetwork) throws(AddressError) -> ValidatedAddress {
        try checkCharacters(address)
        switch chain {
        case .eth, .pol, .base:
            return try validateEVM(address, chain: chain, network: network)
        case .sol:
            return try validateSolana(address, network: network)
        case .btc, .ltc:
            return try validateBitcoinLike(address, chain: chain, network: network)
        case .bch:
            return try validateBitcoinCash(address, network: network)
        }
    }

    // MARK: - Network parameters

    struct Base58Versions {
        let p2pkh: [UInt8]
        let p2sh: [UInt8]
    }

    /// Legacy base58check version bytes accepted per chain and network.
    /// LTC accepts its own P2SH byte and the Bitcoin-compatible one that Litecoin Core still decodes
    /// (mainnet 0x32 and 0x05; testnet/regtest 0x3a and 0xc4).
    static func base58Versions(_ chain: AddressChain, _ network: ChainNetwork) -> Base58Versions? {
        switch (chain, network) {
        case (.btc, .mainnet), (.bch, .mainnet): return Base58Versions(p2pkh: [0x00], p2sh: [0x05])
        case (.btc, _), (.bch, _): return Base58Versions(p2pkh: [0x6F], p2sh: [0xC4])
        case (.ltc, .mainnet): return Base58Versions(p2pkh: [0x30], p2sh: [0x32, 0x05])
        case (.ltc, _): return Base58Versions(p2pkh: [0x6F], p2sh: [0x3A, 0xC4])
        default: return nil
        }
    }

    /// Segwit human-readable prefix per chain and network (BCH has no segwit).
    static func segwitHRP(_ chain: AddressChain, _ network: ChainNetwork) -> String? {
        switch (chain, network) {
        case (.btc, .mainnet): return "bc"
        case (.btc, .testnet): return "tb"
        case (.btc, .regtest): return "bcrt"
        case (.ltc, .mainnet): return "ltc"
        case (.ltc, .testnet): return "tltc"
        case (.ltc, .regtest): return "rltc"
        default: return nil
        }
    }

    static func cashAddrPrefix(_ network: ChainNetwork) -> String {
        switch network {
        case .mainnet: return CashAddr.mainnetPrefix
        case .testnet: return CashAddr.testnetPrefix
        case .regtest: return CashAddr.regtestPrefix
        }
    }

    static func label(_ chain: AddressChain, _ network: ChainNetwork) -> String {
        "\(chain.rawValue) \(network.rawValue)"
    }

    /// The chain and network a segwit hrp belongs to, if any.
    static func owner(ofSegwitHRP hrp: String) -> (chain: AddressChain, network: ChainNetwork)? {
        for chain in [AddressChain.btc, .ltc] {
            for network in ChainNetwork.allCases where segwitHRP(chain, network) == hrp {
                return (chain, network)
            }
        }
        return nil
    }

    /// The network a CashAddr prefix belongs to, if any.
    static func owner(ofCashAddrPrefix prefix: String) -> ChainNetwork? {
        ChainNetwork.allCases.first { cashAddrPrefix($0) == prefix }
    }

    /// Who uses a base58 version byte, e.g. "BTC mainnet P2PKH or BCH mainnet P2PKH".
    static func users(ofBase58Version version: UInt8) -> String? {
        var groups: [(chain: AddressChain, kind: String, networks: [String])] = []
        for chain in [AddressChain.btc, .ltc, .bch] {
            for kind in ["P2PKH", "P2SH"] {
                var networks: [String] = []
                for network in ChainNetwork.allCases {
                    guard let versions = base58Versions(chain, network) else { continue }
                    let list = kind == "P2PKH" ? versions.p2pkh : versions.p2sh
                    if list.contains(version) { networks.append(network.rawValue) }
                }
                if !networks.isEmpty { groups.append((chain, kind, networks)) }
            }
        }
        guard !groups.isEmpty else { return nil }
        return groups.map { "\($0.chain.rawValue) \($0.networks.joined(separator: "/")) \($0.kind)" }.joined(separator: " or ")
    }

    static func hexByte(_ byte: UInt8) -> String {
        "0x" + Hex.encode([byte])
    }

    // MARK: - Shared checks

    private static func checkCharacters(_ address: String) throws(AddressError) {
        guard !address.isEmpty else { throw AddressError(reason: "address is empty") }
        if let first = address.unicodeScalars.first, let last = address.unicodeScalars.last,
           first.properties.isWhitespace || last.properties.isWhitespace {
            throw AddressError(reason: "address has leading or trailing whitespace")
        }
        guard address.utf8.count <= maximumLength else {
            throw AddressError(reason: "address is too long (\(address.utf8.count) bytes; no supported address exceeds \(maximumLength))")
        }
        for (offset, scalar) in address.unicodeScalars.enumerated() where scalar.value < 33 || scalar.value > 126 {
            if scalar.properties.isWhitespace {
                throw AddressError(reason: "address contains whitespace at offset \(offset)")
            }
            throw AddressError(reason: "address contains a non-ASCII or control character (U+\(String(scalar.value, radix: 16, uppercase: true))) at offset \(offset)")
        }
    }

    /// A hint naming what a string looks like when it is not an address of the requested chain.
    static func foreignDescription(_ address: String) -> String? {
        let lower = address.lowercased()
        if lower.hasPrefix("0x") {
            return lower.utf8.count == 42 ? "an EVM (0x…) address" : "a 0x-prefixed hex string"
        }
        if let colon = lower.firstIndex(of: ":") {
            let scheme = String(lower[..<colon])
            if let network = owner(ofCashAddrPrefix: scheme) { return "a CashAddr address for \(label(.bch, network))" }
            return "a '\(scheme):' URI rather than a bare address"
        }
        if let segwit = try? SegwitAddress.decode(address), let owner = owner(ofSegwitHRP: segwit.hrp) {
            return "a segwit address for \(label(owner.chain, owner.network))"
        }
        if let payload = try? Base58Check.decode(address) {
            if payload.count == 21, let users = users(ofBase58Version: payload[0]) {
                return "an address for \(users)"
            }
            if (payload.count == 33 || payload.count == 34), [0x80, 0xEF, 0xB0].contains(payload[0]) {
                return "a WIF private key — never share it"
            }
        }
        if let bytes = try? Base58.decode(address), bytes.count == 32 {
            return "a SOL address"
        }
        if let cash = try? CashAddr.decode(address), let network = owner(ofCashAddrPrefix: cash.prefix) {
            return "a CashAddr address for \(label(.bch, network))"
        }
        return nil
    }

    private static func hint(_ address: String) -> String {
        foreignDescription(address).map { " (it looks like \($0))" } ?? ""
    }

    // MARK: - EVM

    private static func validateEVM(_ address: String, chain: AddressChain, network: ChainNetwork) throws(AddressError) -> ValidatedAddress {
        let name = chain.rawValue
        if address.hasPrefix("0X") {
            throw AddressError(reason: "\(name) address must start with a lowercase '0x', not '0X'")
        }
        if !address.hasPrefix("0x") {
            if address.utf8.count == 40, address.utf8.allSatisfy({ Hex.nibble($0) != nil }) {
                throw AddressError(reason: "\(name) address is missing its '0x' prefix")
            }
            throw AddressError(reason: "\(name) address must be '0x' followed by 40 hex digits\(hint(address))")
        }
        do {
            let checksummed = try EIP55.validate(address)
            return ValidatedAddress(chain: chain, network: network, kind: .evm, normalized: checksummed)
        } catch {
            switch error {
            case .invalidLength(let count):
                let extra = count == 64 ? " (64 hex digits is a hash or private key, not an address)" : ""
                throw AddressError(reason: "\(name) address must have exactly 40 hex digits after '0x', got \(count)\(extra)")
            case .invalidCharacter(let character, let offset):
                throw AddressError(reason: "\(name) address has a non-hex character '\(character.debugDescriptionWithoutQuotes)' at offset \(offset)")
            case .checksumMismatch(let expected):
                throw AddressError(reason: "\(name) address has mixed case but fails its EIP-55 checksum (a typo? the checksummed form of these digits is \(expected))")
            case .missingPrefix, .invalidByteCount:
                throw AddressError(reason: "\(name) address: \(error.description)")
            }
        }
    }

    // MARK: - Solana

    private static func validateSolana(_ address: String, network: ChainNetwork) throws(AddressError) -> ValidatedAddress {
        if address.lowercased().hasPrefix("0x") {
            throw AddressError(reason: "SOL addresses are base58-encoded 32-byte public keys, not 0x-prefixed hex\(hint(address))")
        }
        let bytes: [UInt8]
        do {
            bytes = try Base58.decode(address)
        } catch {
            throw AddressError(reason: "SOL address is not valid base58: \(error.description)\(hint(address))")
        }
        guard bytes.count == 32 else {
            throw AddressError(reason: "SOL address must decode to 32 bytes, got \(bytes.count)\(hint(address))")
        }
        return ValidatedAddress(chain: .sol, network: network, kind: .solana, normalized: address)
    }

    // MARK: - BTC and LTC

    private static func validateBitcoinLike(_ address: String, chain: AddressChain, network: ChainNetwork) throws(AddressError) -> ValidatedAddress {
        let name = label(chain, network)
        guard let expectedHRP = segwitHRP(chain, network), let versions = base58Versions(chain, network) else {
            throw AddressError(reason: "\(chain.rawValue) is not a bitcoin-like chain")
        }
        let lower = address.lowercased()

        if lower.hasPrefix("0x") {
            throw AddressError(reason: "\(name) address cannot be 0x-prefixed hex\(hint(address))")
        }
        if address.contains(":") {
            throw AddressError(reason: "\(name) address must not contain ':'\(hint(address))")
        }

        // Bech32: the part before the last '1' is a segwit hrp we know, or the string is a valid bech32 string.
        if let separator = lower.lastIndex(of: "1") {
            let hrp = String(lower[..<separator])
            let knownOwner = owner(ofSegwitHRP: hrp)
            let isBech32 = knownOwner != nil || (try? Bech32.decode(address)) != nil
            if isBech32 && (try? Base58Check.decode(address)) == nil {
                guard hrp == expectedHRP else {
                    let what = knownOwner.map { " (that prefix belongs to \(label($0.chain, $0.network)))" } ?? ""
                    throw AddressError(reason: "bech32 prefix '\(hrp)' is not \(name)'s '\(expectedHRP)'\(what)")
                }
                return try validateSegwit(address, chain: chain, network: network)
            }
        }

        return try validateBase58(address, chain: chain, network: network, versions: versions)
    }

    private static func validateSegwit(_ address: String, chain: AddressChain, network: ChainNetwork) throws(AddressError) -> ValidatedAddress {
        let name = label(chain, network)
        let segwit: SegwitAddress
        do {
            segwit = try SegwitAddress.decode(address)
        } catch {
            throw AddressError(reason: "invalid \(name) segwit address: \(error.description)")
        }
        let kind: AddressKind
        switch (segwit.version, segwit.program.count) {
        case (0, 20): kind = .p2wpkh
        case (0, 32): kind = .p2wsh
        case (1, 32): kind = .p2tr
        case (1, let length):
            throw AddressError(reason: "witness v1 program must be 32 bytes (taproot), got \(length); other v1 lengths are not spendable yet")
        default:
            throw AddressError(reason: "witness version \(segwit.version) has no defined spending rules yet; funds sent to it could be lost")
        }
        return ValidatedAddress(chain: chain, network: network, kind: kind, normalized: segwit.encoded)
    }

    private static func validateBase58(_ address: String, chain: AddressChain, network: ChainNetwork, versions: Base58Versions) throws(AddressError) -> ValidatedAddress {
        let name = label(chain, network)
        let payload: [UInt8]
        do {
            payload = try Base58Check.decode(address)
        } catch {
            throw AddressError(reason: "not a valid \(name) address: \(error.description)\(hint(address))")
        }
        guard payload.count == 21 else {
            throw AddressError(reason: "\(name) base58 address must hold a version byte and a 20-byte hash (21 bytes), got \(payload.count) bytes\(hint(address))")
        }
        let version = payload[0]
        if versions.p2pkh.contains(version) {
            return ValidatedAddress(chain: chain, network: network, kind: .p2pkh, normalized: address)
        }
        if versions.p2sh.contains(version) {
            return ValidatedAddress(chain: chain, network: network, kind: .p2sh, normalized: address)
        }
        let expected = "expected \(versions.p2pkh.map(hexByte).joined(separator: " or ")) for P2PKH, \(versions.p2sh.map(hexByte).joined(separator: " or ")) for P2SH"
        let whose = users(ofBase58Version: version).map { "; that version belongs to \($0)" } ?? ""
        throw AddressError(reason: "base58 version byte \(hexByte(version)) is not valid for \(name) (\(expected))\(whose)")
    }

    // MARK: - BCH

    private static func validateBitcoinCash(_ address: String, network: ChainNetwork) throws(AddressError) -> ValidatedAddress {
        let name = label(.bch, network)
        let expectedPrefix = cashAddrPrefix(network)
        guard let versions = base58Versions(.bch, network) else {
            throw AddressError(reason: "BCH has no base58 parameters")
        }

        if address.lowercased().hasPrefix("0x") {
            throw AddressError(reason: "\(name) address cannot be 0x-prefixed hex\(hint(address))")
        }

        // CashAddr with an explicit prefix.
        if let colon = address.firstIndex(of: ":") {
            let prefix = address[..<colon].lowercased()
            guard prefix == expectedPrefix else {
                let what: String
                if let owner = owner(ofCashAddrPrefix: prefix) {
                    what = " (that prefix belongs to \(label(.bch, owner)))"
                } else {
                    what = ""
                }
                throw AddressError(reason: "cashaddr prefix '\(prefix)' is not \(name)'s '\(expectedPrefix)'\(what)")
            }
            let decoded: CashAddr.Address
            do {
                decoded = try CashAddr.decode(address)
            } catch {
                throw AddressError(reason: "invalid \(name) CashAddr address: \(error.description)")
            }
            return try acceptCashAddr(decoded, network: network)
        }

        // Legacy base58.
        if let payload = try? Base58Check.decode(address), payload.count == 21 {
            return try validateBase58(address, chain: .bch, network: network, versions: versions)
        }

        // Segwit is a BTC/LTC feature; BCH never adopted it.
        if let segwit = try? SegwitAddress.decode(address) {
            let whose = owner(ofSegwitHRP: segwit.hrp).map { "; '\(segwit.hrp)' is the \(label($0.chain, $0.network)) prefix" } ?? ""
            throw AddressError(reason: "BCH does not support segwit (bech32) addresses\(whose)")
        }
        if (try? Bech32.decode(address)) != nil {
            throw AddressError(reason: "BCH does not support bech32 addresses")
        }

        // CashAddr without a prefix: the checksum still commits to the network's prefix.
        let decoded: CashAddr.Address
        do {
            decoded = try CashAddr.decode(address, defaultPrefix: expectedPrefix)
        } catch {
            if case .invalidChecksum = error {
                for other in ChainNetwork.allCases where other != network {
                    if (try? CashAddr.decode(address, defaultPrefix: cashAddrPrefix(other))) != nil {
                        throw AddressError(reason: "cashaddr checksum matches prefix '\(cashAddrPrefix(other))', so this is a \(label(.bch, other)) address, not \(name)")
                    }
                }
            }
            if let first = address.unicodeScalars.first, "qpQP".unicodeScalars.contains(first) {
                throw AddressError(reason: "invalid \(name) CashAddr address: \(error.description)")
            }
            // Not CashAddr-looking: report the base58 problem (or name the foreign format).
            return try validateBase58(address, chain: .bch, network: network, versions: versions)
        }
        return try acceptCashAddr(decoded, network: network)
    }

    private static func acceptCashAddr(_ decoded: CashAddr.Address, network: ChainNetwork) throws(AddressError) -> ValidatedAddress {
        let name = label(.bch, network)
        let length = decoded.hash.count
        if decoded.type.isScriptHash {
            guard length == 20 || length == 32 else {
                throw AddressError(reason: "\(name) CashAddr P2SH hash must be 20 or 32 bytes, got \(length)")
            }
            return ValidatedAddress(chain: .bch, network: network, kind: .cashaddrP2SH, normalized: decoded.encoded)
        }
        guard length == 20 else {
            throw AddressError(reason: "\(name) CashAddr P2PKH hash must be 20 bytes, got \(length)")
        }
        return ValidatedAddress(chain: .bch, network: network, kind: .cashaddrP2PKH, normalized: decoded.encoded)
    }
}
