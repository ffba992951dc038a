import Testing
@testable import RailyardCrypto

/// Base64 and base64url: the RFC 4648 §10 test vectors plus alphabet, padding and canonicality checks.
@Suite struct Base64Tests {
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(text: String, encoded: String) throws {
        #expect(Base64.encode(Array(text.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(text.utf8))
        let unpadded = String(encoded.prefix { $0 != "=" })
        #expect(Base64.encodeURL(Array(text.utf8)) == unpadded)
        #expect(Base64.encodeURL(Array(text.utf8), padding: true) == encoded)
        #expect(try Base64.decodeURL(unpadded) == Array(text.utf8))
        #expect(try Base64.decodeURL(encoded) == Array(text.utf8))
    }

    @Test func alphabetsDiffer() throws {
        let data: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64.encode(data) == "+/+/")
        #expect(Base64.encodeURL(data) == "-_-_")
        #expect(try Base64.decode("+/+/") == data)
        #expect(try Base64.decodeURL("-_-_") == data)
        #expect(throws: Base64.Error.self) { try Base64.decode("-_-_") }
        #expect(throws: Base64.Error.self) { try Base64.decodeURL("+/+/") }
    }

    @Test func allByteValuesRoundTrip() throws {
        for length in 0..<70 {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(try Base64.decode(Base64.encode(data)) == data)
            #expect(try Base64.decodeURL(Base64.encodeURL(data)) == data)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(try Base64.decode(Base64.encode(all)) == all)
    }

    @Test(arguments: [
        "Zg=",       // padding does not complete the quantum
        "Zg",        // standard base64 requires padding
        "Z===",      // too much padding
        "Z",         // 4n+1 characters
        "Zh==",      // non-zero trailing bits
        "Zm9=",      // non-zero trailing bits
        "Zm9v YmFy", // whitespace
        "Zm=9v",     // padding in the middle
        "Zm9v\n",    // newline
        "Zm9vé",     // non-ASCII
    ])
    func rejectsMalformed(input: String) {
        #expect(throws: Base64.Error.self) { try Base64.decode(input) }
    }

    @Test func urlRejectsMalformed() {
        #expect(throws: Base64.Error.self) { try Base64.decodeURL("Zh") }   // non-zero trailing bits
        #expect(throws: Base64.Error.self) { try Base64.decodeURL("Z") }    // impossible length
        #expect(throws: Base64.Error.self) { try Base64.decodeURL("Zg=") }  // partial padding
    }
}
