import Foundation
import Testing

/// The read API against its OpenAPI document (scripts/api_check.py): the document validates,
/// the console serves it, and schemathesis finds no server error and no response that violates it.
extension ScriptTests {
    @Suite struct APIContractTests {
        static var available: Bool { Browser.run(["python3", "-c", "import schemathesis, openapi_spec_validator"]) == 0 }
        static let missing = "SKIPPED: needs schemathesis and openapi-spec-validator (pip); .ci/run installs them"
        /// Under CI it is never skipped: missing tools fail it.
        static var enabled: Bool { available || ProcessInfo.processInfo.environment["CI"] != nil }

        @Test(.enabled(if: enabled, Comment(rawValue: missing)), .timeLimit(.minutes(10)))
        func theLiveAPIMatchesItsDocument() {
            #expect(Self.available, "CI must run the API contract check: \(Self.missing)")
            let status = Browser.run(
                ["python3", Browser.root.appendingPathComponent("scripts/api_check.py").path, "--spur", Browser.spur], output: Pipe())
            #expect(status == 0, "scripts/api_check.py failed; its output is above")
        }
    }
}
