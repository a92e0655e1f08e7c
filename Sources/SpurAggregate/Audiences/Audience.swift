import Foundation
import SpurCore
import Yams

/// A named set of leads defined by conditions over the profile and the lead's events
/// (docs/audiences.md): the list for the next mailing. "Segments" already names Spur's log
/// files, so these are audiences, as mail tools call them.
public struct Audience: Sendable {
    public var name: String
    public var description: String
    let condition: AudienceCondition
}

indirect enum AudienceCondition: Sendable {
    case all([AudienceCondition])
    case any([AudienceCondition])
    case not(AudienceCondition)
    case stage(Set<Stage>)
    case grade(Set<Grade>)
    case letter(Set<Letter>)
    case score(min: Double?, max: Double?)
    case interest(String, minWeight: Double)
    case attribute(String, values: Set<String>?)
    case touch(first: Bool, source: String?, medium: String?, campaign: String?)
    case opened(campaign: String?)
    case clicked(campaign: String?)
    /// Opened (the campaign, or any) at least `days` before the as-of time and not clicked it since.
    case openedNotClicked(campaign: String?, days: Double)
    case clickedLink(String)
    case inactiveDays(Double)
    case seenWithinDays(Double)

    /// Whether the lead, as of `asOf` (Unix ms), meets the condition. `events` are the lead's own
    /// (opens and clicks carry the lead), by time.
    func matches(_ p: LeadProfile, events: [Event], asOf: Int64) -> Bool {
        let day = 86_400_000.0
        switch self {
        case .all(let cs): return cs.allSatisfy { $0.matches(p, events: events, asOf: asOf) }
        case .any(let cs): return cs.contains { $0.matches(p, events: events, asOf: asOf) }
        case .not(let c): return !c.matches(p, events: events, asOf: asOf)
        case .stage(let s): return s.contains(p.stage)
        case .grade(let g): return g.contains(p.grade)
        case .letter(let l): return l.contains(p.letter)
        case .score(let min, let max): return (min.map { p.score >= $0 } ?? true) && (max.map { p.score <= $0 } ?? true)
        case .interest(let category, let minWeight): return p.interests.contains { $0.category == category && $0.weight >= minWeight }
        case .attribute(let name, let values):
            guard let value = p.attributes[name], !value.isEmpty else { return false }
            return values?.contains(value) ?? true
        case .touch(let first, let source, let medium, let campaign):
            guard let t = first ? p.firstTouch : p.lastTouch else { return false }
            return (source.map { $0 == t.source } ?? true) && (medium.map { $0 == t.medium } ?? true)
                && (campaign.map { $0 == t.campaign } ?? true)
        case .opened(let campaign): return events.contains { $0.type == .open && $0.ts <= asOf && Self.same($0.campaign, campaign) }
        case .clicked(let campaign): return events.contains { Self.isClick($0) && $0.ts <= asOf && Self.same($0.campaign, campaign) }
        case .openedNotClicked(let campaign, let days):
            let deadline = asOf - Int64(days * day)
            // Some campaign opened long enough ago whose links the lead has not clicked since.
            let opened = Dictionary(
                events.filter { $0.type == .open && $0.ts <= deadline && Self.same($0.campaign, campaign) }.compactMap { e in
                    e.campaign.map { ($0, e.ts) }
                }, uniquingKeysWith: min)
            return opened.contains { c, firstOpen in !events.contains { Self.isClick($0) && $0.campaign == c && $0.ts >= firstOpen && $0.ts <= asOf }
            }
        case .clickedLink(let text): return events.contains { Self.isClick($0) && $0.ts <= asOf && ($0.url?.contains(text) ?? false) }
        case .inactiveDays(let days): return (ISO8601.parse(p.lastSeen) ?? 0) <= asOf - Int64(days * day)
        case .seenWithinDays(let days): return (ISO8601.parse(p.lastSeen) ?? 0) > asOf - Int64(days * day)
        }
    }

    private static func isClick(_ e: Event) -> Bool { e.type == .click || e.type == .download }
    private static func same(_ campaign: String?, _ wanted: String?) -> Bool { wanted == nil || campaign == wanted }
}

/// The audiences file (`--audiences FILE`, YAML). Errors name the path inside it, like the rules file.
public struct Audiences: Sendable {
    public var audiences: [Audience] = []

    public init(audiences: [Audience] = []) { self.audiences = audiences }

