/// A BIP-32 derivation path such as `m/84'/0'/0'/0/5`.
///
/// Hardened components are written with `'`, `h` or `H` when parsing and printed with `'`.
public struct DerivationPath: Sendable, Hashable, CustomStringConvertible {
    /// Child numbers at or above this value are hardened.
    public static let hardenedOffset: UInt32 = 0x8000_0000

    public enum Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        case missingRoot(String)
        case emptyComponent(position: Int)
        case invalidComponent(String, position: Int)
        case indexOutOfRange(String, position: Int)

        public var description: String {
            switch self {
            case .missingRoot(let path):
                return "derivation path must start with 'm' (e.g. m/44'/0'/0'/0/0), got '\(path)'"
            case .emptyComponent(let position):
                return "derivation path component \(position) is empty"
            case .invalidComponent(let text, let position):
                return "derivation path component \(position) ('\(text)') is not a number optionally followed by ', h or H"
            case .indexOutOfRange(let text, let position):
                return "derivation path component \(position) ('\(text)') is out of range (indices are below 2^31; mark hardened ones with ')"
            }
        }
    }

    /// Child numbers from the root (hardened ones include ``hardenedOffset``).
    public let components: [UInt32]

    public init(_ components: [UInt32] = []) {
        self.components = components
    }

    /// The master path `m`.
    public static let master = DerivationPath()

    /// `index + 2^31`; `index` must be below 2^31.
    public static func hardened(_ index: UInt32) -> UInt32 {
        precondition(index < hardenedOffset, "hardened index out of range")
        return index | hardenedOffset
    }

    public static func isHardened(_ index: UInt32) -> Bool { index >= hardenedOffset }

    /// Parses `m`, `m/0`, `m/44'/0'/0'/0/5`, `m/44h/501h/0h/0h`. Indices must be below 2^31.
    public init(parsing text: String) throws(Error) {
        var parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let root = parts.first, root == "m" else { throw .missingRoot(text) }
        parts.removeFirst()
        var components: [UInt32] = []
        components.reserveCapacity(parts.count)
        for (offset, part) in parts.enumerated() {
            let position = offset + 1
            guard !part.isEmpty else { throw .emptyComponent(position: position) }
            var digits = Substring(part)
            var hardened = false
            if let last = digits.last, last == "'" || last == "h" || last == "H" {
                hardened = true
                digits = digits.dropLast()
            }
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw .invalidComponent(String(part), position: position)
            }
            guard digits.utf8.count <= 10, let value = UInt64(digits), value < UInt64(Self.hardenedOffset) else {
                throw .indexOutOfRange(String(part), position: position)
            }
            components.append(hardened ? UInt32(value) | Self.hardenedOffset : UInt32(value))
        }
        self.components = components
    }

    public func appending(_ index: UInt32) -> DerivationPath {
        DerivationPath(components + [index])
    }

    public func appending(_ path: DerivationPath) -> DerivationPath {
        DerivationPath(components + path.components)
    }

    /// Whether any component is hardened (such a path cannot be derived from an extended public key).
    public var hasHardenedComponent: Bool { components.contains(where: Self.isHardened) }

    public var description: String {
        (["m"] + components.map(Self.format)).joined(separator: "/")
    }

    static func format(_ index: UInt32) -> String {
        isHardened(index) ? "\(index - hardenedOffset)'" : "\(index)"
    }
}
