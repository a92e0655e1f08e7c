import HTTPTypes
import Hummingbird

/// `/optout` and `/optin`: a person's own switch, kept in a first-party cookie. Opting out is a
/// link anyone may follow; opting in again only a button on this host may do (a `POST` from the
/// same origin), so no other site can undo a person's opt-out by embedding a URL.
struct PrivacyController: Sendable {
    let cookies: CookieWriter

    func register(on router: Router<CollectorContext>) {
        router.getAndHead("/optout") { request, _ in
            let language = PageLanguage(request.headers)
            let text = PageText.optedOut(language)
            return Responses.html(
                .ok, title: text.title, message: text.message, language: language,
                setCookies: [cookies.optOut(), cookies.clearVisitor(), cookies.clearConsent()]
            ).response
        }
        router.getAndHead("/optin") { request, _ in
            let language = PageLanguage(request.headers)
            let text = PageText.optInButton(language)
            return Responses.html(.ok, title: text.title, message: text.message, language: language).response
        }
        router.post("/optin") { request, _ in
            let language = PageLanguage(request.headers)
            guard Self.isSameOrigin(request) else {
                let text = PageText.optInRefused(language)
                return Responses.html(.forbidden, title: text.title, message: text.message, language: language).response
            }
            let text = PageText.optedIn(language)
            return Responses.html(.ok, title: text.title, message: text.message, language: language, setCookies: [cookies.clearOptOut()])
                .response
        }
    }

    /// The browser says the form was on this host: `Sec-Fetch-Site: same-origin` when sent, and
    /// an `Origin` (sent with every cross-site POST) naming this host.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin" { return false }
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority?.lowercased().split(separator: ":").first,
            let originHost = origin.lowercased().split(separator: "/").dropFirst(1).first?.split(separator: ":").first
        else { return false }
        return host == originHost
    }
}
