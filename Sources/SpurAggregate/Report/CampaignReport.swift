import Foundation
import SpurCore

/// Opens and clicks of one campaign, each split into human, proxy (image proxies, Apple MPP)
/// and bot (bots, scanners, honeypot clicks). Sends are unknown to Spur, so there are no rates
/// per send; `click_to_open` is unique clickers / unique openers.
public struct CampaignReport: Codable, Sendable {
    public struct Split: Codable, Sendable, Equatable {
        public var total = 0
        public var human = 0
        public var proxy = 0
        public var bot = 0

        public init(total: Int = 0, human: Int = 0, proxy: Int = 0, bot: Int = 0) {
            self.total = total
            self.human = human
            self.proxy = proxy
            self.bot = bot
        }
    }

    public struct LinkRow: Codable, Sendable {
        public var url: String
        public var clicks: Split
        public var uniqueClicks: Split
        enum CodingKeys: String, CodingKey {
            case url, clicks
            case uniqueClicks = "unique_clicks"
        }
    }

    public var campaign: String
    public var opens = Split()
    public var uniqueOpens = Split()
    public var clicks = Split()
    public var uniqueClicks = Split()
    /// Unique human clickers / unique human openers (nil without opens).
    public var clickToOpen: Double?
    public var links: [LinkRow] = []
    /// Events per flag, for opens and clicks: why they do not count as human.
    public var excluded: [String: [String: Int]] = [:]

    enum CodingKeys: String, CodingKey {
        case campaign, opens, clicks, links, excluded
        case uniqueOpens = "unique_opens"
        case uniqueClicks = "unique_clicks"
        case clickToOpen = "click_to_open"
    }

    enum Kind { case human, proxy, bot }

    static func kind(_ flags: EventFlags) -> Kind {
        if !flags.intersection([.bot, .scannerSuspect, .honeypot]).isEmpty { return .bot }
        if flags.contains(.proxyOpen) { return .proxy }
        return .human
    }
}

extension Aggregator {
    /// The campaign's opens and clicks with the aggregator's re-classified flags, by time.
    public static func classifiedEvents(database path: String, campaign: String) throws -> [Event] {
        let store = try AggregateStore(path: path, readOnly: true)
        var events: [Event] = []
        try store.db.prepare(
            "SELECT type, lead, visitor, url, flags, id, ts, ip, ua FROM events WHERE campaign = ? AND type IN ('open', 'click', 'download') ORDER BY ts, id"
        ).query(campaign) { row in
            events.append(Event(
                id: row.string(5)!, ts: row.int(6), type: EventType(rawValue: row.string(0)!) ?? .click, campaign: campaign,
                lead: row.string(1), visitor: row.string(2), url: row.string(3), ua: row.string(8), ip: row.string(7),
                flags: EventFlags(rawValue: UInt8(truncatingIfNeeded: row.int(4)))))
        }
        return BurstClassifier.reclassifyNetworks(events)
    }

    /// The report for `campaign` from the database at `path`; nil when the campaign has no events.
    public static func campaignReport(database path: String, campaign: String) throws -> CampaignReport? {
        var report = CampaignReport(campaign: campaign)
        var openers: [CampaignReport.Kind: Set<String>] = [:]
        var clickers: [CampaignReport.Kind: Set<String>] = [:]
        var links: [String: (CampaignReport.Split, [CampaignReport.Kind: Set<String>])] = [:]
        var any = false
        func add(_ split: inout CampaignReport.Split, _ kind: CampaignReport.Kind) {
            split.total += 1
            switch kind {
            case .human: split.human += 1
            case .proxy: split.proxy += 1
            case .bot: split.bot += 1
            }
        }
        for event in try classifiedEvents(database: path, campaign: campaign) {
            any = true
            let kind = CampaignReport.kind(event.flags)
            for name in event.flags.names where name != "dnt" && name != "truncated" {
                report.excluded[event.type == .open ? "opens" : "clicks", default: [:]][name, default: 0] += 1
            }
            // Unique by lead; template links without a lead fall back to the visitor, then the event.
            let who = event.lead ?? event.visitor ?? event.id
            if event.type == .open {
                add(&report.opens, kind)
                openers[kind, default: []].insert(who)
            } else {
                add(&report.clicks, kind)
                clickers[kind, default: []].insert(who)
                let url = event.url ?? ""
                var entry = links[url] ?? (CampaignReport.Split(), [:])
                add(&entry.0, kind)
                entry.1[kind, default: []].insert(who)
                links[url] = entry
            }
        }
        guard any else { return nil }
        func uniques(_ sets: [CampaignReport.Kind: Set<String>]) -> CampaignReport.Split {
            let h = sets[.human]?.count ?? 0, p = sets[.proxy]?.count ?? 0, b = sets[.bot]?.count ?? 0
            let all = (sets[.human] ?? []).union(sets[.proxy] ?? []).union(sets[.bot] ?? []).count
            return CampaignReport.Split(total: all, human: h, proxy: p, bot: b)
        }
        report.uniqueOpens = uniques(openers)
        report.uniqueClicks = uniques(clickers)
        // A human click proves a human open even when the pixel was blocked or proxied.
        let humanOpeners = (openers[.human] ?? []).union(openers[.proxy] ?? []).union(clickers[.human] ?? [])
        if !humanOpeners.isEmpty {
            report.clickToOpen = LeadScorer.round(Double(clickers[.human]?.count ?? 0) / Double(humanOpeners.count))
        }
        report.links = links.map { CampaignReport.LinkRow(url: $0.key, clicks: $0.value.0, uniqueClicks: uniques($0.value.1)) }
            .sorted { ($0.clicks.human, $1.url) > ($1.clicks.human, $0.url) }
        return report
    }

    /// Reading profiles for `spur leads`.
    public static func profile(database path: String, lead: String) throws -> String? {
        try AggregateStore(path: path, readOnly: true).profileJSON(lead: lead)
    }

    public static func topProfiles(database path: String, limit: Int, stage: Stage?) throws -> [String] {
        try AggregateStore(path: path, readOnly: true).topProfiles(limit: limit, stage: stage)
    }

    /// Every stored event of the lead and its linked visitors, as JSON lines (newline included).
    public static func events(database path: String, lead: String) throws -> [String] {
        try AggregateStore(path: path, readOnly: true).events(ofLead: lead).map { String(decoding: $0.jsonLine, as: UTF8.self) }
    }

    public static func eachProfile(database path: String, _ each: (String) throws -> Void) throws {
        try AggregateStore(path: path, readOnly: true).allProfiles(each)
    }
}
