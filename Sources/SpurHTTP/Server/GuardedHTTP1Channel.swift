import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 child channel with `ConnectionGuardHandler` and the tracking routes' raw
/// fast path (`TrackingScannerHandler`) in front of its parser: the connection cap acts before
/// any byte is parsed, HTTP/1.0 is seen before its version is lost in the conversion to HTTP
/// types, and pixels and redirects never reach NIO's parser.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let registry: ConnectionRegistry
    let fastPath: TrackingScannerHandler.Configuration

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let guardHandler = ConnectionGuardHandler(registry: registry)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(guardHandler, position: .first)
        }.flatMap { inner.setup(channel: channel, logger: logger) }.flatMapThrowing { value in
            // Right after NIO's parser, before the conversion to HTTP types: the version is still known.
            let parser = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            // Right after the guard, in front of NIO's response encoder too: it writes bytes.
            try channel.pipeline.syncOperations.addHandler(TrackingScannerHandler(fastPath), position: .after(guardHandler))
            try channel.pipeline.syncOperations.addHandler(MissingHostHandler(), position: .after(parser))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// An HTTP/1.1 request must carry a `Host` (RFC 9112 §3.2; nginx answers 400). Such a request
/// gets two `Host` fields here, so that the one check of the routes and the fast path — exactly
/// one `Host` — answers it with 400. HTTP/1.0 may omit it.
final class MissingHostHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(var head) = unwrapInboundIn(data), (head.version.major, head.version.minor) >= (1, 1), !head.headers.contains(name: "host") {
            head.headers.add(name: "Host", value: "missing.invalid")
            head.headers.add(name: "Host", value: "missing.invalid")
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        }
        context.fireChannelRead(data)
    }
}
