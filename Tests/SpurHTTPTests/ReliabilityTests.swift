import Foundation
import Testing

/// `scripts/reliability.sh --quick` from `swift test`: kill -9 under load, a real full disk,
/// EIO on fdatasync, corruption, aggregator crashes, fuzz replay, abuse and security checks
/// against the binaries `swift test` built. (The power-loss rounds are PowerLossTests.)
/// The full run is `scripts/reliability.sh`; docs/reliability.md has its figures.
extension ScriptTests {
    @Suite(.serialized) struct ReliabilityTests {
        static var tools: [String] { ["strace", "unshare", "gzip", "python3"] }

        static var available: Bool {
            tools.allSatisfy { tool in
                (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
                    .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
            }
        }

        static let missing = "SKIPPED: the reliability checks need strace, unshare, gzip and python3; .ci/run installs strace"

        /// Under CI the run is never skipped: a missing tool fails it.
        static var enabled: Bool { available || ProcessInfo.processInfo.environment["CI"] != nil }

        @Test(.enabled(if: enabled, Comment(rawValue: missing)), .timeLimit(.minutes(10)))
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
            #expect(Self.available, "CI must run the reliability checks: \(Self.missing)")
            #expect(p.terminationStatus == 0, "scripts/reliability.sh --quick failed; its summary is above")
            // The summary counts only checks that ran; a run that counted none proves nothing.
            let summary = String(decoding: data, as: UTF8.self).split(separator: "\n").last { $0.contains(" checks passed, ") }
            let passed = summary.flatMap { Int($0.split(separator: " ")[0]) } ?? 0
            #expect(passed >= 20 && summary?.contains(" 0 failed") == true, "summary: \(summary ?? "none")")
        }
    }
}
