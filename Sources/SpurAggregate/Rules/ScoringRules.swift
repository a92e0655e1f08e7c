import Foundation
import SpurCore
import Yams

/// How often a rule may award points to one lead.
public enum RepeatPolicy: Equatable, Sendable {
    /// Once per lead, ever.
    case once
    /// Once per campaign.
    case perCampaign
    /// Once per campaign and target URL.
    case perLink
    /// Once per UTC calendar day.
    case perDay
    /// Once per rolling window of N days.
    case window(days: Double)
    /// Every matching event.
    case every
}

/// One behavioural rule: which events it matches and what they are worth.
public struct EventRule: Sendable {
    public var id: String
    public var type: EventType
    public var path: Glob?
    public var campaign: Glob?
    /// A custom event's name.
    public var name: Glob?
    public var props: [String: Glob]
    public var points: Double
    public var repeatPolicy: RepeatPolicy
    public var categories: [String]
    /// Take an interest category from this 1-based URL path segment.
    public var categoryFromPathSegment: Int?

    func matches(_ e: Event, path eventPath: String?) -> Bool {
        guard e.type == type else { return false }
        if let path { guard let eventPath, path.matches(eventPath) else { return false } }
        if let campaign { guard let c = e.campaign, campaign.matches(c) else { return false } }
        if let name { guard let n = Self.name(of: e), name.matches(n) else { return false } }
        for (key, glob) in props {
            // `props: { name: … }` meant the event name before it had a field of its own.
            guard let value = e.props[key] ?? (key == "name" ? Self.name(of: e) : nil), glob.matches(value) else { return false }
        }
        return true
    }

    /// The event's name; custom events recorded before names had their own field kept it in
    /// `props.name`.
    static func name(of e: Event) -> String? {
        e.name ?? (e.type == .custom ? e.props["name"] : nil)
    }
}

/// Points for the current value of an explicit attribute (progressive profiling).
public struct AttributeRule: Sendable {
    public var id: String
    public var attribute: String
    /// Nil: any non-empty value.
    public var values: [String]?
    public var points: Double
}

/// The whole scoring configuration (docs/scoring.md).
public struct ScoringRules: Sendable {
    public var halfLifeDays: Double = 30
    public var graceDays: Double = 7
    public var dailyCap: Double?
    public var flagWeights: [String: Double] = ["bot": 0, "scanner_suspect": 0, "honeypot": 0, "proxy_open": 0.5, "unsigned_lead": 1]
    /// Minimum total score for grades 1…5; anything lower is 6.
    public var gradeBands: [Double] = [51, 41, 31, 21, 11]
    /// Minimum explicit points for letters A, B, C; anything lower is D.
    public var letterBands: [Double] = [40, 25, 10]
    public var mql = Threshold(enter: 50, exit: 40)
    public var sql = Threshold(enter: 80, exit: 65)
    public var handoffStage: Stage = .sql
    public var interestHalfLifeDays: Double = 90
    public var interestTop = 5
    public var rules: [EventRule] = []
    public var attributes: [AttributeRule] = []

    public struct Threshold: Sendable, Equatable {
        public var enter: Double
        public var exit: Double
    }

    /// The rules shipped with Spur (`Sources/SpurAggregate/default-rules.yaml`).
    public static func defaults() throws -> ScoringRules {
        try ScoringRules(yaml: DefaultRules.yaml)
    }

    /// The text of the built-in rules (to copy and edit).
    public static var defaultYAML: String { DefaultRules.yaml }

    public static func load(path: String?) throws -> ScoringRules {
        guard let path else { return try defaults() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AggregateError.invalidRules("cannot read the rules file \(path): check the path given to --rules or SPUR_RULES")
        }
        do {
            return try ScoringRules(yaml: String(decoding: data, as: UTF8.self))
        } catch AggregateError.invalidRules(let problem) {
            throw AggregateError.invalidRules("\(path): \(problem)")
        }
    }

    public init() {}

