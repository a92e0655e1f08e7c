import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SpurAggregate
import SpurCore

@testable import SpurConsole

let quietLogger: Logger = {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}()

/// 2026-11-02T10:00:00Z plus `day - 1` days and `minute` minutes.
func at(day: Int, minute: Int = 0) -> Int64 { 1_793_613_600_000 + Int64(day - 1) * 86_400_000 + Int64(minute) * 60_000 }

/// Text an attacker can put into any field that comes through the collector.
let xss = #"<script>alert(1)</script>"><img src=x onerror=alert(2)>"#

/// A data directory with segments, an aggregated database and two console users:
/// `admin` (admin) and `vera` (viewer), both with the password `password`.
final class ConsoleFixture: @unchecked Sendable {
    let path: String
    var db: String { path + "/spur.sqlite" }
    static let password = "correct-horse-battery"

    init() throws {
        path = NSTemporaryDirectory() + "spur-console-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/segments", withIntermediateDirectories: true)
        try Self.sharedUsers.forEach { try $0.write(toFile: path + "/console-users", atomically: true, encoding: .utf8) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Hashing with bcrypt takes a while: the users file is made once for all tests.
    static let sharedUsers: [String] = {
        let dir = NSTemporaryDirectory() + "spur-console-users-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // bcrypt's lowest useful cost: the tests sign in often, next to other tests.
        let store = UserStore(path: dir + "/users", cost: 4)
        try? store.add("admin", role: .admin, password: password)
        try? store.add("vera", role: .viewer, password: password)
        let text = (try? String(contentsOfFile: store.path, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: dir)
        return [text]
    }()

    /// The reference lead of docs/scoring.md (53 points, grade 1, MQL), a lead whose events
    /// carry attack payloads in every collector field, and a third lead.
    static func events() -> [Event] {
        func ev(
            _ i: Int, _ type: EventType, day: Int, minute: Int = 0, lead: String? = nil, visitor: String? = nil, campaign: String? = nil,
            url: String? = nil, title: String? = nil, referrer: String? = nil, ua: String? = nil, props: [String: String] = [:]
        ) -> Event {
            Event(
                id: "fx-\(i)", ts: at(day: day, minute: minute), type: type, campaign: campaign, lead: lead, visitor: visitor, url: url,
                referrer: referrer, title: title, ua: ua, props: props, node: "fx")
        }
        let anna = "anna@example.org"
        return [
            ev(1, .form, day: 1, visitor: "v-1", url: "https://shop.example/newsletter", props: ["form": "newsletter"]),
            ev(2, .open, day: 2, lead: anna, campaign: "nl-47"),
            ev(3, .click, day: 2, minute: 1, lead: anna, visitor: "v-1", campaign: "nl-47", url: "https://shop.example/malbedarf/pinsel?utm=nl"),
            ev(4, .open, day: 2, minute: 30, lead: anna, campaign: "nl-47"),
            ev(5, .identify, day: 3, lead: anna, visitor: "v-1", props: ["birthday": "1980-05-01"]),
            ev(
                6, .pageview, day: 4, visitor: "v-1",
                url: "https://shop.example/produkte/farben/acryl?utm_source=google&utm_medium=cpc&utm_campaign=herbst"),
            ev(7, .pageview, day: 4, minute: 5, visitor: "v-1", url: "https://shop.example/produkte/farben/oel"),
            ev(8, .pageview, day: 6, visitor: "v-1", url: "https://shop.example/produkte/pinsel/rund"),
            ev(9, .pageview, day: 7, visitor: "v-1", url: "https://shop.example/filialen"),
            ev(10, .open, day: 3, lead: "mallory@example.org", campaign: "nl-47", ua: xss),
            ev(
                11, .click, day: 3, minute: 2, lead: "mallory@example.org", visitor: "v-m", campaign: "nl-47", url: "javascript:alert(3)",
                title: xss, ua: xss, props: ["x": xss]),
            ev(12, .click, day: 3, minute: 3, lead: "mallory@example.org", campaign: xss, url: "https://shop.example/" + xss, title: xss),
            ev(13, .pageview, day: 4, visitor: "v-m", url: "https://shop.example/produkte/" + xss, title: xss, referrer: "javascript:alert(4)"),
            ev(14, .click, day: 5, lead: "bob@example.org", campaign: "nl-47", url: "https://shop.example/garten/schlauch"),
            ev(15, .consent, day: 1, visitor: "v-1", url: "https://shop.example/", props: ["consent": "granted", "banner": "cookiebot-v12"]),
            ev(16, .consent, day: 3, visitor: "v-m", props: ["consent": "granted", "banner": xss]),
            Event(
                id: "fx-17", ts: at(day: 2, minute: 5), type: .pageview, url: "https://shop.example/malbedarf?utm_campaign=nl-47",
                flags: .anonymous, node: "fx"),
        ]
    }

    func write(_ events: [Event], node: String = "fx") throws {
        let writer = try SegmentBatchWriter(directory: path + "/segments", node: node, logger: quietLogger)
        var batch = EventBatch()
        for e in events { batch.append(e) }
        try writer.append(batch)
        try writer.finish()
    }

    @discardableResult
    func aggregate(
        asOf: Int64 = (at(day: 7) / 86_400_000 + 1) * 86_400_000 - 1, rebuild: Bool = false, audiences: Audiences? = nil
    ) throws -> Aggregator.Summary {
        var options = Aggregator.Options(dataDirectories: [path], database: db, rules: try ScoringRules.defaults(), asOfMillis: asOf)
        options.rebuild = rebuild
        options.audiences = audiences
        return try Aggregator(options: options, logger: quietLogger).run()
    }

    func configuration() throws -> ConsoleConfiguration {
        var c = ConsoleConfiguration(rules: try ScoringRules.defaults())
        c.dataDirectories = [path]
        c.database = db
        c.usersFile = path + "/console-users"
        c.apiKeyStore = path + "/api-keys"
        c.trackingHosts = ["t.shop.example"]
        return c
    }

    /// A new API key of `scope` in the fixture's key store.
    func key(_ scope: APIScope, name: String = UUID().uuidString) throws -> String {
        try APIKeyStore(path: path + "/api-keys").add(name, scope: scope)
    }

    func app(_ change: (inout ConsoleConfiguration) -> Void = { _ in }) throws -> some ApplicationProtocol {
        var c = try configuration()
        change(&c)
        let (router, _) = try ConsoleApplication.buildRouter(configuration: c, logger: quietLogger)
        return Application(router: router, logger: quietLogger)
    }
}

/// Runs blocking work (writing segments, aggregating, hashing) on a thread of its own: on the
/// few threads that run every test's async code it would stall the other tests.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// A browser's cookie jar for one test client.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var language = "en"

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var text: String
    }

    @discardableResult
    func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> Page {
        try await send(uri, method: .get, headers: extra, body: nil)
    }

    @discardableResult
    func post(_ uri: String, form: [(String, String)]) async throws -> Page {
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await send(uri, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
    }

    private func send(_ uri: String, method: HTTPRequest.Method, headers extra: HTTPFields, body: ByteBuffer?) async throws -> Page {
        var headers = extra
        if headers[.acceptLanguage] == nil { headers[.acceptLanguage] = language }
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body) { r in
            for line in r.headers[values: .setCookie] {
                let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
                if value.isEmpty || line.contains("Max-Age=0") || line.contains("Expires=Thu, 01 Jan 1970") {
                    self.cookies[name] = nil
                } else {
                    self.cookies[name] = value
                }
            }
            return Page(status: r.status, headers: r.headers, text: String(buffer: r.body))
        }
    }

    /// The value of the first hidden `csrf` field on a page.
    static func token(_ html: String) -> String? {
        guard let r = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    @discardableResult
    func signIn(_ user: String, password: String = ConsoleFixture.password) async throws -> Page {
        let form = try await get("/login")
        return try await post("/login", form: [("csrf", Self.token(form.text) ?? ""), ("user", user), ("password", password), ("next", "/")])
    }
}
