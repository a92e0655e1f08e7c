import SpurCore

/// What readers (`AggregateReader`: the CLI, the console, the API) ask of the database.
extension AggregateStore {
    func profileJSON(lead: String) throws -> String? {
        var out: String?
        try db.prepare("SELECT json FROM profiles WHERE lead = ?").query(lead) { out = $0.string(0) }
        return out
    }

    /// Profiles matching the query after `cursor`, in the query's order, at most `limit`; each
    /// with its `updated_at` (for the next cursor). The WHERE clause names only the filters in
    /// use, so SQLite can walk the matching index in order (`profiles_stage`, `profiles_grade`);
    /// every value is a bound parameter, and the fragments are fixed text.
    func profiles(_ q: LeadQuery, after cursor: LeadCursor?, limit: Int) throws -> [(json: String, updatedAt: Int64)] {
        var clauses: [String] = []
        var values: [(any SQLValue)?] = []
        func add(_ clause: String, _ value: (any SQLValue)?) {
            clauses.append(clause)
            values.append(value)
        }
        if let v = q.stage { add("stage = ?", v.rawValue) }
        if let v = q.grade { add("grade = ?", v.rawValue) }
        if let v = q.letter { add("letter = ?", v.rawValue) }
        if let v = q.minScore { add("score >= ?", v) }
        if let v = q.updatedSince { add("updated_at >= ?", v) }
        if let v = q.search {
            // A prefix range on the primary key: `lead >= v AND lead < v + U+10FFFF`.
            add("lead >= ?", v)
            add("lead < ?", v + "\u{10FFFF}")
        }
        if let v = q.interest {
            add("EXISTS (SELECT 1 FROM json_each(profiles.json, '$.interests') i WHERE json_extract(i.value, '$.category') = ?)", v)
        }
        if let v = q.campaign {
            clauses.append(
                """
                (EXISTS (SELECT 1 FROM json_each(profiles.json, '$.campaigns_opened') WHERE value = ?)
                OR EXISTS (SELECT 1 FROM json_each(profiles.json, '$.campaigns_clicked') WHERE value = ?))
                """)
            values += [v, v]
        }
        let order: String
        switch q.sort {
        case .score: order = "score DESC, lead"
        case .lastSeen: order = "last_seen DESC, lead"
        case .updated: order = "updated_at DESC, lead"
        case .lead: order = "lead"
        }
        if let cursor {
            switch q.sort {
            case .score:
                let v = Double(cursor.value) ?? 0
                clauses.append("(score < ? OR (score = ? AND lead > ?))")
                values += [v, v, cursor.lead]
            case .lastSeen:
                clauses.append("(last_seen < ? OR (last_seen = ? AND lead > ?))")
                values += [cursor.value, cursor.value, cursor.lead]
            case .updated:
                let v = Int64(cursor.value) ?? 0
                clauses.append("(updated_at < ? OR (updated_at = ? AND lead > ?))")
                values += [v, v, cursor.lead]
            case .lead:
                add("lead > ?", cursor.lead)
            }
        }
        values.append(limit)
        let whereText = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        var out: [(String, Int64)] = []
        try db.prepare("SELECT json, updated_at FROM profiles \(whereText) ORDER BY \(order) LIMIT ?").query(values) {
            out.append(($0.string(0)!, $0.int(1)))
        }
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
