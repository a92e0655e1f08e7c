import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpurAggregate
import SpurCore
import Testing

@testable import SpurConsole

@Suite struct APIRouteTests {
    struct Reply {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var text: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    }

    func withAPI(
        _ events: [Event] = ConsoleFixture.events(), _ change: @escaping (inout ConsoleConfiguration) -> Void = { _ in },
        _ body:
            @escaping @Sendable (_ get: @escaping @Sendable (String, HTTPFields) async throws -> Reply, _ key: String, ConsoleFixture) async throws ->
            Void
    ) async throws {
        let fixture = try await blocking {
            let fixture = try ConsoleFixture()
            try fixture.write(events)
            try fixture.aggregate()
            return fixture
        }
        let key = try fixture.key(.read, name: "test-read")
        try await fixture.app(change).test(.router) { client in
            try await body(
                { uri, headers in
                    try await client.execute(uri: uri, method: .get, headers: headers) {
                        Reply(status: $0.status, headers: $0.headers, text: String(buffer: $0.body))
                    }
                }, key, fixture)
        }
    }

    @Test func everyEndpointAnswersWithAReadKey() async throws {
        try await withAPI { get, key, _ in
            let auth: HTTPFields = [.authorization: "Bearer \(key)"]
            let leads = try await get("/api/v1/leads?limit=2", auth)
            #expect(leads.status == .ok && leads.headers[.contentType] == "application/json")
            let rows = leads.json["leads"] as? [[String: Any]] ?? []
            #expect(rows.count == 2 && rows[0]["lead"] as? String == "anna@example.org" && rows[0]["label"] as? String == "C1")
            #expect(leads.json["next_cursor"] is String)

            let anna = try await get("/api/v1/leads/anna%40example.org", auth)
            #expect(anna.status == .ok && anna.json["score"] as? Double == 53 && anna.json["stage"] as? String == "mql")
            #expect((anna.json["explain"] as? [Any])?.isEmpty == false)
            #expect((anna.json["first_touch"] as? [String: Any])?["source"] as? String == "google")

            let events = try await get("/api/v1/leads/anna%40example.org/events?limit=3", auth)
            #expect((events.json["events"] as? [[String: Any]])?.map { $0["id"] as? String ?? "" } == ["fx-1", "fx-15", "fx-2"])
            let next = try #require(events.json["next_cursor"] as? String)
            let rest = try await get("/api/v1/leads/anna%40example.org/events?cursor=\(next)", auth)
            #expect(
                (rest.json["events"] as? [[String: Any]])?.map { $0["id"] as? String ?? "" } == [
                    "fx-3", "fx-4", "fx-5", "fx-6", "fx-7", "fx-8", "fx-9",
                ])
            #expect(rest.json["next_cursor"] is NSNull)

            let history = try await get("/api/v1/leads/anna%40example.org/score-history", auth)
            let points = history.json["points"] as? [[String: Any]] ?? []
            #expect(points.count == 7 && points.last?["score"] as? Double == 53)

            let consent = try await get("/api/v1/leads/anna%40example.org/consent", auth)
            let records = consent.json["records"] as? [[String: Any]] ?? []
            #expect(records.count == 1 && records[0]["granted"] as? Bool == true && records[0]["banner"] as? String == "cookiebot-v12")
            #expect(records[0]["source"] as? String == "site" && records[0]["visitor"] as? String == "v-1")

            let pages = try await get("/api/v1/pages?days=7&limit=2", auth)
            let pageRows = pages.json["pages"] as? [[String: Any]] ?? []
            #expect(pages.json["days"] as? Int == 7 && pageRows.count == 2, "\(pages.text)")
            #expect(pageRows.contains { $0["page"] as? String == "https://shop.example/malbedarf" && $0["anonymous"] as? Int == 1 })
            #expect(
                (try await get("/api/v1/campaigns/nl-47", auth).json["report"] as? [String: Any]).flatMap { $0["site"] as? [String: Any] }?[
                    "anonymous"] as? Int == 1)

            let campaigns = try await get("/api/v1/campaigns", auth)
            #expect((campaigns.json["campaigns"] as? [[String: Any]])?.contains { $0["campaign"] as? String == "nl-47" } == true)
            let campaign = try await get("/api/v1/campaigns/nl-47", auth)
            #expect((campaign.json["report"] as? [String: Any])?["campaign"] as? String == "nl-47")
            #expect((campaign.json["days"] as? [[String: Any]])?.first?["day"] as? String == "2026-11-03")

