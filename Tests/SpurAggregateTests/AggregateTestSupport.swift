import Foundation
import Logging
import SpurCore

@testable import SpurAggregate

let quietLogger: Logger = {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}()

/// 2026-11-02T10:00:00Z plus `day - 1` days and `minute` minutes.
func at(day: Int, minute: Int = 0) -> Int64 {
    1_793_613_600_000 + Int64(day - 1) * 86_400_000 + Int64(minute) * 60_000
}

/// End of the UTC day of `day`.
func endOf(day: Int) -> Int64 { (at(day: day) / 86_400_000 + 1) * 86_400_000 - 1 }

func ev(
    _ type: EventType, day: Int, minute: Int = 0, lead: String? = nil, visitor: String? = nil, campaign: String? = nil,
    url: String? = nil, flags: EventFlags = [], props: [String: String] = [:], id: String? = nil
) -> Event {
    Event(
        id: id ?? "ev-" + UUID().uuidString, ts: at(day: day, minute: minute), type: type,
        campaign: campaign, lead: lead, visitor: visitor, url: url, flags: flags, props: props, node: "n1")
}

/// A data directory whose segments hold `batches` (one sealed segment per batch).
final class DataDir {
    let path: String
    var db: String { path + "/spur.sqlite" }
    var segments: String { path + "/segments" }

    init() {
        path = NSTemporaryDirectory() + "spur-agg-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path + "/segments", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `events` as one sealed segment of node `node`.
    func write(_ events: [Event], node: String = "n1") async throws {
        var c = EventLog.Configuration(directory: segments, node: node)
        c.commitInterval = .milliseconds(5)
        let log = try EventLog(configuration: c, logger: quietLogger)
        let running = Task { try await log.run() }
        var batch = EventBatch()
        for e in events { batch.append(e) }
        try await log.appendDurably(batch)
        log.stop()
        try await running.value
    }

    func aggregate(
        asOf: Int64, rules: ScoringRules? = nil, rebuild: Bool = false, db: String? = nil, handoffFile: String? = nil,
        extraDirs: [String] = [], rewriteAtLeast: Int? = nil
    ) throws -> Aggregator.Summary {
        var options = Aggregator.Options(
            dataDirectories: [path] + extraDirs, database: db ?? self.db, rules: try rules ?? ScoringRules.defaults(),
            asOfMillis: asOf)
        options.rebuild = rebuild
        options.handoffFile = handoffFile
        if let rewriteAtLeast { options.profileRewriteAtLeast = rewriteAtLeast }
        return try Aggregator(options: options, logger: quietLogger).run()
    }

    func reader(db: String? = nil) throws -> AggregateReader { try AggregateReader(database: db ?? self.db) }

    func profile(_ lead: String, db: String? = nil) throws -> LeadProfile? {
        try reader(db: db).profile(lead: lead)
    }

    /// All profiles as JSON, in lead order: a database fingerprint for equality checks.
    func fingerprint(db: String? = nil) throws -> [String] {
        var out: [String] = []
        try reader(db: db).eachProfile { out.append(String(decoding: try LeadProfile.encoder.encode($0), as: UTF8.self)) }
        return out
    }
}

/// The reference lead of docs/scoring.md ("A worked example"): 53 points, grade 1, stage mql.
func referenceEvents(lead: String = "lead-1", visitor: String = "v-1") -> [Event] {
    [
        ev(.form, day: 1, visitor: visitor, url: "https://shop.example/newsletter", props: ["form": "newsletter"]),
        ev(.open, day: 2, lead: lead, campaign: "nl-47"),
        ev(.click, day: 2, minute: 1, lead: lead, visitor: visitor, campaign: "nl-47", url: "https://shop.example/malbedarf/pinsel?utm=nl"),
        ev(.open, day: 2, minute: 30, lead: lead, campaign: "nl-47"),  // the same campaign again: nothing
        ev(.identify, day: 3, lead: lead, visitor: visitor, props: ["birthday": "1980-05-01"]),
        ev(.pageview, day: 4, visitor: visitor, url: "https://shop.example/produkte/farben/acryl"),
        ev(.pageview, day: 4, minute: 5, visitor: visitor, url: "https://shop.example/produkte/farben/oel"),  // same day: nothing
        ev(.pageview, day: 6, visitor: visitor, url: "https://shop.example/produkte/pinsel/rund"),
        ev(.pageview, day: 7, visitor: visitor, url: "https://shop.example/filialen"),
    ]
}
