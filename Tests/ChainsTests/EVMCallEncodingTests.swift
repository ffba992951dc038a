@testable import Chains
import RailyardCrypto
import Testing

/// The calls every x402 verification reads (laid out directly) are the ABI encoder's bytes.
@Suite("EVM read calls")
struct EVMCallEncodingTests {
    @Test func directLayoutMatchesTheABIEncoder() throws {
        for _ in 0..<50 {
            let address = try Ethereum.address(privateKey: Secp256k1.generatePrivateKey())
            let nonce = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let bytes = try Ethereum.addressBytes(address)
            #expect(try EVMChain.authorizationStateCall(authorizer: address, nonce: nonce)
                    == EVMChain.authorizationStateSelector + (try ABI.encode([.address(bytes), .fixedBytes(nonce)])))
            #expect(try EVMChain.authorizationStateCall(authorizer: address.lowercased(), nonce: nonce, validated: true)
                    == EVMChain.authorizationStateSelector + (try ABI.encode([.address(bytes), .fixedBytes(nonce)])))
            #expect(try EVMChain.balanceOfCall(owner: address) == EVMChain.balanceOfSelector + (try ABI.encode([.address(bytes)])))
        }
        // A short nonce still goes through the encoder (right-padded bytes32).
        let address = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
        #expect(try EVMChain.authorizationStateCall(authorizer: address, nonce: [1, 2]).count == 4 + 64)
        #expect(throws: (any Error).self) { try EVMChain.balanceOfCall(owner: "0x1234") }
    }
}
