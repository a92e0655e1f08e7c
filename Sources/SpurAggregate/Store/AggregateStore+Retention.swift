/// What `spur segments prune` removes from the database: events past the retention period.
extension AggregateStore {
    func eventCount(olderThan cutoff: Int64) throws -> Int {
        var n = 0
        let dictionary = try loadStrings()
        try rewriteEveryList { owner, _, blob in
            guard owner != .campaignDay, let entries = FactCodec.entries(blob, dictionary: dictionary) else { return nil }
            n += entries.lazy.filter { $0.ts < cutoff }.count
            return nil
        }
        return n
    }

    /// Drops the older entries from every list (and the links of that age), then the dictionary
    /// entries only they used.
    func deleteEvents(olderThan cutoff: Int64) throws {
        try db.transaction {
            let dictionary = try loadStrings()
            var candidates = Set<Int>()
            try rewriteEveryList { _, _, blob in
                guard let entries = FactCodec.entries(blob, dictionary: dictionary) else { return nil }
                let kept = entries.filter { $0.ts >= cutoff }
                guard kept.count < entries.count else { return nil }
                FactCodec.dictionaryNumbers(blob, into: &candidates)
                return (kept.count, FactCodec.list(kept))
            }
            try db.prepare("DELETE FROM links WHERE ts < ?").run(cutoff)
            try dropUnusedStrings(candidates)
        }
    }
}
