import NIOCore
import NIOHTTPTypes

/// Closes a connection that does not deliver a complete request within `timeout`, counted from
/// the connection's start or the end of the previous response. That one timer is both the
/// keep-alive idle timeout and the defence against slow-header/slow-body (slowloris) clients.
/// While the server is working on a request the timer is off.
///
/// Requests only move the deadline; the one scheduled task looks at it when it fires and
/// schedules itself again if the deadline has moved. Cancelling and scheduling a task per
/// request cost more than answering a pixel.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    /// When the connection is closed unless a request completes first; nil while one is worked on.
    private var deadline: NIODeadline?
    private var scheduled: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { deadline = nil }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        deadline = .now() + timeout
        if scheduled == nil { schedule(context, at: deadline!) }
    }

    private func schedule(_ context: ChannelHandlerContext, at when: NIODeadline) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        scheduled = context.eventLoop.scheduleTask(deadline: when) {
            let (handler, context) = bound.value
            handler.scheduled = nil
            guard let deadline = handler.deadline else { return }  // working; the answer re-arms
            if deadline <= .now() {
                context.close(promise: nil)
            } else {
                handler.schedule(context, at: deadline)
            }
        }
    }
}
