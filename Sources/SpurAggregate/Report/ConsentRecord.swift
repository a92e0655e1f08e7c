import SpurCore

/// One grant or withdrawal of a lead's consent (GDPR Art. 7(1) asks the controller to be able to
/// show it): from the site's banner (a `consent` event of one of the lead's visitor ids) or from
/// the shop's backend (`tracking` by `/api/identify`). docs/consent.md.
public struct ConsentRecord: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable { case site, identify }

    /// ISO 8601 time the collector received it.
    public var at: String
    public var source: Source
    public var granted: Bool
    /// The banner and text version id the site passed (site consent only).
    public var banner: String?
    /// The visitor id (site consent only).
    public var visitor: String?
    /// The page the consent was given on, as the browser sent it (site consent only).
    public var page: String?
    /// The event that records it, for the data-subject export (`spur leads show --events`).
    public var event: String

    /// The lead's consent records among its events (`AggregateReader.events(ofLead:)`), oldest first.
    public static func of(_ events: [Event]) -> [ConsentRecord] {
        events.compactMap { e in
            switch e.type {
            case .consent:
                guard let state = e.props["consent"] else { return nil }
                return ConsentRecord(
                    at: ISO8601.string(e.ts), source: .site, granted: state == "granted", banner: e.props["banner"], visitor: e.visitor,
                    page: e.url, event: e.id)
            case .identify:
                guard let value = e.props[LeadScorer.trackingAttribute] else { return nil }
                return ConsentRecord(at: ISO8601.string(e.ts), source: .identify, granted: value == "yes", event: e.id)
            default:
                return nil
            }
        }
    }
}
