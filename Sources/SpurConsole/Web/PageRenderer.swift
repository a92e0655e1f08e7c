import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import Mustache

/// Renders a page template with what every page shows: the catalog of the request's language,
/// the signed-in user, the CSRF token for the logout form, the active navigation entry.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init() throws { library = try Templates.library() }

    enum Section: String { case overview, leads, campaigns, pages, audiences, health, none }

    func render(
        _ template: String, title: String, section: Section, request: Request, context: ConsoleContext, values: [String: Any],
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let session = context.sessions.session
        var page: [String: Any] = [
            "t": context.language.catalog, "lang": context.language.rawValue, "isGerman": context.language == .de, "title": title,
            "signedIn": context.user != nil, "userName": context.user?.name ?? "", "role": context.user?.role.rawValue ?? "",
            "csrf": session?.csrf ?? "", "back": Self.percentEncoded(request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")),
            "navOverview": section == .overview, "navLeads": section == .leads, "navCampaigns": section == .campaigns,
            "navAudiences": section == .audiences, "navPages": section == .pages,
            "navHealth": section == .health, "notice": false,
        ]
        page.merge(values) { $1 }
        let html = library.render(page, withTemplate: template) ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A template rendered alone (no layout), with the request's catalog: a page body to cache.
    func body(_ template: String, language: ConsoleLanguage, values: [String: Any]) -> String {
        var page = values
        page["t"] = language.catalog
        return library.render(page, withTemplate: template) ?? ""
    }

    func message(_ heading: String, _ text: String, request: Request, context: ConsoleContext, status: HTTPResponse.Status) -> Response {
        render(
            "message", title: heading, section: .none, request: request, context: context, values: ["heading": heading, "text": text], status: status)
    }

    /// Percent-encodes everything but unreserved characters and '/': for query values.
    static func percentEncoded(_ s: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// Percent-encodes a path segment (a lead or campaign id), '/' included.
    static func segment(_ s: String) -> String {
        s.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@")) ?? ""
    }

    static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : "\(k)=\(percentEncoded($0))" } }
        return parts.joined(separator: "&")
    }
}

extension ConsoleContext {
    func text(_ key: String) -> String { language.catalog[key] ?? key }
}

extension ConsoleContext {
    /// The `{id}` path parameter, percent-decoded (lead ids are e-mail addresses and the like).
    func pathParameter() throws -> String {
        let raw = try parameters.require("id")
        guard let id = raw.removingPercentEncoding, !id.isEmpty else { throw HTTPError(.badRequest, message: text("bad_id")) }
        return id
    }
}
