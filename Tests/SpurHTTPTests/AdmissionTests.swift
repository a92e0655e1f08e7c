import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SpurCore
import Testing

@testable import SpurHTTP

/// Issue 17, attack 2: one client must not fill the disk. Per-network rate limits for the site
/// endpoints, a per-node cap per hour, a free-disk watermark; pixels and redirects never break.
@Suite struct AdmissionTests {
    static let beacon = ByteBuffer(
        string: (#"[{"type":"pageview","url":"https://shop.example/a"}"#
            + String(repeating: #",{"type":"pageview","url":"https://shop.example/b"}"#, count: 9)) + "]")

    static func beacon(_ client: any TestClientProtocol, from network: String) async throws -> (HTTPResponse.Status, String?) {
        try await client.execute(
            uri: "/e", method: .post, headers: [.contentType: "text/plain", HTTPField.Name("X-Forwarded-For")!: network], body: beacon
        ) { ($0.status, $0.headers[.retryAfter]) }
    }

    @Test func aFloodFromOneNetworkStoresAtMostTheRateWhileOthersAreServed() async throws {
        let started = Date()
        let events = try await withCollector(
            via: .server,
            {
                $0.trustedProxies = [IPNetwork("127.0.0.0/8")!]
                $0.siteEventsPerSecond = 10
                $0.siteBurst = 100
            }
        ) { client in
            var statuses: [HTTPResponse.Status: Int] = [:]
            for i in 0..<100 {
                let (status, retry) = try await Self.beacon(client, from: "203.0.113.\(i % 250)")  // one /24, many hosts
                statuses[status, default: 0] += 1
                if status == .tooManyRequests { #expect(Int(retry ?? "") ?? 0 >= 1) }
            }
            #expect(statuses[.tooManyRequests, default: 0] >= 80, "\(statuses)")
            // Another network is not affected, and the flooding one still gets its pixel.
            for _ in 0..<5 { #expect(try await Self.beacon(client, from: "198.51.100.7").0 == .accepted) }
            try await client.execute(
                uri: "/p.gif?url=https://shop.example/c", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.9"]
            ) { r in #expect(r.status == .ok && r.headers[.contentType] == "image/gif") }
        }
        let seconds = Date().timeIntervalSince(started)
        let flooding = events.filter { $0.ip == "203.0.113.0" }.count
        // The burst plus the rate for the time the test ran, never the 1,000 events sent.
        #expect(flooding <= 100 + Int(10 * seconds) + 10, "\(flooding) in \(seconds) s")
        #expect(events.filter { $0.ip == "198.51.100.0" }.count == 50)
    }

    @Test func theHourlyCapAndTheDiskWatermarkNeverBreakPixelsOrRedirects() async throws {
        let events = try await withCollector(via: .server, { $0.maxEventsPerHour = 3 }) { client in
            for _ in 0..<6 {
                try await client.execute(uri: "/o/\(clickToken(kind: .open)).gif", method: .get) { r in #expect(r.status == .ok) }
                try await client.execute(uri: "/c/\(clickToken())", method: .get) { r in #expect(r.status == .found) }
            }
        }
        #expect(events.count == 3)
        let low = try await withCollector(via: .server, { $0.minFreeDiskBytes = .max }) { client in
            try await client.execute(uri: "/e", method: .post, headers: [.contentType: "text/plain"], body: Self.beacon) { r in
                #expect(r.status == .serviceUnavailable && r.headers[.retryAfter] == "60")
            }
            try await client.execute(uri: "/p.gif?url=https://shop.example/", method: .get) { r in #expect(r.status == .ok) }
            // E-mail opens and clicks are few and precious: they are still stored.
            try await client.execute(uri: "/c/\(clickToken())", method: .get) { r in #expect(r.status == .found) }
        }
        #expect(low.map(\.type) == [.click])
    }
}
