import Foundation
import Testing

/// The aggregator's store owns every SQL statement (Sources/SpurAggregate/Store/); the rest of
/// the code, the CLI and the HTTP layers read typed values through it.
@Suite struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func noSQLOutsideTheStore() throws {
        let sql = try NSRegularExpression(
            pattern: #"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|VACUUM)\b [A-Za-z_*(]|\.db\b|sqlite3_"#)
        let sources = Self.root.appendingPathComponent("Sources").path
        let store = "SpurAggregate/Store/"
        var offenders: [String] = []
        let files = try #require(FileManager.default.enumerator(atPath: sources)).compactMap { $0 as? String }
        #expect(files.contains { $0.hasPrefix(store) }, "the store folder moved: update this test")
        for file in files where file.hasSuffix(".swift") && !file.hasPrefix(store) {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let s = String(line)
                if sql.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil { offenders.append("\(file):\(number + 1): \(s)") }
            }
        }
        #expect(offenders.isEmpty, "SQL outside Sources/SpurAggregate/Store/:\n\(offenders.joined(separator: "\n"))")
    }

    /// Comments and documents point only at documents that exist (docs/ is the contract).
    @Test func everyDocumentThatIsNamedExists() throws {
        let reference = try NSRegularExpression(pattern: #"(?<![\w/.-])((?:docs|scripts|deploy)/[\w./+@-]+\w)"#)
        var missing: [String] = []
        for folder in ["Sources", "Tests", "docs", "scripts", "deploy"] {
            let base = Self.root.appendingPathComponent(folder).path
            let files = try #require(FileManager.default.enumerator(atPath: base)).compactMap { $0 as? String }
            for file in files where [".swift", ".md", ".sh", ".py", ".service", ".conf"].contains(where: file.hasSuffix) {
                guard let text = try? String(contentsOfFile: base + "/" + file, encoding: .utf8) else { continue }
                for match in reference.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let named = String(text[Range(match.range(at: 1), in: text)!])
                    if !FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(named).path) {
                        missing.append("\(folder)/\(file) names \(named)")
                    }
                }
            }
        }
        #expect(missing.isEmpty, "\(missing.joined(separator: "\n"))")
        for contract in ["events", "http", "cli", "configuration", "segments", "scoring"] {
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("docs/\(contract).md").path))
        }
    }
}
