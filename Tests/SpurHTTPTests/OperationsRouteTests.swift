import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpurCore
import Testing

@testable import SpurHTTP

@Suite struct OperationsRouteTests {
    @Test func healthReadinessRobotsAndNotFound() async throws {
        try await withCollector { client in
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
            try await Task.sleep(for: .milliseconds(50))
            try await client.execute(uri: "/readyz", method: .get) { r in #expect(r.status == .ok && r.text == "ready\n") }
            try await client.execute(uri: "/robots.txt", method: .get) { r in #expect(r.text.contains("Disallow: /")) }
            try await client.execute(uri: "/nope", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/c", method: .get) { r in #expect(r.status == .notFound) }
        }
    }

    @Test(arguments: [CollectorPath.router, .server])
    func headAnswersLikeGetWithoutABodyEverywhere(path: CollectorPath) async throws {
        let events = try await withCollector(via: path) { client in
            try await Task.sleep(for: .milliseconds(50))
            for uri in ["/healthz", "/readyz", "/metrics", "/s.js", "/optout", "/optin", "/robots.txt", "/p.gif?url=https%3A%2F%2Fx.example%2F"] {
                var getLength: String?
                try await client.execute(uri: uri, method: .get) { r in getLength = r.headers[.contentLength] }
                try await client.execute(uri: uri, method: .head) { r in
                    #expect(r.status == .ok, "HEAD \(uri)")
                    #expect(r.body.readableBytes == 0, "HEAD \(uri)")
                    if uri != "/metrics" { #expect(r.headers[.contentLength] == getLength, "HEAD \(uri)") }
                }
            }
        }
        // Only the GET of the page-view pixel is an event; HEAD never is.
        #expect(events.map(\.type) == [.pageview])
    }

    @Test(arguments: CollectorPath.allCases)
    func pagesForPeopleSpeakGermanOrEnglishByAcceptLanguage(path: CollectorPath) async throws {
        #expect(PageLanguage(acceptLanguage: "de-DE,de;q=0.9,en;q=0.8") == .de)
        #expect(PageLanguage(acceptLanguage: "en-US,en;q=0.9,de;q=0.8") == .en)
        #expect(PageLanguage(acceptLanguage: "fr-FR,de;q=0.5") == .de && PageLanguage(acceptLanguage: "fr-FR") == .en)
        #expect(PageLanguage(acceptLanguage: "de;q=0.2,en;q=0.7") == .en && PageLanguage(acceptLanguage: nil) == .en)
        _ = try await withCollector(via: path) { client in
            let german: HTTPFields = [.acceptLanguage: "de-DE,de;q=0.9"]
            try await client.execute(uri: "/optout", method: .get, headers: german) { r in
                #expect(r.text.contains("<html lang=\"de\">") && r.text.contains("Sie haben widersprochen"))
                #expect(r.headers[.contentLanguage] == "de" && r.headers[.vary] == "Accept-Language")
            }
            try await client.execute(uri: "/optin", method: .get, headers: german) { r in #expect(r.text.contains("Wieder zulassen</button>")) }
            try await client.execute(uri: "/optin", method: .post, headers: german) { r in #expect(r.text.contains("Erfassung zugelassen")) }
            try await client.execute(uri: "/optout", method: .get) { r in #expect(r.text.contains("You are opted out")) }
            try await client.execute(uri: "/c/broken", method: .get, headers: german) { r in
                #expect(r.status == .badRequest && r.text.contains("Dieser Link funktioniert nicht"))
            }
            try await client.execute(uri: "/c/broken", method: .get) { r in #expect(r.text.contains("This link does not work")) }
        }
    }

    @Test func metricsCountRequestsEventsAndQueue() async throws {
        try await withCollector { client in
            try await client.execute(uri: "/c/\(clickToken())", method: .get) { _ in }
            try await client.execute(uri: "/c/bad", method: .get) { _ in }
            try await Task.sleep(for: .milliseconds(100))
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(r.headers[.xContentTypeOptions] == "nosniff")
                let text = r.text
                #expect(text.contains(#"spur_http_requests_total{route="click",status="302"} 1"#))
                #expect(text.contains(#"spur_http_requests_total{route="click",status="400"} 1"#))
                #expect(text.contains(#"spur_events_total{type="click"} 1"#))
                #expect(text.contains(#"spur_hits_not_recorded_total{reason="invalid_token"} 1"#))
                #expect(text.contains("spur_queue_events"))
                #expect(text.contains("spur_flush_seconds_bucket"))
                #expect(text.contains(#"spur_events_dropped_total{reason="queue_full"} 0"#))
            }
        }
    }

    @Test func oversizedURIsAndHeadersAreRefused() async throws {
        try await withCollector({
            $0.maxURIBytes = 200; $0.maxHeaderBytes = 1000
        }) { client in
            try await client.execute(uri: "/p.gif?url=" + String(repeating: "a", count: 300), method: .get) { r in
                #expect(r.status == .uriTooLong)
            }
            try await client.execute(uri: "/p.gif", method: .get, headers: [.userAgent: String(repeating: "b", count: 2000)]) { r in
                #expect(r.status == .requestHeaderFieldsTooLarge)
            }
        }
    }

    @Test func optOutAndOptInSetAndClearTheCookie() async throws {
        try await withCollector { client in
            try await client.execute(uri: "/optout", method: .get) { r in
                #expect(r.status == .ok && r.headers[.contentType]?.hasPrefix("text/html") == true)
                let cookies = r.cookies()
                #expect(cookies.contains { $0.hasPrefix("spur_optout=1;") })
                #expect(cookies.contains { $0.hasPrefix("spur_vid=;") && $0.contains("Max-Age=0") })
            }
            // Following a link (or an embedded image) to /optin changes nothing: it shows a button.
            try await client.execute(uri: "/optin", method: .get) { r in
                #expect(r.status == .ok && r.cookies().isEmpty && r.text.contains(#"<form method="post" action="optin">"#))
            }
            // Another site's form or fetch cannot opt the browser in again.
            for headers: HTTPFields in [[.origin: "https://evil.example"], [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]] {
                try await client.execute(uri: "/optin", method: .post, headers: headers) { r in
                    #expect(r.status == .forbidden && r.cookies().isEmpty)
                }
            }
            // The button on this host's page can.
            let sameOrigin: HTTPFields = [.origin: "http://localhost", HTTPField.Name("Sec-Fetch-Site")!: "same-origin"]
            try await client.execute(uri: "/optin", method: .post, headers: sameOrigin) { r in
                #expect(r.status == .ok && r.cookies().contains { $0.hasPrefix("spur_optout=;") && $0.contains("Max-Age=0") })
            }
        }
    }

    /// `/metrics` and `/readyz` only for `--metrics-allow` (loopback by default), judged by the
    /// client address after a trusted proxy's `X-Forwarded-For`: not readable from the internet
    /// through the shipped nginx config.
    @Test func metricsAndReadinessOnlyForAllowedAddresses() async throws {
        _ = try await withCollector(via: .server, { $0.trustedProxies = [IPNetwork("127.0.0.1")!] }) { client in
            for uri in ["/metrics", "/readyz"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
                try await client.execute(uri: uri, method: .get, headers: [.init("X-Forwarded-For")!: "203.0.113.77"]) { r in
                    #expect(r.status == .forbidden && !r.text.contains("spur_"), "\(uri)")
                }
            }
            try await client.execute(uri: "/healthz", method: .get, headers: [.init("X-Forwarded-For")!: "203.0.113.77"]) {
                #expect($0.status == .ok)
            }
        }
        _ = try await withCollector(via: .server, { $0.metricsAllow = [IPNetwork("10.0.0.0/8")!] }) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .forbidden) }
        }
    }

    @Test func liveServerTruncatesIPsAndBelievesOnlyTrustedProxies() async throws {
        let events = try await withCollector(via: .server, { $0.trustedProxies = [IPNetwork("127.0.0.1")!] }) { client in
            try await client.execute(uri: "/p.gif?url=https://s.example/", method: .get, headers: [.init("X-Forwarded-For")!: "203.0.113.77"]) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/p.gif?url=https://s.example/", method: .get) { r in #expect(r.status == .ok) }
        }
        #expect(events.map(\.ip) == ["203.0.113.0", "127.0.0.0"])
    }
}
