import Foundation
import HTTPTypes

/// The few pages the collector shows people (opt-out, opt-in, a broken link), in German and
/// English — all their text in this one catalog. The language follows `Accept-Language`.
enum PageLanguage: String, Sendable {
    case en, de

    /// The supported language the browser prefers most (by `q`, then order); English otherwise.
    init(acceptLanguage header: String?) {
        var best: (language: PageLanguage, q: Double)?
        for part in (header ?? "").split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = fields.first?.lowercased() else { continue }
            let q = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            let language: PageLanguage? = tag.hasPrefix("de") ? .de : (tag.hasPrefix("en") ? .en : nil)
            if let language, q > 0, q > (best?.q ?? 0) { best = (language, q) }
        }
        self = best?.language ?? .en
    }

    init(_ headers: HTTPFields) { self.init(acceptLanguage: headers[.acceptLanguage]) }
}

/// Title and message (the message may hold the catalog's own links, never request data).
enum PageText {
    static func optedOut(_ l: PageLanguage) -> (title: String, message: String) {
        switch l {
        case .en:
            (
                "You are opted out",
                "This browser will no longer be tracked by this site's analytics. The choice is stored in a cookie; "
                    + "if you delete your cookies, visit this page again. <a href=\"optin\">Opt in again</a>."
            )
        case .de:
            (
                "Sie haben widersprochen",
                "Dieser Browser wird von der Webanalyse dieser Website nicht mehr erfasst. Die Entscheidung ist in einem Cookie "
                    + "gespeichert; wenn Sie Ihre Cookies löschen, rufen Sie diese Seite erneut auf. <a href=\"optin\">Wieder zulassen</a>."
            )
        }
    }

    static func optedIn(_ l: PageLanguage) -> (title: String, message: String) {
        switch l {
        case .en: ("You are opted in", "This browser's visits may be counted again. <a href=\"optout\">Opt out</a>.")
        case .de: ("Erfassung zugelassen", "Besuche mit diesem Browser dürfen wieder gezählt werden. <a href=\"optout\">Widersprechen</a>.")
        }
    }

    /// The page `/optin` shows: a button that sends the same-origin `POST`.
    static func optInButton(_ l: PageLanguage) -> (title: String, message: String) {
        switch l {
        case .en:
            (
                "Allow counting again?",
                "This browser has opted out of this site's analytics. "
                    + "<form method=\"post\" action=\"optin\"><button type=\"submit\">Opt in again</button></form>"
            )
        case .de:
            (
                "Erfassung wieder zulassen?",
                "Dieser Browser hat der Webanalyse dieser Website widersprochen. "
                    + "<form method=\"post\" action=\"optin\"><button type=\"submit\">Wieder zulassen</button></form>"
            )
        }
    }

    static func optInRefused(_ l: PageLanguage) -> (title: String, message: String) {
        switch l {
        case .en: ("Not changed", "Opting in again works only with the button on this site's <a href=\"optin\">opt-in page</a>.")
        case .de:
            (
                "Nicht geändert",
                "Die Erfassung lässt sich nur mit der Schaltfläche auf der <a href=\"optin\">Seite dieser Website</a> wieder zulassen."
            )
        }
    }

    /// The page `/consent` shows: the state of this browser's consent and the button that changes it.
    static func consentPage(_ l: PageLanguage, granted: Bool) -> (title: String, message: String) {
        let button = { (value: String, label: String) in
            "<form method=\"post\" action=\"consent\"><input type=\"hidden\" name=\"consent\" value=\"\(value)\">"
                + "<input type=\"hidden\" name=\"banner\" value=\"consent-page\"><button type=\"submit\">\(label)</button></form>"
        }
        switch (l, granted) {
        case (.en, true):
            return (
                "Site analytics: allowed",
                "You allowed this site to recognise this browser with a cookie and count its visits. "
                    + button("denied", "Withdraw consent")
            )
        case (.en, false):
            return (
                "Site analytics: not allowed",
                "This site counts page views only anonymously; this browser is not recognised. "
                    + button("granted", "Allow analytics with a cookie")
            )
        case (.de, true):
            return (
                "Webanalyse: erlaubt",
                "Sie haben erlaubt, dass diese Website diesen Browser mit einem Cookie wiedererkennt und seine Besuche zählt. "
                    + button("denied", "Einwilligung widerrufen")
            )
        case (.de, false):
            return (
                "Webanalyse: nicht erlaubt",
                "Diese Website zählt Seitenaufrufe nur anonym; dieser Browser wird nicht wiedererkannt. "
                    + button("granted", "Webanalyse mit Cookie erlauben")
            )
        }
    }

    static func consentRefused(_ l: PageLanguage) -> (title: String, message: String) {
        switch l {
        case .en: ("Not changed", "Consent can be changed only from this site or on the <a href=\"consent\">consent page</a>.")
        case .de:
            ("Nicht geändert", "Die Einwilligung lässt sich nur auf dieser Website oder auf der <a href=\"consent\">Einwilligungsseite</a> ändern.")
        }
    }

    static func brokenLink(_ l: PageLanguage) -> (title: String, message: String) {
        switch l {
        case .en:
            (
                "This link does not work",
                "The link is incomplete or has been altered, so it cannot be followed. "
                    + "If you copied it from an e-mail, try clicking it in the e-mail instead."
            )
        case .de:
            (
                "Dieser Link funktioniert nicht",
                "Der Link ist unvollständig oder wurde verändert und kann daher nicht geöffnet werden. "
                    + "Wenn Sie ihn aus einer E-Mail kopiert haben, klicken Sie ihn bitte direkt in der E-Mail an."
            )
        }
    }
}
