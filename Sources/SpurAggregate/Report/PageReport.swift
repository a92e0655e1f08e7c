/// A page's views over a period: people with consent (a visitor id), people counted anonymously
/// (no consent, docs/consent.md), and bots.
public struct PageTotal: Codable, Sendable, Equatable {
    public var page: String
    public var withConsent: Int
    public var anonymous: Int
    public var bot: Int
    /// Views by people, with consent or anonymous.
    public var human: Int { withConsent + anonymous }

    enum CodingKeys: String, CodingKey {
        case page, anonymous, bot
        case withConsent = "with_consent"
    }
}

/// A campaign's visits to the site: page views whose URL carried its `utm_campaign`.
public struct SiteVisits: Codable, Sendable, Equatable {
    public var pageViews = 0
    public var withConsent = 0
    public var anonymous = 0
    public var bot = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case anonymous, bot
        case pageViews = "page_views"
        case withConsent = "with_consent"
    }
}
