import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SpurAggregate
import SpurCore
import Synchronization
import Testing

@testable import SpurHTTP

/// A synthetic campaign with known ground truth, replayed through the real collector (live HTTP)
/// and aggregator: how well is the `human` class told apart from proxies, scanners and bots?
@Suite struct HonestNumbersReplayTests {
    struct Hit: Sendable {
        var at: Int64
        var path: String
        var method: HTTPRequest.Method = .get
        var ua: String
        var ip: String
        var lead: String
        var human: Bool
    }

    static let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
    static let appleMail = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    static let gmailProxy = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
    static let safeLinks = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.93 Safari/537.36"

    func scenario() -> [Hit] {
        let t0: Int64 = 1_793_606_400_000  // 2026-11-02T08:00Z, the send time
        let minute: Int64 = 60_000
        func open(_ lead: String) -> String {
            "/o/" + testKeyring.sign(LinkToken(kind: .open, campaign: "nl-replay", lead: lead)) + ".gif"
        }
        func click(_ lead: String, _ n: Int) -> String {
            "/c/" + testKeyring.sign(LinkToken(kind: .click, campaign: "nl-replay", lead: lead, url: "https://shop.example/link\(n)"))
        }
        var hits: [Hit] = []
        // 40 human readers over hours; each opens, then clicks one or two links minutes later.
        for i in 0..<40 {
            let lead = "h\(i)", at = t0 + Int64(i) * 7 * minute, ip = "198.51.\(i).10"
            hits.append(Hit(at: at, path: open(lead), ua: Self.appleMail, ip: ip, lead: lead, human: true))
            hits.append(Hit(at: at + 3 * minute, path: click(lead, i % 4), ua: Self.chrome, ip: ip, lead: lead, human: true))
            if i % 2 == 0 {
                hits.append(Hit(at: at + 9 * minute, path: click(lead, (i + 1) % 4), ua: Self.chrome, ip: ip, lead: lead, human: true))
            }
        }
        // 20 Gmail readers: the proxy fetches the pixel; half of them click minutes later.
        for i in 0..<20 {
            let lead = "g\(i)", at = t0 + 3 * 60 * minute + Int64(i) * 5 * minute
            hits.append(Hit(at: at, path: open(lead), ua: Self.gmailProxy, ip: "66.102.8.\(i)", lead: lead, human: false))
            if i % 2 == 0 {
                hits.append(Hit(at: at + 4 * minute, path: click(lead, 1), ua: Self.chrome, ip: "203.0.\(i).7", lead: lead, human: true))
            }
        }
        // 30 Apple Mail Privacy Protection prefetches right after the send, no clicks.
        for i in 0..<30 {
            hits.append(Hit(at: t0 + Int64(i) * 20_000, path: open("a\(i)"), ua: "Mozilla/5.0", ip: "17.58.\(i % 4).1", lead: "a\(i)", human: false))
        }
        // A Safe-Links-style scanner: for 30 recipients, pixel and all 4 links within 2 s of delivery,
        // from one datacenter network, with one browser-like user agent.
        for i in 0..<30 {
            let lead = "s\(i)", at = t0 + 15_000 + Int64(i) * 3_000
            hits.append(Hit(at: at, path: open(lead), ua: Self.safeLinks, ip: "40.94.88.\(i)", lead: lead, human: false))
            for n in 0..<4 {
                hits.append(
                    Hit(at: at + 300 + Int64(n) * 400, path: click(lead, n), ua: Self.safeLinks, ip: "40.94.88.\(i)", lead: lead, human: false))
            }
        }
        // Crawlers and link previews following a forwarded newsletter.
        let bots = [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "facebookexternalhit/1.1", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "python-requests/2.31.0",
        ]
        for i in 0..<10 {
            let lead = "h\(i)", at = t0 + 6 * 60 * minute + Int64(i) * 11 * minute
            hits.append(
                Hit(at: at, path: i % 2 == 0 ? click(lead, 2) : open(lead), ua: bots[i % bots.count], ip: "34.1.\(i).1", lead: lead, human: false))
        }
        return hits.sorted { $0.at < $1.at }
    }

    @Test func humansAreToldApartWithHighPrecisionAndRecall() async throws {
        let dir = NSTemporaryDirectory() + "spur-replay-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = Atomic<Int64>(0)
        var c = CollectorConfiguration()
        c.dataDirectory = dir
        c.node = "replay"
        c.commitInterval = .milliseconds(10)
        c.trustedProxies = [IPNetwork("127.0.0.1")!]
        c.clock = { now.load(ordering: .relaxed) }
        let metrics = CollectorMetrics()
        let log = try EventLog(configuration: c.eventLogConfiguration, observer: metrics, logger: quietLogger)
        let running = Task { try await log.run() }
        let router = CollectorApplication.buildRouter(configuration: c, keyring: testKeyring, eventLog: log, metrics: metrics)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
        let hits = scenario()
        try await app.test(.live) { client in
            for hit in hits {
                now.store(hit.at, ordering: .relaxed)
                try await client.execute(
                    uri: hit.path, method: hit.method,
                    headers: [.userAgent: hit.ua, .init("X-Forwarded-For")!: hit.ip]
                ) { r in
                    #expect(r.status == .ok || r.status == .found)  // scanners are redirected too
                }
            }
        }
        log.stop()
        try await running.value

        let db = dir + "/spur.sqlite"
        let rules = try ScoringRules.defaults()
        _ = try Aggregator(
            options: .init(dataDirectories: [dir], database: db, rules: rules, asOfMillis: hits.last!.at + 86_400_000), logger: quietLogger
        ).run()
        let events = try AggregateReader(database: db).classifiedEvents(campaign: "nl-replay")
        #expect(events.count == hits.count)
        // Ground truth, by the order both lists share (time).
        let nonHuman: EventFlags = [.bot, .scannerSuspect, .honeypot, .proxyOpen]
        var tp = 0, fp = 0, fn = 0
        for (event, hit) in zip(events, hits) {
            #expect(event.lead == hit.lead)
            let predictedHuman = event.flags.intersection(nonHuman).isEmpty
            if predictedHuman && hit.human { tp += 1 }
            if predictedHuman && !hit.human { fp += 1 }
            if !predictedHuman && hit.human { fn += 1 }
        }
        let precision = Double(tp) / Double(tp + fp), recall = Double(tp) / Double(tp + fn)
        print(
            String(
                format: "honest numbers replay: human precision %.3f, recall %.3f (tp %d, fp %d, fn %d, %d events)", precision, recall, tp, fp, fn,
                events.count))
        #expect(precision >= 0.95)
        #expect(recall >= 0.95)
        let report = try #require(try AggregateReader(database: db).campaignReport("nl-replay"))
        #expect(report.clicks.human == hits.filter { $0.human && $0.path.hasPrefix("/c/") }.count)
    }
}
