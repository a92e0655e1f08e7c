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
