import ArgumentParser
import Foundation
import RailyardCrypto

/// `railyard keys …`: operator tools over the crypto kernel (and a way to check it from outside).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Mnemonics, HD key derivation, address validation and EIP-712 hashing.",
        subcommands: [Mnemonic.self, Derive.self, Validate.self, TypedDataCommand.self]
    )

    /// An error whose message is printed as is.
    struct Failure: Error, CustomStringConvertible {
        let description: String

        init(_ description: String) {
            self.description = description
        }
    }

    static func parseChain(_ text: String) throws -> AddressChain {
        guard let chain = AddressChain(rawValue: text.uppercased()) else {
            throw ValidationError("unknown chain '\(text)' (use one of \(AddressChain.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return chain
    }

    static func parseNetwork(_ text: String) throws -> ChainNetwork {
        guard let network = ChainNetwork(rawValue: text.lowercased()) else {
            throw ValidationError("unknown network '\(text)' (use mainnet, testnet or regtest)")
        }
        return network
    }

    static func parseScheme(_ text: String) throws -> AddressScheme {
        let lower = text.lowercased()
        if lower == "legacy" { return .p2pkh }
        guard let scheme = AddressScheme(rawValue: lower) else {
            throw ValidationError("unknown address scheme '\(text)' (use one of \(AddressScheme.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return scheme
    }

    static func readStandardInput() -> String {
        String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    // MARK: mnemonic

    struct Mnemonic: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new BIP-39 English mnemonic from secure random entropy.")

        @Option(help: "Number of words: 12, 15, 18, 21 or 24.")
        var words: Int = 24

        func validate() throws {
            guard BIP39.allowedWordCounts.contains(words) else {
                throw ValidationError("--words must be 12, 15, 18, 21 or 24")
            }
        }

        func run() throws {
            print(try BIP39.generate(wordCount: words))
        }
    }

    // MARK: derive

    struct Derive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Derive addresses from a mnemonic or an account xpub.",
            discussion: """
            Prints one line per address: index, derivation path, address, public key (hex).

            With --mnemonic the standard path is used (BIP-84 for BTC/LTC, BIP-44 for BCH and EVM chains, \
            m/44'/501'/i'/0' for SOL; coin type 1' for BTC/LTC/BCH on testnet and regtest), or --path, \
            in which a component 'i' (or i') stands for the index, e.g. "m/49'/0'/0'/0/i". \
            A path without 'i' derives exactly that path.

            With --xpub the key is an account key (m/purpose'/coin'/account'); the default relative path \
            is m/0/i (receive addresses; m/1/i for change), where m is the xpub itself. ypub/upub select \
            P2SH-P2WPKH and zpub/vpub P2WPKH; a plain xpub/tpub gives P2WPKH for BTC/LTC unless --scheme says otherwise.

            Pass --mnemonic - to read the mnemonic from standard input (keeps it out of the process list and shell history).
            """
        )

        @Option(help: "BTC, LTC, BCH, ETH, POL, BASE or SOL.", transform: KeysCommand.parseChain)
        var chain: AddressChain

        @Option(help: "mainnet (default), testnet or regtest.", transform: KeysCommand.parseNetwork)
        var network: ChainNetwork = .mainnet

        @Option(help: "BIP-39 mnemonic (quoted), or '-' to read it from standard input.")
        var mnemonic: String?

        @Option(help: "BIP-39 passphrase (only with --mnemonic).")
        var passphrase: String?

        @Option(help: "Account-level extended public key (xpub/ypub/zpub; tpub/upub/vpub on testnet and regtest).")
        var xpub: String?

        @Option(help: "Derivation path; 'i' marks the index component.")
        var path: String?

        @Option(help: "First index (default 0).")
        var index: UInt32?

        @Option(help: "Number of consecutive indices (default 1).")
        var count: UInt32?

        @Option(help: "Address scheme: p2wpkh, p2sh-p2wpkh or p2pkh for BTC/LTC; cashaddr or p2pkh (legacy) for BCH.", transform: KeysCommand.parseScheme)
        var scheme: AddressScheme?

        func validate() throws {
            guard (mnemonic == nil) != (xpub == nil) else {
                throw ValidationError("pass exactly one of --mnemonic or --xpub")
            }
            if passphrase != nil, mnemonic == nil {
                throw ValidationError("--passphrase needs --mnemonic")
            }
            if let count, count == 0 || count > 10_000 {
                throw ValidationError("--count must be between 1 and 10000")
            }
            guard UInt64(index ?? 0) + UInt64(count ?? 1) - 1 < UInt64(DerivationPath.hardenedOffset) else {
                throw ValidationError("--index + --count must stay below 2^31")
            }
            if let scheme, !AddressDerivation.schemes(for: chain).contains(scheme) {
                throw ValidationError("\(chain.rawValue) has no \(scheme) addresses (use one of \(AddressDerivation.schemes(for: chain).map(\.rawValue).joined(separator: ", ")))")
            }
        }

        func run() throws {
            let first = index ?? 0
            let total = count ?? 1
            let indices = (0..<total).map { first + $0 }
            if let xpub {
                try deriveFromXpub(xpub, indices: indices)
            } else if let mnemonic {
                try deriveFromMnemonic(mnemonic, indices: indices)
            }
        }

        /// Substitutes the index into a path template; returns nil when the template has no `i`.
        func instantiate(_ template: String, index: UInt32) throws -> DerivationPath? {
            var found = false
            let parts = template.split(separator: "/", omittingEmptySubsequences: false).map { part -> String in
                let lower = part.lowercased()
                if lower == "i" || lower == "i'" || lower == "ih" {
                    found = true
                    return "\(index)" + part.dropFirst()
                }
                return String(part)
            }
            guard found else { return nil }
            return try DerivationPath(parsing: parts.joined(separator: "/"))
        }

        /// The paths to derive, one per index (or a single fixed path).
        func paths(template: String?, indices: [UInt32], standard: (UInt32) -> DerivationPath) throws -> [(UInt32, DerivationPath)] {
            guard let template else { return indices.map { ($0, standard($0)) } }
            if try instantiate(template, index: 0) != nil {
                return try indices.map { ($0, try instantiate(template, index: $0)!) }
            }
            guard index == nil, count == nil else {
                throw Failure("--path has no 'i' component, so --index/--count do not apply (e.g. --path \"m/84'/0'/0'/0/i\")")
            }
            let fixed = try DerivationPath(parsing: template)
            return [(fixed.components.last.map { $0 & ~DerivationPath.hardenedOffset } ?? 0, fixed)]
        }

        func emit(_ index: UInt32, _ path: String, _ address: String, _ publicKey: [UInt8]) {
            print("\(index) \(path) \(address) \(Hex.encode(publicKey))")
        }

        func deriveFromMnemonic(_ input: String, indices: [UInt32]) throws {
            let sentence = input == "-" ? KeysCommand.readStandardInput() : input
            let canonical: String
            do {
                canonical = try BIP39.validate(sentence)
            } catch {
                throw Failure("invalid mnemonic: \(error)")
            }
            let seed = BIP39.seed(mnemonic: canonical, passphrase: passphrase ?? "")
            let chain = self.chain
            let network = self.network
            let scheme = self.scheme
            let targets = try paths(template: path, indices: indices) {
                AddressDerivation.path(chain: chain, network: network, scheme: scheme, index: $0)
            }
            if chain == .sol {
                let master = try Ed25519HDKey(seed: seed)
                for (index, path) in targets {
                    let key = try master.derive(path)
                    emit(index, path.description, try AddressDerivation.address(publicKey: key.publicKey, chain: chain, network: network), key.publicKey)
                }
                return
            }
            let master = try ExtendedKey(seed: seed, format: network == .mainnet ? .xpub : .tpub)
            for (index, path) in targets {
                let key = try master.derive(path)
                emit(index, path.description, try AddressDerivation.address(publicKey: key.publicKey, chain: chain, network: network, scheme: scheme), key.publicKey)
            }
        }

        func deriveFromXpub(_ text: String, indices: [UInt32]) throws {
            guard chain != .sol else {
                throw Failure("SOL keys are Ed25519 (SLIP-10, hardened only) and have no extended public key; use --mnemonic")
            }
            let key: ExtendedKey
            do {
                key = try ExtendedKey(parsing: text)
            } catch {
                throw Failure("invalid --xpub: \(error)")
            }
            if !chain.isEVM, key.format.isTestnet != (network != .mainnet) {
                throw Failure("--xpub is a \(key.format.isTestnet ? "testnet" : "mainnet") key (\(key.format.rawValue)) but --network is \(network.rawValue)")
            }
            var effectiveScheme = scheme
            if let implied = key.format.impliedScheme {
                guard AddressDerivation.schemes(for: chain).contains(implied) else {
                    throw Failure("--xpub is a \(key.format.rawValue), which describes \(implied) accounts; \(chain.rawValue) has no such addresses")
                }
                if let scheme, scheme != implied {
                    throw Failure("--xpub is a \(key.format.rawValue), which describes \(implied) accounts, but --scheme is \(scheme)")
                }
                effectiveScheme = implied
            }
            let label = key.format.rawValue
            let targets = try paths(template: path, indices: indices) { DerivationPath([0, $0]) }
            for (index, path) in targets {
                guard !path.hasHardenedComponent else {
                    throw Failure("\(path) has a hardened component, which cannot be derived from an extended public key")
                }
                let child = try key.derive(path)
                let shown = label + path.description.dropFirst()
                emit(index, shown, try AddressDerivation.address(publicKey: child.publicKey, chain: chain, network: network, scheme: effectiveScheme), child.publicKey)
            }
        }
    }

    // MARK: validate

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an address for a chain and network; exit 0 if valid, 1 with the reason otherwise.")

        @Option(help: "BTC, LTC, BCH, ETH, POL, BASE or SOL.", transform: KeysCommand.parseChain)
        var chain: AddressChain

        @Option(help: "mainnet (default), testnet or regtest.", transform: KeysCommand.parseNetwork)
        var network: ChainNetwork = .mainnet

        @Argument(help: "The address.")
        var address: String

        func run() throws {
            do {
                let validated = try AddressValidator.validate(address, chain: chain, network: network)
                print("valid \(validated.kind.rawValue) \(validated.normalized)")
            } catch {
                KeysCommand.printError("invalid: \(error.reason)")
                throw ExitCode.failure
            }
        }
    }

    // MARK: eip712

    struct TypedDataCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eip712",
            abstract: "Hash EIP-712 typed data (eth_signTypedData_v4 JSON) or recover its signer.")

        @Flag(help: "Print the digest keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)).")
        var hash = false

        @Option(help: "A 65-byte 0x signature (v = 27/28 or 0/1): print the signer's address.")
        var recover: String?

        @Argument(help: "Typed-data JSON file, or '-' for standard input.")
        var file: String

        func validate() throws {
            guard hash != (recover != nil) else {
                throw ValidationError("pass exactly one of --hash or --recover SIGNATURE")
            }
        }

        func run() throws {
            let contents: Data
            if file == "-" {
                contents = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw Failure("cannot read \(file)")
                }
                contents = data
            }
            let typedData: TypedData
            do {
                typedData = try TypedData(json: JSONValue.parse(Array(contents)))
            } catch {
                throw Failure("\(file): \(error)")
            }
            if let recover {
                let signature: [UInt8]
                do {
                    signature = try Hex.decode(recover)
                } catch {
                    throw Failure("--recover: \(error)")
                }
                do {
                    print(try typedData.recoverSigner(signature: signature))
                } catch {
                    throw Failure("cannot recover the signer: \(error)")
                }
            } else {
                do {
                    print(Hex.encode(try typedData.digest(), prefix: true))
                } catch {
                    throw Failure("\(file): \(error)")
                }
            }
        }
    }
}
