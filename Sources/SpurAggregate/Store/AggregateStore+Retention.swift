/// What `spur segments prune` removes from the database: events past the retention period.
extension AggregateStore {
    func eventCount(olderThan cutoff: Int64) throws -> Int {
        var n = 0
        try db.prepare("SELECT count(*) FROM events WHERE ts < ?").query(cutoff) { n = Int($0.int(0)) }
        return n
    }

    func deleteEvents(olderThan cutoff: Int64) throws {
        try db.transaction { try db.prepare("DELETE FROM events WHERE ts < ?").run(cutoff) }
    }
}
