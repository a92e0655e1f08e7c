import Foundation
import SpurCore
import Testing

@testable import SpurAggregate

@Suite struct AudienceTests {
    static let yaml = """
        audiences:
          - name: mql-malbedarf
            description: MQLs interested in painting supplies
            when:
              all:
                - stage: [mql, sql]
                - interest: malbedarf
          - name: opened-no-click
            when: { opened_not_clicked: { campaign: nl-47, days: 3 } }
          - name: inactive-90d
            when: { inactive_days: 90 }
          - name: not-c
            when: { not: { letter: C } }
        """

    func run(_ dir: DataDir, day: Int) throws -> Aggregator.Summary {
        var options = Aggregator.Options(
            dataDirectories: [dir.path], database: dir.db, rules: try ScoringRules.defaults(), asOfMillis: endOf(day: day))
        options.audiences = try Audiences(yaml: Self.yaml)
        return try Aggregator(options: options, logger: quietLogger).run()
    }

    func members(_ dir: DataDir, _ audience: String) throws -> [String] { try dir.reader().audienceMembers(audience).map(\.lead) }

    @Test func theReferenceLeadEntersTheMQLAudienceOfItsInterest() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents())
        let summary = try run(dir, day: 7)
        #expect(try members(dir, "mql-malbedarf") == ["lead-1"])
        #expect(try members(dir, "not-c").isEmpty)  // the reference lead is C1
        #expect(summary.audienceEntered >= 1 && summary.description.contains("audiences:"))
        // A second run as of the same time changes nothing.
        #expect(try run(dir, day: 7).audienceEntered == 0)
    }

    @Test func openedButNotClickedEntersOnceAndLeavesWithTheClick() async throws {
        let dir = DataDir()
        try await dir.write([ev(.open, day: 1, lead: "l", campaign: "nl-47")])
        _ = try run(dir, day: 2)
        #expect(try members(dir, "opened-no-click").isEmpty)  // three days have not passed
        _ = try run(dir, day: 4)
        #expect(try members(dir, "opened-no-click") == ["l"])
        _ = try run(dir, day: 5)
        let history = try dir.reader().audienceHistory("opened-no-click")
        #expect(history.filter(\.entered).count == 1)  // entered exactly once
        try await dir.write([ev(.click, day: 6, lead: "l", campaign: "nl-47", url: "https://shop.example/x")])
        _ = try run(dir, day: 6)
        #expect(try members(dir, "opened-no-click").isEmpty)
        #expect(try dir.reader().audienceHistory("opened-no-click").first?.entered == false)
    }

    @Test func inactiveForNinetyDaysAtTheRightDates() async throws {
        let dir = DataDir()
        try await dir.write([ev(.open, day: 1, lead: "l", campaign: "c")])
        _ = try run(dir, day: 90)
        #expect(try members(dir, "inactive-90d").isEmpty)
        _ = try run(dir, day: 92)
        #expect(try members(dir, "inactive-90d") == ["l"])
        // Active again: out.
        try await dir.write([ev(.click, day: 93, lead: "l", campaign: "c", url: "https://shop.example/y")])
        _ = try run(dir, day: 93)
        #expect(try members(dir, "inactive-90d").isEmpty)
    }

    @Test func theDocumentedExamplesAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let a = try Audiences.load(path: root.appendingPathComponent("docs/audiences.example.yaml").path)
        #expect(a.audiences.count == 6 && a.audiences.allSatisfy { !$0.description.isEmpty })
    }

    @Test func aMalformedFileNamesThePath() {
        let cases: [(String, String)] = [
            ("audiences: [{name: a, when: {stage: hot}}]", "audiences[0].when.stage: 'hot' is not none, mql or sql"),
            ("audiences: [{name: a, when: {all: [{grade: 1}, {interst: x}]}}]", "audiences[0].when.all[1]: 'interst' is not a condition"),
            ("audiences: [{name: a, when: {score: {min: -1}}}]", "audiences[0].when.score.min: expected a number"),
            ("audiences: [{name: a}]", "audiences[0].when: missing"),
            ("audiences: [{name: a, when: {inactive_days: 9}}, {name: a, when: {inactive_days: 9}}]", "audiences[1].name: 'a' is used twice"),
            ("audience: []", "expected 'audiences:'"),
        ]
        for (yaml, message) in cases {
            do {
                _ = try Audiences(yaml: yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test func enteringAndLeavingAreQueuedForTheEndpointsThatWantThem() async throws {
        let dir = DataDir()
        try await dir.write([ev(.open, day: 1, lead: "l", campaign: "nl-47")])
        var options = Aggregator.Options(dataDirectories: [dir.path], database: dir.db, rules: try ScoringRules.defaults(), asOfMillis: endOf(day: 4))
        options.audiences = try Audiences(yaml: Self.yaml)
        options.webhooks = try WebhookConfiguration(
            yaml: """
                endpoints:
                  - { name: mailtool, url: "https://mail.example/hook", secret: 0123456789abcdef-xyz, events: [audience.entered, audience.left], audiences: [opened-no-click] }
                """)
        _ = try Aggregator(options: options, logger: quietLogger).run()
        let queued = try Outbox(database: dir.db).list().filter { $0.endpoint == "mailtool" }
        #expect(queued.map(\.event) == ["audience.entered"])
        #expect(queued.first?.body.contains(#""audience":"opened-no-click""#) == true)
    }
}
