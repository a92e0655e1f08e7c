import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SpurCore

/// `/consent`: the person's consent to site tracking, kept in the first-party cookie
/// `spur_consent` (docs/consent.md). `POST` grants or withdraws it — from the site script or a
/// consent banner on a configured site origin, or from the button on `GET /consent` — and each
/// change is recorded as a `consent` event before it is answered: the proof GDPR Art. 7(1) asks for.
struct ConsentController: Sendable {
    let ingest: Ingestor

    /// What a consent request asks for.
    struct Change {
        var granted: Bool
        /// The banner and text version the site showed (e.g. `cookiebot-v12`).
        var banner: String?

        static let bannerCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/-+ ")

        /// Reads `consent=granted|denied&banner=…` (a form) or `{"consent": …, "banner": …}`.
        init(body: [UInt8]) throws(SpurError) {
            var fields: [String: String] = [:]
            if body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                    throw .invalidInput("Malformed JSON: expected {\"consent\": \"granted\" or \"denied\", \"banner\": \"…\"}.")
                }
                for (key, value) in object {
                    guard let text = value as? String else { throw .invalidInput("Field '\(key)' must be a string.") }
                    fields[key] = text
                }
            } else {
                fields = QueryString.parse(Substring(decoding: body, as: UTF8.self))
            }
            for key in fields.keys where key != "consent" && key != "banner" {
                throw .invalidInput("Unknown field '\(key.prefix(40))' (expected consent, banner).")
            }
            switch fields["consent"] {
            case "granted": granted = true
            case "denied": granted = false
            default: throw .invalidInput("Field 'consent' must be 'granted' or 'denied'.")
            }
            if let banner = fields["banner"], !banner.isEmpty {
                guard banner.count <= 100, banner.allSatisfy(Self.bannerCharacters.contains) else {
                    throw .invalidInput("Field 'banner' must be 1–100 letters, digits, spaces or ._:/-+ (a banner and text version id).")
                }
                self.banner = banner
            }
        }
    }

    func register(on router: Router<CollectorContext>) {
        router.getAndHead("/consent") { request, context in
            let facts = RequestFacts(request, context: context, configuration: ingest.configuration, resolver: ingest.resolver)
            let language = PageLanguage(request.headers)
            let text = PageText.consentPage(language, granted: facts.consented)
            return Responses.html(.ok, title: text.title, message: text.message, language: language).response
        }
        router.on("/consent", method: .options) { request, _ in
            SiteController(siteOrigins: Set(ingest.configuration.siteOrigins)).preflight(request)
        }
        router.post("/consent") { request, context in try await self.change(request, context) }
    }

    func change(_ request: Request, _ context: CollectorContext) async throws -> Response {
        let language = PageLanguage(request.headers)
        let wantsPage = request.headers[.accept]?.contains("text/html") == true
        var response = try await answer(request, context, language: language, wantsPage: wantsPage)
        SiteController.allowOrigin(request, &response, origins: Set(ingest.configuration.siteOrigins))
        return response
    }

    private func answer(_ request: Request, _ context: CollectorContext, language: PageLanguage, wantsPage: Bool) async throws -> Response {
        guard isAllowed(request) else {
            let text = PageText.consentRefused(language)
            return Responses.html(.forbidden, title: text.title, message: text.message, language: language).response
        }
        let body: ByteBuffer
        switch await RequestBodyReader.collect(request, limit: 4096) {
        case .success(let b): body = b
        case .failure(let problem): return problem.response
        }
        let change: Change
        do { change = try Change(body: Array(buffer: body)) } catch { return Responses.text(.badRequest, error.description) }

        let facts = RequestFacts(request, context: context, configuration: ingest.configuration, resolver: ingest.resolver)
        var cookies: [String] = []
        var proof: Event?
        if change.granted {
            cookies.append(ingest.cookies.consent())
            // Opt-out, DNT and GPC still win: the choice is kept, but nobody is recognised.
            if !facts.doesNotWantTracking {
                // The browser's visitor id where it may be read (consent given, or not required).
                let visitor = facts.visitor
                let id = visitor ?? VisitorID.generate()
                if visitor == nil { cookies.append(ingest.cookies.visitor(id)) }
                if !facts.consented || visitor == nil { proof = record(change, visitor: id, facts) }
            }
        } else {
            cookies += [ingest.cookies.clearConsent(), ingest.cookies.clearVisitor()]
            if facts.consented, let visitor = facts.visitor { proof = record(change, visitor: visitor, facts) }
        }
        if let proof {
            // A proof is an event like any site hit: the per-network limits apply.
            if let refusal = ingest.refusal(network: facts.network, events: 1, what: "The consent") { return refusal }
            do {
                try await ingest.recordDurably([proof])
            } catch {
                return Responses.retryLater(.serviceUnavailable, "The consent cannot be stored right now; retry later.", after: 5)
            }
        }
        var response: Response
        if wantsPage {
            let text = PageText.consentPage(language, granted: change.granted)
            response = Responses.html(.ok, title: text.title, message: text.message, language: language).response
        } else {
            response = Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        for cookie in cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }

    private func record(_ change: Change, visitor: String, _ facts: RequestFacts) -> Event {
        var event = ingest.event(.consent, facts)
        event.visitor = visitor
        event.url = facts.referrer
        event.props = ["consent": change.granted ? "granted" : "denied"]
        if let banner = change.banner { event.props["banner"] = banner }
        return event
    }

    /// A site origin of `--site-origin` (the site's own banner), or this host itself (the button
    /// on `GET /consent`); never another site, so nobody can grant consent for a person elsewhere.
    private func isAllowed(_ request: Request) -> Bool {
        if let origin = request.headers[.origin], ingest.configuration.siteOrigins.contains(origin) { return true }
        return PrivacyController.isSameOrigin(request)
    }
}
