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

    /// The campaign's opens and clicks with the aggregator's re-classified flags, by time.
    public func classifiedEvents(campaign: String) throws -> [Event] {
        BurstClassifier.reclassifyNetworks(try store.campaignEvents(campaign))
    }

    /// The report of `campaign`; nil when the campaign has no events.
    public func campaignReport(_ campaign: String) throws -> CampaignReport? {
        CampaignReport(campaign: campaign, events: try classifiedEvents(campaign: campaign))
    }

    /// Every campaign's report, by campaign id.
    public func campaignReports() throws -> [CampaignReport] {
        try store.campaigns().compactMap { try campaignReport($0) }
    }

    /// The as-of time of the last scoring run, if any.
    public var asOf: String? { get throws { try store.meta("as_of") } }

    private static func decode(_ json: String) throws -> LeadProfile {
        try LeadProfile.decoder.decode(LeadProfile.self, from: Data(json.utf8))
    }
}
