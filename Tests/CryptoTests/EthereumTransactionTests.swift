import Testing
@testable import RailyardCrypto

/// Ethereum transactions.
///
/// - The legacy vector is EIP-155's own example (private key 0x4646…46, nonce 9, 20 gwei, 21000 gas,
///   to 0x3535…35, 1 ether, chain id 1): signing data, signing hash and signed transaction are quoted
///   from the EIP.
/// - The other vectors were signed by eth-account 0.14 (`Account.sign_transaction`, RFC 6979 like
///   libsecp256k1) with the private key keccak256("railyard-tx"), whose address is
///   0xF1c168663aE9C46ADE72651556eaB59CE5357dDc; the recipient is the last 20 bytes of keccak256("recipient").
///   Two were picked by nonce so that `s` has a leading zero byte (it must be RLP-encoded as 31 bytes).
@Suite struct EthereumTransactionTests {
    static let key = Keccak256.hash(Array("railyard-tx".utf8))
    static let sender = "0xF1c168663aE9C46ADE72651556eaB59CE5357dDc"
    static let recipient = "0x1dE3D712f5D3103AD50e22dc1f4d3Ff1559D5115"
    static let usdcBase = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"

    @Test func eip155Example() throws {
        let tx = EthereumTransaction.legacy(try .init(
            nonce: 9, gasPrice: Word256(20_000_000_000), gasLimit: 21000, to: "0x3535353535353535353535353535353535353535",
            value: try Word256(decimal: "1000000000000000000"), chainId: 1))
        #expect(hex(tx.signingPayload) == "ec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080")
        #expect(hex(tx.signingHash) == "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let signed = try tx.sign(privateKey: bytes(String(repeating: "46", count: 32)))
        #expect(hex(signed.raw) == "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        #expect(signed.v == 37)
        #expect(try signed.sender() == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
        #expect(try EthereumTransaction.recoverSender(raw: signed.raw) == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
        #expect(try EthereumTransaction.Signed(raw: signed.raw) == signed)
    }

