import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SpurCore

/// The API's gate: a bearer key with scope `read` (`spur keys add NAME --scope read`), then the
/// key's rate limit. The OpenAPI document needs no key, so tools can load it.
struct APIMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext
    let keys: APIKeyring
    let limiter: APIRateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == APIRoutes.prefix + "/openapi.json" { return try await next(request, context) }
        let presented = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil }
        let name: String?
        do { name = try presented.flatMap { try keys.authorize($0, scope: .read) } } catch {
            context.logger.error("The API key store cannot be read", metadata: ["error": "\(error)"])
            throw Problem(.unavailable, "The API keys cannot be read right now; the console's log says why.")
        }
        guard let name else {
            if let presented, keys.isKnown(presented) {
                throw Problem(.forbidden, "This key has another scope; the read API needs a key made with 'spur keys add NAME --scope read'.")
            }
            throw Problem(
                .unauthorized,
                presented == nil
                    ? "Send an API key: 'Authorization: Bearer KEY' (make one with 'spur keys add NAME --scope read')."
                    : "This API key is not valid (revoked or mistyped); make one with 'spur keys add NAME --scope read'.",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        if let wait = limiter.take(name) {
            throw Problem(
                .rateLimited, "More than \(limiter.perMinute) requests a minute with this key; retry in \(wait) s.",
                headers: [.retryAfter: String(wait)])
        }
        return try await next(request, context)
    }
}
