import SpurCore

/// The folded events (schema 7, docs/decisions.md "Events as per-lead facts"): per lead, per
/// visitor (its anonymous events) and per campaign and day (opens, clicks and downloads, for the
/// reports) one list in `FactCodec`'s form, clustered by its key; the visitor→lead links as rows;
/// the shared strings once. The segments stay the source of truth.
extension AggregateStore {
    func createFactTables() throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS facts(
                kind INTEGER NOT NULL, owner TEXT NOT NULL, events INTEGER NOT NULL, data BLOB NOT NULL,
                PRIMARY KEY(kind, owner)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS campaign_facts(
                campaign TEXT NOT NULL, day INTEGER NOT NULL, events INTEGER NOT NULL, data BLOB NOT NULL,
                PRIMARY KEY(campaign, day)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS links(
                visitor TEXT NOT NULL, ts INTEGER NOT NULL, event TEXT NOT NULL, lead TEXT NOT NULL, identified INTEGER NOT NULL,
                PRIMARY KEY(visitor, ts, event)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS strings(id INTEGER PRIMARY KEY, text TEXT NOT NULL);
            """)
    }

    // MARK: The shared strings

    /// The dictionary as stored now (read again on each call: another process may have added to
    /// it, or an erasure removed from it).
    func loadStrings() throws -> StringDictionary {
        var rows: [(Int, String)] = []
        try db.prepare("SELECT id, text FROM strings").query { rows.append((Int($0.int(0)), $0.string(1) ?? "")) }
        strings.load(rows)
        stringsLoaded = true
        return strings
    }

    private func dictionary() throws -> StringDictionary { stringsLoaded ? strings : try loadStrings() }

    /// Writes the entries the fold made (in its transaction).
    func saveNewStrings() throws {
        let insert = try db.prepare("INSERT INTO strings VALUES(?, ?)")
        for (id, text) in strings.takeAdded() { try insert.run(id, text) }
    }

    // MARK: Lists

    /// The stored list of an owner, if any.
    func factList(_ owner: FactOwner, _ key: String) throws -> [UInt8]? {
        var out: [UInt8]?
        if owner == .campaignDay {
            let (campaign, day) = FactOwner.splitDayKey(key)
            try db.prepare("SELECT data FROM campaign_facts WHERE campaign = ? AND day = ?").query(campaign, day) { out = $0.blob(0) }
        } else {
            try db.prepare("SELECT data FROM facts WHERE kind = ? AND owner = ?").query(Int(owner.rawValue), key) { out = $0.blob(0) }
        }
        return out
    }

    /// Stores (or with no events, deletes) an owner's list.
    func setFactList(_ owner: FactOwner, _ key: String, events: Int, data: [UInt8]) throws {
        if owner == .campaignDay {
            let (campaign, day) = FactOwner.splitDayKey(key)
            if events == 0 {
                try db.prepare("DELETE FROM campaign_facts WHERE campaign = ? AND day = ?").run(campaign, day)
            } else {
                try db.prepare("INSERT OR REPLACE INTO campaign_facts VALUES(?, ?, ?, ?)").run(campaign, day, events, data)
            }
        } else if events == 0 {
            try db.prepare("DELETE FROM facts WHERE kind = ? AND owner = ?").run(Int(owner.rawValue), key)
        } else {
            try db.prepare("INSERT OR REPLACE INTO facts VALUES(?, ?, ?, ?)").run(Int(owner.rawValue), key, events, data)
        }
    }

    func addLink(visitor: String, ts: Int64, event: String, lead: String, identified: Bool) throws {
        try db.prepare("INSERT OR IGNORE INTO links VALUES(?, ?, ?, ?, ?)").run(visitor, ts, event, lead, identified ? 1 : 0)
    }

    var hasNoEvents: Bool {
        get throws {
            var empty = true
            try db.prepare("SELECT 1 FROM facts LIMIT 1").query { _ in empty = false }
            return empty
        }
    }

    /// The events of one list, decoded. A number missing from the dictionary as loaded means
    /// another process added it since: the dictionary is read again once.
    func ownerEvents(_ owner: FactOwner, _ key: String) throws -> [Event] {
        guard let blob = try factList(owner, key) else { return [] }
        return try decode(blob, owner, key)
    }

    func decode(_ blob: [UInt8], _ owner: FactOwner, _ key: String) throws -> [Event] {
        let first = FactCodec.events(blob, owner: owner, key: key, dictionary: try dictionary())
        guard first.unreadable > 0 else { return first.events }
        return FactCodec.events(blob, owner: owner, key: key, dictionary: try loadStrings()).events
    }

    // MARK: What scoring and the readers ask

    /// Every lead with events, by id.
    func leads() throws -> [String] {
        var out: [String] = []
        try db.prepare("SELECT owner FROM facts WHERE kind = 0 ORDER BY owner").query { out.append($0.string(0)!) }
        return out
    }

    /// The lead's own events plus the anonymous events of every visitor ever seen with it, by
    /// (ts, id). Which of the anonymous ones count as of a date is the scorer's decision (`links`).
    func events(ofLead lead: String) throws -> [Event] { try scoringInput(lead).events }

    /// Every link of every visitor ever seen with the lead, to any lead: who a visitor belongs to
    /// as of a date follows from all of them.
    func links(ofLead lead: String) throws -> [VisitorLink] { try scoringInput(lead).links }

    /// Both of the above from one read of the lead's list.
    func scoringInput(_ lead: String) throws -> (events: [Event], links: [VisitorLink]) {
        var events = try ownerEvents(.lead, lead)
        let visitors = Set(events.lazy.compactMap(\.visitor)).sorted()
        guard !visitors.isEmpty else { return (events, []) }
        var links: [VisitorLink] = []
        for v in visitors {
            events += try ownerEvents(.visitor, v)
            try db.prepare("SELECT lead, ts, event, identified FROM links WHERE visitor = ?").query(v) {
                links.append(VisitorLink(visitor: v, lead: $0.string(0)!, ts: $0.int(1), event: $0.string(2)!, identified: $0.int(3) != 0))
            }
        }
        events.sort(by: Self.inStoredOrder)
        return (events, links)
    }

    /// (ts, id), the id compared byte by byte as SQLite compares text.
    static func inStoredOrder(_ a: Event, _ b: Event) -> Bool {
        a.ts != b.ts ? a.ts < b.ts : a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
    }

    /// Every campaign with opens, clicks or downloads, by id.
    func campaigns() throws -> [String] {
        var out: [String] = []
        try db.prepare("SELECT DISTINCT campaign FROM campaign_facts ORDER BY campaign").query { out.append($0.string(0)!) }
        return out
    }

    /// A campaign's opens, clicks and downloads, by time.
    func campaignEvents(_ campaign: String) throws -> [Event] {
        var out: [Event] = []
        var lists: [(Int64, [UInt8])] = []
        try db.prepare("SELECT day, data FROM campaign_facts WHERE campaign = ? ORDER BY day").query(campaign) {
            lists.append(($0.int(0), $0.blob(1)))
        }
        for (day, blob) in lists { out += try decode(blob, .campaignDay, FactOwner.dayKey(campaign, day: day)) }
        return out
    }

    /// Schema 7: the rows of the `events` table as lists, then the table goes.
    func factsFromEventRows() throws {
        let dictionary = try loadStrings()
        let sorter = FactSorter(directory: path + ".migrate")
        try db.prepare("SELECT \(Self.eventColumns) FROM events").query { try sorter.add(Self.event($0), segment: 0, dictionary: dictionary) }
        _ = try FactMerge(store: self, dictionary: dictionary, bulk: true).run(sorter, segments: 1)
        try saveNewStrings()
        try db.execute("DROP TABLE events")
    }

    // MARK: Every list (retention, erasure's dictionary check, migration)

    /// Calls `each` with every list of `facts` and `campaign_facts`; a returned list replaces it
    /// (empty: deletes it). Lists are read in pages so that rewriting does not disturb the walk.
    func rewriteEveryList(_ each: (FactOwner, String, [UInt8]) throws -> (events: Int, data: [UInt8])?) throws {
        var after: (Int, String) = (-1, "")
        while true {
            var page: [(FactOwner, String, [UInt8])] = []
            try db.prepare("SELECT kind, owner, data FROM facts WHERE (kind, owner) > (?, ?) ORDER BY kind, owner LIMIT 512").query(
                after.0, after.1
            ) { page.append((FactOwner(rawValue: UInt8(truncatingIfNeeded: $0.int(0))) ?? .lead, $0.string(1)!, $0.blob(2))) }
            guard let last = page.last else { break }
            after = (Int(last.0.rawValue), last.1)
            for (owner, key, blob) in page {
                if let new = try each(owner, key, blob) { try setFactList(owner, key, events: new.events, data: new.data) }
            }
        }
        var campaignAfter: (String, Int64) = ("", -1)
        while true {
            var page: [(String, [UInt8])] = []
            try db.prepare(
                "SELECT campaign, day, data FROM campaign_facts WHERE (campaign, day) > (?, ?) ORDER BY campaign, day LIMIT 64"
            ).query(campaignAfter.0, campaignAfter.1) { row in
                page.append((FactOwner.dayKey(row.string(0)!, day: row.int(1)), row.blob(2)))
                campaignAfter = (row.string(0)!, row.int(1))
            }
            guard !page.isEmpty else { break }
            for (key, blob) in page {
                if let new = try each(.campaignDay, key, blob) { try setFactList(.campaignDay, key, events: new.events, data: new.data) }
            }
        }
    }

    /// Deletes dictionary entries among `candidates` that no stored list uses any more, so an
    /// erased person's page address or title does not outlive their events.
    func dropUnusedStrings(_ candidates: Set<Int>) throws {
        guard !candidates.isEmpty else { return }
        var used = Set<Int>()
        try rewriteEveryList { _, _, blob in
            FactCodec.dictionaryNumbers(blob, into: &used)
            return nil
        }
        let unused = candidates.subtracting(used)
        let delete = try db.prepare("DELETE FROM strings WHERE id = ?")
        for id in unused { try delete.run(id) }
        strings.remove(unused)
    }
}
