import Crypto
import Foundation
import Storage

/// The root secret from which the session-signing key and the at-rest encryption key are derived.
enum MasterKey {
    /// `RAILYARD_MASTER_KEY`, or for the embedded database a key generated once into
    /// `<data-dir>/master.key` (mode 0600). PostgreSQL deployments must configure it, because every
    /// node has to share it.
    static func load(_ config: RailyardConfiguration, location: DatabaseLocation) throws -> SymmetricKey {
        if let configured = config.masterKey { return derive(Data(configured.utf8), label: "root") }
        guard case .sqlite = location else {
            throw ConfigurationError("RAILYARD_MASTER_KEY is required with DATABASE_URL (all nodes must share it); generate one with: openssl rand -base64 48")
        }
        let path = (config.dataDirectory as NSString).appendingPathComponent("master.key")
        if let existing = FileManager.default.contents(atPath: path), existing.count >= 32 {
            return derive(existing, label: "root")
        }
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let data = Data(bytes)
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError("cannot write \(path)")
        }
        return derive(data, label: "root")
    }

    static func derive(_ material: Data, label: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: material), salt: Data("railyard".utf8), info: Data(label.utf8), outputByteCount: 32)
    }

    static func subkey(_ root: SymmetricKey, _ label: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: root, salt: Data("railyard".utf8), info: Data(label.utf8), outputByteCount: 32)
    }
}
