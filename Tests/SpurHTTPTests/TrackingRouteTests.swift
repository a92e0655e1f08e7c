import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpurCore
import Synchronization
import Testing

@testable import SpurHTTP

@Suite struct TrackingRouteTests {
    @Test(arguments: CollectorPath.allCases) func nonASCIITargetsAreRedirectedAsRFC3986URIs(path: CollectorPath) async throws {
        // An older link that signed the raw text: the Location header is ASCII all the same.
        let token = clickToken(url: "https://Bücher.Example/Über-uns?q=ä#ü")
        let events = try await withCollector(via: path) { client in
            try await client.execute(uri: "/c/\(token)", method: .get) { r in
                #expect(r.status == .found)
                #expect(r.headers[.location] == "https://xn--bcher-kva.Example/%C3%9Cber-uns?q=%C3%A4#%C3%BC")
            }
        }
        #expect(events.map(\.url) == ["https://Bücher.Example/Über-uns?q=ä#ü"])
    }

    @Test(arguments: CollectorPath.allCases) func openPixelIsA43ByteUncacheableGIFAndRecordsTheOpen(path: CollectorPath) async throws {
        let token = clickToken(kind: .open)
        let events = try await withCollector(via: path) { client in
            try await client.execute(uri: "/o/\(token).gif", method: .get, headers: [.userAgent: "Mail/1.0"]) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "image/gif")
                #expect(r.headers[.cacheControl] == "no-store, no-cache, must-revalidate, private")
                #expect(r.headers[.pragma] == "no-cache")
                #expect(r.headers[.xContentTypeOptions] == "nosniff")
                #expect(Array(buffer: r.body) == Responses.gifBytes && r.body.readableBytes == 43)
                #expect(r.cookies().isEmpty)
            }
        }
        #expect(events.count == 1)
        #expect(events[0].type == .open && events[0].campaign == "nl-11" && events[0].lead == "lead-42")
        #expect(events[0].ua == "Mail/1.0" && events[0].node == "t1" && events[0].visitor == nil)
    }

    @Test(arguments: CollectorPath.allCases) func anInvalidOpenTokenStillGetsAPixelButNoEvent(path: CollectorPath) async throws {
        let events = try await withCollector(via: path) { client in
            for uri in ["/o/garbage.gif", "/o/\(clickToken()).gif", "/o/\(clickToken(kind: .open))x.gif"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .ok && r.headers[.contentType] == "image/gif")
                }
            }
            try await client.execute(uri: "/o/\(clickToken(kind: .open))", method: .get) { r in #expect(r.status == .notFound) }
        }
        #expect(events.isEmpty)
    }

    @Test(arguments: CollectorPath.allCases) func clickRedirectsWithoutCachingOrLeakingTheTokenAndLinksVisitorToLead(path: CollectorPath) async throws
    {
        let token = clickToken(url: "https://shop.example/paint?a=1&b=2")
        let cookieBox = CookieBox()
        let events = try await withCollector(via: path) { client in
            let cookie = try await client.execute(uri: "/c/\(token)", method: .get) { r in
                #expect(r.status == .found)
                #expect(r.headers[.location] == "https://shop.example/paint?a=1&b=2")
                #expect(r.headers[.cacheControl] == "no-store")
                #expect(r.headers[.referrerPolicy] == "no-referrer")
                let set = r.cookies()
                #expect(set.count == 1)
                return set.first ?? ""
            }
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Max-Age=34214400"))
            #expect(!cookie.contains("Secure"))
            cookieBox.set(cookie)
            let visitorCookie = String(cookie.prefix(while: { $0 != ";" }))
            try await client.execute(uri: "/c/\(token)", method: .get, headers: [.cookie: visitorCookie]) { r in
                #expect(r.status == .found && r.cookies().isEmpty)
            }
        }
        let cookie = cookieBox.value
        #expect(events.count == 2)
        let visitor = String(cookie.dropFirst("spur_vid=".count).prefix(32))
        for e in events {
            #expect(e.type == .click && e.lead == "lead-42" && e.visitor == visitor && e.url == "https://shop.example/paint?a=1&b=2")
        }
    }

    @Test(arguments: CollectorPath.allCases) func downloadLinksRecordDownloads(path: CollectorPath) async throws {
        let events = try await withCollector(via: path) { client in
            try await client.execute(uri: "/c/\(clickToken(url: "https://x.example/w.pdf", kind: .download))", method: .get) { r in
                #expect(r.status == .found)
            }
        }
        #expect(events.map(\.type) == [.download])
    }

    @Test(arguments: CollectorPath.allCases) func invalidClickTokensNeverRedirect(path: CollectorPath) async throws {
        let good = clickToken()
        var tampered = Array(good.utf8)
        tampered[5] = tampered[5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let other = try Keyring(parsing: "t1:ffffffffffffffffffffffffffffffff").sign(
            LinkToken(kind: .click, campaign: "c", url: "https://evil.example"))
        let bad = [
            String(decoding: tampered, as: UTF8.self), String(good.dropLast(3)), other, "nothing",
            clickToken(kind: .open), String(repeating: "A", count: 9000),
        ]
        let events = try await withCollector(via: path) { client in
            for token in bad {
                try await client.execute(uri: "/c/\(token)", method: .get) { r in
                    #expect(r.status.code >= 400 && r.status.code < 500, "\(token.prefix(20))")
                    #expect(r.headers[.location] == nil)
                }
            }
            try await client.execute(uri: "/c/?url=https://evil.example", method: .get) { r in
                #expect(r.headers[.location] == nil)
            }
        }
        #expect(events.isEmpty)
    }

    @Test(arguments: CollectorPath.allCases) func templateLinksTakeTheLeadFromTheQuery(path: CollectorPath) async throws {
        let token = testKeyring.sign(LinkToken(kind: .click, campaign: "c", url: "https://x.example", leadInQuery: true))
        let events = try await withCollector(via: path) { client in
            try await client.execute(uri: "/c/\(token)?l=lead-7", method: .get) { r in #expect(r.status == .found) }
            try await client.execute(uri: "/c/\(token)?l=bad%20lead", method: .get) { r in #expect(r.status == .found) }
            // A signed lead cannot be overridden from the query.
            try await client.execute(uri: "/c/\(clickToken())?l=someone-else", method: .get) { r in #expect(r.status == .found) }
        }
        #expect(events.map(\.lead) == ["lead-7", nil, "lead-42"])
        #expect(events.map { $0.flags.contains(.unsignedLead) } == [true, false, false])
    }

    @Test(arguments: CollectorPath.allCases) func oneNetworkCannotMakeLeadsByTheThousand(path: CollectorPath) async throws {
        let token = testKeyring.sign(LinkToken(kind: .click, campaign: "c", url: "https://x.example", leadInQuery: true))
        let events = try await withCollector(via: path, { $0.unsignedLeadsPerNetwork = 5 }) { client in
            for i in 0..<20 {
                try await client.execute(uri: "/c/\(token)?l=fake-\(i)", method: .get) { r in #expect(r.status == .found) }
            }
        }
        // Every click redirected and was recorded; only the first five carry their (unsigned) lead.
        #expect(events.count == 20)
        #expect(Set(events.compactMap(\.lead)).count == 5)
    }

    @Test(arguments: CollectorPath.allCases) func headAndPrefetchAreAnsweredButNotRecorded(path: CollectorPath) async throws {
        let click = clickToken()
        let events = try await withCollector(via: path) { client in
            try await client.execute(uri: "/c/\(click)", method: .head) { r in #expect(r.status == .found) }
            try await client.execute(uri: "/o/\(clickToken(kind: .open)).gif", method: .head) { r in #expect(r.status == .ok) }
            for header in [
                (HTTPField.Name("Sec-Purpose")!, "prefetch"), (HTTPField.Name("X-Purpose")!, "preview"), (HTTPField.Name("X-Moz")!, "prefetch"),
            ] {
                try await client.execute(uri: "/c/\(click)", method: .get, headers: [header.0: header.1]) { r in
                    #expect(r.status == .found)
                }
                try await client.execute(uri: "/p.gif?url=https://s.example/", method: .get, headers: [header.0: header.1]) { r in
                    #expect(r.status == .ok)
                }
            }
        }
        #expect(events.isEmpty)
    }

    @Test(arguments: CollectorPath.allCases) func sitePixelRecordsPageViewsWithAVisitorCookie(path: CollectorPath) async throws {
        let events = try await withCollector(via: path) { client in
            try await client.execute(
                uri: "/p.gif?url=https%3A%2F%2Fshop.example%2Fp%2F1%3Fx%3D1&ref=https://google.example/&title=Brush+%C3%BC", method: .get
            ) { r in
                #expect(r.status == .ok && r.body.readableBytes == 43)
                #expect(r.cookies().count == 1)
            }
            try await client.execute(uri: "/p.gif?type=download", method: .get, headers: [.referer: "https://shop.example/w.pdf"]) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/p.gif", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/p.gif?url=https://x.example&title=%FF%FE", method: .get) { r in #expect(r.status == .ok) }
        }
        #expect(events.count == 3)
        #expect(events[0].type == .pageview && events[0].url == "https://shop.example/p/1?x=1")
        #expect(events[0].referrer == "https://google.example/" && events[0].title == "Brush ü")
        #expect(events[0].visitor?.count == 32)
        #expect(events[1].type == .download && events[1].url == "https://shop.example/w.pdf")
        #expect(events[2].title == "\u{FFFD}\u{FFFD}")
    }

    @Test(arguments: CollectorPath.allCases) func doNotTrackAndOptOutStripIdentityFromSiteHits(path: CollectorPath) async throws {
        let visitor = "0123456789abcdef0123456789abcdef"
        let events = try await withCollector(via: path) { client in
            // The opt-out cookie also with whitespace around it, as some clients send it.
            for headers: HTTPFields in [
                [.init("DNT")!: "1"], [.init("Sec-GPC")!: "1"], [.cookie: "spur_optout=1; spur_vid=\(visitor)"],
                [.cookie: "spur_vid=\(visitor) ;spur_optout=1 ;x=y"], [.cookie: "a=b;\tspur_optout=1\t; spur_vid=\(visitor)"],
            ] {
                try await client.execute(uri: "/p.gif?url=https://s.example/", method: .get, headers: headers) { r in
                    #expect(r.status == .ok && r.cookies().isEmpty)
                }
            }
            // E-mail clicks keep the lead (the sender's consent) but get no visitor id.
            try await client.execute(uri: "/c/\(clickToken())", method: .get, headers: [.init("DNT")!: "1"]) { r in
                #expect(r.status == .found && r.cookies().isEmpty)
            }
        }
        #expect(events.count == 6)
        for e in events.prefix(5) { #expect(e.visitor == nil && e.lead == nil && e.flags.contains(.dnt)) }
        #expect(events[5].lead == "lead-42" && events[5].visitor == nil)
    }

    @Test(arguments: CollectorPath.allCases) func doNotTrackCanDropSiteHitsEntirely(path: CollectorPath) async throws {
        let events = try await withCollector(via: path, { $0.doNotTrack = .drop }) { client in
            try await client.execute(uri: "/p.gif?url=https://s.example/", method: .get, headers: [.init("DNT")!: "1"]) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/p.gif?url=https://s.example/", method: .get) { r in #expect(r.status == .ok) }
        }
        #expect(events.count == 1 && !events[0].flags.contains(.dnt))
    }

    @Test(arguments: CollectorPath.allCases) func cookieDomainAndSecureAreConfigurable(path: CollectorPath) async throws {
        try await withCollector(
            via: path,
            {
                $0.cookieDomain = "shop.example"; $0.publicURL = "https://t.shop.example"
            }
        ) { client in
            try await client.execute(uri: "/c/\(clickToken())", method: .get) { r in
                let cookie = r.cookies().first ?? ""
                #expect(cookie.contains("Domain=shop.example") && cookie.contains("; Secure"))
            }
        }
    }

    @Test(arguments: CollectorPath.allCases) func longValuesAreTruncatedAndFlagged(path: CollectorPath) async throws {
        let long = String(repeating: "x", count: 5000)
        let events = try await withCollector(via: path) { client in
            try await client.execute(uri: "/p.gif?url=https://s.example/&title=\(long)", method: .get) { r in #expect(r.status == .ok) }
        }
        #expect(events.first?.title?.count == FieldLimits().title)
        #expect(events.first?.flags.contains(.truncated) == true)
    }
}

final class CookieBox: @unchecked Sendable {
    private var stored = ""
    private let lock = NSLock()
    func set(_ v: String) { lock.withLock { stored = v } }
    var value: String { lock.withLock { stored } }
}

@Suite struct ScannerRouteTests {
    @Test(arguments: CollectorPath.allCases) func scannersAreFlaggedButStillRedirected(path: CollectorPath) async throws {
        let browser: HTTPFields = [.userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"]
        // A clock that advances 10 ms per request: the burst rule must not depend on how busy the machine is.
        let ticks = Ticker()
        let events = try await withCollector(via: path, { $0.clock = { 1_700_000_000_000 + ticks.next() * 10 } }) { client in
            for n in 1...3 {
                try await client.execute(uri: "/c/\(clickToken(url: "https://shop.example/\(n)"))", method: .get, headers: browser) { r in
                    #expect(r.status == .found && r.headers[.location] == "https://shop.example/\(n)")
                }
            }
            try await client.execute(uri: "/c/\(clickToken(lead: "other"))", method: .get, headers: [.userAgent: "curl/8.0"]) { r in
                #expect(r.status == .found)
            }
            try await client.execute(uri: "/o/\(clickToken(lead: "third", kind: .open)).gif", method: .get, headers: [.userAgent: "Mozilla/5.0"]) {
                r in
                #expect(r.status == .ok)
            }
        }
        #expect(events.map(\.flags) == [[], [], [.scannerSuspect], [.bot], [.proxyOpen]])
    }
}

/// A counter that can be shared with the collector's clock.
final class Ticker: Sendable {
    private let count = Mutex<Int64>(0)
    func next() -> Int64 {
        count.withLock {
            $0 += 1; return $0
        }
    }
}
