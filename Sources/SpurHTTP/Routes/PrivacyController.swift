import Hummingbird

/// `/optout` and `/optin`: a person's own switch, kept in a first-party cookie.
struct PrivacyController: Sendable {
    let cookies: CookieWriter

    func register(on router: Router<CollectorContext>) {
        router.getAndHead("/optout") { _, _ in
            Responses.html(
                .ok, title: "You are opted out",
                message: "This browser will no longer be tracked by this site's analytics. "
                    + "The choice is stored in a cookie; if you delete your cookies, visit this page again. "
                    + "<a href=\"optin\">Opt in again</a>.",
                setCookies: [cookies.optOut(), cookies.clearVisitor()]
            ).response
        }
        router.getAndHead("/optin") { _, _ in
            Responses.html(
                .ok, title: "You are opted in",
                message: "This browser's visits may be counted again. <a href=\"optout\">Opt out</a>.",
                setCookies: [cookies.clearOptOut()]
            ).response
        }
    }
}
