import Foundation
import SpurCore

/// What `spur forget` and the erasure records need from the database. Id lists are bound as one
/// JSON array parameter (`json_each(?)`), never spliced into the SQL text.
extension AggregateStore {
    /// The salt of the erasure hashes, if one was ever made.
    func erasureSalt() throws -> String? { try meta("erasure_salt") }

    func setErasureSalt(_ salt: String) throws { try setMeta("erasure_salt", salt) }

    func erasureHashes() throws -> [(hash: String, erasedAt: Int64)] {
        var out: [(String, Int64)] = []
        try db.prepare("SELECT hash, erased_at FROM erasures").query { out.append(($0.string(0)!, $0.int(1))) }
        return out
    }

    func addErasureHash(_ hash: String, erasedAt: Int64) throws {
        try db.prepare("INSERT OR IGNORE INTO erasures VALUES(?, ?)").run(hash, erasedAt)
    }

    /// Visitor ids ever linked to the lead (seen on one of its events).
    func visitorsSeen(withLead lead: String) throws -> Set<String> {
        var out = Set<String>()
        try db.prepare("SELECT DISTINCT visitor FROM events WHERE lead = ? AND visitor IS NOT NULL").query(lead) {
            out.insert($0.string(0)!)
        }
        return out
    }

    /// Events of the lead or of any of the visitor ids.
    func eventCount(lead: String, visitors: Set<String>) throws -> Int {
        var n = 0
        try db.prepare("SELECT count(*) FROM events WHERE lead = ? OR visitor IN (SELECT value FROM json_each(?))")
            .query(lead, Self.jsonArray(visitors)) { n = Int($0.int(0)) }
        return n
    }

    /// Deletes the lead's and the visitors' events (and so their links), profile and queued hand-offs. Other
    /// leads' profiles that list one of the visitor ids (a shared browser) are dropped too — the
    /// next `spur aggregate` scores them again from their own events. Returns how many of those.
    func erase(lead: String, visitors: Set<String>) throws -> Int {
        let ids = Self.jsonArray(visitors)
        try db.prepare("DELETE FROM events WHERE lead = ? OR visitor IN (SELECT value FROM json_each(?))").run(lead, ids)
        try db.prepare("DELETE FROM profiles WHERE lead = ?").run(lead)
        try db.prepare("DELETE FROM deliveries WHERE lead = ?").run(lead)
        try db.prepare("DELETE FROM audience_members WHERE lead = ?").run(lead)
        try db.prepare("DELETE FROM audience_history WHERE lead = ?").run(lead)
        try db.prepare(
            """
            DELETE FROM profiles WHERE EXISTS (
                SELECT 1 FROM json_each(profiles.json, '$.visitors') WHERE value IN (SELECT value FROM json_each(?)))
            """
        ).run(ids)
        let others = db.changes
        // Tags of profiles that no longer exist (the lead's, and those just dropped).
        try db.execute("DELETE FROM profile_tags WHERE tlead NOT IN (SELECT lead FROM profiles)")
        try db.prepare(
            """
            DELETE FROM deliveries WHERE endpoint = 'handoff' AND EXISTS (
                SELECT 1 FROM json_each(deliveries.body, '$.visitors') WHERE value IN (SELECT value FROM json_each(?)))
            """
        ).run(ids)
        return others
    }

    static func jsonArray(_ values: some Collection<String>) -> String {
        String(decoding: (try? JSONEncoder().encode(values.sorted())) ?? Data("[]".utf8), as: UTF8.self)
    }
}
