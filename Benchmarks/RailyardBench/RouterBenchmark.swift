import App
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import RailyardCrypto

/// `/api/x402/verify` through Railyard's whole router in process (every middleware, the API key,
/// the settlement lookup, the chain answers at the cached head), next to a bare Hummingbird router
/// that collects the same body and answers a small JSON (baseline), measured in the same run. No
/// sockets: this is the per-request cost of our code, without the kernel and the load generator.
/// The chain comes from the environment as for `railyard serve` (run.sh points it at the harness).
struct RouterBenchmark {
    let bodyFile: String
    let iterations = 20_000

    func run() async throws {
        let body = try Data(contentsOf: URL(fileURLWithPath: bodyFile))
        let directory = NSTemporaryDirectory() + "railyard-route-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "railyard")
        logger.logLevel = .notice
        var environment = ProcessInfo.processInfo.environment
        environment["RAILYARD_API_RATE_LIMIT"] = "100000000"
        environment["RAILYARD_BCRYPT_COST"] = "4"
        let configuration = try RailyardConfiguration.load(environment: environment, dataDirectory: directory)
        let railyard = try await Railyard.build(configuration, logger: logger)
        let ours = railyard.router.buildResponder()

        let bare = Router()
        bare.post("/echo") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: "{\"isValid\":true,\"payer\":\"0x0000000000000000000000000000000000000000\",\"n\":\(buffer.readableBytes)}")))
        }
        let baseline = bare.buildResponder()

        let channel = NIOAsyncTestingChannel()
        func call<R: HTTPResponder>(_ responder: R, _ method: HTTPRequest.Method, _ path: String, bearer: String? = nil, json: Data, read: Bool = true) async throws -> (HTTPResponse.Status, [String: Any])
        where R.Context: RequestContext, R.Context.Source == ApplicationRequestContextSource {
            var head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: path)
            head.headerFields[.contentType] = "application/json"
            head.headerFields[.contentLength] = String(json.count)
            if let bearer { head.headerFields[.authorization] = "Bearer \(bearer)" }
            let request = Request(head: head, body: .init(buffer: ByteBuffer(bytes: json)))
            var requestLogger = logger
            requestLogger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
            let response = try await responder.respond(to: request, context: .init(source: .init(channel: channel, logger: requestLogger)))
            guard read else { return (response.status, [:]) }
            let collected = CollectedBody()
            try await response.body.write(ResponseCollector(into: collected))
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: collected.buffer))) as? [String: Any] ?? [:]
            return (response.status, object)
        }
        func post(_ path: String, _ object: [String: Any], bearer: String? = nil) async throws -> [String: Any] {
            let (status, answer) = try await call(ours, .post, path, bearer: bearer, json: try JSONSerialization.data(withJSONObject: object))
            guard status.code < 300 else { throw BenchmarkError("\(path) answered \(status.code): \(answer)") }
            return answer
        }
        let token = try await post("/api/auth/register", ["email": "bench@example.com", "password": "correct horse battery"])["token"] as! String
        let business = (try await post("/api/businesses", ["name": "Bench"], bearer: token)["business"] as! [String: Any])["id"] as! String
        let key = (try await post("/api/businesses/\(business)/api-keys", ["name": "b"], bearer: token)["api_key"] as! [String: Any])["key"] as! String

        let (_, first) = try await call(ours, .post, "/api/x402/verify", bearer: key, json: body)
        guard first["isValid"] as? Bool == true else { throw BenchmarkError("the verify body does not verify: \(first)") }
        var cpuMicros: [Double] = []
        func rate(_ work: () async throws -> Void) async rethrows -> Double {
            let started = ContinuousClock.now, cpuStarted = Self.processCPUSeconds()
            for _ in 0..<iterations { try await work() }
            let elapsed = ContinuousClock.now - started
            cpuMicros.append((Self.processCPUSeconds() - cpuStarted) * 1e6 / Double(iterations))
            return Double(iterations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        // Raw ecrecover (the signature check every verify must make) interleaved with the verifies:
        // the ratio stays put when this shared machine speeds up or slows down between rounds.
        let signer = Secp256k1.generatePrivateKey()
        let digest = Keccak256.hash(Array("railyard".utf8))
        let signature = try Ethereum.sign(digest: digest, privateKey: signer)
        var recoverRates: [Double] = [], recoverRatios: [Double] = []
        var bareRates: [Double] = [], ourRates: [Double] = []
        for _ in 1...3 {
            let recover = try await rate { _ = try Ethereum.recoverAddressBytes(digest: digest, signature: signature) }
            recoverRates.append(recover)
            bareRates.append(try await rate { _ = try await call(baseline, .post, "/echo", json: body, read: false) })
            ourRates.append(try await rate {
                let (status, _) = try await call(ours, .post, "/api/x402/verify", bearer: key, json: body, read: false)
                guard status == .ok else { throw BenchmarkError("verify answered \(status.code)") }
            })
            recoverRatios.append(ourRates.last! / recover)
        }
        let (_, last) = try await call(ours, .post, "/api/x402/verify", bearer: key, json: body)
        guard last["isValid"] as? Bool == true else { throw BenchmarkError("the verify body stopped verifying: \(last)") }
        let bareMedian = bareRates.sorted()[1], ourMedian = ourRates.sorted()[1]
        // ROUTE_PARALLEL=N: N loops at once as well (how far two cores scale through shared state).
        if let parallel = Int(ProcessInfo.processInfo.environment["ROUTE_PARALLEL"] ?? "") {
            for _ in 1...3 {
                let started = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let iterations = self.iterations, logger = logger
                    for _ in 0..<parallel {
                        group.addTask {
                            let channel = NIOAsyncTestingChannel()
                            for _ in 0..<iterations { try await Self.verify(ours, key: key, body: body, channel: channel, logger: logger) }
                        }
                    }
                    try await group.waitForAll()
                }
                let elapsed = ContinuousClock.now - started
                let total = Double(parallel * iterations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                print("parallel \(parallel): \(Int(total))/s")
            }
        }
        print("x402 verify through the router, in process (\(iterations) requests, median of 3):")
        print("  bare Hummingbird router, same body collected, small JSON answer (baseline): \(Int(bareMedian))/s (\(String(format: "%.1f", 1e6 / bareMedian)) µs)")
        print("  Railyard /api/x402/verify, every middleware and the API key: \(Int(ourMedian))/s (\(String(format: "%.1f", 1e6 / ourMedian)) µs)")
        print(String(format: "  ratio ours/bare: %.3f", ourMedian / bareMedian))
        // Process CPU per request: steadier than wall time on a shared machine.
        let bareCPU = [cpuMicros[1], cpuMicros[4], cpuMicros[7]].sorted()[1], ourCPU = [cpuMicros[2], cpuMicros[5], cpuMicros[8]].sorted()[1]
        print(String(format: "  CPU per request: bare %.1f µs, Railyard %.1f µs", bareCPU, ourCPU))
        print(String(format: "  raw ecrecover %d/s; ratio verify/ecrecover (median of the rounds): %.3f", Int(recoverRates.sorted()[1]), recoverRatios.sorted()[1]))
        print("RESULT x402_router=\(Int(ourMedian)) bare_router=\(Int(bareMedian)) ecrecover_ratio=\(String(format: "%.3f", recoverRatios.sorted()[1]))")
        await railyard.db.close()
    }
}

extension RouterBenchmark {
    static func processCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func verify<R: HTTPResponder>(_ responder: R, key: String, body: Data, channel: NIOAsyncTestingChannel, logger: Logger) async throws
    where R.Context: RequestContext, R.Context.Source == ApplicationRequestContextSource {
        var head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/api/x402/verify")
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.authorization] = "Bearer \(key)"
        var requestLogger = logger
        requestLogger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
        _ = try await responder.respond(to: Request(head: head, body: .init(buffer: ByteBuffer(bytes: body))), context: .init(source: .init(channel: channel, logger: requestLogger)))
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects a response body written through `ResponseBodyWriter`.
final class CollectedBody { var buffer = ByteBuffer() }

struct ResponseCollector: ResponseBodyWriter {
    let into: CollectedBody
    mutating func write(_ buffer: ByteBuffer) async throws { var copy = buffer; into.buffer.writeBuffer(&copy) }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
