import Foundation
import SpurAggregate
import SpurCore

/// What the pages read, on top of the reader pool: the collectors' segment folders and a cache
/// of the whole-database figures that are costly to compute (campaign reports), kept until an
/// aggregation run or an erasure changes the data.
final class ConsoleData: @unchecked Sendable {
    let pool: ReaderPool
    let dataDirectories: [String]
    private let lock = NSLock()
    private var campaignCache: (version: String, reports: [CampaignReport])?
    private var pages: [String: String] = [:]
    private var waitingCache: (key: String, count: Int)?

    init(database: String, dataDirectories: [String]) {
        pool = ReaderPool(path: database)
        self.dataDirectories = dataDirectories
    }

    func campaignReports() async throws -> [CampaignReport] {
        try await pool.read { reader in
            let version = try reader.dataVersion()
            if let cached = self.lock.withLock({ self.campaignCache }), cached.version == version { return cached.reports }
            let reports = try reader.campaignReports()
            self.lock.withLock { self.campaignCache = (version, reports) }
            return reports
        }
    }

    /// A rendered page body by key; the cache holds the last few (a new data version or day
    /// makes new keys, so old entries only wait to be pushed out).
    func cachedPage(_ key: String) -> String? { lock.withLock { pages[key] } }

    func cachePage(_ key: String, _ html: String) {
        lock.withLock {
            if pages.count >= 16 { pages.removeAll() }
            pages[key] = html
        }
    }

    /// Sealed segments not folded yet, over all data directories. Listing a folder of many
    /// thousand segments and the ledger is redone only when a folder changed (its modification
    /// time: sealing renames a file) or the aggregator recorded a run.
    func segmentsWaiting() async throws -> Int {
        let stamps = dataDirectories.map { dir -> String in
            let date = (try? FileManager.default.attributesOfItem(atPath: dir + "/segments")[.modificationDate]) as? Date
            return "\(date?.timeIntervalSince1970 ?? 0)"
        }
        let version = try await pool.read { try $0.dataVersion() }
        let key = stamps.joined(separator: ",") + "|" + version
        if let cached = lock.withLock({ waitingCache }), cached.key == key { return cached.count }
        let folded = try await pool.read { try $0.foldedSegments() }
        let count = segmentFolders(folded: folded).reduce(0) { $0 + $1.waiting }
        lock.withLock { waitingCache = (key, count) }
        return count
    }

    /// One collector's segment folder as the health page shows it.
    struct SegmentFolder: Sendable {
        var path: String
        var entries: [SegmentDirectory.Entry]
        var folded: Set<String>
        var waiting: Int { entries.filter { $0.state == .sealed && !folded.contains($0.name.description) }.count }
    }

    /// The segments of every data directory, with which of them the aggregator has folded.
    func segmentFolders(folded: [FoldedSegment]) -> [SegmentFolder] {
        let names = Set(folded.map(\.name))
        return dataDirectories.map { dir in
            let entries = (try? SegmentDirectory.list(dir + "/segments")) ?? []
            return SegmentFolder(path: dir, entries: entries.sorted { $0.name > $1.name }, folded: names)
        }
    }
}
