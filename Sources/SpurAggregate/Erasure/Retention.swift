import Foundation
import SpurCore

/// `spur segments prune`: deletes sealed segments whose newest event is older than the
/// retention period — only once they are folded — and the database's events of that age
/// (their points have long decayed; profiles are recomputed by the next `spur aggregate`).
public enum Retention {
    public struct Report: Sendable {
        public var deleted: [String] = []
        public var keptUnfolded: [String] = []
        public var bytesFreed = 0
        /// Events older than the retention period removed from the database.
        public var databaseEvents = 0
    }

    public static func prune(
        dataDirectories: [String], database: String?, olderThanMillis cutoff: Int64, dryRun: Bool, force: Bool,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Report {
        var report = Report()
        let store = try database.flatMap { FileManager.default.fileExists(atPath: $0) ? try AggregateStore(path: $0, readOnly: dryRun) : nil }
        let files = try dataDirectories.flatMap { try SegmentDirectory.list($0 + "/segments") }.filter { $0.state == .sealed }
        for (i, file) in files.enumerated() {
            progress(i + 1, files.count)
            let scan = try SegmentScanner.scan(path: file.path)
            // An empty segment counts by its creation time.
            let newest = scan.events > 0 ? scan.maxMillis : (scan.createdMillis ?? Int64.max)
            guard newest < cutoff else { continue }
            let folded = try store?.isLedgered(file.name.description) ?? false
            guard folded || force else {
                report.keptUnfolded.append(file.path)
                continue
            }
            report.deleted.append(file.path)
            report.bytesFreed += file.size
            if !dryRun { try FileManager.default.removeItem(atPath: file.path) }
        }
        if let store {
            report.databaseEvents = try store.eventCount(olderThan: cutoff)
            if !dryRun && report.databaseEvents > 0 {
                try store.deleteEvents(olderThan: cutoff)
                try store.vacuum()
            }
        }
        return report
    }
}
