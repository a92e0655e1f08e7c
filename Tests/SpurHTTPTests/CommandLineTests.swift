import Foundation
import Testing

/// The `spur` executable as a person meets it: runtime failures are one line with a documented
/// exit status (docs/cli.md), usage text only for usage mistakes.
@Suite struct CommandLineTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func spur(_ args: [String], in directory: String? = nil) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Browser.spur)
        p.arguments = args
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SPUR_") }
        environment["SPUR_LOG_LEVEL"] = "error"
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Outcome(
            status: p.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "spur-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/segments", withIntermediateDirectories: true)
        return path
    }

    /// One line on stderr, prefixed `spur:`, without usage text or Foundation's error dumps.
    func expectOneLine(_ o: Outcome, status: Int32, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = o.stderr.split(separator: "\n")
        #expect(o.status == status, "stderr: \(o.stderr)", sourceLocation: sourceLocation)
        #expect(lines.count == 1 && lines[0].hasPrefix("spur: ") && lines[0].contains(text), "stderr: \(o.stderr)", sourceLocation: sourceLocation)
        #expect(!o.stderr.contains("Usage") && !o.stderr.contains("NSCocoaErrorDomain"), sourceLocation: sourceLocation)
    }

    @Test func aMissingDatabaseIsOneLineAndExit66() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        expectOneLine(try Self.spur(["leads", "top", "--data", dir]), status: 66, containing: "no database at \(dir)/spur.sqlite")
        expectOneLine(
            try Self.spur(["report", "campaign", "nl-1", "--db", dir + "/other.sqlite"]), status: 66, containing: "run 'spur aggregate' first")
        #expect(!FileManager.default.fileExists(atPath: dir + "/spur.sqlite") && !FileManager.default.fileExists(atPath: dir + "/other.sqlite"))
    }

    @Test func anUnusableDataDirectoryIsOneLineNamingIt() throws {
        let o = try Self.spur(["serve", "--data", "/proc/nope", "--port", "0"])
        #expect(o.status != 0)
        expectOneLine(o, status: o.status, containing: "/proc/nope")
        expectOneLine(try Self.spur(["aggregate", "--data", "/proc/nope"]), status: 66, containing: "no segment directory at /proc/nope/segments")
    }

    @Test func invalidRulesAreOneLineAndExit78() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "rules: [{ id: a, type: nope, points: 1 }]".write(toFile: dir + "/rules.yaml", atomically: true, encoding: .utf8)
        expectOneLine(try Self.spur(["aggregate", "--data", dir, "--rules", dir + "/rules.yaml"]), status: 78, containing: "rules[0]")
        expectOneLine(try Self.spur(["aggregate", "--data", dir, "--rules", dir + "/none.yaml"]), status: 78, containing: "none.yaml")
    }

    @Test func usageMistakesShowUsageAndExit64() throws {
        let o = try Self.spur(["leads", "top", "--limit", "0"])
        #expect(o.status == 64 && o.stderr.contains("--limit must be between 1 and") && o.stderr.contains("Usage"))
        let env = try Self.spur(["leads", "top", "--stage", "hot"])
        #expect(env.status == 64 && env.stderr.contains("'hot'"))
    }

    @Test func helpIsPrintedAndExitsZero() throws {
        for args in [["--help"], ["serve", "--help"], ["leads", "top", "--help"]] {
            let o = try Self.spur(args)
            #expect(o.status == 0 && o.stdout.contains("USAGE: spur") && o.stderr.isEmpty, "\(args): \(o.stderr)")
        }
        let serve = try Self.spur(["serve", "--help"]).stdout
        #expect(serve.contains("[env: SPUR_PORT] (default: 8080)") && serve.contains("(default: 200ms)") && serve.contains("(default: 64MiB)"))
    }

    @Test func environmentVariablesAreCheckedLikeTheirFlags() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Browser.spur)
        p.arguments = ["serve", "--port", "0"]
        p.environment = ["SPUR_IP": "everything", "PATH": "/usr/bin:/bin"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 64 && text.contains("SPUR_IP='everything' is not a valid value for --ip (truncate, full, none)"))
    }

    @Test func aDryRunForgetInADirectoryWithoutDatabaseCreatesNothing() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let o = try Self.spur(["forget", "--dry-run", "--data", dir, "lead-1"])
        #expect(o.status == 0 && o.stdout.contains("would erase lead lead-1"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["segments"])
    }
}
