import Foundation
import SpurCore

/// Scores one lead from its events: a pure function of (events, rules, as-of), so reruns,
/// rebuilds and incremental runs agree exactly. The formula is in docs/scoring.md.
public struct LeadScorer: Sendable {
    public let rules: ScoringRules
    public let asOfMillis: Int64

    public init(rules: ScoringRules, asOfMillis: Int64) {
        self.rules = rules
        self.asOfMillis = asOfMillis
    }

    struct Award {
        var ts: Int64
        var rule: String
        var points: Double
        var categories: [String]
    }

    static let dayMillis: Int64 = 86_400_000

    /// `events`: the lead's own events and the anonymous events of visitors linked to it at any
    /// time, sorted by (ts, id) and free of duplicates; `links`: every link of those visitors (to
    /// any lead). Only events up to the as-of time count, and a visitor's anonymous events count
    /// for the lead it belongs to as of then.
    public func score(lead: String, events allEvents: [Event], links: [VisitorLink]) -> LeadProfile {
        let owners = VisitorLink.owners(links, asOf: asOfMillis)
        let visitors = owners.filter { $0.value == lead }.map(\.key)
        let (events, withdrawn) = Self.withTrackingConsent(
            BurstClassifier.reclassify(
                allEvents.filter { e in
                    e.ts <= asOfMillis && (e.lead == lead || (e.lead == nil && e.visitor.map { owners[$0] == lead } == true))
                }))
        var counts: [String: Int] = [:]
        var opened = Set<String>(), clicked = Set<String>()
        var awards: [Award] = []
        var excluded: [String: [String: Int]] = [:]  // rule -> reason -> events
        var usedKeys = Set<String>()
        var lastAwardAt: [String: Int64] = [:]
        var awardedOnDay: [Int64: Double] = [:]
        var attributeHistory: [(ts: Int64, key: String, value: String)] = []
        var firstTouch: LeadProfile.Touch?, lastTouch: LeadProfile.Touch?

        for e in events {
            counts[e.type.rawValue, default: 0] += 1
            if let touch = Self.touch(e) {
                if firstTouch == nil { firstTouch = touch }
                lastTouch = touch
            }
            if let c = e.campaign {
                if e.type == .open { opened.insert(c) }
                if e.type == .click || e.type == .download { clicked.insert(c) }
            }
            if e.type == .identify {
                for (k, v) in e.props.sorted(by: { $0.key < $1.key }) { attributeHistory.append((e.ts, k, v)) }
            }
            let path = Self.path(of: e.url)
            guard let rule = rules.rules.first(where: { $0.matches(e, path: path) }) else { continue }
            let weight = flagWeight(e.flags)
            if weight.value == 0 {
                excluded[rule.id, default: [:]][weight.reason!, default: 0] += 1
                continue
            }
            let day = e.ts / Self.dayMillis
            let key: String?
            switch rule.repeatPolicy {
            case .once: key = rule.id
            case .perCampaign: key = rule.id + "\u{0}" + (e.campaign ?? "")
            case .perLink: key = rule.id + "\u{0}" + (e.campaign ?? "") + "\u{0}" + (e.url ?? "")
            case .perDay: key = rule.id + "\u{0}" + String(day)
            case .window(let days):
                if let last = lastAwardAt[rule.id], Double(e.ts - last) < days * Double(Self.dayMillis) {
                    excluded[rule.id, default: [:]]["repeat", default: 0] += 1
                    continue
                }
                key = nil
            case .every: key = nil
            }
            if let key, usedKeys.contains(key) {
                excluded[rule.id, default: [:]]["repeat", default: 0] += 1
                continue
            }
            var points = rule.points * weight.value
            if points > 0, let cap = rules.dailyCap {
                let room = max(0, cap - awardedOnDay[day, default: 0])
                if points > room {
                    excluded[rule.id, default: [:]]["daily_cap", default: 0] += 1
                    points = room
                }
                if points == 0 { continue }
                awardedOnDay[day, default: 0] += points
            }
            if weight.value < 1, let reason = weight.reason {
                excluded[rule.id, default: [:]]["\(reason) (weight \(weight.value))", default: 0] += 1
            }
            if let key { usedKeys.insert(key) }
            lastAwardAt[rule.id] = e.ts
            var categories = rule.categories
            if let n = rule.categoryFromPathSegment, let path {
                let parts = path.split(separator: "/")
                if parts.count >= n { categories.append(String(parts[n - 1]).lowercased()) }
            }
            awards.append(Award(ts: e.ts, rule: rule.id, points: points, categories: categories))
        }

        // Explicit attributes: the latest value of each key.
        var attributes: [String: String] = [:]
        for a in attributeHistory { attributes[a.key] = a.value }
        let explicitNow = explicitPoints(attributes)

        let implicitNow = awards.reduce(0.0) { $0 + $1.points * decay(asOfMillis - $1.ts) }
        let total = implicitNow + explicitNow.total

        let timeline = stageTimeline(awards: awards, attributeHistory: attributeHistory, events: events)
        // The rules reader makes sure there are five grade bands and three letter bands.
        let grade = Grade(rawValue: (rules.gradeBands.firstIndex { total >= $0 } ?? rules.gradeBands.count) + 1) ?? .six
        let letter = [Letter.a, .b, .c][safe: rules.letterBands.firstIndex { explicitNow.total >= $0 }] ?? .d

        var interestWeights: [String: Double] = [:]
        for a in awards where a.points > 0 {
            for c in a.categories {
                interestWeights[c, default: 0] += a.points * decay(asOfMillis - a.ts, halfLife: rules.interestHalfLifeDays)
            }
        }
        let interests = interestWeights.map { LeadProfile.Interest(category: $0.key, weight: Self.round($0.value)) }
            .sorted { ($0.weight, $1.category) > ($1.weight, $0.category) }.prefix(rules.interestTop)

        var explain: [LeadProfile.Explanation] = []
        var byRule: [String: (points: Double, awarded: Double, events: Int)] = [:]
        for a in awards {
            byRule[a.rule, default: (0, 0, 0)].points += a.points * decay(asOfMillis - a.ts)
            byRule[a.rule, default: (0, 0, 0)].awarded += a.points
            byRule[a.rule, default: (0, 0, 0)].events += 1
        }
        for rule in rules.rules {
            if let r = byRule[rule.id] {
                explain.append(.init(rule: rule.id, points: Self.round(r.points), awarded: Self.round(r.awarded), events: r.events))
            }
            for (reason, n) in (excluded[rule.id] ?? [:]).sorted(by: { $0.key < $1.key }) {
                explain.append(.init(rule: rule.id, points: 0, awarded: 0, events: n, excluded: reason))
            }
        }
        for (rule, points) in explicitNow.rules {
            explain.append(.init(rule: rule, points: points, awarded: points, events: 1))
        }
        if withdrawn > 0 {
            explain.append(.init(rule: Self.trackingAttribute, points: 0, awarded: 0, events: withdrawn, excluded: "withdrawn"))
        }

        let iso = { (ms: Int64) in ISO8601.string(ms) }
        return LeadProfile(
            lead: lead, asOf: iso(asOfMillis), score: Self.round(total), implicit: Self.round(implicitNow),
            explicit: Self.round(explicitNow.total), lifetime: Self.round(awards.reduce(0) { $0 + $1.points }), grade: grade,
            letter: letter, label: letter.rawValue + String(grade.rawValue), stage: timeline.stage,
            stageSince: timeline.since.map(iso), mqlAt: timeline.reached[.mql].map(iso), sqlAt: timeline.reached[.sql].map(iso),
            interests: Array(interests), counts: counts, firstSeen: events.first.map { iso($0.ts) } ?? iso(asOfMillis),
            lastSeen: events.last.map { iso($0.ts) } ?? iso(asOfMillis), visitors: visitors.sorted(),
            campaignsOpened: opened.sorted(), campaignsClicked: clicked.sorted(), attributes: attributes, explain: explain,
            firstTouch: firstTouch, lastTouch: lastTouch)
    }

