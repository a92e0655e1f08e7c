import ArgumentParser
import Foundation
import SpurAggregate
import SpurCore

/// `spur segments list|verify|cat`.
struct Segments: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect segment files.", subcommands: [List.self, Verify.self, Cat.self, Generate.self, Import.self, Prune.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List segments with their state and event counts.")
        @OptionGroup var data: DataOptions

        func run() throws {
            let directory = data.directory + "/segments"
            let entries = try listing(directory)
            print("NAME".padding(toLength: 48, withPad: " ", startingAt: 0) + " STATE     BYTES      EVENTS  FIRST EVENT (UTC)")
            for entry in entries {
                let scan = try? SegmentScanner.scan(path: entry.path)
                let state = scan.map { $0.isClean ? entry.state.rawValue : (entry.state == .open ? "open" : "DAMAGED") } ?? "unreadable"
                let first = scan.flatMap { $0.events > 0 ? Self.time($0.minMillis) : nil } ?? "-"
                print(
                    entry.name.description.padding(toLength: 48, withPad: " ", startingAt: 0) + " "
                        + state.padding(toLength: 9, withPad: " ", startingAt: 0) + " " + pad(entry.size, 10) + " "
                        + pad(scan?.events ?? 0, 7) + "  " + first)
            }
        }

        static func time(_ ms: Int64) -> String {
            let f = ISO8601DateFormatter()
            return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
        }

        private func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: " ", count: max(0, width - s.count)) + s
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every frame of sealed segments; exit 1 if any damage is found.",
            discussion: "Without FILE arguments, checks every sealed segment in DATA/segments.")
        @OptionGroup var input: SegmentFiles

        func run() throws {
            let paths = try input.paths()
            var damaged = 0
            for path in paths {
                let scan: SegmentScan
                do {
                    scan = try SegmentScanner.scan(path: path)
                } catch {
                    print("\(path): UNREADABLE: \(error)")
                    damaged += 1
                    continue
                }
                if scan.isClean {
                    print("\(path): ok, \(scan.blocks) blocks, \(scan.events) events")
                } else {
                    damaged += 1
                    print("\(path): DAMAGED (\(scan.events) events in valid blocks)")
                    if !scan.hasValidFooter && !scan.damage.contains(where: { $0.reason.contains("footer") }) {
                        print("  no valid footer: the segment is not complete")
                    }
                    for d in scan.damage { print("  \(d)") }
                }
            }
            print("\(paths.count) segments checked, \(damaged) damaged")
            if damaged > 0 { throw ExitCode(1) }
        }
    }

    struct Cat: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the events (JSON Lines) of the valid frames of segments.",
            discussion:
                "Without FILE arguments, prints every sealed segment in DATA/segments in name order (and with --include-open the ones a running collector is writing). Damaged frames are skipped and reported on stderr."
        )
        @OptionGroup var input: SegmentFiles
        @Flag(help: "Also print the segments a running collector is still writing, up to their last complete frame.")
        var includeOpen = false

        func run() throws {
            let paths = try input.paths()
            let open = try input.openPaths()
            var damaged = false
            for path in open where includeOpen {
                // A segment being written ends in a frame not complete yet: that is no damage.
                _ = try SegmentScanner.scan(path: path) { _, payload in FileHandle.standardOutput.write(Data(payload)) }
            }
            if !includeOpen && !open.isEmpty {
                FileHandle.standardError.write(
                    Data(
                        ("skipped \(open.count) open segment(s) that a collector is still writing; "
                            + "--include-open prints them up to their last complete frame\n").utf8))
            }
            for path in paths {
                let scan = try SegmentScanner.scan(path: path) { _, payload in
                    FileHandle.standardOutput.write(Data(payload))
                }
                if !scan.damage.isEmpty {
                    damaged = true
                    FileHandle.standardError.write(Data("\(path): skipped damage: \(scan.damage.map(\.description).joined(separator: "; "))\n".utf8))
                }
            }
            if damaged { throw ExitCode(1) }
        }
    }
}

/// Segment files named on the command line, or else every sealed segment of the data directory.
struct SegmentFiles: ParsableArguments {
    @OptionGroup var data: DataOptions
    @Argument(help: "Segment files (default: every sealed segment in DATA/segments).") var files: [String] = []

    func paths() throws -> [String] {
        guard files.isEmpty else { return files }
        return try listing(data.directory + "/segments").filter { $0.state == .sealed }.map(\.path)
    }

    /// The data directory's open segments (none when files are named).
    func openPaths() throws -> [String] {
        guard files.isEmpty else { return [] }
        return try listing(data.directory + "/segments").filter { $0.state == .open }.map(\.path)
    }
}

private func listing(_ directory: String) throws -> [SegmentDirectory.Entry] {
    guard FileManager.default.fileExists(atPath: directory) else {
        throw AggregateError.noSegmentDirectory(directory)
    }
    return try SegmentDirectory.list(directory)
}
