import RailyardCrypto
import Synchronization

/// EVM addresses already validated against their EIP-55 checksum, with the checksummed form. The
/// same few addresses (a merchant's `payTo`, its regular payers) arrive in payment after payment, and
/// each check costs a keccak-256; a string seen before is answered from memory. Only accepted
/// addresses are kept, keyed by their exact text, so a wrong checksum is always checked (and refused).
enum CheckedAddresses {
    static let capacity = 4096
    private static let known = Mutex<[String: String]>([:])

    /// ``EIP55/validate(_:)``, remembered.
    static func validate(_ address: String) throws(EIP55.Error) -> String {
        if let checksummed = known.withLock({ $0[address] }) { return checksummed }
        let checksummed = try EIP55.validate(address)
        known.withLock { known in
            // Forgotten all at once when full: a flood of one-off addresses cannot grow it.
            if known.count >= capacity { known.removeAll(keepingCapacity: true) }
            known[address] = checksummed
        }
        return checksummed
    }

    static var count: Int { known.withLock { $0.count } }
}
