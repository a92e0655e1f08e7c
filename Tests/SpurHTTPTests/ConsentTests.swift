import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpurCore
import Testing

@testable import SpurHTTP

/// `--consent`: what a site hit, a click and `/consent` do with and without the consent cookie.
@Suite struct ConsentTests {
    static let site = "https://shop.example"
    static let vid = "0123456789abcdef0123456789abcdef"

    func required(_ c: inout CollectorConfiguration) {
        c.consent = .required
        c.siteOrigins = [Self.site]
    }

    func consent(_ client: some TestClientProtocol, _ body: String, cookies: String? = nil, origin: String? = site)
        async throws -> (HTTPResponse.Status, [String], String)
    {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let origin { headers[.origin] = origin }
        if let cookies { headers[.cookie] = cookies }
        return try await client.execute(uri: "/consent", method: .post, headers: headers, body: ByteBuffer(string: body)) { r in
            (r.status, r.cookies(), r.text)
        }
    }

    @Test func consentIsRequiredByDefault() {
        #expect(CollectorConfiguration().consent == .required)
    }

    @Test(arguments: CollectorPath.allCases) func withoutConsentAPageViewIsAnAnonymousCountAndNoCookieIsSetOrRead(path: CollectorPath)
        async throws
    {
        let events = try await withCollector(via: path, required) { client in
            let url = "https%3A%2F%2Fu%3Ap%40shop.example%2Fp%2F1%3Fmail%3Da%40b.example%26utm_campaign%3Dspring%23top"
            try await client.execute(
                uri: "/p.gif?url=\(url)&ref=https://google.example/search?q=anna&title=Brush", method: .get,
                headers: [.cookie: "spur_vid=\(Self.vid)", .userAgent: "Mozilla/5.0 Test"]
            ) { r in
                #expect(r.status == .ok && r.cookies().isEmpty)
            }
        }
        #expect(events.count == 1)
        let e = try #require(events.first)
        #expect(e.type == .pageview && e.flags.contains(.anonymous))
        #expect(e.url == "https://shop.example/p/1?utm_campaign=spring")
        #expect(e.referrer == "https://google.example" && e.title == "Brush")
        #expect(e.visitor == nil && e.lead == nil && e.ip == nil && e.ua == nil)
    }

    @Test func grantingSetsTheCookiesRecordsTheProofAndTheNextHitCarriesTheVisitor() async throws {
        let events = try await withCollector(via: .server, required) { client in
            let (status, cookies, _) = try await consent(client, "consent=granted&banner=cookiebot-v12")
            #expect(status == .noContent)
            let consentCookie = try #require(cookies.first { $0.hasPrefix("spur_consent=1;") })
            #expect(consentCookie.contains("HttpOnly") && consentCookie.contains("Max-Age=34214400"))
            let visitorCookie = try #require(cookies.first { $0.hasPrefix("spur_vid=") })
            let vid = String(visitorCookie.dropFirst("spur_vid=".count).prefix(32))
            try await client.execute(
                uri: "/p.gif?url=https://shop.example/p/2?x=1", method: .get, headers: [.cookie: "spur_consent=1; spur_vid=\(vid)"]
            ) { r in
                #expect(r.status == .ok && r.cookies().isEmpty)
            }
            // Granting again changes nothing and proves nothing new.
            let again = try await consent(client, "consent=granted", cookies: "spur_consent=1; spur_vid=\(vid)")
            #expect(again.0 == .noContent && !again.1.contains { $0.hasPrefix("spur_vid=") })
        }
        #expect(events.map(\.type) == [.consent, .pageview])
        #expect(events[0].props == ["consent": "granted", "banner": "cookiebot-v12"] && events[0].visitor?.count == 32)
        #expect(events[1].visitor == events[0].visitor && events[1].url == "https://shop.example/p/2?x=1")
        #expect(!events[1].flags.contains(.anonymous))
    }

