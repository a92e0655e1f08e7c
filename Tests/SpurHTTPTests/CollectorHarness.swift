import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SpurCore

@testable import SpurHTTP

let testKeyring = try! Keyring(parsing: "t1:0123456789abcdef0123456789abcdef")

let quietLogger: Logger = {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}()

func clickToken(url: String = "https://shop.example/paint", lead: String? = "lead-42", kind: LinkKind = .click) -> String {
    testKeyring.sign(LinkToken(kind: kind, campaign: "nl-11", lead: lead, url: kind == .open ? nil : url))
}

/// How requests reach the collector in a test.
enum CollectorPath: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Straight into the router (HummingbirdTesting's router mode).
    case router
    /// Over a socket to the real server, with the event-loop fast path for tracking routes.
    case server

    var description: String { rawValue }
}

/// Runs `body` against a collector on a temporary data directory, then stops the event log
/// and returns every event it wrote.
@discardableResult
func withCollector(
    via path: CollectorPath = .router,
    _ configure: (inout CollectorConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws -> [Event] {
    let dir = NSTemporaryDirectory() + "spur-http-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var c = CollectorConfiguration()
    c.dataDirectory = dir
    c.node = "t1"
    c.commitInterval = .milliseconds(10)
    c.port = 0
    // Keep-alive connections of the test clients stay open even when a busy machine pauses a test
    // for seconds (the product's 10 s head timeout is tested where a test sets it).
    c.headTimeout = .seconds(60)
    // The tracking tests check what a visitor with consent gets; ConsentTests set the modes themselves.
    c.consent = .notRequired
    configure(&c)
    let metrics = CollectorMetrics()
    let log = try EventLog(configuration: c.eventLogConfiguration, observer: metrics, logger: quietLogger)
    let running = Task { try await log.run() }
    do {
        switch path {
        case .router:
            let router = CollectorApplication.buildRouter(configuration: c, keyring: testKeyring, eventLog: log, metrics: metrics)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quietLogger)
            try await app.test(.router, body)
        case .server:
            let ingest = Ingestor(configuration: c, eventLog: log, keyring: testKeyring, metrics: metrics)
            try await CollectorApplication.application(configuration: c, ingest: ingest, logger: quietLogger).test(.live, body)
        }
    } catch {
        log.stop()
        _ = try? await running.value
        throw error
    }
    log.stop()
    try await running.value
    var events: [Event] = []
    for entry in try SegmentDirectory.list(c.segmentDirectory) {
        let scan = try SegmentScanner.scan(path: entry.path) { _, payload in
            for line in payload.split(separator: 0x0A) { events.append(Event(jsonLine: line)!) }
        }
        precondition(scan.isClean)
    }
    return events
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func cookies() -> [String] { headers[values: .setCookie] }
}