    struct Vector: Sendable, CustomStringConvertible {
        let name: String
        let transaction: @Sendable () throws -> EthereumTransaction
        let raw: String
        let hash: String
        var description: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "EIP-1559 ether transfer, chain 1", transaction: {
            .eip1559(try .init(chainId: 1, nonce: 0, maxPriorityFeePerGas: Word256(1_500_000_000), maxFeePerGas: Word256(30_000_000_000),
                               gasLimit: 21000, to: recipient, value: Word256(10_000_000_000_000_000)))
        }, raw: "02f87201808459682f008506fc23ac00825208941de3d712f5d3103ad50e22dc1f4d3ff1559d5115872386f26fc1000080c080a0c4218a256d383ff54f0b0511518716c011a147a265e03d4166f52cfea4465dafa00cad03fad39fcc297cb409b71bb6d30df83a06fb0b862b051f025f317045f347",
           hash: "cb9e988817c329e7379f85636e3d18cf5c28bcd3fb60105625c04d3a4a07f7ee"),
        Vector(name: "EIP-1559 ERC-20 transfer of USDC on Base", transaction: {
            .eip1559(try .init(chainId: 8453, nonce: 42, maxPriorityFeePerGas: Word256(1_000_000), maxFeePerGas: Word256(5_000_000),
                               gasLimit: 65000, to: usdcBase, value: .zero,
                               data: try ERC20.transfer(to: recipient, amount: Word256(1_234_567))))
        }, raw: "02f8af8221052a830f4240834c4b4082fde894833589fcd6edb6e08f4c7c32d4f71b54bda0291380b844a9059cbb0000000000000000000000001de3d712f5d3103ad50e22dc1f4d3ff1559d5115000000000000000000000000000000000000000000000000000000000012d687c001a05ec45f8effe037a88d0604943dc0cdc7eff9b97c9789802debac7956c5f35558a07858cda849767e73b4daf9ab575b8cdc33a8612e9cade3db22dddd21326916e8",
           hash: "fe0314309c393f7a55a28d8123fc89e81f409307a1df3ba859a71a47acdba342"),
        Vector(name: "EIP-1559 contract creation, chain 137", transaction: {
            .eip1559(try .init(chainId: 137, nonce: 300, maxPriorityFeePerGas: Word256(30_000_000_000), maxFeePerGas: Word256(200_000_000_000),
                               gasLimit: 1_000_000, to: nil as [UInt8]?, value: .zero, data: bytes("6080604052")))
        }, raw: "02f861818982012c8506fc23ac00852e90edd000830f42408080856080604052c080a03c78fe97acae72f2c966a25e323225ad838b2e1822ee7de74ab54421aca0dc01a054b04346786e43ddcf91c911e92a5cfd7f550764b2083fcab97cf51fb8a16262",
           hash: "a5d1da7fba4bd96891cd93940eae610acb678577db1121d83a8d3301d5f05bed"),
        Vector(name: "EIP-1559 with 31-byte s, Sepolia", transaction: {
            .eip1559(try .init(chainId: 11_155_111, nonce: 13, maxPriorityFeePerGas: Word256(2), maxFeePerGas: Word256(3),
                               gasLimit: 21000, to: recipient, value: Word256(1)))
        }, raw: "02f86483aa36a70d0203825208941de3d712f5d3103ad50e22dc1f4d3ff1559d51150180c080a0034bb90b267f7bd40011941de3bf64468ff0e6dad26e0745055141f301b164ee9f3186dfd339640c3d3b5add3a977027dcedeff25c542110e31825b1ac6c55e8",
           hash: "fc6e7279f91350e88306dd39afc96623095ee6bedc256a717387d0430f16c3af"),
        Vector(name: "EIP-1559 with an access list, chain 10", transaction: {
            .eip1559(try .init(chainId: 10, nonce: 5, maxPriorityFeePerGas: Word256(100), maxFeePerGas: Word256(1000), gasLimit: 50000,
                               to: usdcBase, value: .zero, data: [1, 2], accessList: [
                                   try .init(address: bytes("833589fcd6edb6e08f4c7c32d4f71b54bda02913"), storageKeys: [
                                       Word256(1).bytes, bytes("8db286b53365f5ab351e48395351b18b2a0f10195109ca91fe49d850a855cfe7"),
                                   ]),
                                   try .init(address: bytes("1de3d712f5d3103ad50e22dc1f4d3ff1559d5115"), storageKeys: []),
                               ]))
        }, raw: "02f8d90a05648203e882c35094833589fcd6edb6e08f4c7c32d4f71b54bda0291380820102f872f85994833589fcd6edb6e08f4c7c32d4f71b54bda02913f842a00000000000000000000000000000000000000000000000000000000000000001a08db286b53365f5ab351e48395351b18b2a0f10195109ca91fe49d850a855cfe7d6941de3d712f5d3103ad50e22dc1f4d3ff1559d5115c001a0933c4865d45d5092bc9a84b5ba0f56870a7a1eb9f3ed82446a5ecee3e1e46fc2a00691f0aa22cca848962ab71eac05ca67313d489f469a8083df67ccd59be947c8",
           hash: "b963580c8e775c48e5144e1a2ebb34f14c7a88eb97ca86412f134f7f9e135742"),
        Vector(name: "legacy EIP-155, chain 137", transaction: {
            .legacy(try .init(nonce: 7, gasPrice: Word256(50_000_000_000), gasLimit: 21000, to: recipient,
                              value: Word256(123_456_789_012_345_678), chainId: 137))
        }, raw: "f86e07850ba43b7400825208941de3d712f5d3103ad50e22dc1f4d3ff1559d51158801b69b4ba630f34e80820135a022ab872dfdf0cdb2cfd29238da71848276c76787ef2f144a19b2748d9a0fcca4a048e74123c9c021b710aae72b3283e64ba92c03f2cdbe307eff97e3bf3dbd0fff",
           hash: "cb35d846d42ce9c3861af786dc0449c7bf38f045b25f74ed620e1993d0b269a6"),
        Vector(name: "legacy EIP-155 with 31-byte s, chain 1", transaction: {
            .legacy(try .init(nonce: 133, gasPrice: Word256(1), gasLimit: 21000, to: recipient, value: Word256(1), chainId: 1))
        }, raw: "f85f818501825208941de3d712f5d3103ad50e22dc1f4d3ff1559d5115018026a0330f22485795768352aa2355fa835f935cb1b64c8193cde4898a8db650a115889fdc56d2bdacc076902b112dc19550d08851fe737107078da7fd90e8467f88b8",
           hash: "fee3c9744aa7416e3dad3c6b3cf0051fde7b406c0ad372569a7368576d896a4c"),
    ]

    @Test(arguments: vectors)
    func signsLikeEthAccount(vector: Vector) throws {
        let tx = try vector.transaction()
        let signed = try tx.sign(privateKey: Self.key)
        #expect(hex(signed.raw) == vector.raw)
        #expect(hex(signed.hash) == vector.hash)
        #expect(signed.hashHex == "0x" + vector.hash)
        #expect(signed.rawHex == "0x" + vector.raw)
        #expect(signed.signature.isLowS)
        #expect(try signed.sender() == Self.sender)
        // Decoding gives back the same transaction and signature, and the sender.
        let decoded = try EthereumTransaction.Signed(raw: bytes(vector.raw))
        #expect(decoded == signed)
        #expect(decoded.transaction == tx)
        #expect(try EthereumTransaction.recoverSender(raw: bytes(vector.raw)) == Self.sender)
        #expect(try EthereumTransaction.Signed(rawHex: "0x" + vector.raw).hash == signed.hash)
    }

    @Test func vValues() throws {
        let legacy = try EthereumTransaction.legacy(.init(nonce: 0, gasPrice: Word256(1), gasLimit: 21000, to: Self.recipient, value: .zero, chainId: 8453))
        let signed = try legacy.sign(privateKey: Self.key)
        #expect(signed.v == 8453 * 2 + 35 + UInt64(signed.yParity))
        let unprotected = try EthereumTransaction.legacy(.init(nonce: 0, gasPrice: Word256(1), gasLimit: 21000, to: Self.recipient, value: .zero, chainId: nil))
        let signedUnprotected = try unprotected.sign(privateKey: Self.key)
        #expect(signedUnprotected.v == 27 + UInt64(signedUnprotected.yParity))
        // Without a chain id the signing payload is the 6-field list.
        #expect(try RLP.decode(unprotected.signingPayload).listValue?.count == 6)
        let decoded = try EthereumTransaction.Signed(raw: signedUnprotected.raw)
        #expect(decoded.transaction.chainId == nil)
        #expect(try decoded.sender() == Self.sender)
    }

    @Test func tamperingChangesTheSender() throws {
        var raw = bytes(Self.vectors[0].raw)
        #expect(try EthereumTransaction.recoverSender(raw: raw) == Self.sender)
        // The tail is value (…c10000), data 0x80, access list 0xc0, y-parity, r and s (69 bytes): flip a
        // value byte. The signing hash changes, so the same signature "recovers" some other key.
        let index = raw.count - 69 - 1
        #expect(raw[index] == 0x00 && raw[index - 1] == 0x00 && raw[index - 2] == 0xC1)
        raw[index] ^= 0x01
        #expect(try EthereumTransaction.recoverSender(raw: raw) != Self.sender)
    }

    @Test func rejectsMalformedAndUnsupported() throws {
        let raw = bytes(Self.vectors[0].raw)
        #expect(throws: EthereumTransaction.Error.self) { try EthereumTransaction.Signed(raw: []) }
        #expect(throws: EthereumTransaction.Error.self) { try EthereumTransaction.Signed(raw: raw + [0]) }
        #expect(throws: EthereumTransaction.Error.self) { try EthereumTransaction.Signed(raw: Array(raw.dropLast())) }
        #expect(throws: EthereumTransaction.Error.self) { try EthereumTransaction.Signed(raw: [0x01] + raw.dropFirst()) }
        #expect(throws: EthereumTransaction.Error.self) { try EthereumTransaction.Signed(raw: [0x03] + raw.dropFirst()) }
        // A high-S twin of a valid signature (s' = n − s, parity flipped) is refused (EIP-2).
        let signed = try EthereumTransaction.Signed(raw: raw)
        let highS = Self.subtract(Secp256k1.order, signed.signature.s)
        let twin = try EthereumTransaction.Signed(transaction: signed.transaction,
                                                  signature: .init(compact: signed.signature.r + highS, recoveryID: 1 - signed.yParity))
        #expect(throws: EthereumTransaction.Error.self) { try twin.sender() }
        // Bad field values at construction.
        #expect(throws: EthereumTransaction.Error.self) {
            try EthereumTransaction.EIP1559(chainId: 1, nonce: 0, maxPriorityFeePerGas: Word256(2), maxFeePerGas: Word256(1),
                                            gasLimit: 21000, to: Self.recipient, value: .zero)
        }
        #expect(throws: EthereumTransaction.Error.self) {
            try EthereumTransaction.Legacy(nonce: 0, gasPrice: .zero, gasLimit: 0, to: [UInt8](repeating: 0, count: 19), value: .zero, chainId: 1)
        }
        #expect(throws: EthereumTransaction.Error.self) {
            try EthereumTransaction.Legacy(nonce: 0, gasPrice: .zero, gasLimit: 0, to: "0xnope", value: .zero, chainId: 1)
        }
        // A legacy v that is neither 27/28 nor EIP-155.
        var fields = try #require(RLP.decode(bytes(Self.vectors[5].raw)).listValue)
        fields[6] = .uint(30 as UInt64)
        #expect(throws: EthereumTransaction.Error.self) { try EthereumTransaction.Signed(raw: RLP.encode(.list(fields))) }
        // A non-canonical integer (leading zero) in the nonce.
        fields = try #require(RLP.decode(bytes(Self.vectors[5].raw)).listValue)
        fields[0] = .bytes([0, 7])
        #expect(throws: EthereumTransaction.Error.self) { try EthereumTransaction.Signed(raw: RLP.encode(.list(fields))) }
    }

    /// a − b for 32-byte big-endian values with a ≥ b.
    static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var value = Int(a[index]) - Int(b[index]) - borrow
            borrow = value < 0 ? 1 : 0
            if value < 0 { value += 256 }
            out[index] = UInt8(value)
        }
        return out
    }
}
