import HTTPTypes
import Hummingbird

/// Routes the tracking endpoints through the router. Most of their requests never get here:
/// `TrackingScannerHandler` answers them from the raw bytes; the router takes the rest (on a
/// connection already handed to Hummingbird, HTTP/1.0, over-long, anything unusual).
struct TrackingController: Sendable {
    let tracker: Tracker

    func register(on router: Router<CollectorContext>) {
        for method in [HTTPRequest.Method.get, .head] {
            for path in ["/o/:file", "/c/:token", "/p.gif"] {
                router.on(RouterPath(path), method: method) { request, context in
                    guard let route = Tracker.Route(target: Substring(request.head.path ?? "")) else {
                        return Responses.text(.notFound, "Not found.")
                    }
                    var response = tracker.answer(
                        route, request.head, peer: Peer(context.remoteAddress, configuration: tracker.ingest.configuration)
                    ).response
                    if method == .head { response.dropBodyForHead() }
                    return response
                }
            }
        }
    }
}
