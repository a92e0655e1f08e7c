import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `spur` executable as a person meets it: runtime failures are one line with a documented
/// exit status (docs/cli.md), usage text only for usage mistakes.
@Suite struct CommandLineTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// This process's environment without any `SPUR_*` setting, quiet logs.
    static var cleanEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SPUR_") }.merging(["SPUR_LOG_LEVEL": "error"]) { $1 }
    }

    static func spur(_ args: [String], environment: [String: String]? = nil) throws -> Outcome {
        try command(Browser.spur, args, environment: environment ?? cleanEnvironment)
    }

    /// Runs a program to its end; `input`, when given, is its standard input.
    static func command(_ executable: String, _ args: [String], environment: [String: String], input: String? = nil) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.environment = environment
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        p.standardOutput = out
        p.standardError = err
        if input != nil { p.standardInput = inPipe }
        try p.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
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
        let o = try Self.spur(["serve", "--port", "0"], environment: ["SPUR_IP": "everything", "PATH": "/usr/bin:/bin"])
        #expect(o.status == 64 && o.stderr.contains("SPUR_IP='everything' is not a valid value for --ip (truncate, full, none)"))
    }

    @Test func aDryRunForgetInADirectoryWithoutDatabaseCreatesNothing() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let o = try Self.spur(["forget", "--dry-run", "--data", dir, "lead-1"])
        #expect(o.status == 1 && o.stderr.contains("nothing found for lead lead-1"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["segments"])
    }

    /// Runs `spur` in the background; `stop()` sends SIGTERM and returns the exit status.
    final class Background {
        let process = Process()
        let stderr = Pipe()

        init(_ args: [String], environment: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: Browser.spur)
            process.arguments = args
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SPUR_") }.merging(environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = stderr
            try process.run()
        }

        /// Waits up to `seconds` for the process to end by itself; kills it otherwise.
        func exit(within seconds: Double) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            guard !process.isRunning else {
                process.interrupt()
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return nil
            }
            return process.terminationStatus
        }

        /// SIGTERM once the collector accepts connections on `port` (its signal handling is set
        /// up by then), and the exit status.
        func stop(listeningOn port: Int) -> Int32? {
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && !Background.accepts(port) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            process.terminate()
            return exit(within: 10)
        }

        static func accepts(_ port: Int) -> Bool {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }

        var errors: String { String(decoding: stderr.fileHandleForReading.availableData, as: UTF8.self) }
    }

    /// A listening socket on 127.0.0.1 and its port.
    static func occupiedPort() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        #expect(bound == 0 && listen(fd, 1) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func serveOnAnAddressInUseExitsAtOnceNamingIt() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (fd, port) = try Self.occupiedPort()
        defer { close(fd) }
        let serve = try Background(["serve", "--data", dir, "--port", String(port), "--log-level", "error"])
        let status = serve.exit(within: 3)
        #expect(status == 69, "spur serve did not exit within 3 s on a port in use")
        #expect(serve.errors.contains("spur: cannot listen on 127.0.0.1:\(port): Address already in use"))
    }

    /// Two collectors with one node name in one data directory would seal each other's open
    /// segment (acknowledged events lost): the second refuses to start.
    @Test func aSecondServeOnTheSameNodeExitsAtOnceNamingIt() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (fd, port) = try Self.occupiedPort()
        close(fd)
        let first = try Background(["serve", "--data", dir, "--port", String(port), "--node", "n1", "--log-level", "error"])
        let deadline = Date().addingTimeInterval(10)
        while !Background.accepts(port) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let second = try Background(["serve", "--data", dir, "--port", "0", "--node", "n1", "--log-level", "error"])
        #expect(second.exit(within: 5) == 69)
        #expect(second.errors.contains("spur: another spur serve is running as node n1 in this data directory"))
        #expect(first.stop(listeningOn: port) == 0)
        // The first one's segment was sealed by the first one, cleanly.
        let verify = try Self.spur(["segments", "verify", "--data", dir])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    @Test func serveWithAnUnreadableOrInvalidSecretFileExitsAtOnce() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        expectOneLine(try Self.spur(["serve", "--data", dir, "--port", "0", "--secret-file", dir + "/none"]), status: 78, containing: "\(dir)/none")
        try "k1:short\n".write(toFile: dir + "/weak", atomically: true, encoding: .utf8)
        let weak = try Self.spur(["serve", "--data", dir, "--port", "0", "--secret-file", dir + "/weak"])
        #expect(weak.status == 78 && !weak.stderr.contains("short"), "\(weak.stderr)")
    }

    @Test func onlyServeCreatesASecret() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for args in [["link", "--campaign", "c", "https://shop.example/"], ["pixel", "--campaign", "c", "--lead", "l"]] {
            expectOneLine(try Self.spur(args + ["--data", dir]), status: 78, containing: "no signing secret at \(dir)/secret")
        }
        try "<p><a href=\"https://shop.example/\">x</a></p>".write(toFile: dir + "/nl.html", atomically: true, encoding: .utf8)
        expectOneLine(try Self.spur(["wrap", "--data", dir, "--campaign", "c", dir + "/nl.html"]), status: 78, containing: "--secret-file")
        #expect(!FileManager.default.fileExists(atPath: dir + "/secret"))
    }

    @Test func linksFollowThePortTheCollectorListensOn() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (fd, port) = try Self.occupiedPort()
        close(fd)  // a free port, most likely still free a moment later
        let serve = try Background(["serve", "--data", dir, "--port", String(port), "--log-level", "error"])
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: dir + "/public-url") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let link = try Self.spur(["link", "--data", dir, "--campaign", "c", "https://shop.example/"])
        #expect(link.status == 0 && link.stdout.hasPrefix("http://127.0.0.1:\(port)/c/") && link.stderr.isEmpty, "\(link.stderr)")
        let other = try Self.spur(["pixel", "--data", dir, "--campaign", "c", "--lead", "l", "--base", "https://t.example"])
        #expect(other.status == 0 && other.stdout.hasPrefix("https://t.example/o/"))
        #expect(other.stderr.contains("warning: minting links for https://t.example, but the collector of \(dir) announced http://127.0.0.1:\(port)"))
        #expect(serve.stop(listeningOn: port) == 0)
    }

    @Test func serveWithTheSecretInTheEnvironmentStartsOnAFreshDataDirectory() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (fd, port) = try Self.occupiedPort()
        close(fd)
        let data = dir + "/not/yet/there"
        let serve = try Background(
            ["serve", "--data", data, "--port", String(port), "--log-level", "error"],
            environment: ["SPUR_SECRET": "k1:0123456789abcdef0123456789abcdef"])
        let deadline = Date().addingTimeInterval(10)
        while PublicURLRecordFile.read(data) == nil && serve.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(PublicURLRecordFile.read(data) == "http://127.0.0.1:\(port)", "\(serve.errors)")
        #expect(serve.stop(listeningOn: port) == 0)
        #expect(!FileManager.default.fileExists(atPath: data + "/secret"))  // the keys came from the environment
    }

    @Test func forgettingSomeoneUnknownSaysSoAndExits1() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        expectOneLine(try Self.spur(["forget", "--data", dir, "nobody"]), status: 1, containing: "nothing found for lead nobody")
    }

    @Test func aShortAPIKeyIsRefusedWithoutShowingIt() throws {
        let o = try Self.spur(["serve", "--port", "0"], environment: ["SPUR_API_KEYS": "0123456789abcdefXYZ,SeCrEt42", "PATH": "/usr/bin:/bin"])
        #expect(o.status == 64 && o.stderr.contains("API key 2 of 2 is shorter than 16 characters"))
        #expect(!o.stderr.contains("SeC") && !o.stderr.contains("0123"))
    }

    @Test func campaignReportsAreLabelledAndListed() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Self.spur(["segments", "generate", "--data", dir, "--events", "3000", "--leads", "50", "--campaigns", "3"]).status == 0)
        #expect(try Self.spur(["aggregate", "--data", dir, "--quiet"]).status == 0)
        let all = try Self.spur(["report", "campaigns", "--data", dir])
        let lines = all.stdout.split(separator: "\n")
        #expect(all.status == 0 && lines.first?.hasPrefix("CAMPAIGN") == true && lines.filter { $0.hasPrefix("nl-") }.count == 3)
        let csv = try Self.spur(["report", "campaigns", "--data", dir, "--csv"])
        #expect(csv.stdout.hasPrefix("campaign,opens,human_opens,unique_human_opens,clicks,"))
        let one = try Self.spur(["report", "campaign", "nl-1", "--data", dir])
        #expect(one.status == 0 && one.stdout.contains("CLICKS   HUMAN  UNIQUE HUMAN  LINK"), "\(one.stdout)")
    }

    @Test func generatedVisitorsWithoutConsentAreAnonymousPageCounts() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let args = ["segments", "generate", "--data", dir, "--events", "2000", "--leads", "40", "--anonymous-share", "100"]
        #expect(try Self.spur(args).status == 0)
        let lines = try Self.spur(["segments", "cat", "--data", dir]).stdout.split(separator: "\n")
        let views = lines.filter { $0.contains(#""type":"pageview""#) }
        #expect(!views.isEmpty && views.allSatisfy { $0.contains(#""flags":["#) && $0.contains("anonymous") })
        #expect(views.allSatisfy { !$0.contains(#""visitor""#) && !$0.contains(#""ip""#) && !$0.contains(#""ua""#) })
        #expect(views.contains { $0.contains("utm_campaign=nl-") })
        #expect(try Self.spur(["aggregate", "--data", dir, "--quiet"]).status == 0)
        let pages = try Self.spur(["report", "pages", "--data", dir, "--days", "61", "--csv"])
        #expect(pages.status == 0 && pages.stdout.hasPrefix("page,with_consent,anonymous,bot\nhttps://shop.example/,0,"), "\(pages.stdout)")
        #expect(try Self.spur(["segments", "generate", "--data", dir, "--anonymous-share", "101"]).status == 64)
    }

    @Test func forgetAndPruneShowProgressOnATerminal() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Self.spur(["segments", "generate", "--data", dir, "--events", "500", "--leads", "5"]).status == 0)
        // script(1) gives the command a terminal, as a person running it has.
        func onTerminal(_ args: [String]) throws -> String {
            let command = ([Browser.spur] + args).map { "'" + $0 + "'" }.joined(separator: " ")
            let o = try Self.command("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], environment: Self.cleanEnvironment)
            return o.stdout + o.stderr
        }
        #expect(try onTerminal(["forget", "--data", dir, "--dry-run", "lead-1"]).contains("checking segments: 1/1"))
        #expect(try onTerminal(["segments", "prune", "--data", dir, "--older-than", "0d", "--dry-run"]).contains("checking segments: 1/1"))
        // Not on a terminal (a pipe, a log): no progress line.
        #expect(!(try Self.spur(["forget", "--data", dir, "--dry-run", "lead-1"]).stderr.contains("checking segments")))
    }

    @Test(.timeLimit(.minutes(2)))
    func theREADMEWalkThroughEndsWithALeadThatHasPoints() throws {
        let script = Browser.root.appendingPathComponent("scripts/readme-walkthrough.sh").path
        let o = try Self.command("/usr/bin/env", ["bash", script], environment: Self.cleanEnvironment.merging(["SPUR_BIN": Browser.spur]) { $1 })
        #expect(o.status == 0 && o.stdout.contains("PASS the walk-through ends with lead-42 at 10 points"), "\(o.stdout)\n\(o.stderr)")
    }

    @Test func pruneAcceptsZeroDays() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let o = try Self.spur(["segments", "prune", "--data", dir, "--older-than", "0d", "--dry-run"])
        #expect(o.status == 0 && o.stdout.contains("0 segments"), "\(o.stderr)")
    }

    @Test func catSaysWhatItSkippedAndReadsOpenSegmentsOnRequest() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Self.spur(["segments", "generate", "--data", dir, "--events", "20", "--leads", "3"]).status == 0)
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir + "/segments").first { $0.hasSuffix(".jsonl.gz") })
        // As a running collector leaves it: the segment is still open.
        try FileManager.default.moveItem(atPath: dir + "/segments/" + name, toPath: dir + "/segments/" + name + ".open")
        let plain = try Self.spur(["segments", "cat", "--data", dir])
        #expect(plain.status == 0 && plain.stdout.isEmpty && plain.stderr.contains("skipped 1 open segment(s)"))
        let open = try Self.spur(["segments", "cat", "--data", dir, "--include-open"])
        #expect(open.status == 0 && open.stdout.split(separator: "\n").count == 20)
    }
}

