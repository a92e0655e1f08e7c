import Foundation
import SpurCore

/// The aggregator's record of itself for the console: runs, events per day, the lead overview,
/// and what the health page counts.
extension AggregateStore {
    /// Adds folded events to the per-day counts (in the fold's transaction).
    func addDailyCounts(_ counts: [Int64: [TrafficKind: Int]]) throws {
        for (day, kinds) in counts {
            for (kind, n) in kinds {
                try db.prepare(
                    "INSERT INTO daily_counts VALUES(?, ?, ?) ON CONFLICT(day, kind) DO UPDATE SET count = count + excluded.count"
                ).run(day, kind.rawValue, n)
            }
        }
    }

    func dailyCounts(sinceDay first: Int64) throws -> [DailyTraffic] {
        var byDay: [Int64: DailyTraffic] = [:]
        try db.prepare("SELECT day, kind, count FROM daily_counts WHERE day >= ? ORDER BY day").query(first) { row in
            let day = row.int(0)
            var t = byDay[day] ?? DailyTraffic(day: day)
            switch TrafficKind(rawValue: row.string(1) ?? "") {
            case .human: t.human += Int(row.int(2))
            case .proxy: t.proxy += Int(row.int(2))
            case .bot: t.bot += Int(row.int(2))
            case nil: break
            }
            byDay[day] = t
        }
        return byDay.values.sorted { $0.day < $1.day }
    }

    func recordRun(_ run: AggregationRun) throws {
        try db.prepare(
            "INSERT INTO runs(started_at, finished_at, as_of, segments, events, leads, exit_code, summary) VALUES(?,?,?,?,?,?,?,?)"
        ).run(run.startedAt, run.finishedAt, run.asOf, run.segmentsFolded, run.events, run.leads, run.exitCode, run.summary)
    }

    func runs(limit: Int) throws -> [AggregationRun] {
        var out: [AggregationRun] = []
        try db.prepare(
            "SELECT id, started_at, finished_at, as_of, segments, events, leads, exit_code, summary FROM runs ORDER BY id DESC LIMIT ?"
        ).query(limit) { r in
            out.append(
                AggregationRun(
                    id: r.int(0), startedAt: r.int(1), finishedAt: r.int(2), asOf: r.string(3) ?? "", segmentsFolded: Int(r.int(4)),
                    events: Int(r.int(5)), leads: Int(r.int(6)), exitCode: Int(r.int(7)), summary: r.string(8) ?? ""))
        }
        return out
    }

    func foldedSegments() throws -> [FoldedSegment] {
        var out: [FoldedSegment] = []
        try db.prepare("SELECT name, size, events, damaged, folded_at FROM segments ORDER BY name").query { r in
            out.append(
                FoldedSegment(name: r.string(0)!, size: Int(r.int(1)), events: Int(r.int(2)), damaged: r.int(3) != 0, foldedAt: r.int(4)))
        }
        return out
    }

    func count(of table: CountedTable) throws -> Int {
        var n = 0
        try db.prepare("SELECT count(*) FROM \(table.rawValue)").query { n = Int($0.int(0)) }
        return n
    }

    /// Tables whose rows the health page counts; the name comes from this enum, never from input.
    enum CountedTable: String { case erasures }
}
