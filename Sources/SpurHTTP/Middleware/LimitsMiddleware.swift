import HTTPTypes
import Hummingbird

/// Refuses over-long request targets (414) and header sections (431) before any route runs.
struct LimitsMiddleware: RouterMiddleware {
    typealias Context = CollectorContext
    let maxURIBytes: Int
    let maxHeaderBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.head.path.map({ $0.utf8.count }) ?? 0 > maxURIBytes {
            return Responses.text(.uriTooLong, "The request URI is longer than \(maxURIBytes) bytes.")
        }
        var headerBytes = 0
        for field in request.headers {
            headerBytes += field.name.rawName.utf8.count + field.value.utf8.count + 4
        }
        if headerBytes > maxHeaderBytes {
            return Responses.text(
                .requestHeaderFieldsTooLarge, "The request headers are larger than \(maxHeaderBytes) bytes.")
        }
        return try await next(request, context)
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

    /// A bounded set of route names, whatever paths clients invent.
    static func route(_ path: String) -> String {
        if path.hasPrefix("/o/") { return "open" }
        if path.hasPrefix("/c/") { return "click" }
        switch path {
        case "/p.gif": return "pixel"
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
