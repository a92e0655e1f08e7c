import SpurCore

/// What readers (`AggregateReader`: the CLI, the console, the API) ask of the database.
extension AggregateStore {
    func profileJSON(lead: String) throws -> String? {
        var out: String?
        try db.prepare("SELECT json FROM profiles WHERE lead = ?").query(lead) { out = $0.string(0) }
        return out
    }

    /// Profiles matching the query after `cursor`, in the query's order, at most `limit`; each
    /// with its `updated_at` (for the next cursor).
    func profiles(_ q: LeadQuery, after cursor: LeadCursor?, limit: Int) throws -> [(json: String, updatedAt: Int64)] {
        try matching(q, after: cursor, limit: limit, columns: "profiles.json, profiles.updated_at") { ($0.string(0)!, $0.int(1)) }
    }

    /// The list columns of the profiles matching the query (no JSON decoding: a page of a
    /// million-lead list costs what its 50 rows cost). The top three interests come from the
    /// profile JSON inside SQLite.
    func summaries(_ q: LeadQuery, after cursor: LeadCursor?, limit: Int) throws -> [LeadSummary] {
        try matching(
            q, after: cursor, limit: limit,
            columns: """
                profiles.lead, profiles.score, implicit, explicit, grade, letter, label, stage, last_seen, updated_at,
                (SELECT group_concat(c, ',') FROM
                    (SELECT json_extract(value, '$.category') AS c FROM json_each(profiles.json, '$.interests') LIMIT 3))
                """
        ) { r in
            LeadSummary(
                lead: r.string(0)!, score: r.double(1), implicit: r.double(2), explicit: r.double(3),
                grade: Grade(rawValue: Int(r.int(4))) ?? .six, letter: Letter(rawValue: r.string(5) ?? "") ?? .d, label: r.string(6) ?? "",
                stage: Stage(rawValue: r.string(7) ?? "") ?? .none, lastSeen: r.string(8) ?? "", updatedAt: r.int(9),
                topInterests: r.string(10).map { $0.split(separator: ",").map(String.init) } ?? [])
        }
    }

    /// Rows matching the query after `cursor`, in the query's order, at most `limit`. The WHERE
    /// clause names only the filters in use, so SQLite can walk the matching index in order
    /// (`profiles_stage`, `profiles_grade`, and for an interest or campaign the `profile_tags`
    /// key, which holds the score); every value is a bound parameter, and the fragments are
    /// fixed text. A cursor of a sort by value is two index ranges — the rest of the cursor's
    /// value (`= v AND lead > l`), then the values after it (`< v`) — because one
    /// `(col < v OR (col = v AND lead > l))` condition makes SQLite scan from the start.
    private func matching<T>(_ q: LeadQuery, after cursor: LeadCursor?, limit: Int, columns: String, row: (Statement.Row) -> T) throws
        -> [T]
    {
        var clauses: [String] = []
        var values: [(any SQLValue)?] = []
        func add(_ clause: String, _ value: (any SQLValue)?) {
            clauses.append(clause)
            values.append(value)
        }
        // One tag filter drives the query through the tag table (in score order, or few leads
        // to sort); a second one, or a tag many leads have in a list sorted otherwise, is a
        // lookup per lead of the sort's own index.
        var tables = "profiles"
        var tagged = false
        let tags = [("interest", q.interest), ("campaign", q.campaign)].compactMap { k, v in v.map { (k, $0) } }
        var drive = !tags.isEmpty
        if drive, q.sort != .score, try tagCount(kind: tags[0].0, value: tags[0].1) > Self.tagSortLimit { drive = false }
        for (kind, value) in tags {
            if drive && !tagged {
                tables = "profile_tags CROSS JOIN profiles ON profiles.lead = profile_tags.tlead"
                add("profile_tags.kind = ?", kind)
                add("profile_tags.value = ?", value)
                tagged = true
            } else {
                clauses.append("EXISTS (SELECT 1 FROM profile_tags x WHERE x.tlead = profiles.lead AND x.kind = ? AND x.value = ?)")
                values += [kind, value]
            }
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
        // With a tag, the score order is the tag key's own (tscore, tlead).
        let leadColumn = tagged ? "tlead" : "lead"
        let column: String
        let cursorValue: (any SQLValue)?
        switch q.sort {
        case .score: (column, cursorValue) = (tagged ? "tscore" : "score", cursor.flatMap { Double($0.value) })
        case .lastSeen: (column, cursorValue) = ("last_seen", cursor?.value)
        case .updated: (column, cursorValue) = ("updated_at", cursor.flatMap { Int64($0.value) })
        case .lead: (column, cursorValue) = (leadColumn, nil)
        }
        var out: [T] = []
        func run(_ extra: [String], _ extraValues: [(any SQLValue)?], order: String, limit: Int) throws {
            let all = clauses + extra
            let whereText = all.isEmpty ? "" : "WHERE " + all.joined(separator: " AND ")
            try db.prepare("SELECT \(columns) FROM \(tables) \(whereText) ORDER BY \(order) LIMIT ?").query(values + extraValues + [limit]) {
                out.append(row($0))
            }
        }
        guard let cursor else {
            try run([], [], order: q.sort == .lead ? leadColumn : "\(column) DESC, \(leadColumn)", limit: limit)
            return out
        }
        guard let cursorValue else {
            try run(["\(leadColumn) > ?"], [cursor.lead], order: leadColumn, limit: limit)
            return out
        }
        try run(["\(column) = ?", "\(leadColumn) > ?"], [cursorValue, cursor.lead], order: leadColumn, limit: limit)
        if out.count < limit {
            try run(["\(column) < ?"], [cursorValue], order: "\(column) DESC, \(leadColumn)", limit: limit - out.count)
        }
        return out
    }

    /// Above this many leads with the tag, sorting them by another column than the score costs
    /// more than walking that column's index and checking the tag per lead.
    static let tagSortLimit = 5000

    private func tagCount(kind: String, value: String) throws -> Int {
        var n = 0
        try db.prepare("SELECT count(*) FROM (SELECT 1 FROM profile_tags WHERE kind = ? AND value = ? LIMIT ?)").query(
            kind, value, Self.tagSortLimit + 1
        ) { n = Int($0.int(0)) }
        return n
    }

    func eachProfileJSON(_ each: (String) throws -> Void) throws {
        try db.prepare("SELECT json FROM profiles ORDER BY lead").query { try each($0.string(0)!) }
    }
}
