import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers pixels and redirects right on the event loop, before Hummingbird turns the request
/// into a Swift task and routes it: that hop costs more than the whole answer. The answer is
/// the router's own (`Tracker`), so both paths behave alike.
///
/// Anything else goes on to the router, and so does every request while one the router has
/// taken is still unanswered, so pipelined responses keep their order. Over-long requests and
/// `Connection: close` also go the router's way (414/431, closing).
final class TrackingFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let tracker: Tracker
    private let maxURIBytes: Int
    private let maxHeaderBytes: Int
    /// Requests handed to the router whose response has not ended yet.
    private var routerRequests = 0
    /// The request being answered here, until its end arrives.
    private var pending: (head: HTTPRequest, route: Tracker.Route)?
    private var needsFlush = false

    init(tracker: Tracker, maxURIBytes: Int, maxHeaderBytes: Int) {
        self.tracker = tracker
        self.maxURIBytes = maxURIBytes
        self.maxHeaderBytes = maxHeaderBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if routerRequests == 0, let route = fastRoute(head) {
                pending = (head, route)
            } else {
                routerRequests += 1
                context.fireChannelRead(data)
            }
        case .body:
            // A GET/HEAD body means nothing to a pixel; it is read and dropped.
            if pending == nil { context.fireChannelRead(data) }
        case .end:
            guard let (head, route) = pending else {
                context.fireChannelRead(data)
                return
            }
            pending = nil
            // Answered after the request's end, so the request timer restarts with the answer.
            send(tracker.answer(route, head, remoteAddress: context.channel.remoteAddress), for: head, route, context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routerRequests > 0 { routerRequests -= 1 }
        context.write(data, promise: promise)
    }

    private func fastRoute(_ head: HTTPRequest) -> Tracker.Route? {
        guard head.method == .get || head.method == .head, let path = head.path, path.utf8.count <= maxURIBytes,
            let route = Tracker.Route(target: Substring(path))
        else { return nil }
        // Connection: close is left to the router, which closes after the answer.
        if head.headerFields[values: .connection].contains(where: { $0.lowercased().contains("close") }) { return nil }
        // A second Host is refused by the router (LimitsMiddleware).
        if HeaderSize.hasSecondHost(head.headerFields) { return nil }
        return HeaderSize.of(head.headerFields) <= maxHeaderBytes ? route : nil
    }

    private func send(_ answer: PlainResponse, for head: HTTPRequest, _ route: Tracker.Route, _ context: ChannelHandlerContext) {
        tracker.ingest.metrics.request(route: route.name, status: answer.status.code)
        var headers = answer.headers
        if headers[.contentLength] == nil { headers[.contentLength] = String(answer.body.readableBytes) }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: headers))), promise: nil)
        if head.method != .head, answer.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        needsFlush = true
    }
}
