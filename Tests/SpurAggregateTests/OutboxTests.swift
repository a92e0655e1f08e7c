import Foundation
import SpurCore
import Testing

@testable import SpurAggregate

@Suite struct OutboxTests {
    static let yaml = """
        retry_for: 2h
        endpoints:
          - name: crm
            url: https://crm.example/hooks
            secret: 0123456789abcdef-secret
            events: [stage.mql, stage.sql, stage.none, score.crossed]
            score_threshold: 30
          - name: painters
            url: http://127.0.0.1:9/hook
            secret: 0123456789abcdef-other
            events: [stage.mql]
            filter: { letter: [A, B], interest: malbedarf }
        """

    @Test func theWebhooksFileIsReadAndBadOnesAreExplained() throws {
        let c = try WebhookConfiguration(yaml: Self.yaml)
        #expect(c.endpoints.map(\.name) == ["crm", "painters"] && c.retryForMillis == 7_200_000)
        #expect(c.endpoints[0].scoreThreshold == 30 && c.endpoints[1].letters == [.a, .b] && c.endpoints[1].interests == ["malbedarf"])
        let bad: [(String, String)] = [
            ("endpoints: [{name: x, url: ftp://a, secret: 0123456789abcdef, events: [stage.mql]}]", "http:// or https://"),
            ("endpoints: [{name: x, url: https://a, secret: short, events: [stage.mql]}]", "at least 16 characters"),
            ("endpoints: [{name: x, url: https://a, secret: 0123456789abcdef, events: [stage.hot]}]", "unknown event 'stage.hot'"),
            ("endpoints: [{name: x, url: https://a, secret: 0123456789abcdef, events: [score.crossed]}]", "needs a score_threshold"),
            ("endpoints: [{name: handoff, url: https://a, secret: 0123456789abcdef, events: [stage.mql]}]", "not 'handoff'"),
            ("endpoints: [{name: x, url: https://a, secret: 0123456789abcdef, events: [stage.mql], filter: {letter: E}}]", "'E' is not A"),
            ("retry_for: soon\nendpoints: []", "retry_for must be a duration"),
            ("endpoint: []", "unknown key 'endpoint'"),
        ]
        for (text, message) in bad {
            #expect(throws: AggregateError.self, "\(text)") { try WebhookConfiguration(yaml: text) }
            do { _ = try WebhookConfiguration(yaml: text) } catch { #expect("\(error)".contains(message), "\(error)") }
        }
        // The secret never appears in an error.
        do { _ = try WebhookConfiguration(yaml: "endpoints: [{name: x, url: https://a, secret: s3cr3t, events: []}]") } catch {
            #expect(!"\(error)".contains("s3cr3t"))
        }
    }

    @Test func changesBecomeDeliveriesForTheEndpointsThatWantThem() throws {
        let c = try WebhookConfiguration(yaml: Self.yaml)
        let queue = ChangeQueue(webhooks: c, handoffStage: .sql, asOf: "2026-11-08T23:59:59Z", now: 1000)
        var p = LeadProfile(
            lead: "anna@example.org", asOf: "2026-11-08T23:59:59Z", score: 53, implicit: 43, explicit: 10, lifetime: 53, grade: .one,
            letter: .c, label: "C1", stage: .mql, stageSince: "2026-11-08T10:00:00Z", interests: [.init(category: "malbedarf", weight: 1)],
            counts: [:], firstSeen: "", lastSeen: "", visitors: [], campaignsOpened: [], campaignsClicked: [], attributes: [:], explain: [])
        // none → mql, 20 → 53: crm hears both; painters' filter wants letter A or B.
        let first = queue.deliveries(p, json: "{}", was: Standing(stage: .none, score: 20))
        #expect(first.map { "\($0.endpoint) \($0.event)" } == ["crm stage.mql", "crm score.crossed"])
        let body = try JSONSerialization.jsonObject(with: Data(first[0].body.utf8)) as? [String: Any]
        #expect(body?["id"] as? String == first[0].id && body?["event"] as? String == "stage.mql")
        #expect(
            (body?["lead"] as? [String: Any])?["label"] as? String == "C1" && (body?["previous"] as? [String: Any])?["stage"] as? String == "none")
        // The same change again (a rerun) has the same id; a new one another.
        #expect(queue.deliveries(p, json: "{}", was: Standing(stage: .none, score: 20))[0].id == first[0].id)
        p.letter = .b
        #expect(queue.deliveries(p, json: "{}", was: Standing(stage: .none, score: 40)).map(\.endpoint) == ["crm", "painters"])
        // No change, no delivery; crossing downwards is not a crossing.
        #expect(queue.deliveries(p, json: "{}", was: Standing(stage: .mql, score: 60)).isEmpty)
        // Reaching the hand-off stage queues the hand-off too, with the profile as its body.
        p.stage = .sql
        let sql = queue.deliveries(p, json: #"{"lead":"anna@example.org"}"#, was: Standing(stage: .mql, score: 60))
        #expect(sql.map { "\($0.endpoint) \($0.event)" } == ["handoff handoff", "crm stage.sql"] && sql[0].body == #"{"lead":"anna@example.org"}"#)
        p.stage = .none
        #expect(queue.deliveries(p, json: "{}", was: Standing(stage: .mql, score: 60)).map(\.event) == ["stage.none"])
    }

    @Test func deadDeliveriesCanBeRetriedAndTheVersion3QueueIsMigrated() async throws {
        let dir = DataDir()
        var rules = try ScoringRules.defaults()
        rules.handoffStage = .mql
        try await dir.write(referenceEvents())
        _ = try dir.aggregate(asOf: endOf(day: 7), rules: rules)
        let outbox = try Outbox(database: dir.db)
        let handoff = try #require(try outbox.list().first)
        #expect(handoff.endpoint == "handoff" && handoff.state == .pending && handoff.body.contains(#""lead":"lead-1""#))
        try outbox.record(handoff.id, delivered: false, error: "HTTP 500", nextAt: 5, dead: true, now: 5)
        #expect(try outbox.counts() == OutboxCounts(handoffsDead: 1))
        #expect(try outbox.retry(nil, now: 6) == 1 && outbox.delivery(handoff.id)?.state == .pending)
        #expect(throws: AggregateError.noDelivery("d_nope")) { try outbox.retry("d_nope", now: 7) }

        // A version-3 database: its hand-off queue becomes the outbox's.
        try FoldTests().runSQL(
            dir.db,
            """
            \(FoldTests.version6(referenceEvents()))
            DROP TABLE deliveries; UPDATE meta SET value = '3' WHERE key = 'schema';
            CREATE TABLE handoff_outbox(lead TEXT NOT NULL, stage TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY(lead, stage, at));
            INSERT INTO handoff_outbox VALUES('lead-1', 'mql', '2026-11-08T10:00:00Z', '{"lead":"lead-1"}');
            """)
        _ = try dir.aggregate(asOf: endOf(day: 7), rules: rules)
        let migrated = try Outbox(database: dir.db).list()
        #expect(migrated.map(\.endpoint) == ["handoff"] && migrated[0].body == #"{"lead":"lead-1"}"# && migrated[0].id.hasPrefix("m_"))
    }
}
