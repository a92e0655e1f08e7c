import HTTPTypes
import Hummingbird

/// Routes the tracking endpoints through the router. Most of their requests never get here:
/// `TrackingFastPath` answers them on the event loop; the router takes the rest (pipelined
/// behind another request, over-long, `Connection: close`).
struct TrackingController: Sendable {
    let tracker: Tracker

    func register(on router: Router<CollectorContext>) {
        for method in [HTTPRequest.Method.get, .head] {
            for path in ["/o/:file", "/c/:token", "/p.gif"] {
                router.on(RouterPath(path), method: method) { request, context in
                    guard let route = Tracker.Route(target: Substring(request.head.path ?? "")) else {
                        return Responses.text(.notFound, "Not found.")
                    }
                    var response = tracker.answer(route, request.head, remoteAddress: context.remoteAddress).response
                    if method == .head { response.dropBodyForHead() }
                    return response
                }
            }
        }
    }
}
