import HTTPTypes
import NIOCore
import SpurHTTP1

/// The tracking routes' own HTTP/1.1 server, below Hummingbird: first after the connection guard,
/// it scans the raw bytes (`RequestScanner`) and answers `/o/`, `/c/` and `/p.gif` itself with
/// the router's logic (`Tracker`) and response bytes written straight into one buffer — no NIO
/// parser callbacks, no HTTP types, no pipeline hops, no Swift task.
///
/// The first request it does not take — another route, anything the scanner does not fully
/// understand, a head over the limits (the router answers 414/431) — hands the connection to
/// Hummingbird for good: those bytes and all that follow go to NIO's parser unchanged, so
/// pipelined answers keep their order. Until then this handler keeps the head-read and idle
/// timeout; from then on `RequestTimeoutHandler` does (`HandedOff`).
final class TrackingScannerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What every connection's handler shares.
    struct Configuration: Sendable {
        var tracker: Tracker
        var scanner: RequestScanner
        var maxHeaderBytes: Int
        var headTimeout: TimeAmount
        var registry: ConnectionRegistry?
    }

    /// Fired inbound when the connection goes to the full HTTP implementation, with the head
    /// deadline running then: a head that trickled in here gets no fresh timeout there.
    struct HandedOff: Sendable {
        let headDeadline: NIODeadline
    }

    private enum State { case scanning, handedOff, closing }

    private let configuration: Configuration
    private var state = State.scanning
    /// The start of a request whose head has not fully arrived.
    private var partial: ByteBuffer?
    /// Reads that added to `partial`: a head trickling in byte by byte goes to NIO's incremental parser.
    private var partialReads = 0
    private var needsFlush = false
    /// When the connection is closed unless a request head arrives first.
    private var deadline = NIODeadline.now()
    private var timer: Scheduled<Void>?
    /// The connection's peer, made at its first answer.
    private var peer: Peer?

    init(_ configuration: Configuration) { self.configuration = configuration }

    func handlerAdded(context: ChannelHandlerContext) {
        deadline = .now() + configuration.headTimeout
        schedule(context, at: deadline)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .handedOff: return context.fireChannelRead(data)
        case .closing: return
        case .scanning: break
        }
        var buffer = unwrapInboundIn(data)
        if var earlier = partial {
            partial = nil
            earlier.writeBuffer(&buffer)
            buffer = earlier
        }
        var answered = false
        defer {
            if answered, state == .scanning { configuration.registry?.setBusy(context.channel, false) }
        }
        while buffer.readableBytes > 0 {
            switch buffer.withUnsafeReadableBytes({ configuration.scanner.scan($0) }) {
            case .incomplete:
                partialReads += 1
                guard partialReads <= 16 else { return handOff(buffer, context) }
                // A right-sized copy: keeping the read buffer itself would hold its whole capacity
                // (and keep NIO from reusing it) for every slow client.
                var copy = context.channel.allocator.buffer(capacity: buffer.readableBytes)
                copy.writeImmutableBuffer(buffer)
                partial = copy
                return
            case .unsupported:
                return handOff(buffer, context)
            case .request(let request, let length):
                guard let route = Tracker.Route(target: Substring(request.target)),
                    request.fieldBytes <= configuration.maxHeaderBytes
                else { return handOff(buffer, context) }
                buffer.moveReaderIndex(forwardBy: length)
                partialReads = 0
                answered = true
                // Answered: the next head (or the idle connection's end) is due a head timeout from now.
                deadline = .now() + configuration.headTimeout
                let bytes = answer(request, route, context)
                if request.closes {
                    // Whatever follows a `Connection: close` request is not read.
                    state = .closing
                    needsFlush = false
                    let channel = context.channel
                    context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
                    return
                }
                context.write(wrapOutboundOut(bytes), promise: nil)
                needsFlush = true
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        // Until the hand-off nothing was passed on, so there is nothing to complete.
        if state == .handedOff { context.fireChannelReadComplete() }
    }

    private func answer(_ request: ScannedRequest, _ route: Tracker.Route, _ context: ChannelHandlerContext) -> ByteBuffer {
        let tracker = configuration.tracker
        if peer == nil { peer = Peer(context.channel.remoteAddress, configuration: tracker.ingest.configuration) }
        let answer = tracker.answer(route, request, peer: peer!)
        tracker.ingest.metrics.request(route: route.name, status: answer.status.code)
        return ResponseBytes.encode(
            answer, withBody: request.method != .head, closing: request.closes, allocator: context.channel.allocator)
    }

    private func handOff(_ buffer: ByteBuffer, _ context: ChannelHandlerContext) {
        state = .handedOff
        partial = nil
        timer?.cancel()
        timer = nil
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireUserInboundEventTriggered(HandedOff(headDeadline: deadline))
        context.fireChannelRead(wrapInboundOut(buffer))
    }

    /// One timer per connection; answers only move the deadline, and the timer looks at it when
    /// it fires (scheduling a task per request would cost more than the answer).
    private func schedule(_ context: ChannelHandlerContext, at when: NIODeadline) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: when) {
            let (handler, context) = bound.value
            handler.timer = nil
            guard handler.state == .scanning else { return }
            if handler.deadline <= .now() {
                context.close(promise: nil)
            } else {
                handler.schedule(context, at: handler.deadline)
            }
        }
    }
}
