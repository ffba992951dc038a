import Foundation
@testable import HTTP
import NIOCore
import NIOEmbedded
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The server sends a response in one write, and never loses one to a close.
@Suite("HTTP server: responses leave whole")
struct HTTPServerTests {
    /// Flushes asked for during one job on the loop go out together once the job is done.
    @Test func flushesInOneLoopJobLeaveAsOne() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
        channel.write(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n"), promise: nil)
        channel.flush()
        channel.write(ByteBuffer(string: "{}"), promise: nil)
        channel.flush()
        // Nothing left yet: the flush waits for the job that wrote the parts.
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "{}"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        // A later flush is queued again (the first one did not stick).
        channel.write(ByteBuffer(string: "next"), promise: nil)
        channel.flush()
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "next"))
        _ = try channel.finish()
    }

    /// A close right after the last write (Connection: close) flushes first: the bytes are sent.
    @Test func aCloseFlushesWhatWasWritten() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.write(ByteBuffer(string: "bye"), promise: written)
        channel.flush()
        channel.close(promise: nil)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "bye"))
        channel.embeddedEventLoop.run()
        var result: Result<Void, any Error>?
        written.futureResult.assumeIsolated().whenComplete { result = $0 }
        #expect(throws: Never.self) { try result?.get() }
        #expect(result != nil)
    }

    /// Through the real server: keep-alive requests (and an HTTP/1.0 one), then requests that ask to
    /// close, a small and a large answer; each arrives whole (its Content-Length) before the end.
    @Test func liveResponsesArriveWholeWithAndWithoutKeepAlive() async throws {
        try await TestApp.with(live: true) { _, api in
            let port = try #require(api.client.port)
            let keepAlive = try RawHTTP(port: port)
            for _ in 0..<3 {
                let answer = try keepAlive.exchange("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                #expect(answer.status == 200 && answer.body == #"{"status":"ok"}"#, "\(answer)")
            }
            let old = try keepAlive.exchange("GET /healthz HTTP/1.0\r\n\r\n")
            #expect(old.status == 200 && old.body == #"{"status":"ok"}"#, "HTTP/1.0: \(old)")
            keepAlive.close()
            for request in ["GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                            "GET /openapi.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"] {
                let connection = try RawHTTP(port: port)
                let answer = try connection.exchange(request)
                #expect(answer.status == 200 && !answer.body.isEmpty, "\(request): \(answer.status)")
                #expect(try connection.readToEnd().isEmpty, "the server closes after the answer")
                connection.close()
            }
        }
    }
}

/// A blocking HTTP/1 client over a raw socket: what the test sees is exactly what the server sent.
final class RawHTTP {
    let socket: Int32
    private var pending: [UInt8] = []

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawHTTPError("connect failed: \(errno)") }
    }

    /// Sends `request` and reads one answer: the head, then exactly Content-Length body bytes.
    func exchange(_ request: String) throws -> (status: Int, body: String) {
        let bytes = Array(request.utf8)
        guard Glibc.send(socket, bytes, bytes.count, 0) == bytes.count else { throw RawHTTPError("send failed") }
        while true {
            if let end = headEnd() {
                let head = String(decoding: pending[..<end], as: UTF8.self)
                let lines = head.components(separatedBy: "\r\n")
                let status = Int(lines[0].split(separator: " ")[1]) ?? 0
                let length = lines.compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    return parts.count == 2 && parts[0].lowercased() == "content-length" ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
                }.first ?? 0
                while pending.count < end + 4 + length {
                    guard try receive() else { throw RawHTTPError("connection ended inside the body (\(pending.count - end - 4) of \(length) bytes)") }
                }
                let body = String(decoding: pending[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                pending.removeFirst(end + 4 + length)
                return (status, body)
            }
            guard try receive() else { throw RawHTTPError("connection ended before the head") }
        }
    }

    /// Whatever arrives until the server closes the connection.
    func readToEnd() throws -> [UInt8] {
        while try receive() {}
        defer { pending = [] }
        return pending
    }

    func close() { Glibc.close(socket) }

    private func headEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for index in 0...(pending.count - 4) where pending[index] == 13 && pending[index + 1] == 10 && pending[index + 2] == 13 && pending[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// Reads what is there; false at the end of the stream.
    private func receive() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = Glibc.recv(socket, &buffer, buffer.count, 0)
        guard count >= 0 else { throw RawHTTPError("recv failed: \(errno)") }
        pending.append(contentsOf: buffer[0..<count])
        return count > 0
    }
}

struct RawHTTPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
