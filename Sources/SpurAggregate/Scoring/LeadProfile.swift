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

    /// A 64-bit FNV-1a hash of the profile's JSON without the value of `as_of`: equal when the
    /// profile says the same as of another date. Never 0 (the digest of rows from before it).
    static func digest(json: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let marker = Array(#""as_of":""#.utf8)
        // Only the first occurrence: the top-level key, first in sorted order (an attribute
        // named `as_of` comes later, inside `attributes`).
        var skipping = false, skipped = false
        var matched = 0
        for byte in json.utf8 {
            if skipping {
                if byte == UInt8(ascii: "\"") { skipping = false } else { continue }
            } else if !skipped {
                matched = byte == marker[matched] ? matched + 1 : (byte == marker[0] ? 1 : 0)
                if matched == marker.count { (skipping, skipped) = (true, true) }
            }
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash == 0 ? 1 : Int64(bitPattern: hash)
    }
}
