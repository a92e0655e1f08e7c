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
    /// Page views of the site that came with this campaign's `utm_campaign`, with consent and anonymous.
    public var site = SiteVisits()

    enum CodingKeys: String, CodingKey {
        case campaign, opens, clicks, links, excluded, site
        case uniqueOpens = "unique_opens"
        case uniqueClicks = "unique_clicks"
        case clickToOpen = "click_to_open"
    }

    typealias Kind = TrafficKind

    static func kind(_ flags: EventFlags) -> Kind { TrafficKind(flags: flags) }
}

extension CampaignReport {
    /// The report of `campaign` from its (re-classified) events; nil when there are none.
    public init?(campaign: String, events: [Event]) {
        var report = CampaignReport(campaign: campaign)
        var openers: [CampaignReport.Kind: Set<String>] = [:]
        var clickers: [CampaignReport.Kind: Set<String>] = [:]
        var links: [String: (CampaignReport.Split, [CampaignReport.Kind: Set<String>])] = [:]
        var any = false
        func add(_ split: inout CampaignReport.Split, _ kind: CampaignReport.Kind) { split.add(kind) }
        for event in events {
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
        self = report
    }
}