/// `DATA/public-url` as `spur serve` writes it (docs/configuration.md, `--public-url`).
enum PublicURLRecordFile {
    static func read(_ data: String) -> String? {
        (try? String(contentsOfFile: data + "/public-url", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Issue 17, attack 3: collected text with terminal escape sequences reaches no terminal raw.
@Suite struct TerminalEscapeTests {
    @Test func leadListsShowsAndReportsPrintNoControlCharacters() throws {
        let dir = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let evil = #"https://shop.example/produkte/\u001b]0;PWNED\u0007\u001b[31mRED/1"#
        let lines = [
            #"{"id":"esc-1","ts":1793613600000,"type":"click","campaign":"nl\u001b[2J","lead":"lead-1","visitor":"0123456789abcdef0123456789abcdef","url":"\#(evil)","node":"t"}"#,
            #"{"id":"esc-2","ts":1793613700000,"type":"pageview","visitor":"0123456789abcdef0123456789abcdef","url":"\#(evil)","title":"\u001b[31mred","node":"t"}"#,
        ]
        let imported = try CommandLineTests.command(
            Browser.spur, ["segments", "import", "--data", dir, "-"], environment: CommandLineTests.cleanEnvironment,
            input: lines.joined(separator: "\n") + "\n")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try CommandLineTests.spur(["aggregate", "--data", dir, "--as-of", "2026-11-03", "--quiet"]).status == 0)
        for args in [["leads", "top"], ["leads", "show", "lead-1"], ["leads", "show", "lead-1", "--events"], ["report", "campaigns"]] {
            let o = try CommandLineTests.spur(args + ["--data", dir])
            #expect(o.status == 0, "\(args): \(o.stderr)")
            let control = o.stdout.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) }
            #expect(control.isEmpty, "\(args) printed \(control.count) control characters")
        }
        // The category from the URL is in the profile, shown escaped.
        #expect(try CommandLineTests.spur(["leads", "show", "lead-1", "--data", dir]).stdout.contains(#"\x1b"#))
    }
}
