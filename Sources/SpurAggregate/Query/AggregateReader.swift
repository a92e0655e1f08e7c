import Foundation
import SpurCore

/// The read side of the aggregator's database: typed leads, events and campaign reports for the
/// CLI, the console and the API. Opens the database read-only and never writes to it. Not
/// thread-safe: one reader per thread or request.
public final class AggregateReader {
    private let store: AggregateStore
    public var path: String { store.path }

    /// Throws `AggregateError.noDatabase` when there is no database at `path`.
    public init(database path: String) throws {
        store = try AggregateStore(path: path, readOnly: true)
    }

    /// One page of leads matching `query`.
    public func leads(_ query: LeadQuery) throws -> LeadPage {
        let q = try query.validated()
        let cursor = try q.cursor.map { try LeadCursor(text: $0, sort: q.sort) }
        // One more row than asked tells whether there is a next page.
        let rows = try store.profiles(q, after: cursor, limit: q.limit + 1)
        let leads = try rows.prefix(q.limit).map { try Self.decode($0.json) }
        var next: String?
        if rows.count > q.limit, let last = leads.last {
            next = LeadCursor(after: last, sort: q.sort, updatedAt: rows[q.limit - 1].updatedAt).text
        }
        return LeadPage(leads: leads, nextCursor: next)
    }

    /// One page of leads matching `query`, as the list columns only (fast at any size).
    public func leadSummaries(_ query: LeadQuery) throws -> LeadSummaryPage {
        let q = try query.validated()
        let cursor = try q.cursor.map { try LeadCursor(text: $0, sort: q.sort) }
        let rows = try store.summaries(q, after: cursor, limit: q.limit + 1)
        var next: String?
        if rows.count > q.limit {
            let last = rows[q.limit - 1]
            next = LeadCursor(lead: last.lead, score: last.score, lastSeen: last.lastSeen, updatedAt: last.updatedAt, sort: q.sort).text
        }
        return LeadSummaryPage(leads: Array(rows.prefix(q.limit)), nextCursor: next)
    }

    /// The lead's profile as of the last aggregation; nil for an unknown lead.
    public func profile(lead: String) throws -> LeadProfile? {
        try store.profileJSON(lead: lead).map(Self.decode)
    }

    /// Every profile, in lead order, without holding them all in memory.
    public func eachProfile(_ each: (LeadProfile) throws -> Void) throws {
        try store.eachProfileJSON { try each(Self.decode($0)) }
    }

    /// Every stored event of the lead and of the visitor ids linked to it, by time.
    public func events(ofLead lead: String) throws -> [Event] {
        try store.events(ofLead: lead)
    }

    /// The lead's grants and withdrawals of consent, oldest first.
    public func consentRecords(ofLead lead: String) throws -> [ConsentRecord] {
        ConsentRecord.of(try store.events(ofLead: lead))
    }

    /// The campaign's opens and clicks with the aggregator's re-classified flags, by time.
    public func classifiedEvents(campaign: String) throws -> [Event] {
        BurstClassifier.reclassifyNetworks(try store.campaignEvents(campaign))
    }

    /// The report of `campaign`; nil when the campaign has no events.
    public func campaignReport(_ campaign: String) throws -> CampaignReport? {
        try campaignReport(campaign, events: try classifiedEvents(campaign: campaign))
    }

    /// The report of `campaign` from its events already read (`classifiedEvents`), with its site
    /// visits; nil when it has neither.
    public func campaignReport(_ campaign: String, events: [Event]) throws -> CampaignReport? {
        let site = try store.siteVisits(campaign: campaign)
        guard var report = CampaignReport(campaign: campaign, events: events) ?? (site.pageViews > 0 ? CampaignReport(campaign: campaign) : nil)
        else { return nil }
        report.site = site
        return report
    }

    /// Page views per page over the last `days` days up to the last run's as-of date (today
    /// before the first run), most viewed by people first.
    public func pageTotals(days: Int, limit: Int = 100) throws -> [PageTotal] {
        let lastDay = (try asOf.flatMap(ISO8601.parse) ?? SystemTime.nowMillis()) / LeadScorer.dayMillis
        return try pageTotals(firstDay: lastDay - Int64(days) + 1, lastDay: lastDay, limit: limit)
    }

    /// Page views per page over the days `[firstDay, lastDay]` (Unix day numbers), most viewed by people first.
    public func pageTotals(firstDay: Int64, lastDay: Int64, limit: Int = 100) throws -> [PageTotal] {
        try store.pageTotals(firstDay: firstDay, lastDay: lastDay, limit: limit)
    }

    /// Every campaign's report, by campaign id.
    public func campaignReports() throws -> [CampaignReport] {
        try store.campaigns().compactMap { try campaignReport($0) }
    }

