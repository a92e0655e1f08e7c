import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import NIOPosix
import SpurCore

/// Sign-in, sign-out and the language switch. Sign-in is throttled per user name and per
/// client address and says the same for an unknown user and a wrong password. Its form carries
/// a token that must match a cookie set with the form (the session does not exist yet).
struct LoginController: Sendable {
    let users: UserDirectory
    let throttle: LoginThrottle
    let renderer: PageRenderer
    let configuration: ConsoleConfiguration
    let resolver: ClientAddressResolver

    static let loginTokenCookie = "spur_console_login"

    func register(on router: Router<ConsoleContext>) {
        router.get("/login") { request, context in try await showLogin(request, context, error: nil, status: .ok) }
        router.post("/login") { request, context in try await login(request, context) }
        router.post("/logout") { request, context in try await logout(request, context) }
        router.get("/language") { request, context in language(request, context) }
    }

    private func showLogin(_ request: Request, _ context: ConsoleContext, error: String?, status: HTTPResponse.Status, user: String = "") async throws
        -> Response
    {
        // One token per browser while it signs in: a second tab or a favicon request that
        // lands here must not invalidate the form already shown.
        let token = request.cookies[Self.loginTokenCookie].map(\.value).flatMap(CSRF.isWellFormed) ?? CSRF.token()
        let next = Self.localPath(request.uri.queryParameters["next"].map(String.init)) ?? "/"
        var response = renderer.render(
            "login", title: context.text("login_title"), section: .none, request: request, context: context,
            values: ["loginToken": token, "next": next, "error": error ?? false, "userValue": user], status: status)
        response.setCookie(cookie(Self.loginTokenCookie, token, request: request, maxAge: 3600))
        return response
    }

    private func login(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let form = try await Self.form(LoginForm.self, request, context)
        guard CSRF.matches(form.csrf, request.cookies[Self.loginTokenCookie]?.value) else {
            return try await showLogin(request, context, error: context.text("login_expired"), status: .forbidden)
        }
        let name = String((form.user ?? "").prefix(64))
        let password = String((form.password ?? "").prefix(200))
        let address = clientAddress(request, context)
        if await throttle.isBlocked(user: name, address: address) {
            context.logger.warning("Console sign-in throttled", metadata: ["address": "\(address)"])
            return try await showLogin(request, context, error: context.text("login_throttled"), status: .tooManyRequests, user: name)
        }
        let all = try await users.users()
        let store = users.store
        let user = try await NIOThreadPool.singleton.runIfActive { store.verify(name, password: password, among: all) }
        guard let user else {
            await throttle.recordFailure(user: name, address: address)
            return try await showLogin(request, context, error: context.text("login_failed"), status: .unauthorized, user: name)
        }
        await throttle.recordSuccess(user: name)
        context.sessions.createSession(ConsoleSession(user: user.name, csrf: CSRF.token()), expiresIn: configuration.sessionIdle)
        context.logger.info("Console sign-in", metadata: ["user": "\(user.name)"])
        var response = Response.redirect(to: Self.localPath(form.next) ?? "/", type: .found)
        response.setCookie(cookie(Self.loginTokenCookie, "", request: request, maxAge: 0))
        return response
    }

    private func logout(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let form = try await Self.form(TokenForm.self, request, context)
        guard CSRF.matches(form.csrf, context.sessions.session?.csrf) else { throw HTTPError(.forbidden, message: context.text("bad_token")) }
        context.sessions.clearSession()
        return .redirect(to: "/login", type: .found)
    }

    private func language(_ request: Request, _ context: ConsoleContext) -> Response {
        let language = request.uri.queryParameters["to"].flatMap { ConsoleLanguage(rawValue: String($0)) } ?? context.language
        var response = Response.redirect(to: Self.localPath(request.uri.queryParameters["back"].map(String.init)) ?? "/", type: .found)
        response.setCookie(cookie(AuthenticationMiddleware.languageCookie, language.rawValue, request: request, maxAge: 365 * 86400))
        return response
    }

    /// Only a path on this host: no scheme, no `//host`, no backslash tricks.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return text
    }

    /// HttpOnly, SameSite=Strict; `Secure` is added for HTTPS requests (`SecurityHeadersMiddleware`).
    func cookie(_ name: String, _ value: String, request: Request, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", httpOnly: true, sameSite: .strict)
    }

    func clientAddress(_ request: Request, _ context: ConsoleContext) -> String {
        let peer = context.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        return resolver.resolve(peer: peer, forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!])?.description ?? "unknown"
    }

    /// A URL-encoded form body (at most 64 KiB), decoded by Hummingbird's form decoder.
    static func form<Form: Decodable>(_ type: Form.Type, _ request: Request, _ context: ConsoleContext) async throws -> Form {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
        } catch {
            throw HTTPError(.badRequest, message: context.text("bad_form"))
        }
    }
}

struct LoginForm: Decodable {
    var csrf: String?
    var user: String?
    var password: String?
    var next: String?
}

/// A form that only carries the session's token (and, for "forget", the typed confirmation).
struct TokenForm: Decodable {
    var csrf: String?
    var confirm: String?
}
