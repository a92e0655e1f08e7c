import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel with `ConnectionGuardHandler` in front of its parser: the
/// connection cap acts before any byte is parsed, and HTTP/1.0 is seen before its version is
/// lost in the conversion to HTTP types.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let registry: ConnectionRegistry

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuardHandler(registry: registry), position: .first)
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
