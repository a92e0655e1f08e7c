import Foundation
import SpurCore

/// Which leads to list, in which order, one page at a time: the one way the CLI, the console
/// and the API ask for leads (`AggregateReader.leads(_:)`).
public struct LeadQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable {
        /// Highest score first (ties by lead id).
        case score
        /// Most recently active first.
        case lastSeen = "last_seen"
        /// Most recently changed profile first.
        case updated
        /// By lead id.
        case lead
    }

    public static let maximumLimit = 1000

    public var stage: Stage?
    public var grade: Grade?
    public var letter: Letter?
    public var minScore: Double?
    /// Leads with this category among their top interests.
    public var interest: String?
    /// Leads that opened or clicked this campaign.
    public var campaign: String?
    /// Leads whose profile changed at or after this time (Unix ms).
    public var updatedSince: Int64?
    /// Leads whose id starts with this text.
    public var search: String?
    public var sort: Sort = .score
    /// Leads per page, 1…`maximumLimit`.
    public var limit = 50
    /// Where the previous page ended (`LeadPage.nextCursor`); nil for the first page.
    public var cursor: String?

    public init() {}

    func validated() throws -> LeadQuery {
        guard (1...Self.maximumLimit).contains(limit) else {
            throw AggregateError.invalidQuery("the page size must be between 1 and \(Self.maximumLimit), not \(limit)")
        }
        if let minScore, !minScore.isFinite { throw AggregateError.invalidQuery("the minimum score must be a number") }
        var q = self
        if let s = search {
            guard s.count <= 256 else { throw AggregateError.invalidQuery("the id search must be at most 256 characters") }
            if s.isEmpty { q.search = nil }
        }
        return q
    }
}

/// One page of leads — full profiles or list summaries — and the cursor of the next page
/// (nil on the last page).
public struct Page<Lead: Sendable>: Sendable {
    public var leads: [Lead]
    public var nextCursor: String?

    public init(leads: [Lead], nextCursor: String?) {
        self.leads = leads
        self.nextCursor = nextCursor
    }
}

/// A page of profiles (`AggregateReader.leads`).
public typealias LeadPage = Page<LeadProfile>
/// A page of list rows (`AggregateReader.leadSummaries`).
public typealias LeadSummaryPage = Page<LeadSummary>

/// A lead as the lead list shows it: the profile's list columns, without decoding the profile.
public struct LeadSummary: Sendable, Equatable {
    public var lead: String
    public var score: Double
    public var implicit: Double
    public var explicit: Double
    public var grade: Grade
    public var letter: Letter
    public var label: String
    public var stage: Stage
    public var lastSeen: String
    /// When the profile last changed (Unix ms).
    public var updatedAt: Int64
    /// Up to three categories, strongest first.
    public var topInterests: [String]
}

/// The position after the last lead of a page: its sort value and its id. Encoded as base64url
/// text so that it can travel in a URL; it names its sort so it cannot be used with another.
struct LeadCursor: Equatable {
    var sort: LeadQuery.Sort
    var value: String
    var lead: String

    init(sort: LeadQuery.Sort, value: String, lead: String) {
        self.sort = sort
        self.value = value
        self.lead = lead
    }

    init(after p: LeadProfile, sort: LeadQuery.Sort, updatedAt: Int64) {
        self.init(lead: p.lead, score: p.score, lastSeen: p.lastSeen, updatedAt: updatedAt, sort: sort)
    }

    init(lead: String, score: Double, lastSeen: String, updatedAt: Int64, sort: LeadQuery.Sort) {
        switch sort {
        case .score: self.init(sort: sort, value: String(score), lead: lead)
        case .lastSeen: self.init(sort: sort, value: lastSeen, lead: lead)
        case .updated: self.init(sort: sort, value: String(updatedAt), lead: lead)
        case .lead: self.init(sort: sort, value: "", lead: lead)
        }
    }

    var text: String { Base64URL.encode(Array("\(sort.rawValue)\n\(value)\n\(lead)".utf8)) }

    init(text: String, sort expected: LeadQuery.Sort) throws {
        guard let bytes = Base64URL.decode(Substring(text).utf8) else { throw AggregateError.invalidCursor(text) }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let sort = LeadQuery.Sort(rawValue: String(parts[0])), sort == expected else {
            throw AggregateError.invalidCursor(text)
        }
        switch sort {
        case .score: guard Double(parts[1])?.isFinite == true else { throw AggregateError.invalidCursor(text) }
        case .updated: guard Int64(parts[1]) != nil else { throw AggregateError.invalidCursor(text) }
        case .lastSeen, .lead: break
        }
        self.init(sort: sort, value: String(parts[1]), lead: String(parts[2]))
    }
}
