import CSecp256k1
import Foundation
import HTTP
import Hummingbird
import Logging
import RailyardCrypto

/// The HTTP baselines run.sh loads with wrk.
/// - `hello`: Hummingbird's own hello-world (`GET /hello`, its default server), the ceiling of any route.
/// - `floor`: the floor of an x402 verify over HTTP (`POST /ecrecover`, on the same server setup as
///   Railyard): the body collected, one raw libsecp256k1 recovery of a fixed 32-byte digest, a small
///   JSON answer, and nothing else — no parsing, no checks, no middleware. No verifier that
///   recovers a signer per request can answer faster over this stack.
struct HelloServer {
    enum Kind { case hello, floor }
    let kind: Kind
    let port: Int

    func run() async throws {
        let router = Router()
        switch kind {
        case .hello:
            router.get("/hello") { _, _ in "Hello, world!" }
        case .floor:
            let key = Secp256k1.generatePrivateKey()
            let digest = Keccak256.hash(Array("railyard ecrecover floor".utf8))
            let recovery = RawRecovery(digest: digest, signature: try Ethereum.sign(digest: digest, privateKey: key))
            let answer = ByteBuffer(string: #"{"isValid":true,"payer":"\#(try Ethereum.address(privateKey: key))"}"#)
            router.post("/ecrecover") { request, _ -> Response in
                _ = try await request.body.collect(upTo: 1 << 20)
                guard recovery.recover() else { throw HTTPError(.internalServerError) }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
            }
        }
        var logger = Logger(label: "hello")
        logger.logLevel = .error
        let configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: port))
        switch kind {
        case .hello: try await Application(router: router, configuration: configuration, logger: logger).runService()
        case .floor: try await Application(router: router, server: .eventLoopBoundHTTP1(), configuration: configuration, logger: logger).runService()
        }
    }
}

/// One recovery through the C API, with a context made once.
final class RawRecovery: Sendable {
    nonisolated(unsafe) let context: OpaquePointer
    let digest: [UInt8]
    let compact: [UInt8]
    let recid: Int32

    init(digest: [UInt8], signature: [UInt8]) {
        context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_VERIFY))!
        self.digest = digest
        compact = Array(signature[0..<64])
        recid = Int32(signature[64] >= 27 ? signature[64] - 27 : signature[64])
    }

    deinit { secp256k1_context_destroy(context) }

    func recover() -> Bool {
        var parsed = secp256k1_ecdsa_recoverable_signature()
        var publicKey = secp256k1_pubkey()
        return compact.withUnsafeBufferPointer { compact in
            secp256k1_ecdsa_recoverable_signature_parse_compact(context, &parsed, compact.baseAddress!, recid) == 1
        } && secp256k1_ecdsa_recover(context, &publicKey, &parsed, digest) == 1
    }
}
