import Foundation

/// BIP-39 mnemonic sentences (English wordlist): generation, checksum validation and seed derivation.
public enum BIP39 {
    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// Mnemonics have 12, 15, 18, 21 or 24 words.
        case invalidWordCount(Int)
        /// A word that is not in the English list; `position` counts from 1.
        case unknownWord(String, position: Int)
        /// All words are known but the final checksum bits do not match.
        case checksumMismatch
        /// Entropy must be 16, 20, 24, 28 or 32 bytes.
        case invalidEntropyLength(Int)

        public var description: String {
            switch self {
            case .invalidWordCount(let count):
                return "a mnemonic has 12, 15, 18, 21 or 24 words, got \(count)"
            case .unknownWord(let word, let position):
                return "word \(position) ('\(word)') is not in the BIP-39 English wordlist"
            case .checksumMismatch:
                return "mnemonic checksum does not match (a word is wrong or the words are out of order)"
            case .invalidEntropyLength(let count):
                return "entropy must be 16, 20, 24, 28 or 32 bytes, got \(count)"
            }
        }
    }

    /// Accepted sentence lengths.
    public static let allowedWordCounts = [12, 15, 18, 21, 24]

    /// The 2048 English words, in list order (index = 11-bit value).
    public static let englishWordlist: [String] = englishWordsText.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    static let wordIndex: [String: Int] = {
        var index: [String: Int] = [:]
        index.reserveCapacity(2048)
        for (position, word) in englishWordlist.enumerated() { index[word] = position }
        return index
    }()

    /// A new mnemonic of `wordCount` words from `wordCount * 4 / 3` bytes of secure random entropy.
    public static func generate(wordCount: Int = 24) throws(Error) -> String {
        guard allowedWordCounts.contains(wordCount) else { throw .invalidWordCount(wordCount) }
        var entropy = SecureRandom.bytes(count: wordCount * 4 / 3)
        defer { entropy.resetBytes() }
        return try mnemonic(entropy: entropy)
    }

    /// The mnemonic that encodes `entropy` (16–32 bytes, a multiple of 4).
    public static func mnemonic(entropy: [UInt8]) throws(Error) -> String {
        guard [16, 20, 24, 28, 32].contains(entropy.count) else { throw .invalidEntropyLength(entropy.count) }
        let checksumBits = entropy.count / 4
        let bits = entropy + [Hashes.sha256(entropy)[0]]
        let wordCount = (entropy.count * 8 + checksumBits) / 11
        var words: [String] = []
        words.reserveCapacity(wordCount)
        for word in 0..<wordCount {
            var value = 0
            for bit in (word * 11)..<(word * 11 + 11) {
                value = value << 1 | Int(bits[bit / 8] >> (7 - UInt8(bit % 8)) & 1)
            }
            words.append(englishWordlist[value])
        }
        return words.joined(separator: " ")
    }

    /// The words of a mnemonic after Unicode NFKD normalisation and lowercasing, split on any whitespace.
    public static func words(of mnemonic: String) -> [String] {
        nfkd(mnemonic).lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }

    /// The canonical form of a mnemonic: NFKD, lowercase, words separated by single spaces.
    /// Wallets generate this form; feed it to ``seed(mnemonic:passphrase:)``.
    public static func normalized(_ mnemonic: String) -> String {
        words(of: mnemonic).joined(separator: " ")
    }

    /// Checks word count, words and checksum; returns the entropy the mnemonic encodes.
    @discardableResult
    public static func entropy(mnemonic: String) throws(Error) -> [UInt8] {
        let words = words(of: mnemonic)
        guard allowedWordCounts.contains(words.count) else { throw .invalidWordCount(words.count) }
        var bits: [UInt8] = []
        bits.reserveCapacity(words.count * 11)
        for (position, word) in words.enumerated() {
            guard let value = wordIndex[word] else { throw .unknownWord(word, position: position + 1) }
            for shift in stride(from: 10, through: 0, by: -1) { bits.append(UInt8(value >> shift & 1)) }
        }
        let checksumBits = words.count / 3
        let entropyBits = bits.count - checksumBits
        var entropy = [UInt8](repeating: 0, count: entropyBits / 8)
        for bit in 0..<entropyBits where bits[bit] == 1 {
            entropy[bit / 8] |= 1 << (7 - UInt8(bit % 8))
        }
        let expected = Hashes.sha256(entropy)[0]
        for bit in 0..<checksumBits where bits[entropyBits + bit] != (expected >> (7 - UInt8(bit))) & 1 {
            throw .checksumMismatch
        }
        return entropy
    }

    /// Validates a mnemonic (word count, words, checksum) and returns its canonical form.
    @discardableResult
    public static func validate(_ mnemonic: String) throws(Error) -> String {
        try entropy(mnemonic: mnemonic)
        return normalized(mnemonic)
    }

    /// Whether ``validate(_:)`` accepts `mnemonic`.
    public static func isValid(_ mnemonic: String) -> Bool {
        (try? entropy(mnemonic: mnemonic)) != nil
    }

    /// The 64-byte seed: PBKDF2-HMAC-SHA512(password: NFKD(mnemonic), salt: "mnemonic" + NFKD(passphrase), 2048 rounds).
    ///
    /// As the BIP specifies, the sentence is used as given (after NFKD) and is not validated; validate
    /// it first and pass ``normalized(_:)`` to get what every wallet computes.
    public static func seed(mnemonic: String, passphrase: String = "") -> [UInt8] {
        PBKDF2.sha512(password: Array(nfkd(mnemonic).utf8),
                      salt: Array(("mnemonic" + nfkd(passphrase)).utf8),
                      iterations: 2048, keyLength: 64)
    }

    static func nfkd(_ string: String) -> String {
        string.decomposedStringWithCompatibilityMapping
    }
}
