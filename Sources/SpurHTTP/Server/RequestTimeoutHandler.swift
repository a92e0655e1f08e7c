import NIOCore
import NIOHTTPTypes

/// Closes a connection that does not deliver a request head within `headTimeout` — counted from
/// the connection's start or the end of the previous response, so it is also the keep-alive idle
/// timeout — or the rest of the request within `timeout` after its head (slow-header and
/// slow-body clients, slowloris). While the server is working on a request the timer is off, and
/// the connection counts as busy for the connection cap (`ConnectionRegistry`).
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
    private let headTimeout: TimeAmount
    private let registry: ConnectionRegistry?
    /// When the connection is closed unless a request completes first; nil while one is worked on.
    private var deadline: NIODeadline?
    private var scheduled: Scheduled<Void>?
    private var scheduledAt: NIODeadline?

    /// Whether the timers start only when `TrackingScannerHandler` hands the connection over.
    private let waitsForHandOff: Bool

    init(timeout: TimeAmount, headTimeout: TimeAmount? = nil, registry: ConnectionRegistry? = nil, waitsForHandOff: Bool = false) {
        self.timeout = timeout
        self.headTimeout = headTimeout ?? timeout
        self.registry = registry
        self.waitsForHandOff = waitsForHandOff
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if !waitsForHandOff { arm(context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The head being read when the scanner gave up keeps the deadline it had there.
        if let handOff = event as? TrackingScannerHandler.HandedOff { arm(context, until: handOff.headDeadline) }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            // The head is in: the rest of the request gets the (longer) request timeout.
            deadline = .now() + timeout
            registry?.setBusy(context.channel, true)
        case .end: deadline = nil
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            arm(context)
            registry?.setBusy(context.channel, false)
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, until given: NIODeadline? = nil) {
        let next = given ?? NIODeadline.now() + headTimeout
        deadline = next
        // Rarely the task waits for a later (request) deadline: then it is moved up.
        if let at = scheduledAt, at > next {
            scheduled?.cancel()
            scheduled = nil
        }
        if scheduled == nil { schedule(context, at: next) }
    }

    private func schedule(_ context: ChannelHandlerContext, at when: NIODeadline) {
        scheduledAt = when
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        scheduled = context.eventLoop.scheduleTask(deadline: when) {
            let (handler, context) = bound.value
            handler.scheduled = nil
            handler.scheduledAt = nil
            guard let deadline = handler.deadline else { return }  // working; the answer re-arms
            if deadline <= .now() {
                context.close(promise: nil)
            } else {
                handler.schedule(context, at: deadline)
            }
        }
    }
}
