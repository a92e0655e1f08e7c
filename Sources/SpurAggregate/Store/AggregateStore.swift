import Foundation
import SpurCore

/// The aggregator's SQLite database: the ledger of folded segments, the de-duplicated events,
/// visitor→lead links, lead profiles and the hand-off outbox.
final class AggregateStore {
    let db: Database
    static let schemaVersion = "1"

    init(path: String, readOnly: Bool = false) throws {
        db = try Database(path: path, readOnly: readOnly)
        if !readOnly { try migrate() }
    }

    private func migrate() throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS segments(
                name TEXT PRIMARY KEY, size INTEGER NOT NULL, crc INTEGER NOT NULL, events INTEGER NOT NULL,
                duplicates INTEGER NOT NULL, damaged INTEGER NOT NULL, folded_at INTEGER NOT NULL,
                pending_size INTEGER, pending_crc INTEGER);
            CREATE TABLE IF NOT EXISTS erasures(hash TEXT PRIMARY KEY, erased_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS damage(segment TEXT NOT NULL, offset INTEGER NOT NULL, reason TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS events(
                id TEXT PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL, campaign TEXT, lead TEXT, visitor TEXT,
                url TEXT, referrer TEXT, title TEXT, ua TEXT, ip TEXT, flags INTEGER NOT NULL, props TEXT, node TEXT);
            CREATE TABLE IF NOT EXISTS visitor_links(
                visitor TEXT PRIMARY KEY, lead TEXT NOT NULL, ts INTEGER NOT NULL, event TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS visitor_links_lead ON visitor_links(lead);
            CREATE TABLE IF NOT EXISTS profiles(
                lead TEXT PRIMARY KEY, score REAL NOT NULL, implicit REAL NOT NULL, explicit REAL NOT NULL,
                grade INTEGER NOT NULL, label TEXT NOT NULL, stage TEXT NOT NULL, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS handoff_outbox(
                lead TEXT NOT NULL, stage TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY(lead, stage, at));
            INSERT OR IGNORE INTO meta VALUES('schema', '\(Self.schemaVersion)');
            """)
        try createSecondaryIndexes()
    }

    /// Indexes on `events` that only reading (scoring, reports, erasure) uses; the fold does not.
    private static let secondaryIndexes = [
        ("events_lead", "events(lead, ts) WHERE lead IS NOT NULL"),
        ("events_visitor", "events(visitor) WHERE visitor IS NOT NULL"),
        ("events_campaign", "events(campaign, type) WHERE campaign IS NOT NULL"),
    ]

    /// A bulk fold into an empty table drops the indexes and builds them once afterwards: a
    /// sorted build is many times faster than keeping them up to date row by row. They are
    /// derived data, so a crash in between costs nothing: opening the store builds any that are missing.
    func dropSecondaryIndexes() throws {
        for (name, _) in Self.secondaryIndexes { try db.execute("DROP INDEX IF EXISTS \(name)") }
    }

    func createSecondaryIndexes() throws {
        for (name, definition) in Self.secondaryIndexes {
            try db.execute("CREATE INDEX IF NOT EXISTS \(name) ON \(definition)")
        }
    }

    var hasNoEvents: Bool {
        get throws {
            var empty = true
            try db.prepare("SELECT 1 FROM events LIMIT 1").query { _ in empty = false }
            return empty
        }
    }

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

    /// Inserts an event unless its id is known; returns false for a duplicate.
    func insert(_ e: Event) throws -> Bool {
        let props = e.props.isEmpty ? nil : EventLineEncoder.object(e.props)
        try db.prepare(
            "INSERT OR IGNORE INTO events(id, ts, type, campaign, lead, visitor, url, referrer, title, ua, ip, flags, props, node) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        ).run(
            e.id, e.ts, e.type.rawValue, e.campaign, e.lead, e.visitor, e.url, e.referrer, e.title, e.ua, e.ip,
            Int(e.flags.rawValue), props, e.node)
        guard db.changes == 1 else { return false }
        if let lead = e.lead, let visitor = e.visitor {
            // The newest link wins; ties are broken by event id so the result is order-independent.
            try db.prepare(
                """
                INSERT INTO visitor_links(visitor, lead, ts, event) VALUES(?,?,?,?)
                ON CONFLICT(visitor) DO UPDATE SET lead = excluded.lead, ts = excluded.ts, event = excluded.event
                WHERE excluded.ts > visitor_links.ts OR (excluded.ts = visitor_links.ts AND excluded.event > visitor_links.event)
                """
            ).run(visitor, lead, e.ts, e.id)
        }
        return true
    }

    func recordSegment(name: String, size: Int, crc: UInt32, events: Int, duplicates: Int, damage: [SegmentScan.Damage]) throws {
        try db.prepare("INSERT INTO segments VALUES(?,?,?,?,?,?,?,NULL,NULL)").run(
            name, size, Int64(crc), events, duplicates, damage.isEmpty ? 0 : 1, Int64(Date().timeIntervalSince1970))
        for d in damage {
            try db.prepare("INSERT INTO damage VALUES(?,?,?)").run(name, d.offset, d.reason)
        }
    }

    func leads() throws -> [String] {
        var out: [String] = []
        try db.prepare("SELECT DISTINCT lead FROM events WHERE lead IS NOT NULL ORDER BY lead").query { out.append($0.string(0)!) }
        return out
    }

    /// The lead's own events plus the anonymous events of the visitors linked to it, by (ts, id).
    func events(ofLead lead: String) throws -> [Event] {
        var out: [Event] = []
        try db.prepare(
            """
            SELECT id, ts, type, campaign, lead, visitor, url, referrer, title, ua, ip, flags, props, node FROM events WHERE lead = ?1
            UNION ALL
            SELECT e.id, e.ts, e.type, e.campaign, e.lead, e.visitor, e.url, e.referrer, e.title, e.ua, e.ip, e.flags, e.props, e.node
            FROM visitor_links v JOIN events e ON e.visitor = v.visitor WHERE v.lead = ?1 AND e.lead IS NULL
            ORDER BY 2, 1
            """
        ).query(lead) { out.append(Self.event($0)) }
        return out
    }

    static func event(_ r: Statement.Row) -> Event {
        var props: [String: String] = [:]
        if let text = r.string(12), let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] {
            props = object
        }
        return Event(
            id: r.string(0)!, ts: r.int(1), type: EventType(rawValue: r.string(2)!) ?? .custom, campaign: r.string(3),
            lead: r.string(4), visitor: r.string(5), url: r.string(6), referrer: r.string(7), title: r.string(8),
            ua: r.string(9), ip: r.string(10), flags: EventFlags(rawValue: UInt8(truncatingIfNeeded: r.int(11))), props: props,
            node: r.string(13))
    }

    func visitors(ofLead lead: String) throws -> [String] {
        var out: [String] = []
        try db.prepare("SELECT visitor FROM visitor_links WHERE lead = ? ORDER BY visitor").query(lead) { out.append($0.string(0)!) }
        return out
    }

    func stages() throws -> [String: Stage] {
        var out: [String: Stage] = [:]
        try db.prepare("SELECT lead, stage FROM profiles").query { out[$0.string(0)!] = Stage(rawValue: $0.string(1)!) ?? Stage.none }
        return out
    }

    func save(_ p: LeadProfile, json: String) throws {
        try db.prepare("INSERT OR REPLACE INTO profiles VALUES(?,?,?,?,?,?,?,?)").run(
            p.lead, p.score, p.implicit, p.explicit, p.grade, p.label, p.stage, json)
    }

    func queueHandoff(lead: String, stage: String, at: String, payload: String) throws {
        try db.prepare("INSERT OR IGNORE INTO handoff_outbox VALUES(?,?,?,?)").run(lead, stage, at, payload)
    }

    func pendingHandoffs() throws -> [(lead: String, stage: String, at: String, payload: String)] {
        var out: [(String, String, String, String)] = []
        try db.prepare("SELECT lead, stage, at, payload FROM handoff_outbox ORDER BY at, lead").query {
            out.append(($0.string(0)!, $0.string(1)!, $0.string(2)!, $0.string(3)!))
        }
        return out
    }

    func clearHandoffs() throws {
        try db.execute("DELETE FROM handoff_outbox")
    }

    func setMeta(_ key: String, _ value: String) throws {
        try db.prepare("INSERT OR REPLACE INTO meta VALUES(?, ?)").run(key, value)
    }

    func meta(_ key: String) throws -> String? {
        var out: String?
        try db.prepare("SELECT value FROM meta WHERE key = ?").query(key) { out = $0.string(0) }
        return out
    }

    // MARK: Reading profiles

    func profileJSON(lead: String) throws -> String? {
        var out: String?
        try db.prepare("SELECT json FROM profiles WHERE lead = ?").query(lead) { out = $0.string(0) }
        return out
    }

    func topProfiles(limit: Int, stage: Stage?) throws -> [String] {
        var out: [String] = []
        if let stage {
            try db.prepare("SELECT json FROM profiles WHERE stage = ? ORDER BY score DESC, lead LIMIT ?").query(stage.rawValue, limit) {
                out.append($0.string(0)!)
            }
        } else {
            try db.prepare("SELECT json FROM profiles ORDER BY score DESC, lead LIMIT ?").query(limit) { out.append($0.string(0)!) }
        }
        return out
    }

    func allProfiles(_ each: (String) throws -> Void) throws {
        try db.prepare("SELECT json FROM profiles ORDER BY lead").query { try each($0.string(0)!) }
    }
}
