import Crypto
import Events
import Foundation
import Testing

@Suite("Webhook signatures and secret storage")
struct SignatureTests {
    // Computed independently with Python:
    //   hmac.new(b"whsec_railyard_test_4f2a", b"1702234567." + body, hashlib.sha256).hexdigest()
    static let secret = "whsec_railyard_test_4f2a"
    static let timestamp: Int64 = 1_702_234_567
    static let body = #"{"business_id":"biz_xyz789","created_at":"2024-01-15T10:30:00Z","data":{"amount_usd":"150.00","payment_id":"pay_abc123"},"id":"evt_1","type":"payment.confirmed"}"#
    static let expected = "35d1e08f76ad51e0573d765a4dbf739ee6145037273cdc1aface16bb63c57980"

    @Test func headerMatchesIndependentVector() {
        let header = WebhookSignature.header(secret: Self.secret, timestamp: Self.timestamp, body: Array(Self.body.utf8))
        #expect(header == "t=1702234567,v1=\(Self.expected)")
        #expect(WebhookSignature.header(secret: Self.secret, timestamp: Self.timestamp, body: Self.body) == header)
        #expect(WebhookSignature.header(secret: Self.secret, timestamp: Self.timestamp, body: Data(Self.body.utf8)) == header)
    }

    @Test func verifyAcceptsGoodAndRejectsTamperedWrongSecretAndStale() {
        let header = "t=1702234567,v1=\(Self.expected)"
        let t = Self.timestamp
        #expect(WebhookSignature.verify(header: header, body: Self.body, secret: Self.secret, now: t))
        #expect(WebhookSignature.verify(header: header, body: Self.body, secret: Self.secret, now: t + 300))
        #expect(WebhookSignature.verify(header: header, body: Self.body, secret: Self.secret, now: t - 300))
        // Tampered body (one character), wrong secret.
        let tampered = Self.body.replacingOccurrences(of: "150.00", with: "151.00")
        #expect(!WebhookSignature.verify(header: header, body: tampered, secret: Self.secret, now: t))
        #expect(!WebhookSignature.verify(header: header, body: Self.body + " ", secret: Self.secret, now: t))
        #expect(!WebhookSignature.verify(header: header, body: Self.body, secret: "whsec_other", now: t))
        // Stale or too far in the future; a custom tolerance.
        #expect(!WebhookSignature.verify(header: header, body: Self.body, secret: Self.secret, now: t + 301))
        #expect(!WebhookSignature.verify(header: header, body: Self.body, secret: Self.secret, now: t - 301))
        #expect(WebhookSignature.verify(header: header, body: Self.body, secret: Self.secret, now: t + 3_000, tolerance: 3_600))
        // The timestamp is part of what is signed.
        let moved = "t=1702234568,v1=\(Self.expected)"
        #expect(!WebhookSignature.verify(header: moved, body: Self.body, secret: Self.secret, now: t))
    }

    @Test func verifyAcceptsAnyOfSeveralV1AndIgnoresOtherSchemes() {
        let t = Self.timestamp
        let old = WebhookSignature.signature(secret: "whsec_old", timestamp: t, body: Array(Self.body.utf8))
        let rotated = "t=\(t),v1=\(old),v1=\(Self.expected),v0=deadbeef"
        #expect(WebhookSignature.verify(header: rotated, body: Self.body, secret: Self.secret, now: t))
        #expect(WebhookSignature.verify(header: rotated, body: Self.body, secret: "whsec_old", now: t))
        #expect(WebhookSignature.verify(header: "t=\(t), v1=\(Self.expected.uppercased())", body: Self.body, secret: Self.secret, now: t))
        #expect(!WebhookSignature.verify(header: "t=\(t),v0=\(Self.expected)", body: Self.body, secret: Self.secret, now: t))
        #expect(!WebhookSignature.verify(header: "v1=\(Self.expected)", body: Self.body, secret: Self.secret, now: t))
        #expect(!WebhookSignature.verify(header: "t=\(t),v1=\(Self.expected.dropLast(2))", body: Self.body, secret: Self.secret, now: t))
        #expect(!WebhookSignature.verify(header: "t=-9223372036854775808,v1=\(Self.expected)", body: Self.body, secret: Self.secret, now: t))
        #expect(!WebhookSignature.verify(header: "", body: Self.body, secret: Self.secret, now: t))
    }

