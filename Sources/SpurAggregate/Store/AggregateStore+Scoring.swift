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

    /// The indexes of the lead list (`AggregateStore+Reading`), which every profile write keeps
    /// up to date.
    private static let profileIndexes = [
        ("profiles_score", "profiles(score DESC, lead)"),
        ("profiles_stage", "profiles(stage, score DESC, lead)"),
        ("profiles_grade", "profiles(grade, letter, score DESC, lead)"),
        ("profiles_last_seen", "profiles(last_seen DESC, lead)"),
        ("profiles_updated", "profiles(updated_at DESC, lead)"),
        ("profile_tags_lead", "profile_tags(tlead, kind, value)"),
    ]

    func createProfileIndexes() throws {
        for (name, definition) in Self.profileIndexes { try db.execute("CREATE INDEX IF NOT EXISTS \(name) ON \(definition)") }
    }

    /// A run that rewrites most profiles drops the list's indexes and the filter tags, and builds
    /// them once at the end (`endProfileRewrite`, in the same transaction): sorted builds instead
    /// of a dozen B-tree updates per lead in score order.
    func beginProfileRewrite() throws {
        for (name, _) in Self.profileIndexes { try db.execute("DROP INDEX IF EXISTS \(name)") }
        try db.execute(
            """
            DELETE FROM profile_tags;
            CREATE TEMP TABLE IF NOT EXISTS new_tags(kind TEXT NOT NULL, value TEXT NOT NULL, tscore REAL NOT NULL, tlead TEXT NOT NULL);
            DELETE FROM new_tags;
            """)
    }

    func endProfileRewrite() throws {
        try db.execute(
            """
            INSERT OR IGNORE INTO profile_tags SELECT kind, value, tscore, tlead FROM new_tags ORDER BY kind, value, tscore DESC, tlead;
            DROP TABLE new_tags;
            """)
        try createProfileIndexes()
    }

    /// Stores a profile. `updated_at` moves to `now` only when the profile says something new
    /// (anything but its as-of time changed: `digest`, `LeadProfile.digest(json:)`), so readers
    /// can ask for what changed since a time. Rows from before the digest (0) compare the JSON.
    /// `rewriting`: between `beginProfileRewrite` and `endProfileRewrite`.
    func save(_ p: LeadProfile, json: String, digest: Int64, now: Int64, rewriting: Bool = false) throws {
        try db.prepare(
            """
            INSERT INTO profiles(lead, score, implicit, explicit, grade, label, stage, json, letter, last_seen, updated_at, digest)
            VALUES(?,?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT(lead) DO UPDATE SET score = excluded.score, implicit = excluded.implicit, explicit = excluded.explicit,
                grade = excluded.grade, label = excluded.label, stage = excluded.stage, letter = excluded.letter,
                last_seen = excluded.last_seen,
                updated_at = CASE WHEN profiles.digest = excluded.digest
                    OR (profiles.digest = 0 AND json_remove(profiles.json, '$.as_of') IS json_remove(excluded.json, '$.as_of'))
                    THEN profiles.updated_at ELSE excluded.updated_at END,
                json = excluded.json, digest = excluded.digest
            """
        ).run(
            p.lead, p.score, p.implicit, p.explicit, p.grade.rawValue, p.label, p.stage.rawValue, json, p.letter.rawValue, p.lastSeen,
            now, digest)
        var tags = Set(p.interests.map { ["interest", $0.category] })
        for c in p.campaignsOpened + p.campaignsClicked { tags.insert(["campaign", c]) }
        if rewriting {
            for tag in tags { try db.prepare("INSERT INTO new_tags VALUES(?, ?, ?, ?)").run(tag[0], tag[1], p.score, p.lead) }
            return
        }
        // The filter tags follow the profile: rewritten when it changed (or is new).
        var changed = false
        try db.prepare("SELECT updated_at FROM profiles WHERE lead = ?").query(p.lead) { changed = $0.int(0) == now }
        guard changed else { return }
        try db.prepare("DELETE FROM profile_tags WHERE tlead = ?").run(p.lead)
        for tag in tags { try db.prepare("INSERT INTO profile_tags VALUES(?, ?, ?, ?)").run(tag[0], tag[1], p.score, p.lead) }
    }
}