    public static func load(path: String) throws -> Audiences {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AggregateError.invalidAudiences("cannot read \(path): check the path given to --audiences or SPUR_AUDIENCES")
        }
        do {
            return try Audiences(yaml: String(decoding: data, as: UTF8.self))
        } catch AggregateError.invalidAudiences(let problem) {
            throw AggregateError.invalidAudiences("\(path): \(problem)")
        }
    }

    public init(yaml text: String) throws {
        func bad(_ s: String) -> AggregateError { .invalidAudiences(s) }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw bad("not valid YAML: \(error)") }
        guard let doc = root as? [String: Any], let list = doc["audiences"] as? [Any] else {
            throw bad("expected 'audiences:' with a list of audiences at the top level")
        }
        for key in doc.keys where key != "audiences" { throw bad("\(key): unknown key (expected audiences)") }
        for (i, item) in list.enumerated() {
            let at = "audiences[\(i)]"
            guard let a = item as? [String: Any] else { throw bad("\(at): expected a mapping with name and when") }
            for key in a.keys where !["name", "description", "when"].contains(key) {
                throw bad("\(at).\(key): unknown key (expected name, description, when)")
            }
            guard let name = a["name"] as? String, name.range(of: #"^[A-Za-z0-9._-]{1,64}$"#, options: .regularExpression) != nil else {
                throw bad("\(at).name: 1–64 letters, digits, '.', '_' or '-'")
            }
            guard !audiences.contains(where: { $0.name == name }) else { throw bad("\(at).name: '\(name)' is used twice") }
            guard let when = a["when"] else { throw bad("\(at).when: missing (the conditions)") }
            audiences.append(
                Audience(name: name, description: a["description"] as? String ?? "", condition: try Self.condition(when, at: "\(at).when")))
        }
    }

    static let keys = [
        "all", "any", "not", "stage", "grade", "letter", "score", "interest", "attribute", "first_touch", "last_touch", "opened", "clicked",
        "opened_not_clicked", "clicked_link", "inactive_days", "seen_within_days",
    ]

    static func condition(_ value: Any, at: String) throws -> AudienceCondition {
        func bad(_ s: String) -> AggregateError { .invalidAudiences("\(at): \(s)") }
        guard let map = value as? [String: Any], map.count == 1, let (key, v) = map.first else {
            throw bad("expected one condition, a mapping with one of \(keys.joined(separator: ", "))")
        }
        let path = "\(at).\(key)"
        func texts(_ v: Any) -> [String] { (v as? [Any])?.map { "\($0)" } ?? ["\(v)"] }
        func number(_ v: Any?, _ what: String) throws -> Double {
            guard let n = (v as? Double) ?? (v as? Int).map(Double.init), n >= 0 else {
                throw AggregateError.invalidAudiences("\(path)\(what): expected a number, at least 0")
            }
            return n
        }
        func fields(_ allowed: [String]) throws -> [String: Any] {
            guard let m = v as? [String: Any] else {
                throw AggregateError.invalidAudiences("\(path): expected a mapping (\(allowed.joined(separator: ", ")))")
            }
            for k in m.keys where !allowed.contains(k) {
                throw AggregateError.invalidAudiences("\(path).\(k): unknown key (expected \(allowed.joined(separator: ", ")))")
            }
            return m
        }
        switch key {
        case "all", "any":
            guard let list = v as? [Any], !list.isEmpty else { throw AggregateError.invalidAudiences("\(path): expected a list of conditions") }
            let cs = try list.enumerated().map { try condition($0.element, at: "\(path)[\($0.offset)]") }
            return key == "all" ? .all(cs) : .any(cs)
        case "not": return .not(try condition(v, at: path))
        case "stage":
            return .stage(
                Set(
                    try texts(v).map { s in
                        guard let stage = Stage(rawValue: s) else { throw AggregateError.invalidAudiences("\(path): '\(s)' is not none, mql or sql") }
                        return stage
                    }))
        case "grade":
            return .grade(
                Set(
                    try texts(v).map { s in
                        guard let g = Int(s).flatMap(Grade.init(rawValue:)) else {
                            throw AggregateError.invalidAudiences("\(path): '\(s)' is not 1 to 6")
                        }
                        return g
                    }))
        case "letter":
            return .letter(
                Set(
                    try texts(v).map { s in
                        guard let l = Letter(rawValue: s.uppercased()) else {
                            throw AggregateError.invalidAudiences("\(path): '\(s)' is not A, B, C or D")
                        }
                        return l
                    }))
        case "score":
            let m = try fields(["min", "max"])
            return .score(min: try m["min"].map { try number($0, ".min") }, max: try m["max"].map { try number($0, ".max") })
        case "interest":
            if let s = v as? String { return .interest(s, minWeight: 0) }
            let m = try fields(["category", "min_weight"])
            guard let c = m["category"] as? String else { throw AggregateError.invalidAudiences("\(path).category: missing") }
            return .interest(c, minWeight: try m["min_weight"].map { try number($0, ".min_weight") } ?? 0)
        case "attribute":
            let m = try fields(["name", "is"])
            guard let name = m["name"] as? String else { throw AggregateError.invalidAudiences("\(path).name: missing") }
            return .attribute(name, values: m["is"].map { Set(texts($0)) })
        case "first_touch", "last_touch":
            let m = try fields(["source", "medium", "campaign"])
            return .touch(
                first: key == "first_touch", source: m["source"].map { "\($0)" }, medium: m["medium"].map { "\($0)" },
                campaign: m["campaign"].map { "\($0)" })
        case "opened", "clicked":
            let c = "\(v)"
            let campaign = c == "any" ? nil : c
            return key == "opened" ? .opened(campaign: campaign) : .clicked(campaign: campaign)
        case "opened_not_clicked":
            let m = try fields(["campaign", "days"])
            return .openedNotClicked(campaign: m["campaign"].map { "\($0)" }, days: try number(m["days"], ".days"))
        case "clicked_link": return .clickedLink("\(v)")
        case "inactive_days": return .inactiveDays(try number(v, ""))
        case "seen_within_days": return .seenWithinDays(try number(v, ""))
        default: throw bad("'\(key)' is not a condition (expected one of \(keys.joined(separator: ", ")))")
        }
    }
}