    /// The lead's score as of the end of each day from its first event to the last scoring date
    /// (the last point is as of that date itself), at most `maxDays` days back: the scorer is a
    /// pure function of the events and the date, so this is what each nightly run would have said.
    public func scoreHistory(lead: String, rules: ScoringRules, maxDays: Int = 365) throws -> [ScorePoint] {
        guard let profile = try profile(lead: lead) else { return [] }
        return try scoreHistory(of: profile, events: try store.events(ofLead: lead), rules: rules, maxDays: maxDays)
    }

    /// `scoreHistory(lead:rules:maxDays:)` for a profile and events already read (`events(ofLead:)`).
    public func scoreHistory(of profile: LeadProfile, events: [Event], rules: ScoringRules, maxDays: Int = 365) throws -> [ScorePoint] {
        guard let asOfMillis = ISO8601.parse(profile.asOf) else { return [] }
        let lead = profile.lead
        let links = try store.links(ofLead: lead)
        guard let first = events.first?.ts else { return [] }
        let day = LeadScorer.dayMillis
        let lastDay = asOfMillis / day
        let firstDay = max(first / day, lastDay - Int64(maxDays) + 1)
        guard firstDay <= lastDay else { return [] }
        return (firstDay...lastDay).map { d in
            let at = d == lastDay ? asOfMillis : (d + 1) * day - 1
            let p = LeadScorer(rules: rules, asOfMillis: at).score(lead: lead, events: events, links: links)
            return ScorePoint(
                day: String(ISO8601.string(d * day).prefix(10)), score: p.score, implicit: p.implicit, explicit: p.explicit, label: p.label,
                stage: p.stage)
        }
    }

    /// What the aggregator counted over all leads in its last run; nil before the first run.
    public func overview() throws -> LeadOverview? {
        guard let json = try store.meta("overview") else { return nil }
        return try JSONDecoder().decode(LeadOverview.self, from: Data(json.utf8))
    }

    /// The last aggregation runs, newest first.
    public func runs(limit: Int = 20) throws -> [AggregationRun] { try store.runs(limit: limit) }

    /// Events folded per day from `firstDay` (Unix day number) on, by traffic kind.
    public func dailyTraffic(sinceDay firstDay: Int64) throws -> [DailyTraffic] { try store.dailyCounts(sinceDay: firstDay) }

    /// The ledger of folded segments, by name.
    public func foldedSegments() throws -> [FoldedSegment] { try store.foldedSegments() }

    /// Hand-offs waiting in the outbox.
    public func handoffsWaiting() throws -> Int { try store.outboxCounts().handoffsPending }

    /// Deliveries waiting or given up, for webhooks and hand-offs.
    public func outboxCounts() throws -> OutboxCounts { try store.outboxCounts() }

    /// Members per audience, as of the last run.
    public func audienceSizes() throws -> [String: Int] { try store.audienceSizes() }

    /// One page of an audience's members by lead id (after `cursor`, a lead id), with the time each entered (Unix ms).
    public func audienceMembers(_ audience: String, after cursor: String? = nil, limit: Int = 1000) throws -> [(lead: String, since: Int64)] {
        try store.audienceMembers(audience, after: cursor, limit: limit)
    }

    /// The audience's size at the end of each day from its first change to its last, at most `maxDays` days.
    public func audienceSizes(of audience: String, maxDays: Int = 365) throws -> [(day: Int64, size: Int)] {
        let changes = try store.audienceDailyChanges(audience)
        guard let first = changes.first?.day, let last = changes.last?.day else { return [] }
        let byDay = Dictionary(uniqueKeysWithValues: changes.map { ($0.day, $0.change) })
        var size = 0, out: [(Int64, Int)] = []
        for day in first...last {
            size += byDay[day] ?? 0
            out.append((day, size))
        }
        return Array(out.suffix(maxDays))
    }

    /// Who entered and who left the audience, newest first.
    public func audienceHistory(_ audience: String, limit: Int = 100) throws -> [AudienceChange] {
        try store.audienceHistory(audience, limit: limit)
    }

    /// People erased so far (`spur forget`).
    public func erasures() throws -> Int { try store.count(of: .erasures) }

    /// Changes whenever an aggregation run or an erasure changed the data: a key for caches of
    /// whole-database figures.
    public func dataVersion() throws -> String {
        "\(try store.runs(limit: 1).first?.id ?? 0)-\(try erasures())-\(try asOf ?? "")"
    }

    /// The as-of time of the last scoring run, if any.
    public var asOf: String? { get throws { try store.meta("as_of") } }

    private static func decode(_ json: String) throws -> LeadProfile {
        try LeadProfile.decoder.decode(LeadProfile.self, from: Data(json.utf8))
    }
}