    @Test func secretBoxRoundTripsWithFreshNonces() throws {
        let box = SecretBox(key: SymmetricKey(size: .bits256))
        let secret = "whsec_Zx9-päß✓"
        let first = try box.seal(secret)
        let second = try box.seal(secret)
        #expect(first.hasPrefix("v1:"))
        #expect(SecretBox.isSealed(first))
        #expect(first != second)
        #expect(!first.contains(secret))
        #expect(try box.open(first) == secret)
        #expect(try box.open(second) == secret)
        #expect(try box.open(try box.seal("")) == "")

        let keyed = try SecretBox(base64Key: SecretBox.generateBase64Key())
        #expect(try keyed.open(try keyed.seal(secret)) == secret)
    }

    @Test func secretBoxDetectsTamperingAndWrongKeys() throws {
        let box = SecretBox(key: SymmetricKey(size: .bits256))
        let sealed = try box.seal("whsec_abc")
        var raw = try #require(Data(base64Encoded: String(sealed.dropFirst(3))))
        for index in [0, 12, raw.count - 1] {  // nonce, ciphertext, tag
            var altered = raw
            altered[index] ^= 0x01
            #expect(throws: SecretBoxError.authenticationFailed) { try box.open("v1:" + altered.base64EncodedString()) }
        }
        raw.removeLast()
        #expect(throws: SecretBoxError.authenticationFailed) { try box.open("v1:" + raw.base64EncodedString()) }
        #expect(throws: SecretBoxError.authenticationFailed) { try SecretBox(key: SymmetricKey(size: .bits256)).open(sealed) }
        #expect(throws: SecretBoxError.malformed) { try box.open(String(sealed.dropFirst(3))) }
        #expect(throws: SecretBoxError.malformed) { try box.open("v1:not base64!") }
        #expect(throws: SecretBoxError.malformed) { try box.open("v1:AAAA") }
        #expect(throws: SecretBoxError.invalidKey) { try SecretBox(base64Key: "c2hvcnQ=") }
        #expect(throws: SecretBoxError.invalidKey) { try SecretBox(base64Key: "%%%") }
    }

    // Vectors made with Python's `cryptography` (HKDF-SHA256 with salt "railyard.secretbox.salt" and
    // info "railyard.secretbox.v1 aes-256-gcm"; AES-256-GCM with a fixed nonce, no AAD).
    @Test func secretBoxOpensIndependentVectors() throws {
        let derived = SecretBox.derive(from: "correct horse battery staple master secret")
        #expect(try derived.open("v1:AAECAwQFBgcICQoLCmqJ57Q4kUxXtm+Netv5dQIZfpaDpq3UaDJXu5F//OrjJ995Buo=") == "whsec_5ecret-for-biz_1")
        #expect(throws: SecretBoxError.authenticationFailed) {
            try SecretBox.derive(from: "another master secret").open("v1:AAECAwQFBgcICQoLCmqJ57Q4kUxXtm+Netv5dQIZfpaDpq3UaDJXu5F//OrjJ995Buo=")
        }
        let keyed = try SecretBox(base64Key: "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM=")
        #expect(try keyed.open("v1:AAAAAAAAAAAAAAAAL6RS8QLw212l1sgnAszoY+Y60IpJw4llhSHJ") == "sécret ✓")
        // Derivation is deterministic.
        let again = SecretBox.derive(from: "correct horse battery staple master secret")
        #expect(try again.open(try derived.seal("x")) == "x")
    }
}

@Suite("Webhook destination policy")
struct WebhookDestinationPolicyTests {
    @Test(arguments: ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/", "http://172.20.0.1/", "http://192.168.1.1/",
                      "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "http://[fd00::1]/", "http://[fe80::1]/",
                      "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/", "http://api.localhost/",
                      // An IPv4 address reached through an IPv6 gateway, and ranges that are not the public internet.
                      "http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b:1::1]/", "http://[2002:7f00:1::1]/", "http://[::127.0.0.1]/",
                      "http://192.0.0.8/", "http://198.18.0.1/"])
    func privateDestinationsAreRefused(url: String) async {
        #expect(throws: WebhookDestinationPolicy.Refused.self) { try WebhookDestinationPolicy.publicOnly.checkLiteral(url) }
        await #expect(throws: (any Error).self) { try await WebhookDestinationPolicy.publicOnly.check(url) }
        #expect(throws: Never.self) { try WebhookDestinationPolicy.allowingPrivate.checkLiteral(url) }
    }

    @Test func publicLiteralsPass() async throws {
        for url in ["https://93.184.216.34/hook", "https://[2606:4700:4700::1111]/hook", "http://8.8.8.8/", "http://[64:ff9b::808:808]/",
                    "http://[2002:808:808::1]/", "http://192.0.2.1/"] {
            try WebhookDestinationPolicy.publicOnly.checkLiteral(url)
            try await WebhookDestinationPolicy.publicOnly.check(url)
        }
    }
}
