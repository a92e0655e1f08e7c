import Foundation
import Testing

/// `scripts/reliability.sh --quick` from `swift test`: kill -9 under load, a real full disk,
/// EIO on fdatasync, corruption, aggregator crashes, fuzz replay, abuse and security checks
/// against the binaries `swift test` built. (The power-loss rounds are PowerLossTests.)
/// The full run is `scripts/reliability.sh`; docs/reliability.md has its figures.
@Suite(.serialized) struct ReliabilityTests {
    static var tools: [String] { ["strace", "unshare", "gzip", "python3"] }

    static var available: Bool {
        tools.allSatisfy { tool in
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
                .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
        }
    }

    static let missing = "SKIPPED: the reliability checks need strace, unshare, gzip and python3; .ci/run installs strace"

    @Test(.enabled(if: available, Comment(rawValue: missing)), .timeLimit(.minutes(10)))
    func quickReliabilityRunPasses() throws {
        let spur = Browser.spur
        let fuzzer = URL(fileURLWithPath: spur).deletingLastPathComponent().appendingPathComponent("spur-fuzz").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["bash", Browser.root.appendingPathComponent("scripts/reliability.sh").path, "--quick", "--spur", spur, "--fuzzer", fuzzer]
        p.environment = ProcessInfo.processInfo.environment.merging(["SPUR_IN_SWIFT_TEST": "1"]) { $1 }
        let output = Pipe()
        p.standardOutput = output
        p.standardError = output
        try p.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        FileHandle.standardOutput.write(data)
        #expect(p.terminationStatus == 0, "scripts/reliability.sh --quick failed; its summary is above")
    }

    @Test func continuousIntegrationRunsTheReliabilityChecks() {
        if !Self.available {
            print("⚠️ " + Self.missing)
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must run the reliability checks, but a tool is missing")
        }
    }
}
