import ArgumentParser
import Foundation
import Logging
import SpurCore

/// `spur segments import FILE`: events as JSON Lines (the format `spur segments cat` prints)
/// into new sealed segments, e.g. to move history from another node or tool, or to load test data.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write events from a JSON Lines file (or - for stdin) into new sealed segments in DATA/segments.",
        discussion:
            "Every line must be one event as docs/events.md describes (id, ts, type, …). The file is checked completely before anything is written; a bad line is reported with its number and nothing is imported (exit 65). Events whose id was folded before are dropped by the aggregator as duplicates."
    )

    @OptionGroup var data: DataOptions
    @Option(help: "Node name written into the new segments' names.") var node = "import"
    @Argument(help: "JSON Lines file, or - for stdin.") var file: String

    func validate() throws {
        guard NodeName.isValid(node) else { throw ValidationError("--node '\(node)' must be 1–64 letters, digits, '.', '_' or '-'") }
    }

    func run() throws {
        let bytes: [UInt8]
        if file == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let d = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("cannot read \(file)", status: ExitStatus.noInput)
            }
            bytes = Array(d)
        }
        var events: [Event] = []
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard let event = Event(jsonLine: line) else {
                throw CommandFailure(
                    "\(file) line \(lineNumber) is not an event record (docs/events.md); nothing was imported", status: ExitStatus.dataError)
            }
            events.append(event)
        }
        let dir = data.directory + "/segments"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var logger = Logger(label: "spur.import")
        logger.logLevel = .warning
        let writer = try SegmentBatchWriter(directory: dir, node: node, logger: logger)
        for e in events { try writer.add(e) }
        try writer.finish()
        print("imported \(events.count) events into \(dir)")
    }
}