            let health = try await get("/api/v1/health", auth)
            #expect(health.status == .ok && (health.json["last_run"] as? [String: Any])?["leads"] as? Int == 3)
            #expect(health.json["segments_waiting"] as? Int == 0)

            let doc = try await get("/api/v1/openapi.json", [:])
            #expect(doc.status == .ok && doc.json["openapi"] as? String == "3.1.0")
        }
    }

    @Test func keysAreCheckedAndProblemsNameTheProblem() async throws {
        try await withAPI { get, key, fixture in
            let none = try await get("/api/v1/leads", [:])
            #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate] == "Bearer")
            #expect(none.headers[.contentType] == "application/problem+json")
            #expect(none.json["type"] as? String == "urn:spur:problem:unauthorized" && none.json["status"] as? Int == 401)
            #expect(try await get("/api/v1/leads", [.authorization: "Bearer \(key)x"]).status == .unauthorized)
            // A session cookie is no way in either.
            #expect(try await get("/api/v1/leads", [.cookie: "spur_console_session=x"]).status == .unauthorized)
            let identify = try fixture.key(.identify)
            let wrong = try await get("/api/v1/leads", [.authorization: "Bearer \(identify)"])
            #expect(wrong.status == .forbidden && wrong.json["type"] as? String == "urn:spur:problem:forbidden")

            let auth: HTTPFields = [.authorization: "Bearer \(key)"]
            for (uri, type, word) in [
                ("/api/v1/leads?stage=hot", "invalid-parameter", "'stage'"), ("/api/v1/leads?limit=0", "invalid-parameter", "'limit'"),
                ("/api/v1/leads?limit=1001", "invalid-parameter", "'limit'"), ("/api/v1/leads?min_score=abc", "invalid-parameter", "'min_score'"),
                ("/api/v1/leads?updated_since=yesterday", "invalid-parameter", "'updated_since'"),
                ("/api/v1/leads?cursor=AAAA", "invalid-cursor", "cursor"), ("/api/v1/leads/nobody%40example.org", "not-found", "nobody@example.org"),
                ("/api/v1/leads/nobody/events", "not-found", "nobody"), ("/api/v1/campaigns/nl-0", "not-found", "nl-0"),
                ("/api/v1/leads/nobody/consent", "not-found", "nobody"), ("/api/v1/pages?days=0", "invalid-parameter", "'days'"),
                ("/api/v1/nothing", "not-found", "openapi.json"), ("/api/v1/leads/anna%40example.org/events?cursor=%%", "invalid-cursor", "cursor"),
            ] {
                let r = try await get(uri, auth)
                #expect(r.json["type"] as? String == "urn:spur:problem:" + type, "\(uri): \(r.text)")
                #expect((r.json["detail"] as? String)?.contains(word) == true, "\(uri): \(r.text)")
                #expect(r.headers[.contentType] == "application/problem+json", "\(uri)")
            }
        }
    }

    @Test func theAPIOnlyReads() async throws {
        let fixture = try await blocking { try ConsoleFixture() }
        let key = try fixture.key(.read)
        try await fixture.app().test(.router) { client in
            for method in [HTTPRequest.Method.post, .delete, .put, HTTPRequest.Method(rawValue: "QUERY")!] {
                for uri in ["/api/v1/leads", "/api/v1/leads/anna%40example.org/events"] {
                    try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(key)"]) { r in
                        #expect(r.status == .methodNotAllowed && r.headers[.allow] == "GET", "\(method) \(uri)")
                        #expect(r.headers[.contentType] == "application/problem+json")
                    }
                }
            }
            // Without data yet the API says what to do.
            try await client.execute(uri: "/api/v1/leads", method: .get, headers: [.authorization: "Bearer \(key)"]) { r in
                #expect(r.status == .serviceUnavailable && String(buffer: r.body).contains("spur aggregate"))
            }
        }
    }

    @Test func audiencesAndTheirMembersPageByPage() async throws {
        let fixture = try await blocking {
            let fixture = try ConsoleFixture()
            try fixture.write(ConsoleFixture.events())
            try fixture.aggregate(
                audiences: try Audiences(yaml: "audiences: [{name: nl-47-openers, when: {opened: nl-47}}, {name: nobody, when: {stage: sql}}]"))
            return fixture
        }
        let key = try fixture.key(.read)
        try await fixture.app().test(.router) { client in
            func get(_ uri: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(key)"]) {
                    ($0.status, (try? JSONSerialization.jsonObject(with: Data(String(buffer: $0.body).utf8))) as? [String: Any] ?? [:])
                }
            }
            let (status, list) = try await get("/api/v1/audiences")
            #expect(status == .ok)
            #expect((list["audiences"] as? [[String: Any]])?.map { "\($0["name"]!) \($0["members"]!)" } == ["nl-47-openers 2"])
            var leads: [String] = []
            var cursor: String?
            repeat {
                let (s, page) = try await get("/api/v1/audiences/nl-47-openers/members?limit=1" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(s == .ok)
                leads += (page["members"] as? [[String: Any]] ?? []).compactMap { $0["lead"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil && leads.count < 10
            #expect(leads == ["anna@example.org", "mallory@example.org"])
            #expect(try await get("/api/v1/audiences/nobody/members").0 == .notFound)
            #expect(try await get("/api/v1/audiences/nl-47-openers/members?cursor=%%").0 == .badRequest)
        }
    }

    @Test func aMatchingETagIsA304() async throws {
        try await withAPI { get, key, _ in
            for uri in [
                "/api/v1/leads/anna%40example.org", "/api/v1/campaigns/nl-47", "/api/v1/leads/anna%40example.org/score-history", "/api/v1/leads",
            ] {
                let first = try await get(uri, [.authorization: "Bearer \(key)"])
                let tag = try #require(first.headers[.eTag])
                let again = try await get(uri, [.authorization: "Bearer \(key)", .ifNoneMatch: tag])
                #expect(again.status == .notModified && again.text.isEmpty && again.headers[.eTag] == tag, "\(uri)")
                #expect(try await get(uri, [.authorization: "Bearer \(key)", .ifNoneMatch: "\"other\""]).status == .ok)
            }
        }
    }

    @Test func eachKeyIsRateLimited() async throws {
        // One a minute: the second request is refused even on a machine that pauses the test for many seconds.
        try await withAPI(ConsoleFixture.events(), { $0.apiRequestsPerMinute = 1 }) { get, key, fixture in
            #expect(try await get("/api/v1/health", [.authorization: "Bearer \(key)"]).status == .ok)
            let limited = try await get("/api/v1/health", [.authorization: "Bearer \(key)"])
            #expect(limited.status == .tooManyRequests && limited.json["type"] as? String == "urn:spur:problem:rate-limited")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            // Another key has its own allowance.
            #expect(try await get("/api/v1/health", [.authorization: "Bearer \(try fixture.key(.read))"]).status == .ok)
        }
    }

    @Test func pagingThroughTenThousandLeadsReturnsEachOnce() async throws {
        let events = (0..<10_000).map { i in
            Event(
                id: "p-\(i)", ts: at(day: 1 + i % 6, minute: i % 600), type: .open, campaign: "nl-\(i % 7)", lead: "lead-\(i)@example.org", node: "p")
        }
        try await withAPI(events) { get, key, _ in
            for sort in ["score", "lead", "last_seen", "updated"] {
                var seen = Set<String>(), pages = 0, cursor: String?
                repeat {
                    let uri = "/api/v1/leads?limit=1000&sort=\(sort)" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try await get(uri, [.authorization: "Bearer \(key)"])
                    #expect(page.status == .ok)
                    for row in page.json["leads"] as? [[String: Any]] ?? [] {
                        #expect(seen.insert(row["lead"] as? String ?? "").inserted, "\(sort): a lead came twice")
                    }
                    cursor = page.json["next_cursor"] as? String
                    pages += 1
                } while cursor != nil && pages < 20
                #expect(seen.count == 10_000, "\(sort)")
            }
        }
    }

    /// The OpenAPI document lists exactly the routes the controller registers, and
    /// docs/openapi.json is the document the console serves.
    @Test func theDocumentMatchesTheRoutes() throws {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        #expect(Set(paths.keys) == Set(APIRoutes.paths))
        #expect(paths.values.allSatisfy { Set($0.keys) == ["get"] })
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/openapi.json"), encoding: .utf8)
        #expect(committed == OpenAPIDocument.json + "\n")
    }
}
