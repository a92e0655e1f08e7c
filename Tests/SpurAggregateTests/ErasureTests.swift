import Foundation
import Logging
import SpurAggregate
import SpurCore
import Testing

@Suite struct ErasureTests {
    /// Every byte the data directory holds, segments decompressed, as text.
    func everything(in dir: DataDir) throws -> String {
        var text = ""
        let files = try FileManager.default.subpathsOfDirectory(atPath: dir.path).map { dir.path + "/" + $0 }
        for path in files {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            text += String(decoding: data, as: UTF8.self)
            if path.hasSuffix(".gz") {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
                p.arguments = ["-dc", path]
                let out = Pipe()
                p.standardOutput = out
                try p.run()
                text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
            }
        }
        return text
    }

    func forget(_ dir: DataDir, _ lead: String, dryRun: Bool = false) throws -> Eraser.Report {
        try Eraser(dataDirectories: [dir.path], database: dir.db, logger: quietLogger).forget(lead: lead, dryRun: dryRun)
    }

    func otherPerson() -> [Event] {
        [
            ev(.click, day: 2, lead: "lead-2", visitor: "v-2", campaign: "nl-47", url: "https://shop.example/malbedarf/x"),
            ev(.pageview, day: 3, visitor: "v-2", url: "https://shop.example/produkte/a/b"),
        ]
    }