    @Test func withdrawingClearsTheCookiesRecordsTheProofAndStopsLinking() async throws {
        let events = try await withCollector(via: .server, required) { client in
            let (status, cookies, _) = try await consent(
                client, #"{"consent":"denied","banner":"klaro-3"}"#, cookies: "spur_consent=1; spur_vid=\(Self.vid)")
            #expect(status == .noContent)
            #expect(cookies.contains { $0.hasPrefix("spur_consent=;") && $0.contains("Max-Age=0") })
            #expect(cookies.contains { $0.hasPrefix("spur_vid=;") && $0.contains("Max-Age=0") })
            try await client.execute(uri: "/p.gif?url=https://shop.example/", method: .get) { r in
                #expect(r.status == .ok && r.cookies().isEmpty)
            }
        }
        #expect(events.map(\.type) == [.consent, .pageview])
        #expect(events[0].visitor == Self.vid && events[0].props == ["consent": "denied", "banner": "klaro-3"])
        #expect(events[1].visitor == nil && events[1].flags.contains(.anonymous))
    }

    @Test func anotherSiteCannotChangeConsentAndBadBodiesAreNamed() async throws {
        let events = try await withCollector(via: .server, required) { client in
            let foreign = try await consent(client, "consent=granted", origin: "https://evil.example")
            #expect(foreign.0 == .forbidden && foreign.1.isEmpty)
            let bad = try await consent(client, "consent=maybe")
            #expect(bad.0 == .badRequest && bad.2.contains("'granted' or 'denied'"))
            let banner = try await consent(client, "consent=granted&banner=%3Cscript%3E")
            #expect(banner.0 == .badRequest && banner.2.contains("banner"))
            let unknown = try await consent(client, "consent=granted&email=a%40b.example")
            #expect(unknown.0 == .badRequest && unknown.2.contains("Unknown field"))
        }
        #expect(events.isEmpty)
    }

    @Test func theConsentPageShowsTheStateAndItsButtonWorksWithoutJavaScript() async throws {
        let events = try await withCollector(via: .server, required) { client in
            try await client.execute(uri: "/consent", method: .get, headers: [.acceptLanguage: "de"]) { r in
                #expect(r.status == .ok && r.text.contains("nicht erlaubt") && r.text.contains("value=\"granted\""))
            }
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: "text/html"]
            headers[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
            try await client.execute(
                uri: "/consent", method: .post, headers: headers, body: ByteBuffer(string: "consent=granted&banner=consent-page")
            ) { r in
                #expect(r.status == .ok && r.text.contains("allowed") && r.cookies().contains { $0.hasPrefix("spur_consent=1") })
            }
            try await client.execute(uri: "/consent", method: .get, headers: [.cookie: "spur_consent=1"]) { r in
                #expect(r.text.contains("Withdraw consent"))
            }
        }
        #expect(events.map(\.type) == [.consent])
    }

    @Test func grantsFromOneNetworkAreLimitedLikeSiteHits() async throws {
        let events = try await withCollector(
            via: .server,
            { c in
                required(&c)
                c.siteEventsPerSecond = 1
                c.siteBurst = 3
                // A stopped clock: no token comes back however slowly a loaded machine sends the six.
                c.clock = { 1_800_000_000_000 }
            }
        ) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<6 { statuses.append(try await consent(client, "consent=granted").0) }
            #expect(statuses.filter { $0 == .noContent }.count == 3 && statuses.last == .tooManyRequests, "\(statuses)")
        }
        #expect(events.count == 3)
    }

    @Test func whereConsentIsNotRequiredAGrantKeepsTheVisitorId() async throws {
        let events = try await withCollector(via: .server, { c in c.siteOrigins = [Self.site] }) { client in
            let (status, cookies, _) = try await consent(client, "consent=granted&banner=b1", cookies: "spur_vid=\(Self.vid)")
            #expect(status == .noContent && cookies.contains { $0.hasPrefix("spur_consent=1") })
            #expect(!cookies.contains { $0.hasPrefix("spur_vid=") })
        }
        #expect(events.count == 1 && events[0].visitor == Self.vid)
    }

    @Test func strictRecordsNoSiteHitWithoutConsent() async throws {
        let events = try await withCollector(via: .server, { c in c.consent = .strict }) { client in
            try await client.execute(uri: "/p.gif?url=https://shop.example/", method: .get) { r in
                #expect(r.status == .ok && r.cookies().isEmpty)
            }
            try await client.execute(
                uri: "/e", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: #"{"url":"https://shop.example/"}"#)
            ) { r in
                #expect(r.status == .accepted && r.cookies().isEmpty)
            }
            try await client.execute(uri: "/p.gif?url=https://shop.example/ok", method: .get, headers: [.cookie: "spur_consent=1"]) { r in
                #expect(r.status == .ok && r.cookies().count == 1)
            }
        }
        #expect(events.count == 1 && events[0].url == "https://shop.example/ok" && events[0].visitor?.count == 32)
    }

    @Test func aBeaconWithoutConsentKeepsNoPropsAndANewsletterClickKeepsItsLeadButGetsNoVisitor() async throws {
        let token = testKeyring.sign(LinkToken(kind: .click, campaign: "c", lead: "lead-1", url: "https://shop.example/a"))
        let events = try await withCollector(via: .server, required) { client in
            try await client.execute(
                uri: "/e", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: #"{"type":"custom","name":"quote","url":"https://shop.example/q","props":{"zip":"10115"}}"#)
            ) { r in
                #expect(r.status == .accepted && r.cookies().isEmpty)
            }
            try await client.execute(uri: "/c/\(token)", method: .get, headers: [.cookie: "spur_vid=\(Self.vid)"]) { r in
                #expect(r.status == .found && r.cookies().isEmpty)
            }
        }
        #expect(events.count == 2)
        #expect(events[0].name == "quote" && events[0].props.isEmpty && events[0].flags.contains(.anonymous))
        #expect(events[1].lead == "lead-1" && events[1].visitor == nil && !events[1].flags.contains(.anonymous))
    }
}
