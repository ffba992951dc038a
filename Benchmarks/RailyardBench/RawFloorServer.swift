import NIOCore
import NIOHTTP1
import NIOPosix
import RailyardCrypto

/// `rawfloor`: the floor of `floor` without Hummingbird. NIO's HTTP/1 codec (with the same pipelining
/// assistance), the body collected into one buffer, the same raw recovery and answer, all in the
/// channel handler on its event loop: no router, no request context, no HTTP types conversion, no
/// task. It shows what the framework costs per request, so the x402 ratio can be read against the
/// cheapest server this machine runs, not only against the mandated stack.
struct RawFloorServer {
    let port: Int

    func run() async throws {
        let key = Secp256k1.generatePrivateKey()
        let digest = Keccak256.hash(Array("railyard ecrecover floor".utf8))
        let recovery = RawRecovery(digest: digest, signature: try Ethereum.sign(digest: digest, privateKey: key))
        let answer = ByteBuffer(string: #"{"isValid":true,"payer":"\#(try Ethereum.address(privateKey: key))"}"#)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RawFloorHandler(recovery: recovery, answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        try await channel.closeFuture.get()
    }
}

final class RawFloorHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let recovery: RawRecovery
    let answer: ByteBuffer
    private var body = ByteBuffer()
    private var keepAlive = true

    init(recovery: RawRecovery, answer: ByteBuffer) {
        self.recovery = recovery
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            let status: HTTPResponseStatus = recovery.recover() ? .ok : .internalServerError
            let headers: HTTPHeaders = ["content-type": "application/json", "content-length": String(answer.readableBytes)]
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(answer))), promise: nil)
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive { written.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
        }
    }
}
