import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpurAggregate
import SpurCore
import Testing

@testable import SpurConsole

@Suite struct ConsoleRouteTests {
    func withConsole(
        _ change: (inout ConsoleConfiguration) -> Void = { _ in }, _ body: @escaping @Sendable (Browser, ConsoleFixture) async throws -> Void
    ) async throws {
        let fixture = try await blocking {
            let fixture = try ConsoleFixture()
            try fixture.write(ConsoleFixture.events())
            try fixture.aggregate()
            return fixture
        }
        let app = try fixture.app(change)
        try await app.test(.router) { client in try await body(Browser(client), fixture) }
    }

    @Test func anonymousVisitorsAreSentToSignIn() async throws {
        try await withConsole { browser, _ in
            for path in ["/", "/leads", "/leads/anna%40example.org", "/campaigns", "/campaigns/nl-47", "/health", "/leads.csv"] {
                let page = try await browser.get(path)
                #expect(page.status == .found, "\(path)")
                #expect(page.headers[.location]?.hasPrefix("/login?next=") == true, "\(path)")
            }
            let login = try await browser.get("/login")
            #expect(login.status == .ok && login.text.contains(#"id="password""#))
            let forget = try await browser.post("/leads/anna%40example.org/forget", form: [("confirm", "anna@example.org")])
            #expect(forget.status == .unauthorized)
        }
    }