    public init(yaml text: String) throws {
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw AggregateError.invalidRules("not valid YAML: \(error)")
        }
        guard let doc = root as? [String: Any] else { throw AggregateError.invalidRules("expected a mapping at the top level") }
        let r = Reader(doc, at: "")
        try r.allowOnly(["decay", "daily_cap", "flags", "grades", "letters", "stages", "handoff", "interests", "rules", "explicit"])
        if let decay = try r.map("decay") {
            try decay.allowOnly(["half_life_days", "grace_days"])
            halfLifeDays = try decay.number("half_life_days", min: 0.001) ?? halfLifeDays
            graceDays = try decay.number("grace_days", min: 0) ?? graceDays
        }
        dailyCap = try r.number("daily_cap", min: 0)
        if let flags = try r.map("flags") {
            for key in flags.keys {
                guard ["bot", "scanner_suspect", "honeypot", "proxy_open", "unsigned_lead"].contains(key) else {
                    throw AggregateError.invalidRules("flags.\(key): unknown flag (bot, scanner_suspect, honeypot, proxy_open, unsigned_lead)")
                }
                flagWeights[key] = try flags.number(key, min: 0)
            }
        }
        if let grades = try r.numbers("grades") {
            guard grades.count == 5, zip(grades, grades.dropFirst()).allSatisfy({ $0 > $1 }) else {
                throw AggregateError.invalidRules("grades: give 5 decreasing minimum scores for grades 1 to 5")
            }
            gradeBands = grades
        }
        if let letters = try r.map("letters") {
            try letters.allowOnly(["A", "B", "C"])
            letterBands = [
                try letters.number("A") ?? letterBands[0], try letters.number("B") ?? letterBands[1],
                try letters.number("C") ?? letterBands[2],
            ]
            guard letterBands[0] > letterBands[1], letterBands[1] > letterBands[2] else {
                throw AggregateError.invalidRules("letters: A > B > C required")
            }
        }
        if let stages = try r.map("stages") {
            try stages.allowOnly(["mql", "sql"])
            func threshold(_ key: String, _ current: Threshold) throws -> Threshold {
                guard let m = try stages.map(key) else { return current }
                try m.allowOnly(["enter", "exit"])
                let t = Threshold(enter: try m.number("enter") ?? current.enter, exit: try m.number("exit") ?? current.exit)
                guard t.exit <= t.enter else { throw AggregateError.invalidRules("stages.\(key): exit must not be above enter") }
                return t
            }
            mql = try threshold("mql", mql)
            sql = try threshold("sql", sql)
            guard sql.enter > mql.enter else { throw AggregateError.invalidRules("stages: sql.enter must be above mql.enter") }
        }
        if let handoff = try r.map("handoff") {
            try handoff.allowOnly(["stage"])
            if let s = try handoff.string("stage") {
                guard let stage = Stage(rawValue: s), stage != .none else { throw AggregateError.invalidRules("handoff.stage: mql or sql") }
                handoffStage = stage
            }
        }
        if let interests = try r.map("interests") {
            try interests.allowOnly(["half_life_days", "top"])
            interestHalfLifeDays = try interests.number("half_life_days", min: 0.001) ?? interestHalfLifeDays
            interestTop = Int(try interests.number("top", min: 1) ?? Double(interestTop))
        }
        for (i, item) in (try r.list("rules") ?? []).enumerated() {
            rules.append(try Self.eventRule(Reader(item, at: "rules[\(i)]")))
        }
        for (i, item) in (try r.list("explicit") ?? []).enumerated() {
            let m = Reader(item, at: "explicit[\(i)]")
            try m.allowOnly(["id", "attribute", "equals", "in", "points"])
            guard let attribute = try m.string("attribute") else { throw AggregateError.invalidRules("explicit[\(i)]: 'attribute' is required") }
            var values: [String]?
            if let eq = try m.string("equals") { values = [eq] }
            if let list = try m.strings("in") { values = list }
            guard let points = try m.number("points") else { throw AggregateError.invalidRules("explicit[\(i)]: 'points' is required") }
            attributes.append(AttributeRule(id: try m.string("id") ?? attribute, attribute: attribute, values: values, points: points))
        }
        let ids = rules.map(\.id) + attributes.map(\.id)
        if let dup = ids.first(where: { id in ids.filter { $0 == id }.count > 1 }) {
            throw AggregateError.invalidRules("rule id '\(dup)' is used twice")
        }
    }

    private static func eventRule(_ m: Reader) throws -> EventRule {
        try m.allowOnly(["id", "type", "path", "campaign", "name", "props", "points", "repeat", "categories", "category_from_path"])
        guard let id = try m.string("id") else { throw AggregateError.invalidRules("\(m.at): 'id' is required") }
        guard let typeName = try m.string("type"), let type = EventType(rawValue: typeName) else {
            throw AggregateError.invalidRules("\(m.at): 'type' must be one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let points = try m.number("points") else { throw AggregateError.invalidRules("\(m.at): 'points' is required") }
        var props: [String: Glob] = [:]
        if let p = try m.map("props") {
            for key in p.keys {
                guard let v = try p.string(key) else { throw AggregateError.invalidRules("\(m.at).props.\(key): must be a string") }
                props[key] = Glob(v)
            }
        }
        let repeatPolicy: RepeatPolicy
        switch try m.string("repeat") ?? "every" {
        case "once": repeatPolicy = .once
        case "per_campaign": repeatPolicy = .perCampaign
        case "per_link": repeatPolicy = .perLink
        case "per_day": repeatPolicy = .perDay
        case "every": repeatPolicy = .every
        case let text where text.hasSuffix("d") && Double(text.dropLast()) != nil && Double(text.dropLast())! > 0:
            repeatPolicy = .window(days: Double(text.dropLast())!)
        case let text:
            throw AggregateError.invalidRules("\(m.at).repeat: '\(text)' is not once, per_campaign, per_link, per_day, every or a window like 30d")
        }
        let segment = try m.number("category_from_path", min: 1).map(Int.init)
        return EventRule(
            id: id, type: type, path: try m.string("path").map(Glob.init), campaign: try m.string("campaign").map(Glob.init),
            name: try m.string("name").map(Glob.init), props: props, points: points, repeatPolicy: repeatPolicy,
            categories: try m.strings("categories") ?? [],
            categoryFromPathSegment: segment)
    }
}

/// Shell-style pattern: `*` any run of characters (including `/`), `?` one character.
public struct Glob: Sendable, Equatable {
    public let pattern: String
    private let chars: [Character]
    public init(_ pattern: String) {
        self.pattern = pattern
        chars = Array(pattern)
    }

    public func matches(_ text: String) -> Bool {
        let t = Array(text)
        var p = 0, s = 0, star = -1, mark = 0
        while s < t.count {
            if p < chars.count && (chars[p] == "?" || chars[p] == t[s]) {
                p += 1; s += 1
            } else if p < chars.count && chars[p] == "*" {
                star = p; mark = s; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; s = mark
            } else {
                return false
            }
        }
        while p < chars.count && chars[p] == "*" { p += 1 }
        return p == chars.count
    }
}

/// Typed access to a YAML mapping with error messages that name the key.
private struct Reader {
    let map: [String: Any]
    let at: String

    init(_ value: Any, at: String) {
        self.map = value as? [String: Any] ?? [:]
        self.at = at
    }

    var keys: [String] { Array(map.keys) }
    private func path(_ key: String) -> String { at.isEmpty ? key : "\(at).\(key)" }

    func allowOnly(_ allowed: [String]) throws {
        for key in map.keys where !allowed.contains(key) {
            throw AggregateError.invalidRules("\(path(key)): unknown key (expected one of \(allowed.joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws -> String? {
        guard let v = map[key] else { return nil }
        if let s = v as? String { return s }
        if let n = v as? Int { return String(n) }
        throw AggregateError.invalidRules("\(path(key)): expected text")
    }

    func number(_ key: String, min: Double? = nil) throws -> Double? {
        guard let v = map[key] else { return nil }
        let n: Double
        if let i = v as? Int {
            n = Double(i)
        } else if let d = v as? Double {
            n = d
        } else {
            throw AggregateError.invalidRules("\(path(key)): expected a number")
        }
        if let min, n < min { throw AggregateError.invalidRules("\(path(key)): must be at least \(min)") }
        return n
    }

    func numbers(_ key: String) throws -> [Double]? {
        guard let v = map[key] else { return nil }
        guard let list = v as? [Any] else { throw AggregateError.invalidRules("\(path(key)): expected a list of numbers") }
        return try list.map {
            if let i = $0 as? Int { return Double(i) }
            if let d = $0 as? Double { return d }
            throw AggregateError.invalidRules("\(path(key)): expected a list of numbers")
        }
    }

    func strings(_ key: String) throws -> [String]? {
        guard let v = map[key] else { return nil }
        guard let list = v as? [Any] else { throw AggregateError.invalidRules("\(path(key)): expected a list") }
        return try list.map {
            if let s = $0 as? String { return s }
            if let i = $0 as? Int { return String(i) }
            throw AggregateError.invalidRules("\(path(key)): expected a list of text values")
        }
    }

    func map(_ key: String) throws -> Reader? {
        guard let v = map[key] else { return nil }
        guard v is [String: Any] else { throw AggregateError.invalidRules("\(path(key)): expected a mapping") }
        return Reader(v, at: path(key))
    }

    func list(_ key: String) throws -> [Any]? {
        guard let v = map[key] else { return nil }
        guard let list = v as? [Any] else { throw AggregateError.invalidRules("\(path(key)): expected a list") }
        for (i, item) in list.enumerated() where !(item is [String: Any]) {
            throw AggregateError.invalidRules("\(path(key))[\(i)]: expected a mapping")
        }
        return list
    }
}
