import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpurCore
import Testing

@testable import SpurHTTP

@Suite struct BeaconRouteTests {
    func post(_ client: some TestClientProtocol, _ body: String, type: String? = "text/plain;charset=UTF-8", headers: HTTPFields = [:])
        async throws -> (HTTPResponse.Status, String, [String])
    {
        var h = headers
        if let type { h[.contentType] = type }
        return try await client.execute(uri: "/e", method: .post, headers: h, body: ByteBuffer(string: body)) { r in
            (r.status, r.text, r.cookies())
        }
    }

    @Test func acceptsOneEventOrAnArrayAfterTheyAreDurable() async throws {
        let events = try await withCollector { client in
            let one = try await post(client, #"{"url":"https://shop.example/p/1","title":"Brush","referrer":"https://g.example/"}"#)
            #expect(one.0 == .accepted && one.2.count == 1)
            let many = try await post(
                client,
                #"[{"type":"download","url":"https://shop.example/w.pdf"},{"type":"custom","name":"store_locator","url":"https://shop.example/stores","props":{"zip":"10115","n":3,"ok":true}}]"#,
                type: "application/json")
            #expect(many.0 == .accepted)
        }
        #expect(events.map(\.type) == [.pageview, .download, .custom])
        #expect(events[0].title == "Brush" && events[0].referrer == "https://g.example/" && events[0].visitor?.count == 32)
        #expect(events[2].name == "store_locator" && events[2].props["zip"] == "10115" && events[2].props["n"] == "3")
    }

    @Test func aCustomEventsNameDoesNotOverwriteItsNameProperty() async throws {
        let events = try await withCollector { client in
            let r = try await post(client, #"{"type":"custom","name":"signup","url":"https://shop.example/","props":{"name":"Anna"}}"#)
            #expect(r.0 == .accepted)
        }
        #expect(events.count == 1 && events[0].name == "signup" && events[0].props == ["name": "Anna"])
        #expect(Event(jsonLine: events[0].jsonLine) == events[0])
    }

    @Test func badInputGets400NamingTheProblem() async throws {
        let cases: [(String, String)] = [
            (#"{"url":"#, "Malformed JSON"),
            ("", "empty"),
            ("42", "Expected a JSON object"),
            ("[]", "no events"),
            (#"{"title":"x"}"#, "'url' is required"),
            (#"{"url":5}"#, "'url' must be a string"),
            (#"{"url":"https://x.example","type":"click"}"#, "'type' must be one of"),
            (#"{"url":"https://x.example","lead":"someone"}"#, "'lead' cannot be set by a browser"),
            (#"{"url":"https://x.example","type":"custom"}"#, "needs a 'name'"),
            (#"{"url":"https://x.example","props":{"a":{"b":1}}}"#, "props.a must be"),
            (#"[{"url":"https://x.example"},7]"#, "event 1: expected a JSON object"),
            ("[" + Array(repeating: #"{"url":"https://x.example"}"#, count: 101).joined(separator: ",") + "]", "Too many events"),
        ]
        let events = try await withCollector { client in
            for (body, message) in cases {
                let (status, text, _) = try await post(client, body)
                #expect(status == .badRequest, "\(body.prefix(30))")
                #expect(text.contains(message), "\(text)")
            }
            let (status, _, _) = try await post(client, #"{"url":"x"}"#, type: "application/x-www-form-urlencoded")
            #expect(status == .unsupportedMediaType)
        }
        #expect(events.isEmpty)
    }

    @Test func oversizedBodiesGet413() async throws {
        try await withCollector({ $0.maxBodyBytes = 1024 }) { client in
            let big = #"{"url":"https://x.example","title":""# + String(repeating: "a", count: 2000) + #""}"#
            let (status, _, _) = try await post(client, big)
            #expect(status == .contentTooLarge)
        }
    }

    @Test func aStoppedLogAnswers503() async throws {
        // Stopping the log inside the test: beacons can no longer be made durable.
        let dir = NSTemporaryDirectory() + "spur-503-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = CollectorConfiguration()
        c.dataDirectory = dir
        let log = try EventLog(configuration: c.eventLogConfiguration, logger: quietLogger)
        let running = Task { try await log.run() }
        log.stop()
        try await running.value
        let router = CollectorApplication.buildRouter(configuration: c, keyring: testKeyring, eventLog: log, metrics: CollectorMetrics())
        try await Application(router: router).test(.router) { client in
            let (status, text, _) = try await post(client, #"{"url":"https://x.example"}"#)
            #expect(status == .serviceUnavailable && text.contains("retry"))
            try await client.execute(uri: "/readyz", method: .get) { r in #expect(r.status == .serviceUnavailable) }
            // Pixels and redirects still answer normally.
            try await client.execute(uri: "/o/\(clickToken(kind: .open)).gif", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/c/\(clickToken())", method: .get) { r in #expect(r.status == .found) }
        }
    }
}
