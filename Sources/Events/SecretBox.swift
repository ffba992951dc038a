import Crypto
import Foundation

public enum SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key is not valid base64 or not 16, 24 or 32 bytes long.
    case invalidKey
    /// The sealed text is not `v1:<base64>` of a nonce, ciphertext and tag.
    case malformed
    /// Decryption failed: wrong key, or the sealed text was altered.
    case authenticationFailed

    public var description: String {
        switch self {
        case .invalidKey: return "secret box key must be base64 of 16, 24 or 32 bytes"
        case .malformed: return "sealed secret is malformed"
        case .authenticationFailed: return "sealed secret cannot be opened (wrong key or tampered)"
        }
    }
}

/// Encrypts small secrets (webhook signing secrets) for storage at rest with AES-GCM.
///
/// Sealed form: `v1:` + base64(12-byte nonce ‖ ciphertext ‖ 16-byte tag). Every seal uses a fresh
/// random nonce, so sealing the same plaintext twice gives different strings.
public struct SecretBox: Sendable {
    public static let prefix = "v1:"
    private static let hkdfSalt = Array("railyard.secretbox.salt".utf8)
    private static let hkdfInfo = Array("railyard.secretbox.v1 aes-256-gcm".utf8)

    private let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// A box from a base64-encoded raw AES key (16, 24 or 32 bytes).
    public init(base64Key: String) throws {
        guard let data = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)),
              [16, 24, 32].contains(data.count) else { throw SecretBoxError.invalidKey }
        self.key = SymmetricKey(data: data)
    }

    /// A box whose AES-256 key is derived with HKDF-SHA256 from a configured master secret. The
    /// master secret should be long and random: HKDF does not slow down guessing.
    public static func derive(from passphrase: String) -> SecretBox {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(passphrase.utf8)),
            salt: hkdfSalt, info: hkdfInfo, outputByteCount: 32
        )
        return SecretBox(key: key)
    }

    /// A new random 256-bit key, base64-encoded (for configuration).
    public static func generateBase64Key() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// Whether `text` looks like the output of `seal` (it may still fail to open).
    public static func isSealed(_ text: String) -> Bool { text.hasPrefix(prefix) }

    public func seal(_ plaintext: String) throws -> String {
        let box = try AES.GCM.seal(Array(plaintext.utf8), using: key)
        guard let combined = box.combined else { throw SecretBoxError.malformed }
        return Self.prefix + combined.base64EncodedString()
    }

    public func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix(Self.prefix),
              let data = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))),
              data.count >= 12 + 16 else { throw SecretBoxError.malformed }
        let box: AES.GCM.SealedBox
        do { box = try AES.GCM.SealedBox(combined: data) } catch { throw SecretBoxError.malformed }
        let plaintext: Data
        do { plaintext = try AES.GCM.open(box, using: key) } catch { throw SecretBoxError.authenticationFailed }
        guard let text = String(data: plaintext, encoding: .utf8) else { throw SecretBoxError.malformed }
        return text
    }
}
