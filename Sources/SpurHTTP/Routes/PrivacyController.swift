import Hummingbird

/// `/optout` and `/optin`: a person's own switch, kept in a first-party cookie.
struct PrivacyController: Sendable {
    let cookies: CookieWriter

    func register(on router: Router<CollectorContext>) {
        router.getAndHead("/optout") { request, _ in
            let language = PageLanguage(request.headers)
            let text = PageText.optedOut(language)
            return Responses.html(
                .ok, title: text.title, message: text.message, language: language, setCookies: [cookies.optOut(), cookies.clearVisitor()]
            ).response
        }
        router.getAndHead("/optin") { request, _ in
            let language = PageLanguage(request.headers)
            let text = PageText.optedIn(language)
            return Responses.html(.ok, title: text.title, message: text.message, language: language, setCookies: [cookies.clearOptOut()])
                .response
        }
    }
}
