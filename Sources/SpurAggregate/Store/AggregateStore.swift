import Foundation
import SpurCore

/// The aggregator's SQLite database: the ledger of folded segments, the de-duplicated events as
/// compact per-owner lists (`AggregateStore+Facts`), visitor→lead links, lead profiles and the
/// outbox of hand-offs and webhooks. All of Spur's SQL lives in this folder; the rest of the code calls the typed methods of this class and its extensions
/// (`AggregateStore+Scoring.swift`, `+Erasure`, `+Retention`, `+Reading`, `+Outbox`).
final class AggregateStore {
    /// The connection; only the store's own files use it.
    let db: Database
    var path: String { db.path }
    static let schemaVersion = "7"
    /// The shared strings of the stored events, loaded when first needed (`AggregateStore+Facts`).
    let strings = StringDictionary()
    var stringsLoaded = false

    /// Opens (read-write: creates and migrates) the database at `path`. Read-only opening needs
    /// an existing database and never writes, not even a migration.
    /// `migrating: false` opens an existing database read-write without touching its schema
    /// (the outbox's deliverers, which run beside the aggregator and must not rebuild its indexes).
    init(path: String, readOnly: Bool = false, migrating: Bool = true) throws {
        if (readOnly || !migrating) && !FileManager.default.fileExists(atPath: path) { throw AggregateError.noDatabase(path) }
        db = try Database(path: path, readOnly: readOnly)
        if readOnly || !migrating {
            let version = try meta("schema")
            guard version == Self.schemaVersion else {
                throw AggregateError.database(
                    path: path, code: 0,
                    message: "schema version \(version ?? "none") is not \(Self.schemaVersion): run 'spur aggregate' once to upgrade it")
            }
        } else {
            try migrate()
        }
    }

    func close() { db.close() }

    /// A page cache of 16 MiB for a run that writes much (SQLite's default is 2 MiB); more
    /// measured no faster and costs memory (docs/performance.md).
    func useLargeCache() throws { try db.execute("PRAGMA cache_size = -16384") }

