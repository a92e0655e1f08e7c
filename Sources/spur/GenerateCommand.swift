import ArgumentParser
import Foundation
import Logging
import SpurCore

/// `spur segments generate`: realistic demo and benchmark data, deterministic for a seed.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write realistic synthetic segments (leads, campaigns, site visits, bots) for demos and benchmarks.")

    @OptionGroup var data: DataOptions
    @Option(help: "Number of events.") var events = 100_000
    @Option(help: "Number of leads.") var leads = 2_000
    @Option(help: "Number of newsletter campaigns.") var campaigns = 12
    @Option(help: "Days of history, ending today.") var days = 60
    @Option(help: "Collector node name written into the segments.") var node = "gen1"
    @Option(help: "Random seed: the same seed gives the same events.") var seed: UInt64 = 1
    @Option(help: "Seal segments at this many bytes.") var segmentMaxBytes = 64 << 20
    @Option(
        help:
            "Percent of page views from visitors without consent: anonymous page counts, some landing from a campaign (utm_campaign), as --consent required records them. 0 keeps the data of earlier versions."
    )
    var anonymousShare = 0

    func validate() throws {
        guard (0...100).contains(anonymousShare) else { throw ValidationError("--anonymous-share must be a percentage from 0 to 100") }
        guard events > 0, leads > 0, campaigns > 0, days > 0 else { throw ValidationError("counts must be positive") }
        guard NodeName.isValid(node) else { throw ValidationError("invalid node name") }
    }

    func run() throws {
        let dir = data.directory + "/segments"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var logger = Logger(label: "spur.generate")
        logger.logLevel = .warning
        let writer = try SegmentBatchWriter(directory: dir, node: node, segmentMaxBytes: segmentMaxBytes, logger: logger)
        var rng = SplitMix64(seed: seed)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let start = now - Int64(days) * 86_400_000
        let categories = ["farben", "pinsel", "leinwand", "rahmen", "werkzeug", "garten", "tapeten"]
        let agents = [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        ]
        var sequence = 0
        // Time advances monotonically through the history, like a real collector's.
        for i in 0..<events {
            let ts = start + Int64(Double(i) / Double(events) * Double(now - start))
            let lead = "lead-\(rng.next(below: leads) + 1)"
            let visitor = "v\(String(rng.next(below: leads * 2) + 1))"
            let campaign = "nl-\(rng.next(below: campaigns) + 1)"
            let category = categories[rng.next(below: categories.count)]
            sequence += 1
            var e = Event(
                id: "\(node)-gen\(seed)-\(sequence)", ts: ts, type: .pageview, ua: agents[rng.next(below: agents.count)],
                ip: "198.51.\(rng.next(below: 256)).0", node: node)
            let roll = rng.next(below: 1000)
            switch roll {
            case 0..<220:
                e.type = .open
                e.campaign = campaign
                e.lead = lead
                if rng.next(below: 10) < 3 { e.flags.insert(.proxyOpen) }
            case 220..<330:
                e.type = .click
                e.campaign = campaign
                e.lead = lead
                e.visitor = visitor
                e.url = rng.next(below: 3) == 0 ? "https://shop.example/malbedarf/\(category)" : "https://shop.example/angebote/\(category)"
                if rng.next(below: 20) == 0 { e.flags.insert(.scannerSuspect) }
            case 330..<350:
                e.type = .download
                e.campaign = campaign
                e.lead = lead
                e.url = "https://shop.example/ratgeber/\(category).pdf"
            case 350..<880:
                e.visitor = visitor
                let page = rng.next(below: 100)
                e.url =
                    page < 60
                    ? "https://shop.example/produkte/\(category)/\(rng.next(below: 500))"
                    : page < 70
                        ? "https://shop.example/filialen"
                        : page < 73
                            ? "https://shop.example/jobs/\(rng.next(below: 20))"
                            : "https://shop.example/"
                e.title = "Seite \(page)"
                if rng.next(below: 25) == 0 {
                    e.flags.insert(.bot)
                    e.ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
                }
                // Drawn only when asked for, so that the default data stays what benchmarks compared before.
                if anonymousShare > 0, rng.next(below: 100) < anonymousShare {
                    if rng.next(below: 10) == 0 { e.url = "https://shop.example/?utm_source=newsletter&utm_campaign=\(campaign)" }
                    e = AnonymousHit.of(e)
                }
            case 880..<940:
                e.type = .form
                e.visitor = visitor
                e.url = "https://shop.example/newsletter"
                e.props = ["form": "newsletter"]
            case 940..<975:
                e.type = .identify
                e.visitor = visitor
                e.lead = lead
                e.props = rng.next(below: 2) == 0 ? ["birthday": "1980-01-01"] : ["company_size": ["10-49", "50-249", "250-999"][rng.next(below: 3)]]
            default:
                e.type = .custom
                e.visitor = visitor
                e.url = "https://shop.example/filialen"
                e.name = "store_locator_search"
            }
            try writer.add(e)
        }
        try writer.finish()
        print("wrote \(events) events for \(leads) leads over \(days) days to \(dir)")
    }
}

/// A page view as the collector records it without consent (docs/consent.md).
enum AnonymousHit {
    static func of(_ e: Event) -> Event {
        var a = Event(id: e.id, ts: e.ts, type: e.type, url: e.url.map(AnonymousURL.page), title: e.title, node: e.node)
        a.flags = e.flags.union(.anonymous)
        return a
    }
}
