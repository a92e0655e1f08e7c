import HTTPTypes
import Hummingbird

/// Refuses over-long request targets (414), header sections (431) and a second `Host` (400)
/// before any route runs.
struct LimitsMiddleware: RouterMiddleware {
    typealias Context = CollectorContext
    let maxURIBytes: Int
    let maxHeaderBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.head.path.map({ $0.utf8.count }) ?? 0 > maxURIBytes {
            return Responses.text(.uriTooLong, "The request URI is longer than \(maxURIBytes) bytes.")
        }
        if HeaderSize.of(request.headers) > maxHeaderBytes {
            return Responses.text(
                .requestHeaderFieldsTooLarge, "The request headers are larger than \(maxHeaderBytes) bytes.")
        }
        if HeaderSize.hasSecondHost(request.headers) {
            return Responses.text(.badRequest, "The request needs exactly one Host header.")
        }
        return try await next(request, context)
    }
}

/// The size of a header section as the limits count it: each field's name, value, ": " and CRLF.
enum HeaderSize {
    /// The first `Host` became the request's authority; another one is left among the fields.
    /// Proxies and servers disagree on which of two counts (RFC 9112 §3.2: answer 400).
    static func hasSecondHost(_ fields: HTTPFields) -> Bool { fields[values: host].isEmpty == false }

    private static let host = HTTPField.Name("Host")!

    static func of(_ fields: HTTPFields) -> Int {
        fields.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
    }
}

/// Counts every answered request by route and status.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = CollectorContext
    let metrics: CollectorMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = Self.route(request.uri.path)
        do {
            let response = try await next(request, context)
            metrics.request(route: route, status: response.status.code)
            return response
        } catch {
            metrics.request(route: route, status: (error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }

    /// A bounded set of route names, whatever paths clients invent. The tracking routes are
    /// named by `Tracker.Route`, so both HTTP paths count them alike.
    static func route(_ path: String) -> String {
        if let tracking = Tracker.Route(target: Substring(path)) { return tracking.name }
        if path.hasPrefix("/o/") { return "open" }
        if path.hasPrefix("/c/") { return "click" }
        switch path {
        case "/e": return "beacon"
        case "/s.js": return "script"
        case "/api/identify": return "identify"
        case "/optout", "/optin": return String(path.dropFirst())
        case "/healthz", "/readyz", "/metrics": return String(path.dropFirst())
        case "/robots.txt": return "robots"
        default: return "other"
        }
    }
}
