import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// A real HTTP endpoint on 127.0.0.1 for delivery tests: records every request's raw body and
/// headers, and answers 500 to the first `failFirst` requests.
public final class Receiver: Sendable {
    public struct Received: Sendable {
        public let body: [UInt8]
        /// Lower-cased header names.
        public let headers: [String: String]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    private struct State {
        public var requests: [Received] = []
        var failuresLeft: Int
        var port = 0
        var rates = ""
    }

    private let state: Mutex<State>

    init(failFirst: Int) { state = Mutex(State(failuresLeft: failFirst)) }

    public var requests: [Received] { state.withLock { $0.requests } }
    public var url: String { "http://127.0.0.1:\(state.withLock { $0.port })/hook" }

    fileprivate func setPort(_ port: Int) { state.withLock { $0.port = port } }

    /// What `GET /hook/simple/price` answers: a CoinGecko-shaped price table, so the receiver can be
    /// the server's live rates source (`ratesURL = url`) with prices a test moves.
    public func setRates(_ json: String) { state.withLock { $0.rates = json } }

    /// Records a request; returns whether to answer with success.
    fileprivate func record(_ received: Received) -> Bool {
        state.withLock { state in
            state.requests.append(received)
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                return false
            }
            return true
        }
    }

    /// Runs `body` while the receiver is listening; stops it afterwards.
    public static func with<T: Sendable>(failFirst: Int = 0, _ body: (Receiver) async throws -> T) async throws -> T {
        let receiver = Receiver(failFirst: failFirst)
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let ok = receiver.record(Received(body: Array(buffer.readableBytesView), headers: headers))
            return Response(status: ok ? .ok : .internalServerError)
        }
        // A GET answers like a paid API would (used as an x402 upstream).
        router.get("hook") { request, _ -> Response in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            _ = receiver.record(Received(body: Array((request.uri.query ?? "").utf8), headers: headers))
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"premium":true,"query":"\#(request.uri.query ?? "")"}"#)))
        }
        router.get("hook/simple/price") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: receiver.state.withLock { $0.rates })))
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test.receiver")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw ReceiverError.didNotStart
            }
            receiver.setPort(port)
            let result: Result<T, any Error>
            do { result = .success(try await body(receiver)) } catch { result = .failure(error) }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    public enum ReceiverError: Error { case didNotStart }
}

