import Foundation

/// Everything Spur knows about one lead, as of a scoring date (`spur leads show --json`).
public struct LeadProfile: Codable, Sendable, Equatable {
    public struct Interest: Codable, Sendable, Equatable {
        public var category: String
        public var weight: Double
    }

    /// One line of the score explanation: a rule that gave points, or events a rule did not count.
    public struct Explanation: Codable, Sendable, Equatable {
        public var rule: String
        /// Points this rule contributes now (after decay; explicit rules do not decay).
        public var points: Double
        /// Points awarded before decay.
        public var awarded: Double
        public var events: Int
        /// Why events gave nothing or less: `repeat`, `daily_cap`, `bot`, `scanner_suspect`, `honeypot`, `proxy_open`;
        /// events counted at a reduced weight say so, e.g. `proxy_open (weight 0.5)`.
        public var excluded: String?
    }

    /// Where a visit came from: the UTM parameters of a landing page or click target.
    public struct Touch: Codable, Sendable, Equatable {
        public var at: String
        public var source: String?
        public var medium: String?
        public var campaign: String?
        public var url: String
    }

    public var lead: String
    public var asOf: String
    public var score: Double
    public var implicit: Double
    public var explicit: Double
    /// Sum of awarded behavioural points without decay.
    public var lifetime: Double
    public var grade: Grade
    public var letter: Letter
    /// Letter and grade, e.g. `B2`.
    public var label: String
    public var stage: Stage
    public var stageSince: String?
    public var mqlAt: String?
    public var sqlAt: String?
    public var interests: [Interest]
    public var counts: [String: Int]
    public var firstSeen: String
    public var lastSeen: String
    public var visitors: [String]
    public var campaignsOpened: [String]
    public var campaignsClicked: [String]
    public var attributes: [String: String]
    public var explain: [Explanation]
    /// The first and the latest page view or click that carried UTM parameters.
    public var firstTouch: Touch?
    public var lastTouch: Touch?

    enum CodingKeys: String, CodingKey {
        case lead, score, implicit, explicit, lifetime, grade, letter, label, stage, interests, counts, visitors, attributes, explain
        case asOf = "as_of"
        case stageSince = "stage_since"
        case mqlAt = "mql_at"
        case sqlAt = "sql_at"
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case campaignsOpened = "campaigns_opened"
        case campaignsClicked = "campaigns_clicked"
        case firstTouch = "first_touch"
        case lastTouch = "last_touch"
    }

    /// The encoding stored in the database and printed by `spur leads show --json`.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    public static var decoder: JSONDecoder { JSONDecoder() }
}
