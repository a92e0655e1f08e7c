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
        Set(try ownerEvents(.lead, lead).compactMap(\.visitor))
    }

    /// Other leads whose events carry one of the visitor ids (a browser they shared).
    private func leads(sharing visitors: Set<String>, besides lead: String) throws -> Set<String> {
        var out = Set<String>()
        for v in visitors {
            try db.prepare("SELECT DISTINCT lead FROM links WHERE visitor = ?").query(v) { out.insert($0.string(0)!) }
        }
        out.remove(lead)
        return out
    }

    /// Events of the lead or of any of the visitor ids.
    func eventCount(lead: String, visitors: Set<String>) throws -> Int {
        var n = try ownerEvents(.lead, lead).count
        for v in visitors { n += try ownerEvents(.visitor, v).count }
        for other in try leads(sharing: visitors, besides: lead) {
            n += try ownerEvents(.lead, other).filter { $0.visitor.map(visitors.contains) == true }.count
        }
        return n
    }

    /// Deletes the lead's and the visitors' events (from every list that holds them: their own,
    /// other leads' with a shared visitor id, the campaign days) and their links, the dictionary
    /// entries only they used, the profile and queued hand-offs. Other
    /// leads' profiles that list one of the visitor ids (a shared browser) are dropped too — the
    /// next `spur aggregate` scores them again from their own events. Returns how many of those.
    func erase(lead: String, visitors: Set<String>) throws -> Int {
        let ids = Self.jsonArray(visitors)
        let dictionary = try loadStrings()
        var candidates = Set<Int>()
        var campaignDays = Set<String>()
        let erased = { (e: Event) in e.lead == lead || (e.visitor.map(visitors.contains) ?? false) }
        /// Rewrites one list without the erased events; notes their campaign days and strings.
        func scrub(_ owner: FactOwner, _ key: String) throws {
            guard let blob = try factList(owner, key) else { return }
            let events = try decode(blob, owner, key)
            let kept = events.filter { !erased($0) }
            guard kept.count < events.count else { return }
            FactCodec.dictionaryNumbers(blob, into: &candidates)
            for e in events where erased(e) {
                if let c = e.campaign, e.type == .open || e.type == .click || e.type == .download {
                    campaignDays.insert(FactOwner.dayKey(c, day: e.ts / LeadScorer.dayMillis))
                }
            }
            try setFactList(owner, key, events: kept.count, data: FactCodec.list(kept, owner: owner, dictionary: dictionary))
        }
        try scrub(.lead, lead)
        for v in visitors { try scrub(.visitor, v) }
        for other in try leads(sharing: visitors, besides: lead) { try scrub(.lead, other) }
        for key in campaignDays { try scrub(.campaignDay, key) }
        try saveNewStrings()
        try db.prepare("DELETE FROM links WHERE lead = ?").run(lead)
        for v in visitors { try db.prepare("DELETE FROM links WHERE visitor = ?").run(v) }
        try dropUnusedStrings(candidates)
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
