import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging

/// Sets the page language and the signed-in user on the context. Pages other than sign-in and
/// the stylesheet need a user: an anonymous request is sent to the sign-in page. Each request
/// renews the session's idle timeout.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext
    let users: UserDirectory
    let idle: Duration

    static let languageCookie = "spur_console_lang"
    static let publicPaths: Set<String> = ["/login", "/static/console.css", "/language", "/favicon.ico"]

    /// The language the switch chose (its cookie), else the browser's `Accept-Language`.
    static func language(of request: Request) -> ConsoleLanguage {
        request.cookies[languageCookie].flatMap { ConsoleLanguage(rawValue: $0.value) }
            ?? ConsoleLanguage.negotiate(request.headers[.acceptLanguage])
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.language = Self.language(of: request)
        if let session = context.sessions.session {
            if let user = try await users.user(named: session.user) {
                context.user = user
                context.sessions.withLockedSession { $0?.expiresIn = idle }
            } else {
                context.sessions.clearSession()
            }
        }
        // The API has keys of its own (`APIMiddleware`).
        if context.user == nil && !Self.publicPaths.contains(request.uri.path) && !request.uri.path.hasPrefix("/api/") {
            if request.method == .get || request.method == .head {
                let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return .redirect(to: "/login?next=" + PageRenderer.percentEncoded(target), type: .found)
            }
            throw HTTPError(.unauthorized, message: context.text("sign_in_first"))
        }
        return try await next(request, context)
    }
}
