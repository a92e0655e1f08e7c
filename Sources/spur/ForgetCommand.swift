import ArgumentParser
import Foundation
import Logging
import SpurAggregate
import SpurCore

/// `spur forget LEAD`: the right to erasure, down to the raw data.
struct Forget: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase a lead and its visitor ids from the database and from every sealed segment.",
        discussion: "Prints what it changed. Events of the lead in segments folded later (restored backups, segments still open) are dropped when folded.")

    @Option(name: .long, help: "Data directory (repeatable). [env: SPUR_DATA] (default: ./spur-data)") var data: [String] = []
    @Option(name: .long, help: "SQLite database. [env: SPUR_DB] (default: DATA/spur.sqlite of the first --data)") var db: String?
    @Flag(help: "Only show what would be erased.") var dryRun = false
    @Argument(help: "Lead id.") var lead: String

    func run() throws {
        if let problem = Identifier.problem(lead, what: "lead") { throw ValidationError(problem) }
        let dirs = data.isEmpty ? [Environment.value("SPUR_DATA") ?? "./spur-data"] : data
        for dir in dirs where !FileManager.default.fileExists(atPath: dir + "/segments") {
            throw ValidationError("no segment directory at \(dir)/segments")
        }
        var logger = Logger(label: "spur.forget")
        logger.logLevel = .warning
        let report = try Eraser(dataDirectories: dirs, database: db ?? Environment.value("SPUR_DB") ?? dirs[0] + "/spur.sqlite", logger: logger)
            .forget(lead: lead, dryRun: dryRun)
        print(report)
    }
}

/// `spur segments prune --older-than 400d`.
struct Prune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete sealed segments past retention (only those already folded into the database).")

    @Option(name: .long, help: "Data directory (repeatable). [env: SPUR_DATA] (default: ./spur-data)") var data: [String] = []
    @Option(name: .long, help: "SQLite database. [env: SPUR_DB] (default: DATA/spur.sqlite of the first --data)") var db: String?
    @Option(help: "Retention, e.g. 400d. [env: SPUR_RETENTION] (default: 400d)") var olderThan: String?
    @Flag(help: "Also delete segments that were never folded.") var force = false
    @Flag(help: "Only list what would be deleted.") var dryRun = false

    func run() throws {
        let dirs = data.isEmpty ? [Environment.value("SPUR_DATA") ?? "./spur-data"] : data
        let text = olderThan ?? Environment.value("SPUR_RETENTION") ?? "400d"
        guard text.hasSuffix("d"), let days = Double(text.dropLast()), days >= 1 else {
            throw ValidationError("--older-than '\(text)' must be a number of days like 400d")
        }
        let cutoff = Int64(Date().timeIntervalSince1970 * 1000) - Int64(days * 86_400_000)
        let report = try Retention.prune(
            dataDirectories: dirs, database: db ?? Environment.value("SPUR_DB") ?? dirs[0] + "/spur.sqlite",
            olderThanMillis: cutoff, dryRun: dryRun, force: force)
        for file in report.deleted { print("\(dryRun ? "would delete" : "deleted") \(file)") }
        for file in report.keptUnfolded { print("kept (not folded yet; run spur aggregate first) \(file)") }
        print("\(report.deleted.count) segments, \(report.bytesFreed) bytes \(dryRun ? "would be " : "")freed; \(report.databaseEvents) old events \(dryRun ? "would be " : "")removed from the database")
    }
}