    @Test func wrongPasswordAndUnknownUserGetTheSameAnswer() async throws {
        try await withConsole { browser, _ in
            let wrong = try await browser.signIn("admin", password: "not-the-password")
            let unknown = try await browser.signIn("nobody", password: "not-the-password")
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.text.contains("User name or password is wrong.") && unknown.text.contains("User name or password is wrong."))
            #expect(browser.cookies["spur_console_session"] == nil)
            #expect(try await browser.get("/").status == .found)
        }
    }

    @Test func signInWithoutTheFormTokenIsRefused() async throws {
        try await withConsole { browser, _ in
            let page = try await browser.post("/login", form: [("user", "admin"), ("password", ConsoleFixture.password)])
            #expect(page.status == .forbidden)
            #expect(browser.cookies["spur_console_session"] == nil)
        }
    }

    @Test func signInIsThrottledPerUser() async throws {
        try await withConsole({ $0.setLoginLimits(perUser: 3, perAddress: 100, window: .seconds(600)) }) { browser, _ in
            for _ in 0..<3 { #expect(try await browser.signIn("admin", password: "wrong-password-x").status == .unauthorized) }
            // Past the limit even the right password is not checked.
            let page = try await browser.signIn("admin")
            #expect(page.status == .tooManyRequests && page.text.contains("Too many failed sign-ins"))
            #expect(try await browser.signIn("vera").status == .found)
        }
    }

    @Test func signInIsThrottledPerAddress() async throws {
        try await withConsole({ $0.setLoginLimits(perUser: 100, perAddress: 2, window: .seconds(600)) }) { browser, _ in
            let first = try await browser.signIn("someone", password: "wrong-password-x")
            let second = try await browser.signIn("another", password: "wrong-password-x")
            let third = try await browser.signIn("vera")
            #expect(first.status == .unauthorized && second.status == .unauthorized)
            #expect(third.status == .tooManyRequests)
        }
    }

    /// Each request renews the idle time: the session cookie comes back with a later expiry
    /// (set together with the session store's own), so this does not depend on how fast the
    /// machine answers.
    @Test func aRequestRenewsTheSessionsIdleTime() async throws {
        try await withConsole({ $0.sessionIdle = .seconds(60) }) { browser, _ in
            func expiry(_ page: Browser.Page) -> Date? {
                guard let cookie = page.headers[values: .setCookie].first(where: { $0.hasPrefix("spur_console_session=") }),
                    let range = cookie.range(of: "Expires=")
                else { return nil }
                let f = DateFormatter()
                f.locale = Locale(identifier: "en_US_POSIX")
                f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
                return f.date(from: String(cookie[range.upperBound...].prefix { $0 != ";" }))
            }
            let signIn = try await browser.signIn("vera")
            let first = try #require(expiry(signIn))
            #expect(abs(first.timeIntervalSinceNow - 60) < 30)
            try await Task.sleep(for: .milliseconds(1100))
            let page = try await browser.get("/health")
            let second = try #require(expiry(page))
            #expect(page.status == .ok && second > first)
        }
    }

    @Test func aSessionEndsAfterItsIdleTime() async throws {
        try await withConsole({ $0.sessionIdle = .seconds(1) }) { browser, _ in
            try await browser.signIn("vera")
            try await Task.sleep(for: .seconds(2))
            let page = try await browser.get("/")
            #expect(page.status == .found && page.headers[.location]?.hasPrefix("/login") == true)
        }
    }

    @Test func everyPageRendersForASignedInUser() async throws {
        try await withConsole { browser, _ in
            #expect(try await browser.signIn("vera").status == .found)
            let overview = try await browser.get("/")
            #expect(overview.status == .ok && overview.text.contains(#"id="grade-matrix""#) && overview.text.contains("<svg"))
            #expect(overview.text.contains(#"href="/leads?grade=1&amp;letter=C" title="C1">1</a>"#))
            let mql = try await browser.get("/leads?stage=mql")
            #expect(mql.status == .ok && mql.text.contains("anna@example.org") && !mql.text.contains("bob@example.org"))
            let lead = try await browser.get("/leads/anna%40example.org")
            #expect(lead.status == .ok)
            #expect(lead.text.contains(#"id="score">53<"#) && lead.text.contains(#"id="grade">1<"#) && lead.text.contains(#"id="stage">MQL<"#))
            #expect(lead.text.contains("malbedarf") && lead.text.contains("store_locator"))
            #expect(lead.text.contains("Source (UTM)") && lead.text.contains("google / cpc / herbst"))
            #expect(lead.text.contains(#"id="consents"><dt>"#) && lead.text.contains("granted · site banner · cookiebot-v12"))
            // One point per day from the first event to the scoring date.
            #expect(lead.text.components(separatedBy: #"<circle class="dot s-score""#).count - 1 == 7)
            // Viewers get no erase form.
            #expect(!lead.text.contains("forget-form"))
            let campaigns = try await browser.get("/campaigns")
            #expect(campaigns.status == .ok && campaigns.text.contains(#"href="/campaigns/nl-47""#))
            let campaign = try await browser.get("/campaigns/nl-47")
            #expect(campaign.status == .ok && campaign.text.contains(#"id="links""#) && campaign.text.contains("malbedarf/pinsel"))
            // The anonymous page view that came with utm_campaign=nl-47.
            #expect(campaign.text.contains(#"id="site-visits">1<"#) && campaign.text.contains("anonymous 1"))
            let health = try await browser.get("/health")
            #expect(health.status == .ok && health.text.contains(#"id="runs""#) && health.text.contains("folded"))
            let css = try await browser.get("/static/console.css")
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(try await browser.get("/leads/nobody%40example.org").status == .notFound)
            #expect(try await browser.get("/campaigns/nl-0").status == .notFound)
            #expect(try await browser.get("/leads?grade=9").status == .badRequest)
            #expect(try await browser.get("/leads?after=bm9wZQ").status == .badRequest)
        }
    }

    @Test func thePagesReportSplitsConsentedFromAnonymousViews() async throws {
        try await withConsole { browser, _ in
            try await browser.signIn("vera")
            let page = try await browser.get("/pages?days=7")
            #expect(page.status == .ok && page.text.contains(#"id="pages-chart""#) && page.text.contains("<svg"))
            // The anonymous view of /malbedarf (fixture event 17) and v-1's consented views.
            #expect(
                page.text.contains(
                    #"https://shop.example/malbedarf</a></td><td class="num">1</td><td class="num">0</td><td class="num">1</td>"#))
            #expect(page.text.contains(#"https://shop.example/filialen</a></td><td class="num">1</td><td class="num">1</td><td class="num">0</td>"#))
            // Attacker-controlled paths stay text.
            #expect(!page.text.contains("<script>alert"))
            let csv = try await browser.get("/pages.csv?days=7")
            #expect(csv.status == .ok && csv.text.hasPrefix("page,with_consent,anonymous,bot\n"))
            #expect(csv.text.contains("https://shop.example/malbedarf,0,1,0\n"))
            let bad = try await browser.get("/pages?days=5")
            #expect(bad.status == .badRequest && bad.text.contains("7, 30, 90, 365"))
            let german = try await browser.get("/pages?days=30&lang=de")
            #expect(german.status == .ok)
        }
    }

    @Test func csvHoldsExactlyTheFilteredLeads() async throws {
        try await withConsole { browser, _ in
            try await browser.signIn("vera")
            let all = try await browser.get("/leads.csv")
            #expect(all.status == .ok && all.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = all.text.split(separator: "\n")
            #expect(lines.first.map(String.init) == LeadCSV.header && lines.count == 4)
            let mql = try await browser.get("/leads.csv?stage=mql").text.split(separator: "\n")
            #expect(mql.count == 2 && mql[1].hasPrefix("anna@example.org,53.0,"))
        }
    }

    @Test func attackerControlledFieldsAreShownInert() async throws {
        try await withConsole { browser, _ in
            try await browser.signIn("admin")
            let pages = [
                "/", "/leads", "/leads/mallory%40example.org", "/campaigns", "/campaigns/nl-47", "/pages?days=7",
                "/campaigns/" + PageRenderer.segment(xss), "/leads?interest=" + PageRenderer.percentEncoded(xss),
            ]
            for path in pages {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(!page.text.contains("<script"), "\(path)")
                #expect(!page.text.contains("<img"), "\(path)")
                #expect(!page.text.lowercased().contains(#"href="javascript:"#), "\(path)")
                #expect(!page.text.contains(#""><"#) || !page.text.contains("onerror=alert(2)>"), "\(path)")
            }
            let lead = try await browser.get("/leads/mallory%40example.org")
            #expect(lead.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
            // The javascript: URL is shown as text, not as a link.
            #expect(lead.text.contains(#"<td class="url">javascript:alert(3)</td>"#))
            let csp = lead.headers[.contentSecurityPolicy] ?? ""
            #expect(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"))
            #expect(lead.headers[.xContentTypeOptions] == "nosniff" && lead.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
        }
    }

    @Test func viewersCannotForgetAndFormsNeedTheirToken() async throws {
        try await withConsole { browser, fixture in
            try await browser.signIn("vera")
            let page = try await browser.get("/leads/anna%40example.org")
            let token = Browser.token(page.text) ?? ""
            #expect(!token.isEmpty)
            let viewer = try await browser.post("/leads/anna%40example.org/forget", form: [("csrf", token), ("confirm", "anna@example.org")])
            #expect(viewer.status == .forbidden)
            #expect(try AggregateReader(database: fixture.db).profile(lead: "anna@example.org") != nil)
            try await browser.post("/logout", form: [("csrf", token)])
            try await browser.signIn("admin")
            let missing = try await browser.post("/leads/anna%40example.org/forget", form: [("confirm", "anna@example.org")])
            #expect(missing.status == .forbidden)
            let wrong = try await browser.post(
                "/leads/anna%40example.org/forget", form: [("csrf", String(repeating: "0", count: 64)), ("confirm", "anna@example.org")])
            #expect(wrong.status == .forbidden)
            #expect(try AggregateReader(database: fixture.db).profile(lead: "anna@example.org") != nil)
        }
    }

    @Test func adminsForgetALeadEverywhere() async throws {
        try await withConsole { browser, fixture in
            try await browser.signIn("admin")
            let page = try await browser.get("/leads/anna%40example.org")
            #expect(page.text.contains(#"id="forget-form""#))
            let token = Browser.token(page.text) ?? ""
            let mismatch = try await browser.post("/leads/anna%40example.org/forget", form: [("csrf", token), ("confirm", "anna")])
            #expect(mismatch.status == .badRequest)
            let done = try await browser.post("/leads/anna%40example.org/forget", form: [("csrf", token), ("confirm", "anna@example.org")])
            #expect(done.status == .seeOther && done.headers[.location] == "/leads?erased=1")
            #expect(try await browser.get("/leads?erased=1").text.contains("Erased"))
            #expect(!(try await browser.get("/leads").text.contains("anna@example.org")))
            // Nor does a filter through the interest and campaign tags find it.
            #expect(!(try await browser.get("/leads?interest=malbedarf").text.contains("anna@example.org")))
            #expect(!(try await browser.get("/leads?campaign=nl-47").text.contains("anna@example.org")))
            #expect(try await browser.get("/leads?campaign=nl-47").text.contains("bob@example.org"))
            #expect(try await browser.get("/leads/anna%40example.org").status == .notFound)
            #expect(try AggregateReader(database: fixture.db).profile(lead: "anna@example.org") == nil)
            // The lead and its visitor id.
            #expect(try await browser.get("/health").text.contains(#"id="erasures">2<"#))
        }
    }

    @Test func signOutEndsTheSession() async throws {
        try await withConsole { browser, _ in
            try await browser.signIn("vera")
            let page = try await browser.get("/")
            #expect(page.status == .ok)
            #expect(try await browser.post("/logout", form: [("csrf", "")]).status == .forbidden)
            let out = try await browser.post("/logout", form: [("csrf", Browser.token(page.text) ?? "")])
            #expect(out.status == .found && out.headers[.location] == "/login")
            #expect(try await browser.get("/").status == .found)
        }
    }

    @Test func sessionCookieIsHttpOnlyAndStrict() async throws {
        try await withConsole { browser, _ in
            let form = try await browser.get("/login")
            let page = try await browser.post(
                "/login", form: [("csrf", Browser.token(form.text) ?? ""), ("user", "vera"), ("password", ConsoleFixture.password)])
            let cookie = page.headers[values: .setCookie].first { $0.hasPrefix("spur_console_session=") } ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
        }
        try await withConsole({ $0.secureCookies = true }) { browser, _ in
            let page = try await browser.signIn("vera")
            #expect(page.headers[values: .setCookie].allSatisfy { $0.contains("Secure") })
        }
    }

    @Test func germanFromAcceptLanguageAndTheSwitch() async throws {
        try await withConsole { browser, _ in
            browser.language = "de-DE,de;q=0.9,en;q=0.5"
            try await browser.signIn("vera")
            #expect(try await browser.get("/").text.contains("<h1>Überblick</h1>"))
            // Error pages too speak the language: the reason comes from the catalog.
            let bad = try await browser.get("/leads?grade=9")
            #expect(bad.status == .badRequest && bad.text.contains("Die Note muss zwischen 1 und 6 liegen."))
            browser.language = "en"
            let switched = try await browser.get("/language?to=de&back=/leads")
            #expect(switched.status == .found && switched.headers[.location] == "/leads")
            let overview = try await browser.get("/")
            #expect(overview.text.contains("<h1>Überblick</h1>"))
            // The switch only ever redirects within the console.
            for back in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
                let page = try await browser.get("/language?to=en&back=" + PageRenderer.percentEncoded(back))
                #expect(page.headers[.location] == "/", "\(back)")
            }
        }
    }

    @Test func theTrackingHostIsRefused() async throws {
        // The test client always addresses `localhost`.
        try await withConsole({ $0.trackingHosts = ["localhost"] }) { browser, _ in
            let page = try await browser.get("/login")
            #expect(page.status == .misdirectedRequest)
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
        }
        try await withConsole { browser, _ in
            let page = try await browser.get("/login")
            #expect(page.status == .ok)
        }
        #expect(SecurityHeadersMiddleware.hostName("T.Shop.Example:443") == "t.shop.example")
        #expect(SecurityHeadersMiddleware.hostName("[::1]:8081") == "[::1]")
    }

    @Test func anUnreadableDatabaseIsA503PageThatSaysWhy() async throws {
        let garbage = NSTemporaryDirectory() + "spur-not-a-db-" + UUID().uuidString
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: garbage))
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        try await withConsole({ $0.database = garbage }) { browser, _ in
            try await browser.signIn("vera")
            for path in ["/", "/leads", "/leads/anna%40example.org", "/campaigns"] {
                let page = try await browser.get(path)
                #expect(page.status == .serviceUnavailable, "\(path)")
                #expect(page.text.contains("not a database") && page.text.contains("<h1>"), "\(path)")
            }
            #expect(try await browser.get("/health").status == .ok)
        }
    }

    @Test func audiencesShowSizeOverTimeMembersAndCSV() async throws {
        let fixture = try await blocking {
            let fixture = try ConsoleFixture()
            try fixture.write(ConsoleFixture.events())
            let audiences = try Audiences(yaml: "audiences: [{name: nl-47-openers, when: {opened: nl-47}}]")
            try fixture.aggregate(asOf: at(day: 3), audiences: audiences)
            try fixture.aggregate(audiences: audiences)
            return fixture
        }
        try await fixture.app().test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn("vera")
            let list = try await browser.get("/audiences")
            #expect(list.status == .ok && list.text.contains(#"href="/audiences/nl-47-openers""#) && list.text.contains(">2<"))
            let page = try await browser.get("/audiences/nl-47-openers")
            #expect(page.status == .ok && page.text.contains(#"id="members">2<"#) && page.text.contains("<svg"))
            #expect(page.text.contains("anna@example.org") && page.text.contains("mallory@example.org"))
            let csv = try await browser.get("/audiences/nl-47-openers/members.csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text.hasPrefix("lead,since\nanna@example.org,") && csv.text.contains("mallory@example.org"))
            #expect(try await browser.get("/audiences/nobody").status == .notFound)
            browser.language = "de"
            #expect(try await browser.get("/audiences").text.contains("Zielgruppen"))
        }
    }

    @Test func catalogsHaveTheSameKeys() {
        #expect(Set(Catalog.english.keys) == Set(Catalog.german.keys))
        #expect(ConsoleLanguage.negotiate("fr-FR, de;q=0.8, en;q=0.7") == .de)
        #expect(ConsoleLanguage.negotiate("en-GB,en;q=0.9,de;q=0.8") == .en)
        #expect(ConsoleLanguage.negotiate(nil) == .en)
    }
}
