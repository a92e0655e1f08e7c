import Foundation

/// Audience membership (`audience_members`) and who entered and left when (`audience_history`).
extension AggregateStore {
    func createAudienceTables() throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS audience_members(
                audience TEXT NOT NULL, lead TEXT NOT NULL, since INTEGER NOT NULL, PRIMARY KEY(audience, lead)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS audience_history(
                audience TEXT NOT NULL, lead TEXT NOT NULL, event TEXT NOT NULL, at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS audience_history_audience ON audience_history(audience, at);
            CREATE INDEX IF NOT EXISTS audience_history_lead ON audience_history(lead);
            """)
    }

    /// Every audience's members as stored.
    /// The stored members of one audience (one at a time: a million leads in ten audiences is
    /// ten million ids, which a run must not hold at once).
    func audienceMembers(of audience: String) throws -> Set<String> {
        var out = Set<String>()
        try db.prepare("SELECT lead FROM audience_members WHERE audience = ?").query(audience) { out.insert($0.string(0)!) }
        return out
    }

    /// Records who entered and who left `audience` at `at` (Unix ms).
    func applyAudienceChanges(_ audience: String, entered: [String], left: [String], at: Int64) throws {
        let insert = try db.prepare("INSERT OR REPLACE INTO audience_members VALUES(?,?,?)")
        let delete = try db.prepare("DELETE FROM audience_members WHERE audience = ? AND lead = ?")
        let history = try db.prepare("INSERT INTO audience_history VALUES(?,?,?,?)")
        for lead in entered {
            try insert.run(audience, lead, at)
            try history.run(audience, lead, "entered", at)
        }
        for lead in left {
            try delete.run(audience, lead)
            try history.run(audience, lead, "left", at)
        }
    }

    /// Members of `audience` by lead id, after `cursor`, with the time they entered.
    func audienceMembers(_ audience: String, after cursor: String?, limit: Int) throws -> [(lead: String, since: Int64)] {
        var out: [(String, Int64)] = []
        try db.prepare("SELECT lead, since FROM audience_members WHERE audience = ? AND lead > ? ORDER BY lead LIMIT ?").query(
            audience, cursor ?? "", Int64(limit)
        ) { out.append(($0.string(0)!, $0.int(1))) }
        return out
    }

    /// Members per audience, with every audience that ever had a member (0 when empty now).
    func audienceSizes() throws -> [String: Int] {
        var out: [String: Int] = [:]
        try db.prepare("SELECT DISTINCT audience FROM audience_history").query { out[$0.string(0)!] = 0 }
        try db.prepare("SELECT audience, count(*) FROM audience_members GROUP BY audience").query { out[$0.string(0)!] = Int($0.int(1)) }
        return out
    }

    /// Net change of members per day (Unix day number), oldest first.
    func audienceDailyChanges(_ audience: String) throws -> [(day: Int64, change: Int)] {
        var out: [(Int64, Int)] = []
        try db.prepare(
            "SELECT at / 86400000, sum(CASE event WHEN 'entered' THEN 1 ELSE -1 END) FROM audience_history WHERE audience = ? GROUP BY 1 ORDER BY 1"
        ).query(audience) { out.append(($0.int(0), Int($0.int(1)))) }
        return out
    }

    /// Who entered or left `audience`, newest first.
    func audienceHistory(_ audience: String, limit: Int) throws -> [AudienceChange] {
        var out: [AudienceChange] = []
        try db.prepare("SELECT lead, event, at FROM audience_history WHERE audience = ? ORDER BY at DESC, rowid DESC LIMIT ?").query(
            audience, Int64(limit)
        ) { out.append(AudienceChange(lead: $0.string(0)!, entered: $0.string(1) == "entered", at: $0.int(2))) }
        return out
    }
}

/// A lead entering or leaving an audience.
public struct AudienceChange: Sendable, Equatable {
    public var lead: String
    public var entered: Bool
    /// Unix ms.
    public var at: Int64
}
