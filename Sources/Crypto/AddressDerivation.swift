/// How an address is formed from a public key.
public enum AddressScheme: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Base58Check of HASH160(compressed key) (BIP-44; BCH "legacy").
    case p2pkh
    /// P2SH wrapping `OP_0 <HASH160(key)>` (BIP-49).
    case p2shP2WPKH = "p2sh-p2wpkh"
    /// Native segwit v0 key hash, bech32 (BIP-84).
    case p2wpkh
    /// Bitcoin Cash CashAddr P2PKH.
    case cashaddr
    /// EIP-55 checksummed keccak address (ETH, POL, Base).
    case evm
    /// Base58 of the 32-byte Ed25519 public key.
    case solana

    public var description: String { rawValue }

    /// BIP-43 purpose of the standard derivation path for this scheme.
    public var purpose: UInt32 {
        switch self {
        case .p2pkh, .cashaddr, .evm, .solana: return 44
        case .p2shP2WPKH: return 49
        case .p2wpkh: return 84
        }
    }
}

/// Addresses from public keys, and the standard BIP-44/49/84 (and Solana) derivation paths.
///
/// Coin types: BTC 0', LTC 2', BCH 145', ETH/POL/BASE 60', SOL 501'. On testnet and regtest the
/// UTXO chains use 1' (SLIP-44 "testnet, all coins"); EVM and Solana keep 60' / 501' on every network,
/// because their addresses do not depend on the network and wallets (MetaMask, Phantom) derive the
/// same account on mainnet and testnets.
public enum AddressDerivation {
    /// The scheme used when none is requested: P2WPKH for BTC/LTC, CashAddr for BCH.
    public static func defaultScheme(for chain: AddressChain) -> AddressScheme {
        switch chain {
        case .btc, .ltc: return .p2wpkh
        case .bch: return .cashaddr
        case .eth, .pol, .base: return .evm
        case .sol: return .solana
        }
    }

    /// Schemes that make sense for `chain`.
    public static func schemes(for chain: AddressChain) -> [AddressScheme] {
        switch chain {
        case .btc, .ltc: return [.p2wpkh, .p2shP2WPKH, .p2pkh]
        case .bch: return [.cashaddr, .p2pkh]
        case .eth, .pol, .base: return [.evm]
        case .sol: return [.solana]
        }
    }

    /// SLIP-44 coin type (without the hardened bit).
    public static func coinType(chain: AddressChain, network: ChainNetwork) -> UInt32 {
        switch chain {
        case .eth, .pol, .base: return 60
        case .sol: return 501
        case .btc, .ltc, .bch:
            guard network == .mainnet else { return 1 }
            switch chain {
            case .btc: return 0
            case .ltc: return 2
            default: return 145
            }
        }
    }

    /// `m/purpose'/coin'/account'`: the account node whose extended public key a watch-only setup uses.
    public static func accountPath(chain: AddressChain, network: ChainNetwork, scheme: AddressScheme? = nil, account: UInt32 = 0) -> DerivationPath {
        let scheme = scheme ?? defaultScheme(for: chain)
        return DerivationPath([
            DerivationPath.hardened(scheme.purpose),
            DerivationPath.hardened(coinType(chain: chain, network: network)),
            DerivationPath.hardened(account),
        ])
    }

    /// The standard path of receive address `index`:
    /// `m/purpose'/coin'/account'/0/index` (`change` selects the 1 chain), or for SOL
    /// `m/44'/501'/index'/0'` (Phantom/Solflare layout; `account` and `change` are not used).
    public static func path(chain: AddressChain, network: ChainNetwork, scheme: AddressScheme? = nil,
                            account: UInt32 = 0, change: Bool = false, index: UInt32) -> DerivationPath {
        if chain == .sol {
            return DerivationPath([DerivationPath.hardened(44), DerivationPath.hardened(501), DerivationPath.hardened(index), DerivationPath.hardened(0)])
        }
        return accountPath(chain: chain, network: network, scheme: scheme, account: account)
            .appending(change ? 1 : 0)
            .appending(index)
    }

    /// The address of `publicKey` on `chain`/`network`.
    ///
    /// - secp256k1 chains take a 33- or 65-byte key; BTC/LTC/BCH always hash the compressed form.
    /// - SOL takes the 32-byte Ed25519 key (or SLIP-10's 33-byte `00 ‖ key`).
    public static func address(publicKey: [UInt8], chain: AddressChain, network: ChainNetwork, scheme: AddressScheme? = nil) throws(AddressError) -> String {
        let scheme = scheme ?? defaultScheme(for: chain)
        guard schemes(for: chain).contains(scheme) else {
            throw AddressError(reason: "\(chain.rawValue) has no \(scheme) addresses (use one of \(schemes(for: chain).map(\.rawValue).joined(separator: ", ")))")
        }
        switch scheme {
        case .solana:
            let key: [UInt8]
            if publicKey.count == 33, publicKey[0] == 0 {
                key = Array(publicKey[1...])
            } else {
                key = publicKey
            }
            guard key.count == 32 else {
                throw AddressError(reason: "a Solana address needs a 32-byte Ed25519 public key, got \(publicKey.count) bytes")
            }
            return Base58.encode(key)
        case .evm:
            do {
                return try Secp256k1.ethereumAddress(publicKey: publicKey)
            } catch {
                throw AddressError(reason: "invalid secp256k1 public key")
            }
        case .p2pkh, .p2shP2WPKH, .p2wpkh, .cashaddr:
            let compressed: [UInt8]
            do {
                compressed = try Secp256k1.publicKey(publicKey, compressed: true)
            } catch {
                throw AddressError(reason: "invalid secp256k1 public key")
            }
            let keyHash = Hashes.hash160(compressed)
            switch scheme {
            case .cashaddr:
                do {
                    return try CashAddr.encode(prefix: AddressValidator.cashAddrPrefix(network), type: .p2pkh, hash: keyHash)
                } catch {
                    throw AddressError(reason: error.description)
                }
            case .p2wpkh:
                guard let hrp = AddressValidator.segwitHRP(chain, network) else {
                    throw AddressError(reason: "\(chain.rawValue) has no segwit addresses")
                }
                do {
                    return try SegwitAddress(hrp: hrp, version: 0, program: keyHash).encoded
                } catch {
                    throw AddressError(reason: error.description)
                }
            case .p2shP2WPKH:
                guard let versions = AddressValidator.base58Versions(chain, network) else {
                    throw AddressError(reason: "\(chain.rawValue) has no base58 addresses")
                }
                let redeemScript: [UInt8] = [0x00, 0x14] + keyHash
                return Base58Check.encode(version: versions.p2sh[0], payload: Hashes.hash160(redeemScript))
            default:
                guard let versions = AddressValidator.base58Versions(chain, network) else {
                    throw AddressError(reason: "\(chain.rawValue) has no base58 addresses")
                }
                return Base58Check.encode(version: versions.p2pkh[0], payload: keyHash)
            }
        }
    }
}
