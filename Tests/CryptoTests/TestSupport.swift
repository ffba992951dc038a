@testable import RailyardCrypto

/// Test-only hex helper; traps on malformed literals so a typo in a vector fails loudly.
func bytes(_ hex: String) -> [UInt8] {
    do {
        return try Hex.decode(hex)
    } catch {
        fatalError("bad hex literal in test: \(hex): \(error)")
    }
}

func hex(_ bytes: [UInt8]) -> String {
    Hex.encode(bytes)
}
