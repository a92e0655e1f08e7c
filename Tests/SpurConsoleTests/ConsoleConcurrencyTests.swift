import Foundation
import Hummingbird
import HummingbirdTesting
import SpurAggregate
import SpurCore
import Testing

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

    /// Runs `body` on a thread of its own and waits for it without holding a thread.
    static func onThread(_ body: @escaping @Sendable () throws -> Aggregator.Summary) async throws -> Aggregator.Summary {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    @Test(arguments: [false, true])
    func answersDuringARunAndShowsItsDataAfterwards(rebuild: Bool) async throws {
        let fixture = try ConsoleFixture()
        try fixture.write(ConsoleFixture.events())
        try fixture.aggregate()
        try fixture.write(Self.bulk(events: 40_000, leads: 5_000), node: "bulk")
        let app = try fixture.app()
        try await app.test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn("vera")
            #expect(!(try await browser.get("/leads?q=bulk-").text.contains("bulk-1")))
            let done = Flag()
            // The aggregator blocks its thread for the whole run, as `spur aggregate` does: it
            // gets a thread of its own, not one of the few that run the tests' async code.
            async let run = Self.onThread {
                defer { done.set() }
                return try fixture.aggregate(rebuild: rebuild)
            }
            var answered = 0
            while !done.isSet {
                let list = try await browser.get("/leads?stage=mql")
                #expect(list.status == .ok && list.text.contains("anna@example.org"))
                let lead = try await browser.get("/leads/anna%40example.org")
                #expect(lead.status == .ok && lead.text.contains(#"id="score">53<"#))
                if !done.isSet { answered += 1 }
            }
            let summary = try await run
            #expect(summary.leads == 5_003)
            // The console answered while the run was going on, not only before or after it.
            #expect(answered >= 1, "answered \(answered) times during the run")
            let after = try await browser.get("/leads?q=bulk-")
            #expect(after.status == .ok && after.text.contains("bulk-"))
            #expect(try await browser.get("/").text.contains(#"<p class="big">5003</p>"#))
            #expect(try await browser.get("/health").text.components(separatedBy: "<td class=\"status0\">").count - 1 == 2)
        }
    }
}
