import ArgumentParser
import Foundation
import Logging
import SpurAggregate
import SpurCore

/// `spur forget LEAD`: the right to erasure, down to the raw data.
struct Forget: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase a lead and its visitor ids from the database and from every sealed segment.",
        discussion:
            "Prints what it changed. Events of the lead in segments folded later (restored backups, segments still open) are dropped when folded.")

    @OptionGroup var store: StoreOptions
    @Flag(help: "Only show what would be erased (changes nothing, creates no database).") var dryRun = false
    @Argument(help: "Lead id.") var lead: String

    func run() throws {
        do { try Identifier.validate(lead, what: "lead") } catch { throw ValidationError(error.description) }
        let dirs = store.directories
        for dir in dirs where !FileManager.default.fileExists(atPath: dir + "/segments") {
            throw AggregateError.noSegmentDirectory(dir + "/segments")
        }
        var logger = Logger(label: "spur.forget")
        logger.logLevel = .warning
        let progress = ProgressLine()
        let report = try Eraser(dataDirectories: dirs, database: store.databasePath, logger: logger)
            .forget(lead: lead, dryRun: dryRun) { what, done, total in
                progress.update(done: done, total: total) { "\(what): \(done)/\(total)" }
            }
        progress.finish()
        guard report.found else { throw CommandFailure(report.description, status: ExitStatus.notFound) }
        print(report)
    }
}

/// `spur segments prune --older-than 400d`.
struct Prune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete sealed segments past retention (only those already folded into the database).")

    @OptionGroup var store: StoreOptions
    @Option(help: "Retention, e.g. 400d. [env: SPUR_RETENTION] (default: \(Self.defaultRetention))") var olderThan: String?
    @Flag(help: "Also delete segments that were never folded.") var force = false
    @Flag(help: "Only list what would be deleted.") var dryRun = false

    static let defaultRetention = "400d"

    func validate() throws { _ = try days() }

    private func days() throws -> Double {
        let text = olderThan ?? Environment.value("SPUR_RETENTION") ?? Self.defaultRetention
        guard text.hasSuffix("d"), let days = Double(text.dropLast()), days >= 0, days.isFinite else {
            throw ValidationError("--older-than '\(text)' must be a number of days like \(Self.defaultRetention)")
        }
        return days
    }

    func run() throws {
        let days = try days()
        let progress = ProgressLine()
        let cutoff = Int64(Date().timeIntervalSince1970 * 1000) - Int64(days * 86_400_000)
        let report = try Retention.prune(
            dataDirectories: store.directories, database: store.databasePath,
            olderThanMillis: cutoff, dryRun: dryRun, force: force
        ) { done, total in progress.update(done: done, total: total) { "checking segments: \(done)/\(total)" } }
        progress.finish()
        for file in report.deleted { print("\(dryRun ? "would delete" : "deleted") \(file)") }
        for file in report.keptUnfolded { print("kept (not folded yet; run spur aggregate first) \(file)") }
        print(
            "\(report.deleted.count) segments, \(report.bytesFreed) bytes \(dryRun ? "would be " : "")freed; \(report.databaseEvents) old events \(dryRun ? "would be " : "")removed from the database"
        )
    }
}
