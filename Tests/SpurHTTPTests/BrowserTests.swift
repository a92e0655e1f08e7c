import Foundation
import Testing

/// The real-browser end-to-end test (scripts/browser_e2e.py) run from `swift test`.
/// `.ci/run` installs Chromium, chromedriver and Selenium, so CI always runs it; on a machine
/// without them it is reported as skipped, with the reason — except under CI, where it runs and fails.
enum Browser {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") && run(["python3", "-c", "import selenium"]) == 0
    }

    static let missing = "SKIPPED: real-browser test needs chromium, chromium-driver (apt-get) and selenium (pip); .ci/run installs them"

    /// Under CI the test is never skipped: a missing browser fails it.
    static var enabled: Bool { available || ProcessInfo.processInfo.environment["CI"] != nil }

    /// The `spur` executable `swift test` built next to the test bundle.
    static var spur: String {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bundleDir.appendingPathComponent("spur").path, root.appendingPathComponent(".build/debug/spur").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    @discardableResult
    static func run(_ args: [String], output: Pipe? = nil) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = output ?? FileHandle.nullDevice
        p.standardError = output ?? FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        if let output {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            FileHandle.standardOutput.write(data)
        }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

extension ScriptTests {
    @Suite(.serialized) struct BrowserTests {
        /// Runs one of the Selenium scripts in scripts/ against the `spur` this test run built.
        func runScript(_ name: String) {
            #expect(Browser.available, "CI must run the real-browser test: \(Browser.missing)")
            let status = Browser.run(
                ["python3", Browser.root.appendingPathComponent("scripts/" + name).path, "--spur", Browser.spur], output: Pipe())
            #expect(status == 0, "scripts/\(name) failed; its output is above")
        }

        @Test(.enabled(if: Browser.enabled, Comment(rawValue: Browser.missing)), .timeLimit(.minutes(5)))
        func siteScriptNewsletterClicksAndPrivacyInARealBrowser() { runScript("browser_e2e.py") }

        @Test(.enabled(if: Browser.enabled, Comment(rawValue: Browser.missing)), .timeLimit(.minutes(5)))
        func consoleSignInLeadsLeadCampaignForgetInARealBrowser() { runScript("console_e2e.py") }

        @Test(.enabled(if: Browser.enabled, Comment(rawValue: Browser.missing)), .timeLimit(.minutes(6)))
        func consentBannersOfFivePlatformsStrictModeAndTheNoJSPixelInARealBrowser() { runScript("consent_e2e.py") }
    }
}
