private let hexDigits = Array("0123456789abcdef".utf8)

extension Sequence where Element == UInt8 {
    /// Lowercase hex, without a formatter call per byte (digests and ids are encoded on hot paths).
    /// Kernel modules below the crypto kernel use this; others use `RailyardCrypto.Hex`.
    public var lowercaseHex: String {
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
