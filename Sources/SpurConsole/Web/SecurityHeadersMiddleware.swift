import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import SpurAggregate
import SpurCore

/// Headers every console response carries, and the refusal of requests addressed to the public
/// tracking host: the console must never be reachable under the collector's name.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext
    let trackingHosts: Set<String>
    /// Whether cookies get `Secure`: always, never, or (nil) when a trusted proxy says the
    /// request came over HTTPS.
    let secureCookies: Bool?
    let trustedProxies: [IPNetwork]
    let renderer: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let host = request.head.authority.map(Self.hostName), trackingHosts.contains(host) {
            var response = Response(
                status: .misdirectedRequest, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: .init(string: "The Spur console is not served on the tracking host.\n")))
            Self.secure(&response)
            return response
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            response = problem.response
        } catch let error as HTTPError where request.uri.path.hasPrefix("/api/") {
            response = Problem.from(error, request).response
        } catch let error as HTTPError {
            response = errorPage(error.status, error.body ?? error.status.reasonPhrase, request, context)
        } catch let error as AggregateError where request.uri.path.hasPrefix("/api/") {
            context.logger.error("Console cannot read the database", metadata: ["error": "\(error)"])
            response = Problem(.unavailable, error.description, headers: [.retryAfter: "30"]).response
        } catch let error as AggregateError {
            // The database is missing, from an older Spur, or cannot be read: say what to do.
            context.logger.error("Console cannot read the database", metadata: ["error": "\(error)"])
            response = errorPage(.serviceUnavailable, error.description, request, context)
        } catch {
            // Details go to the log (escaped by the log handler), not to the page.
            context.logger.error("Console request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            if request.uri.path.hasPrefix("/api/") {
                response = Problem(.internalError, "The API could not answer this request; the console's log says why.").response
            } else {
                response = errorPage(.internalServerError, "The console could not answer this request; its log says why.", request, context)
            }
        }
        Self.secure(&response)
        if secureCookies ?? cameOverHTTPS(request, context) {
            let cookies = response.headers[values: .setCookie]
            response.headers[values: .setCookie] = cookies.map { $0.lowercased().contains("; secure") ? $0 : $0 + "; Secure" }
        }
        return response
    }

    /// An error as a page in the request's language (the message itself is escaped like any value).
    private func errorPage(_ status: HTTPResponse.Status, _ message: String, _ request: Request, _ context: Context) -> Response {
        var context = context
        context.language = AuthenticationMiddleware.language(of: request)
        return renderer.message(context.text("error"), message, request: request, context: context, status: status)
    }

    private func cameOverHTTPS(_ request: Request, _ context: Context) -> Bool {
        guard let peer = context.remoteAddress?.ipAddress.flatMap({ IPAddress($0) }), trustedProxies.contains(where: { $0.contains(peer) })
        else { return false }
        return request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    static func secure(_ response: inout Response) {
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }

    /// The host part of an authority, lower-cased, without port.
    static func hostName(_ authority: String) -> String {
        let lower = authority.lowercased()
        if lower.hasPrefix("["), let end = lower.firstIndex(of: "]") { return String(lower[...end]) }
        return String(lower.split(separator: ":", maxSplits: 1).first ?? "")
    }
}