    @Test func aDryRunChangesNothingAndCreatesNoDatabase() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents())
        let segments = try SegmentDirectory.list(dir.segments).map { try FileBytes.read($0.path) }
        let dry = try forget(dir, "lead-1", dryRun: true)
        #expect(dry.dryRun && dry.segmentsRewritten.count == 1 && dry.eventsRemovedFromDatabase == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.db))
        // With a database: its bytes stay the same (no erasure salt, no deletion).
        _ = try dir.aggregate(asOf: endOf(day: 7))
        let database = try FileBytes.read(dir.db)
        #expect(try forget(dir, "lead-1", dryRun: true).eventsRemovedFromDatabase == referenceEvents().count)
        #expect(try FileBytes.read(dir.db) == database)
        #expect(try SegmentDirectory.list(dir.segments).map { try FileBytes.read($0.path) } == segments)
        #expect(try dir.profile("lead-1")?.score == 53)
    }

    @Test func anotherLeadsProfileIsDroppedOnlyWhenItListsAnErasedVisitorExactly() async throws {
        let dir = DataDir()
        // lead-2's visitor id contains lead-1's ("v-1" inside "v-10"): a substring match would drop it.
        try await dir.write(referenceEvents(lead: "lead-1", visitor: "v-1") + referenceEvents(lead: "lead-2", visitor: "v-10"))
        _ = try dir.aggregate(asOf: endOf(day: 7))
        let report = try forget(dir, "lead-1")
        #expect(report.otherProfilesDropped == 0)
        #expect(try dir.profile("lead-2")?.visitors == ["v-10"])
    }

    @Test func forgetRemovesEveryTraceOfTheLeadAndItsVisitors() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents() + otherPerson())
        try await dir.write([ev(.pageview, day: 8, visitor: "v-1", url: "https://shop.example/filialen")])
        _ = try dir.aggregate(asOf: endOf(day: 8))
        let before = try #require(try dir.profile("lead-2"))
        #expect(try everything(in: dir).contains("lead-1"))

        let dry = try forget(dir, "lead-1", dryRun: true)
        #expect(dry.segmentsRewritten.count == 2 && dry.eventsRemovedFromSegments == 10)
        #expect(try everything(in: dir).contains("lead-1"))

        let report = try forget(dir, "lead-1")
        #expect(report.visitors == ["v-1"] && report.eventsRemovedFromSegments == 10 && report.eventsRemovedFromDatabase == 10)
        let all = try everything(in: dir)
        #expect(!all.contains("lead-1") && !all.contains("\"v-1\""))
        // The rest is untouched and the next run is clean (no ledger conflict).
        let summary = try dir.aggregate(asOf: endOf(day: 8))
        #expect(summary.exitCode == 0 && summary.segmentsSkipped == 2)
        #expect(try dir.profile("lead-2") == before && dir.profile("lead-1") == nil)
        for entry in try SegmentDirectory.list(dir.segments) { #expect(try SegmentScanner.scan(path: entry.path).isClean) }
    }

    @Test func aRebuildAfterRestoringAnOldSegmentStaysClean() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents() + otherPerson())
        _ = try dir.aggregate(asOf: endOf(day: 7))
        let segment = try SegmentDirectory.list(dir.segments)[0].path
        let backup = try Data(contentsOf: URL(fileURLWithPath: segment))
        _ = try forget(dir, "lead-1")
        try backup.write(to: URL(fileURLWithPath: segment))  // restored from an old backup
        let summary = try dir.aggregate(asOf: endOf(day: 7), rebuild: true)
        #expect(summary.erasedSkipped == referenceEvents().count)
        #expect(try dir.profile("lead-1") == nil && dir.profile("lead-2") != nil)
        #expect(try AggregateReader(database: dir.db).events(ofLead: "lead-1").isEmpty)
        // Forgetting again cleans the restored file too.
        _ = try forget(dir, "lead-1")
        #expect(!(try everything(in: dir).contains("lead-1")))
    }

    @Test func someoneWhoSubscribesAgainAfterAnErasureStartsAfresh() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents())
        _ = try dir.aggregate(asOf: endOf(day: 7))
        _ = try forget(dir, "lead-1")
        // A new sign-up with the same lead id (and the same browser), after the erasure.
        let later = SystemTime.nowMillis() + 86_400_000
        var open = ev(.open, day: 1, lead: "lead-1", campaign: "nl-new")
        open.ts = later
        var visit = ev(.pageview, day: 1, visitor: "v-1", url: "https://shop.example/filialen")
        visit.ts = later + 60_000
        try await dir.write([open, visit, ev(.pageview, day: 5, visitor: "v-1", url: "https://shop.example/produkte/a/b")])
        let summary = try dir.aggregate(asOf: later + 120_000)
        #expect(summary.erasedSkipped == 1)  // the page view from before the erasure
        let p = try #require(try dir.profile("lead-1"))
        #expect(p.counts == ["open": 1] && p.campaignsOpened == ["nl-new"])
        // The old history stays gone after a rebuild too.
        _ = try dir.aggregate(asOf: later + 120_000, rebuild: true)
        #expect(try dir.profile("lead-1")?.counts == ["open": 1])
    }

    @Test func leadEventsExportListsEveryStoredEvent() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents())
        _ = try dir.aggregate(asOf: endOf(day: 7))
        let events = try AggregateReader(database: dir.db).events(ofLead: "lead-1")
        #expect(events.count == referenceEvents().count)
        #expect(events.allSatisfy { Event(jsonLine: $0.jsonLine) == $0 })
    }

    @Test func pruneDeletesOnlyFoldedSegmentsPastRetention() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents())
        try await dir.write([ev(.pageview, day: 400, visitor: "x", url: "https://shop.example/")])
        let cutoff = at(day: 100)
        var report = try Retention.prune(dataDirectories: [dir.path], database: dir.db, olderThanMillis: cutoff, dryRun: false, force: false)
        #expect(report.deleted.isEmpty && report.keptUnfolded.count == 1)
        _ = try dir.aggregate(asOf: endOf(day: 400))
        report = try Retention.prune(dataDirectories: [dir.path], database: dir.db, olderThanMillis: cutoff, dryRun: true, force: false)
        #expect(report.deleted.count == 1 && FileManager.default.fileExists(atPath: report.deleted[0]))
        report = try Retention.prune(dataDirectories: [dir.path], database: dir.db, olderThanMillis: cutoff, dryRun: false, force: false)
        #expect(report.deleted.count == 1 && !FileManager.default.fileExists(atPath: report.deleted[0]))
        #expect(try SegmentDirectory.list(dir.segments).count == 1)
        #expect(report.databaseEvents == referenceEvents().count)
        #expect(try AggregateReader(database: dir.db).events(ofLead: "lead-1").isEmpty)
    }
}
