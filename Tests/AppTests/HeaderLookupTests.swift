import HTTP
import HTTPTypes
import Testing

@Suite("Header lookups")
struct HeaderLookupTests {
    /// The one-pass lookup the middlewares use answers exactly what the HTTPFields subscript does.
    @Test func valueOfAnswersLikeTheSubscript() {
        var fields = HTTPFields()
        fields.append(HTTPField(name: .authorization, value: "Bearer cp_test_abc"))
        fields.append(HTTPField(name: .xForwardedFor, value: "203.0.113.7"))
        fields.append(HTTPField(name: .contentType, value: "application/json"))
        fields.append(HTTPField(name: .xForwardedFor, value: "198.51.100.2, 10.0.0.1"))
        fields.append(HTTPField(name: .cookie, value: "a=1"))
        fields.append(HTTPField(name: .cookie, value: "b=2"))
        for name in [HTTPField.Name.authorization, .xForwardedFor, .contentType, .cookie, .xRequestID, .idempotencyKey] {
            #expect(fields.value(of: name) == fields[name], "\(name)")
        }
        #expect(fields.value(of: .xForwardedFor) == "203.0.113.7, 198.51.100.2, 10.0.0.1")
        #expect(fields.value(of: .cookie) == "a=1; b=2")
        #expect(fields.value(of: .xRequestID) == nil)
        // Names compare without regard to letter case, as in HTTP.
        #expect(fields.value(of: HTTPField.Name("AUTHORIZATION")!) == "Bearer cp_test_abc")
    }
}
