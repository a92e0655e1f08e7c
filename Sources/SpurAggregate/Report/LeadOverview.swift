/// What the console's overview shows of all leads, computed by the aggregator while it scores
/// them (so a page never scans a million profiles): leads per label, the days leads reached MQL
/// and SQL, and how many leads have each interest among their top interests.
public struct LeadOverview: Codable, Sendable, Equatable {
    public var leads = 0
    /// Leads per label (letter and grade), e.g. `"B2": 17`.
    public var labels: [String: Int] = [:]
    /// Leads that reached MQL, per UTC day (`YYYY-MM-DD`).
    public var mqlDays: [String: Int] = [:]
    /// Leads that reached SQL, per UTC day.
    public var sqlDays: [String: Int] = [:]
    /// Leads per top-interest category.
    public var interests: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case leads, labels, interests
        case mqlDays = "mql_days"
        case sqlDays = "sql_days"
    }

    public init() {}

    mutating func add(_ p: LeadProfile) {
        leads += 1
        labels[p.label, default: 0] += 1
        if let at = p.mqlAt { mqlDays[String(at.prefix(10)), default: 0] += 1 }
        if let at = p.sqlAt { sqlDays[String(at.prefix(10)), default: 0] += 1 }
        for i in p.interests { interests[i.category, default: 0] += 1 }
    }

    /// Leads that reached `stage` on days from `first` up to, not including, `end` (`YYYY-MM-DD`).
    public func reached(_ stage: Stage, from first: String, before end: String) -> Int {
        let days = stage == .sql ? sqlDays : mqlDays
        return days.filter { $0.key >= first && $0.key < end }.reduce(0) { $0 + $1.value }
    }
}

/// One run of `spur aggregate`, as the aggregator records it.
public struct AggregationRun: Codable, Sendable, Equatable {
    public var id: Int64
    /// Unix ms.
    public var startedAt: Int64
    public var finishedAt: Int64
    public var asOf: String
    public var segmentsFolded: Int
    public var events: Int
    public var leads: Int
    /// The exit status `spur aggregate` reported (docs/cli.md).
    public var exitCode: Int
    /// The run's one-line summary.
    public var summary: String

    enum CodingKeys: String, CodingKey {
        case id, events, leads, summary
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case asOf = "as_of"
        case segmentsFolded = "segments_folded"
        case exitCode = "exit_code"
    }
}

/// Events folded on one UTC day, split by traffic kind.
public struct DailyTraffic: Codable, Sendable, Equatable {
    /// Unix day number (days since 1970-01-01).
    public var day: Int64
    public var human = 0
    public var proxy = 0
    public var bot = 0
}

/// A segment the aggregator has folded, from its ledger.
public struct FoldedSegment: Sendable, Equatable {
    public var name: String
    public var size: Int
    public var events: Int
    public var damaged: Bool
    /// Unix seconds.
    public var foldedAt: Int64
}

/// A lead's score as of the end of one day (`AggregateReader.scoreHistory`).
public struct ScorePoint: Codable, Sendable, Equatable {
    /// `YYYY-MM-DD` (UTC).
    public var day: String
    public var score: Double
    public var implicit: Double
    public var explicit: Double
    public var label: String
    public var stage: Stage
}
