import SpurCore

/// What readers (`AggregateReader`: the CLI, the console, the API) ask of the database.
extension AggregateStore {
    func profileJSON(lead: String) throws -> String? {
        var out: String?
        try db.prepare("SELECT json FROM profiles WHERE lead = ?").query(lead) { out = $0.string(0) }
        return out
    }

    /// Profiles matching the query after `cursor`, in the query's order, at most `limit`; each
    /// with its `updated_at` (for the next cursor). Every filter is a bound parameter that is
    /// NULL when unused, so each sort is one prepared statement.
    func profiles(_ q: LeadQuery, after cursor: LeadCursor?, limit: Int) throws -> [(json: String, updatedAt: Int64)] {
        let filters = """
            (?1 IS NULL OR stage = ?1) AND (?2 IS NULL OR grade = ?2) AND (?3 IS NULL OR letter = ?3)
            AND (?4 IS NULL OR score >= ?4) AND (?5 IS NULL OR updated_at >= ?5)
            AND (?6 IS NULL OR EXISTS (SELECT 1 FROM json_each(profiles.json, '$.interests') i
                                       WHERE json_extract(i.value, '$.category') = ?6))
            AND (?7 IS NULL OR EXISTS (SELECT 1 FROM json_each(profiles.json, '$.campaigns_opened') WHERE value = ?7)
                            OR EXISTS (SELECT 1 FROM json_each(profiles.json, '$.campaigns_clicked') WHERE value = ?7))
            """
        let order: String
        var value: (any SQLValue)? = nil
        switch q.sort {
        case .score:
            order = "(?8 IS NULL OR score < ?8 OR (score = ?8 AND lead > ?9)) ORDER BY score DESC, lead"
            value = cursor.flatMap { Double($0.value) }
        case .lastSeen:
            order = "(?8 IS NULL OR last_seen < ?8 OR (last_seen = ?8 AND lead > ?9)) ORDER BY last_seen DESC, lead"
            value = cursor?.value
        case .updated:
            order = "(?8 IS NULL OR updated_at < ?8 OR (updated_at = ?8 AND lead > ?9)) ORDER BY updated_at DESC, lead"
            value = cursor.flatMap { Int64($0.value) }
        case .lead:
            order = "(?9 IS NULL OR lead > ?9) ORDER BY lead"
        }
        var out: [(String, Int64)] = []
        try db.prepare("SELECT json, updated_at FROM profiles WHERE \(filters) AND \(order) LIMIT ?10").query(
            q.stage?.rawValue, q.grade?.rawValue, q.letter?.rawValue, q.minScore, q.updatedSince, q.interest, q.campaign, value,
            cursor?.lead, limit
        ) { out.append(($0.string(0)!, $0.int(1))) }
        return out
    }

    func eachProfileJSON(_ each: (String) throws -> Void) throws {
        try db.prepare("SELECT json FROM profiles ORDER BY lead").query { try each($0.string(0)!) }
    }

    /// Every campaign with events, by id.
    func campaigns() throws -> [String] { try distinctValues(of: .campaign) }

    /// A campaign's opens, clicks and downloads, by time.
    func campaignEvents(_ campaign: String) throws -> [Event] {
        var events: [Event] = []
        try db.prepare(
            "SELECT \(Self.eventColumns) FROM events WHERE campaign = ? AND type IN ('open', 'click', 'download') ORDER BY ts, id"
        ).query(campaign) { events.append(Self.event($0)) }
        return events
    }
}