    /// The identify attribute that records the lead's consent to tracking (`yes`/`no`).
    public static let trackingAttribute = "tracking"

    /// The events without those recorded while the lead's tracking consent was withdrawn
    /// (`tracking: no` by `/api/identify`, until a later `tracking: yes`), and how many those were.
    /// Identify events always stay: they carry the consent and the attributes.
    static func withTrackingConsent(_ events: [Event]) -> ([Event], withdrawn: Int) {
        guard events.contains(where: { $0.type == .identify && $0.props[trackingAttribute] == "no" }) else { return (events, 0) }
        var allowed = true, dropped = 0
        var kept: [Event] = []
        kept.reserveCapacity(events.count)
        for e in events {
            if e.type == .identify, let value = e.props[trackingAttribute] { allowed = value != "no" }
            if allowed || e.type == .identify {
                kept.append(e)
            } else {
                dropped += 1
            }
        }
        return (kept, dropped)
    }

    /// The UTM parameters of a page view or click by a person (not a bot), if it has any.
    static func touch(_ e: Event) -> LeadProfile.Touch? {
        guard e.type == .pageview || e.type == .click || e.type == .download, let url = e.url, url.contains("utm_"),
            TrafficKind(flags: e.flags) != .bot, let q = url.firstIndex(of: "?")
        else { return nil }
        let query = url[url.index(after: q)...].prefix { $0 != "#" }
        let p = QueryString.parse(Substring(query))
        func value(_ key: String) -> String? { p[key].map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 } }
        let (source, medium, campaign) = (value("utm_source"), value("utm_medium"), value("utm_campaign"))
        guard source != nil || medium != nil || campaign != nil else { return nil }
        return LeadProfile.Touch(at: ISO8601.string(e.ts), source: source, medium: medium, campaign: campaign, url: url)
    }

    /// δ(Δ) = 1 within the grace period, then halves every half-life.
    func decay(_ ageMillis: Int64, halfLife: Double? = nil) -> Double {
        let days = Double(max(0, ageMillis)) / Double(Self.dayMillis)
        guard days > rules.graceDays else { return 1 }
        return pow(2, -(days - rules.graceDays) / (halfLife ?? rules.halfLifeDays))
    }

    private func flagWeight(_ flags: EventFlags) -> (value: Double, reason: String?) {
        var result: (Double, String?) = (1, nil)
        for name in flags.names {
            if let w = rules.flagWeights[name], w < result.0 { result = (w, name) }
        }
        return result
    }

    private func explicitPoints(_ attributes: [String: String]) -> (total: Double, rules: [(String, Double)]) {
        var applied: [(String, Double)] = []
        for rule in rules.attributes {
            guard let value = attributes[rule.attribute], !value.isEmpty else { continue }
            if let values = rule.values, !values.contains(value) { continue }
            applied.append((rule.id, rule.points))
        }
        return (applied.reduce(0) { $0 + $1.1 }, applied)
    }

    /// Walks the lead's history day by day and applies the stage thresholds with hysteresis:
    /// the score is checked at the start (00:00 UTC) of every active day, with what happened
    /// before that moment decayed to it, after the day's last event, and at the as-of time.
    private func stageTimeline(
        awards: [Award], attributeHistory: [(ts: Int64, key: String, value: String)], events: [Event]
    ) -> (stage: Stage, since: Int64?, reached: [Stage: Int64]) {
        // (time, whether events at exactly that time count): a day's start counts only what came before it.
        var checks: [(t: Int64, inclusive: Bool)] = []
        var lastDay: Int64?
        for (i, e) in events.enumerated() {
            let day = e.ts / Self.dayMillis
            if day != lastDay {
                checks.append((day * Self.dayMillis, false))
                lastDay = day
            }
            if i == events.count - 1 || events[i + 1].ts / Self.dayMillis != day { checks.append((e.ts, true)) }
        }
        checks.append((asOfMillis, true))
        var stage = Stage.none
        var since: Int64?
        var reached: [Stage: Int64] = [:]
        for (t, inclusive) in checks {
            let counts = { (ts: Int64) in inclusive ? ts <= t : ts < t }
            var attributes: [String: String] = [:]
            for a in attributeHistory where counts(a.ts) { attributes[a.key] = a.value }
            var s = explicitPoints(attributes).total
            for a in awards where counts(a.ts) { s += a.points * decay(t - a.ts) }
            let next: Stage
            switch stage {
            case .none: next = s >= rules.sql.enter ? .sql : (s >= rules.mql.enter ? .mql : .none)
            case .mql: next = s >= rules.sql.enter ? .sql : (s < rules.mql.exit ? .none : .mql)
            case .sql: next = s >= rules.sql.exit ? .sql : (s >= rules.mql.exit ? .mql : .none)
            }
            if next != stage {
                if next > stage { reached[next] = t }
                if next == .sql && reached[.mql] == nil { reached[.mql] = t }
                stage = next
                since = next == .none ? nil : t
            }
        }
        return (stage, since, reached)
    }

    /// The path of an absolute or relative URL, without query and fragment.
    static func path(of url: String?) -> String? {
        guard let url else { return nil }
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest[(rest.firstIndex(of: "/") ?? rest.endIndex)...]
        }
        if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<q] }
        return rest.isEmpty ? "/" : String(rest)
    }

    static func round(_ v: Double) -> Double { (v * 100).rounded() / 100 }
}