    /// Runs `body` in one write transaction.
    func transaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }

    private func migrate() throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS segments(
                name TEXT PRIMARY KEY, size INTEGER NOT NULL, crc INTEGER NOT NULL, events INTEGER NOT NULL,
                duplicates INTEGER NOT NULL, damaged INTEGER NOT NULL, folded_at INTEGER NOT NULL,
                pending_size INTEGER, pending_crc INTEGER);
            CREATE TABLE IF NOT EXISTS erasures(hash TEXT PRIMARY KEY, erased_at INTEGER NOT NULL);  -- Unix ms since version 2
            CREATE TABLE IF NOT EXISTS damage(segment TEXT NOT NULL, offset INTEGER NOT NULL, reason TEXT NOT NULL);
            """)
        var version = try meta("schema")
        // Version 2 gives profiles the columns the lead queries filter and sort on, and reads
        // visitor links from the events themselves (each with its time, for scoring as of a date).
        try upgrade(&version, from: "1", to: "2") {
            if try !hasColumn("events", "name") { try db.execute("ALTER TABLE events ADD COLUMN name TEXT") }
            try db.execute(
                """
                DROP TABLE IF EXISTS visitor_links;
                UPDATE erasures SET erased_at = erased_at * 1000;
                ALTER TABLE profiles ADD COLUMN letter TEXT NOT NULL DEFAULT 'D';
                ALTER TABLE profiles ADD COLUMN last_seen TEXT NOT NULL DEFAULT '';
                ALTER TABLE profiles ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
                UPDATE profiles SET letter = substr(label, 1, 1), last_seen = json_extract(json, '$.last_seen');
                """)
        }
        // Version 3 records aggregation runs and counts events per day for the console
        // (docs/console.md); the counts of what is already folded come from the events.
        try upgrade(&version, from: "2", to: "3") {
            try createRunTables()
            try db.execute(Self.tagsFromProfiles)
            try db.execute("INSERT OR REPLACE INTO daily_counts SELECT ts / 86400000, \(Self.kindSQL), count(*) FROM events GROUP BY 1, 2")
        }
        // Version 4 puts hand-offs and webhooks into one outbox of deliveries (docs/webhooks.md).
        try upgrade(&version, from: "3", to: "4") {
            try createOutbox()
            try db.execute(Self.handoffsIntoOutbox)
            try db.execute("DROP TABLE handoff_outbox")
        }
        // Version 5 records audience membership (docs/audiences.md).
        try upgrade(&version, from: "4", to: "5") {
            try createAudienceTables()
        }
        // Version 6 counts page views per page and day, anonymous ones too (docs/consent.md).
        try upgrade(&version, from: "5", to: "6") {
            try createPageTables()
            try pageCountsFromEvents()
        }
        // Version 7 keeps the events as compact lists per lead, visitor and campaign day
        // instead of a row each (docs/decisions.md, "Events as per-lead facts").
        let rowsOfEvents = version != nil && version != Self.schemaVersion
        try upgrade(&version, from: "6", to: "7") {
            try createFactTables()
            try factsFromEventRows()
            if try !hasColumn("profiles", "digest") {
                try db.execute("ALTER TABLE profiles ADD COLUMN digest INTEGER NOT NULL DEFAULT 0")
            }
        }
        // The event rows' pages are free now: give them back.
        if rowsOfEvents { try vacuum() }
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS profiles(
                lead TEXT PRIMARY KEY, score REAL NOT NULL, implicit REAL NOT NULL, explicit REAL NOT NULL,
                grade INTEGER NOT NULL, label TEXT NOT NULL, stage TEXT NOT NULL, json TEXT NOT NULL,
                letter TEXT NOT NULL DEFAULT 'D', last_seen TEXT NOT NULL DEFAULT '', updated_at INTEGER NOT NULL DEFAULT 0,
                digest INTEGER NOT NULL DEFAULT 0);
            INSERT OR IGNORE INTO meta VALUES('schema', '\(Self.schemaVersion)');
            """)
        try createRunTables()
        try createProfileIndexes()
        try createOutbox()
        try createAudienceTables()
        try createPageTables()
        try createFactTables()
    }

    /// One migration step: `body` and the new version number in one transaction, only when the
    /// database is at `from`; `version` then reads `to`, so the next step follows.
    private func upgrade(_ version: inout String?, from: String, to: String, _ body: () throws -> Void) throws {
        guard version == from else { return }
        try db.transaction {
            try body()
            try setMeta("schema", to)
        }
        version = to
    }

    private func createRunTables() throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS runs(
                id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, as_of TEXT NOT NULL,
                segments INTEGER NOT NULL, events INTEGER NOT NULL, leads INTEGER NOT NULL, exit_code INTEGER NOT NULL,
                summary TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS daily_counts(
                day INTEGER NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(day, kind)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS profile_tags(
                kind TEXT NOT NULL, value TEXT NOT NULL, tscore REAL NOT NULL, tlead TEXT NOT NULL,
                PRIMARY KEY(kind, value, tscore DESC, tlead)) WITHOUT ROWID;
            """)
    }

    /// The lead list's interest and campaign filters as rows (`profile_tags`): an interest among
    /// the profile's top interests, a campaign it opened or clicked; with the score, so a
    /// filtered list walks one index in score order instead of parsing a million profiles.
    static let tagsFromProfiles = """
        INSERT OR IGNORE INTO profile_tags
            SELECT 'interest', json_extract(i.value, '$.category'), p.score, p.lead FROM profiles p, json_each(p.json, '$.interests') i;
        INSERT OR IGNORE INTO profile_tags
            SELECT 'campaign', c.value, p.score, p.lead FROM profiles p, json_each(p.json, '$.campaigns_opened') c;
        INSERT OR IGNORE INTO profile_tags
            SELECT 'campaign', c.value, p.score, p.lead FROM profiles p, json_each(p.json, '$.campaigns_clicked') c;
        """

    /// An event's traffic kind from its collector flags, as SQL over `flags` (`TrafficKind`).
    static let kindSQL = """
        CASE WHEN flags & \(EventFlags([.bot, .scannerSuspect, .honeypot]).rawValue) != 0 THEN 'bot' \
        WHEN flags & \(EventFlags.proxyOpen.rawValue) != 0 THEN 'proxy' ELSE 'human' END
        """

    // MARK: The ledger of folded segments

    enum LedgerState: Equatable {
        case new
        case folded
        case conflict(size: Int, crc: UInt32)
    }

    func ledgerState(name: String, size: Int, crc: UInt32) throws -> LedgerState {
        var state = LedgerState.new
        var promote = false
        try db.prepare("SELECT size, crc, pending_size, pending_crc FROM segments WHERE name = ?").query(name) { row in
            let s = Int(row.int(0)), c = UInt32(truncatingIfNeeded: row.int(1))
            if s == size && c == crc {
                state = .folded
            } else if !row.isNull(2), Int(row.int(2)) == size, UInt32(truncatingIfNeeded: row.int(3)) == crc {
                // The file was rewritten by an erasure that stopped before updating the ledger.
                state = .folded
                promote = true
            } else {
                state = .conflict(size: s, crc: c)
            }
        }
        if promote { try setLedger(name: name, size: size, crc: crc) }
        return state
    }

    /// Announces a rewrite: until `setLedger`, both the old and the new bytes count as folded.
    func setPendingLedger(name: String, size: Int, crc: UInt32) throws {
        try db.prepare("UPDATE segments SET pending_size = ?, pending_crc = ? WHERE name = ?").run(size, Int64(crc), name)
    }

    func setLedger(name: String, size: Int, crc: UInt32) throws {
        try db.prepare("UPDATE segments SET size = ?, crc = ?, pending_size = NULL, pending_crc = NULL WHERE name = ?").run(
            size, Int64(crc), name)
    }

    func isLedgered(_ name: String) throws -> Bool {
        var found = false
        try db.prepare("SELECT 1 FROM segments WHERE name = ?").query(name) { _ in found = true }
        return found
    }

    func recordSegment(name: String, size: Int, crc: UInt32, events: Int, duplicates: Int, damage: [SegmentScan.Damage]) throws {
        try db.prepare("INSERT INTO segments VALUES(?,?,?,?,?,?,?,NULL,NULL)").run(
            name, size, Int64(crc), events, duplicates, damage.isEmpty ? 0 : 1, Int64(Date().timeIntervalSince1970))
        for d in damage {
            try db.prepare("INSERT INTO damage VALUES(?,?,?)").run(name, d.offset, d.reason)
        }
    }

    private func hasColumn(_ table: String, _ column: String) throws -> Bool {
        var found = false
        try db.prepare("SELECT 1 FROM pragma_table_info(?) WHERE name = ?").query(table, column) { _ in found = true }
        return found
    }

    // MARK: Settings kept with the data

    func setMeta(_ key: String, _ value: String) throws {
        try db.prepare("INSERT OR REPLACE INTO meta VALUES(?, ?)").run(key, value)
    }

    func meta(_ key: String) throws -> String? {
        var out: String?
        try db.prepare("SELECT value FROM meta WHERE key = ?").query(key) { out = $0.string(0) }
        return out
    }

    /// Gives free pages back to the file system (after an erasure or a prune).
    /// Copies the write-ahead log into the database and empties it (readers that still need
    /// older pages keep it until they finish; then the next checkpoint does).
    func checkpoint() throws { try db.execute("PRAGMA wal_checkpoint(TRUNCATE)") }

    /// Then empties the write-ahead log, so no copy of erased pages stays in it.
    func vacuum() throws {
        try db.execute("VACUUM")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// Replaces this database's whole content with `other`'s, atomically (`--rebuild`).
    func replaceContent(with other: AggregateStore) throws {
        try db.replaceContent(with: other.db)
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}
