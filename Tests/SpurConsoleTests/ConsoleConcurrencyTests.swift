import Foundation
import Hummingbird
import HummingbirdTesting
import SpurCore
import Testing

@testable import SpurAggregate
@testable import SpurConsole

/// The console reads the database the aggregator writes (WAL): it keeps answering during a run
/// — a normal one and a `--rebuild` — and shows the new data once the run has finished.
@Suite(.serialized) struct ConsoleConcurrencyTests {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    /// Many events for many new leads, so that the run takes a while.
    static func bulk(events: Int, leads: Int) -> [Event] {
        (0..<events).map { i in
            Event(
                id: "bulk-\(i)", ts: at(day: 1 + i % 7, minute: i % 600), type: i % 3 == 0 ? .click : .open, campaign: "nl-bulk",
                lead: "bulk-\(i % leads)", url: "https://shop.example/produkte/farben/\(i % 50)", node: "bulk")
        }
    }

    /// The aggregator holds one write transaction for its whole scoring pass: pages answer
    /// from the last committed state while it is open, and show the new state once it commits.
    @Test func pagesAnswerWhileTheAggregatorHoldsItsWriteTransaction() async throws {
        let fixture = try await blocking {
            let fixture = try ConsoleFixture()
            try fixture.write(ConsoleFixture.events())
            try fixture.aggregate()
            return fixture
        }
        let app = try fixture.app()
        try await app.test(.router) { client in
            let writer = try AggregateStore(path: fixture.db)
            defer { writer.close() }
            let browser = Browser(client)
            try await browser.signIn("vera")
            try writer.db.execute("BEGIN IMMEDIATE")
            try writer.db.execute("UPDATE profiles SET score = 99, json = json_set(json, '$.score', 99) WHERE lead = 'anna@example.org'")
            let during = try await browser.get("/leads/anna%40example.org")
            #expect(during.status == .ok && during.text.contains(#"id="score">53<"#))
            #expect(try await browser.get("/leads?stage=mql").text.contains("anna@example.org"))
            #expect(try await browser.get("/").status == .ok)
            try writer.db.execute("COMMIT")
            let after = try await browser.get("/leads/anna%40example.org")
            #expect(after.text.contains(#"id="score">99<"#))
        }
    }

    @Test(arguments: [false, true])
    func answersDuringARunAndShowsItsDataAfterwards(rebuild: Bool) async throws {
        let fixture = try await blocking {
            let fixture = try ConsoleFixture()
            try fixture.write(ConsoleFixture.events())
            try fixture.aggregate()
            try fixture.write(Self.bulk(events: 20_000, leads: 2_500), node: "bulk")
            return fixture
        }
        let app = try fixture.app()
        try await app.test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn("vera")
            #expect(!(try await browser.get("/leads?q=bulk-").text.contains("bulk-1")))
            let done = Flag()
            // The aggregator blocks its thread for the whole run, as `spur aggregate` does: it
            // gets a thread of its own, not one of the few that run the tests' async code.
            async let run = blocking {
                defer { done.set() }
                return try fixture.aggregate(rebuild: rebuild)
            }
            var answered = 0
            let started = ContinuousClock.now
            while !done.isSet {
                let list = try await browser.get("/leads?stage=mql")
                #expect(list.status == .ok && list.text.contains("anna@example.org"))
                let lead = try await browser.get("/leads/anna%40example.org")
                #expect(lead.status == .ok && lead.text.contains(#"id="score">53<"#))
                if !done.isSet { answered += 1 }
            }
            let summary = try await run
            let runTime = ContinuousClock.now - started
            #expect(summary.leads == 2_503)
            // The console answered while the run was going on (when the run was long enough for
            // a request on a machine busy with other tests; the next test holds the writer still).
            if runTime > .seconds(3) { #expect(answered >= 1, "answered \(answered) times during a run of \(runTime)") }
            let after = try await browser.get("/leads?q=bulk-")
            #expect(after.status == .ok && after.text.contains("bulk-"))
            #expect(try await browser.get("/").text.contains(#"<p class="big">2503</p>"#))
            #expect(try await browser.get("/health").text.components(separatedBy: "<td class=\"status0\">").count - 1 == 2)
        }
    }
}