extension Array {
    subscript(safe index: Int?) -> Element? {
        guard let index, indices.contains(index) else { return nil }
        return self[index]
    }
}

public enum ISO8601 {
    public static func string(_ ms: Int64) -> String {
        let f = SystemTime.utcFields(ms)
        return "\(f[0])-\(f[1])-\(f[2])T\(f[3]):\(f[4]):\(f[5])Z"
    }

    /// Parses `2026-11-22`, `2026-11-22T10:00:00Z` (or with an offset); nil otherwise.
    public static func parse(_ text: String) -> Int64? {
        if let fast = parseUTC(text) { return fast }
        let f = ISO8601DateFormatter()
        if let d = f.date(from: text) { return Int64(d.timeIntervalSince1970 * 1000) }
        f.formatOptions = [.withFullDate]
        if let d = f.date(from: text) {
            // A date alone means the end of that UTC day: everything of that day counts.
            return Int64(d.timeIntervalSince1970 * 1000) + 86_400_000 - 1
        }
        return nil
    }

    /// Exactly what `string(_:)` writes (`2026-11-22T10:00:00Z`), without a formatter: audiences
    /// read a profile's times for every lead and run, and `ISO8601DateFormatter` dominated that.
    /// Anything else, including impossible dates, is left to the formatter.
    static func parseUTC(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else { return nil }
        func number(_ from: Int, _ count: Int) -> Int64? {
            var n: Int64 = 0
            for i in from..<from + count {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                n = n * 10 + Int64(b[i] - 0x30)
            }
            return n
        }
        guard let y = number(0, 4), let m = number(5, 2), let d = number(8, 2), let hh = number(11, 2), let mm = number(14, 2),
            let ss = number(17, 2), (1...12).contains(m), hh < 24, mm < 60, ss < 60
        else { return nil }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let monthDays: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d >= 1, d <= monthDays[Int(m - 1)] else { return nil }
        // Days since 1970-01-01 of a civil date (the proleptic Gregorian calendar).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000
    }
}
