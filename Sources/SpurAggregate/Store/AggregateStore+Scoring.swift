import Foundation
import SpurCore

/// What the scoring pass reads and writes: the leads, each lead's events, profiles and the
/// hand-off outbox.
extension AggregateStore {
    /// The columns `event(_:)` reads, in its order (of the `events` table before schema 7).
    static let eventColumns = "id, ts, type, campaign, lead, visitor, url, referrer, title, ua, ip, flags, props, node, name"

    static func event(_ r: Statement.Row) -> Event {
        var props: [String: String] = [:]
        if let text = r.string(12), let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] {
            props = object
        }
        return Event(
            id: r.string(0)!, ts: r.int(1), type: EventType(rawValue: r.string(2)!) ?? .custom, campaign: r.string(3),
            lead: r.string(4), visitor: r.string(5), url: r.string(6), referrer: r.string(7), title: r.string(8), name: r.string(14),
            ua: r.string(9), ip: r.string(10), flags: EventFlags(rawValue: UInt8(truncatingIfNeeded: r.int(11))), props: props,
            node: r.string(13))
    }

    /// Every lead's stage and score as stored: what changed in a run is judged against them.
    func standings() throws -> [String: Standing] {
        var out: [String: Standing] = [:]
        try db.prepare("SELECT lead, stage, score FROM profiles").query {
            out[$0.string(0)!] = Standing(stage: Stage(rawValue: $0.string(1)!) ?? Stage.none, score: $0.double(2))
        }
        return out
    }

    /// Stores a profile. `updated_at` moves to `now` only when the profile says something new
    /// (anything but its as-of time changed), so readers can ask for what changed since a time.
    func save(_ p: LeadProfile, json: String, now: Int64) throws {
        try db.prepare(
            """
            INSERT INTO profiles(lead, score, implicit, explicit, grade, label, stage, json, letter, last_seen, updated_at)
            VALUES(?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT(lead) DO UPDATE SET score = excluded.score, implicit = excluded.implicit, explicit = excluded.explicit,
                grade = excluded.grade, label = excluded.label, stage = excluded.stage, letter = excluded.letter,
                last_seen = excluded.last_seen,
                updated_at = CASE WHEN json_remove(profiles.json, '$.as_of') IS json_remove(excluded.json, '$.as_of')
                    THEN profiles.updated_at ELSE excluded.updated_at END,
                json = excluded.json
            """
        ).run(
            p.lead, p.score, p.implicit, p.explicit, p.grade.rawValue, p.label, p.stage.rawValue, json, p.letter.rawValue, p.lastSeen,
            now)
        // The filter tags follow the profile: rewritten when it changed (or is new).
        var changed = false
        try db.prepare("SELECT updated_at FROM profiles WHERE lead = ?").query(p.lead) { changed = $0.int(0) == now }
        guard changed else { return }
        try db.prepare("DELETE FROM profile_tags WHERE tlead = ?").run(p.lead)
        var tags = Set(p.interests.map { ["interest", $0.category] })
        for c in p.campaignsOpened + p.campaignsClicked { tags.insert(["campaign", c]) }
        for tag in tags { try db.prepare("INSERT INTO profile_tags VALUES(?, ?, ?, ?)").run(tag[0], tag[1], p.score, p.lead) }
    }
}
