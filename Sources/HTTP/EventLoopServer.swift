import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Runs the task of one connection on that connection's event loop. By default the task runs on
/// Swift's global pool while its socket lives on an event loop, so every request crosses threads
/// twice (the request in, the response out), each crossing a thread wake-up; on a small machine
/// those wake-ups cost more than the handler. With the loop as the task's executor preference, the
/// request, its handler and the response write all stay on one thread. Work that must not hold
/// a loop (bcrypt, COMMIT's fsync) already runs on thread pools; actors the handler calls follow the
/// preference too (SE-0417), and tasks it starts with `Task {}` do not inherit it.
public struct EventLoopBoundHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value
    let http1: HTTP1Channel

    public init(responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration = .init()) {
        self.http1 = HTTP1Channel(responder: responder, configuration: configuration)
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler(), position: .first)
        }.flatMap { http1.setup(channel: channel, logger: logger) }
    }

    public func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await http1.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with each connection's task on its own event loop (see `EventLoopBoundHTTP1Channel`).
    public static func eventLoopBoundHTTP1(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in EventLoopBoundHTTP1Channel(responder: responder, configuration: configuration) }
    }
}

/// A task executor that runs jobs on one NIO event loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Sends a small response in one write. NIOAsyncChannel flushes after every part it is handed
/// (head, body, end), so a response left as two `write` syscalls and two TCP segments, each one
/// waking the client. Flushes asked for while a job runs on the loop are merged into one, queued
/// behind that job: the parts written in between leave together, and nothing waits longer than the
/// job that wrote it. A close flushes first, so a response is never dropped with its connection.
final class FlushCoalescingHandler: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var flushQueued = false

    func flush(context: ChannelHandlerContext) {
        guard !flushQueued else { return }
        flushQueued = true
        context.eventLoop.assumeIsolated().execute {
            guard self.flushQueued else { return }
            self.flushQueued = false
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if flushQueued {
            flushQueued = false
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }
}
