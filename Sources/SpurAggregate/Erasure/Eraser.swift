import Foundation
import Logging
import SpurCore

/// `spur forget LEAD`: erases a lead and its visitor ids from the database *and* from every
/// sealed segment, and records salted hashes so that refolds stay clean (docs/privacy.md).
public struct Eraser {
    public struct Report: Sendable, CustomStringConvertible {
        public var lead: String
        public var visitors: [String] = []
        public var segmentsRewritten: [String] = []
        public var eventsRemovedFromSegments = 0
        public var eventsRemovedFromDatabase = 0
        public var damagedCopiesRemoved: [String] = []
        /// Unsealed segments (a collector is writing them): their events are dropped when folded.
        public var openSegmentsNotRewritten: [String] = []
        public var dryRun = false
        /// Profiles of other leads that listed an erased visitor id; rescored by the next aggregate run.
        public var otherProfilesDropped = 0

        /// Whether anything of the lead was found (events in the database or sealed segments, or a
        /// visitor id). The erasure is recorded either way, for segments still being written.
        public var found: Bool { eventsRemovedFromDatabase > 0 || eventsRemovedFromSegments > 0 || !visitors.isEmpty }

        public var description: String {
            guard found else {
                return "nothing found for lead \(lead): no event in the database or the sealed segments"
                    + (dryRun ? "" : "; the erasure is recorded, so events in segments still being written are dropped when folded")
            }
            var lines = [
                "\(dryRun ? "would erase" : "erased") lead \(lead) and \(visitors.count) visitor id(s)"
                    + (visitors.isEmpty ? "" : ": " + visitors.joined(separator: " ")),
                "segments \(dryRun ? "to rewrite" : "rewritten"): \(segmentsRewritten.count), events removed from segments: \(eventsRemovedFromSegments)",
                "events removed from the database: \(eventsRemovedFromDatabase)",
            ]
            if otherProfilesDropped > 0 {
                lines.append("profiles of other leads that shared a visitor id, dropped until the next spur aggregate: \(otherProfilesDropped)")
            }
            for s in segmentsRewritten { lines.append("  \(dryRun ? "would rewrite" : "rewrote") \(s)") }
            for s in damagedCopiesRemoved { lines.append("  \(dryRun ? "would remove" : "removed") damaged copy \(s)") }
            for s in openSegmentsNotRewritten {
                lines.append("  NOT rewritten (still open): \(s) — its events of this person are dropped when folded; run forget again once sealed")
            }
            return lines.joined(separator: "\n")
        }
    }

    let dataDirectories: [String]
    let database: String
    let logger: Logger

    public init(dataDirectories: [String], database: String, logger: Logger) {
        self.dataDirectories = dataDirectories
        self.database = database
        self.logger = logger
    }

    /// Progress: (what is being done, files done, files in all).
    public typealias Progress = (String, Int, Int) -> Void

    public func forget(lead: String, dryRun: Bool, progress: Progress = { _, _, _ in }) throws -> Report {
        var report = Report(lead: lead)
        report.dryRun = dryRun
        // A dry run only reads: it opens an existing database read-only and creates none.
        let store: AggregateStore?
        if dryRun {
            store = FileManager.default.fileExists(atPath: database) ? try AggregateStore(path: database, readOnly: true) : nil
        } else {
            store = try AggregateStore(path: database)
        }
        // 1. Every visitor id ever linked to the lead, from the database and the segments.
        var visitors = try store?.visitorsSeen(withLead: lead) ?? []
        let files = try dataDirectories.flatMap { try SegmentDirectory.list($0 + "/segments") }
        for (i, file) in files.enumerated() where file.state != .open {
            progress("searching segments", i + 1, files.count)
            _ = try? SegmentScanner.scan(path: file.path) { _, payload in
                for line in payload.split(separator: 0x0A) {
                    guard let e = Event(jsonLine: line), e.lead == lead, let v = e.visitor else { continue }
                    visitors.insert(v)
                }
            }
        }
        report.visitors = visitors.sorted()

        // 2. The database: erasure record and deletion in one transaction.
        report.eventsRemovedFromDatabase = try store?.eventCount(lead: lead, visitors: visitors) ?? 0
        if !dryRun, let store {
            try store.transaction {
                var erasures = try Erasures(store: store)
                try erasures.add([lead] + visitors.sorted(), store: store)
                report.otherProfilesDropped = try store.erase(lead: lead, visitors: visitors)
            }
        }

        // 3. The segments: rewrite each affected sealed one atomically. Events are matched by id and
        // by the recorded erasure hashes, so a rerun after a crash also finds visitor ids whose link
        // to the lead was only in segments already rewritten.
        let erasures = try store.map { try Erasures(store: $0) }
        let matches = { (e: Event) in
            e.lead == lead || (e.visitor.map { visitors.contains($0) } ?? false) || (erasures?.covers(e) ?? false)
        }
        for (i, file) in files.enumerated() {
            progress(dryRun ? "checking segments" : "rewriting segments", i + 1, files.count)
            switch file.state {
            case .open:
                report.openSegmentsNotRewritten.append(file.path)
            case .damaged:
                // Forensic copies whose damaged bytes cannot be checked: removed, whatever they hold.
                report.damagedCopiesRemoved.append(file.path)
                if !dryRun { try FileManager.default.removeItem(atPath: file.path) }
            case .sealed:
                let bytes = try FileBytes.read(file.path)
                guard let result = SegmentRewriter.rewrite(bytes, keep: { !(Event(jsonLine: $0).map(matches) ?? false) }),
                    result.removed > 0
                else { continue }
                report.segmentsRewritten.append(file.path)
                report.eventsRemovedFromSegments += result.removed
                if dryRun { continue }
                let name = file.name.description
                let ledgered = try store?.isLedgered(name) ?? false
                if ledgered { try store?.setPendingLedger(name: name, size: result.bytes.count, crc: Crc32.of(result.bytes)) }
                try SegmentRewriter.replace(file.path, with: result.bytes)
                if ledgered { try store?.setLedger(name: name, size: result.bytes.count, crc: Crc32.of(result.bytes)) }
            }
        }
        if !dryRun, let store {
            try store.vacuum()
            logger.notice("Erased a lead", metadata: ["segments": "\(report.segmentsRewritten.count)"])
        }
        return report
    }
}
