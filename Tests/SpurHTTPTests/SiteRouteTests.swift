import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import SpurCore
import Testing

@testable import SpurHTTP

@Suite struct SiteRouteTests {
    @Test func scriptIsSmallCacheableAndRevalidatable() async throws {
        try await withCollector { client in
            let etag = try await client.execute(uri: "/s.js", method: .get) { r -> String in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/javascript; charset=utf-8")
                #expect(r.headers[.cacheControl] == "public, max-age=300")
                #expect(r.text.contains("sendBeacon") && r.text.contains("globalPrivacyControl") && r.text.contains("pushState"))
                return r.headers[.eTag] ?? ""
            }
            #expect(etag.hasPrefix("\""))
            try await client.execute(uri: "/s.js", method: .get, headers: [.ifNoneMatch: etag]) { r in
                #expect(r.status == .notModified && r.body.readableBytes == 0)
            }
        }
        // Target: under 2 KB gzipped.
        #expect(try gzipSize(SiteScript.source) < 2048)
    }

    @Test func beaconsGetCORSOnlyForConfiguredOrigins() async throws {
        try await withCollector({ $0.siteOrigins = ["https://shop.example"] }) { client in
            try await client.execute(uri: "/e", method: .options, headers: [.origin: "https://shop.example"]) { r in
                #expect(r.headers[.accessControlAllowOrigin] == "https://shop.example")
                #expect(r.headers[.accessControlAllowCredentials] == "true")
            }
            try await client.execute(uri: "/e", method: .options, headers: [.origin: "https://evil.example"]) { r in
                #expect(r.headers[.accessControlAllowOrigin] == nil)
            }
            let body = ByteBuffer(string: #"{"url":"https://shop.example/"}"#)
            try await client.execute(uri: "/e", method: .post, headers: [.origin: "https://shop.example", .contentType: "text/plain"], body: body) {
                r in
                #expect(r.status == .accepted && r.headers[.accessControlAllowOrigin] == "https://shop.example")
            }
            try await client.execute(uri: "/e", method: .post, headers: [.origin: "https://evil.example", .contentType: "text/plain"], body: body) {
                r in
                #expect(r.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func identifyNeedsAKeyAndRecordsTheLink() async throws {
        let key = "k-0123456789abcdef"
        let visitor = "0123456789abcdef0123456789abcdef"
        let events = try await withCollector({ $0.apiKeys = [key] }) { client in
            func post(_ json: String, auth: String? = "Bearer \(key)") async throws -> (HTTPResponse.Status, String) {
                var headers: HTTPFields = [.contentType: "application/json", .userAgent: "backend/1.0"]
                if let auth { headers[.authorization] = auth }
                return try await client.execute(uri: "/api/identify", method: .post, headers: headers, body: ByteBuffer(string: json)) {
                    ($0.status, $0.text)
                }
            }
            #expect(
                try await post(
                    #"{"lead":"lead-42","visitor":"\#(visitor)","attributes":{"birthday":"1980-05-01","company_size":"250-999","newsletter":true,"country":"de"}}"#
                ).0
                    == .noContent)
            #expect(try await post(#"{"lead":"lead-42"}"#, auth: nil).0 == .unauthorized)
            #expect(try await post(#"{"lead":"lead-42"}"#, auth: "Bearer wrong-key-0123456789").0 == .unauthorized)
            #expect(try await post(#"{"lead":"lead-42"}"#, auth: "Bearer \(key)x").0 == .unauthorized)
            let cases: [(String, String)] = [
                (#"{"visitor":"\#(visitor)"}"#, "'lead'"), (#"{"lead":"a@b.example"}"#, "e-mail"),
                (#"{"lead":"l","visitor":"nope"}"#, "'visitor'"), (#"{"lead":"l","attributes":{"password":"x"}}"#, "not accepted"),
                (#"{"lead":"l","extra":1}"#, "Unknown field"), ("{", "Malformed JSON"),
                (#"{"lead":"l","attributes":{"birthday":"05/01/1980"}}"#, "Attribute 'birthday' must be a date like 1980-05-01"),
                (#"{"lead":"l","attributes":{"birthday":"1980-02-30"}}"#, "'birthday'"),
                (#"{"lead":"l","attributes":{"company_size":50}}"#, "Attribute 'company_size' must be a string (one of 1-9, 10-49"),
                (#"{"lead":"l","attributes":{"company_size":"50"}}"#, "'company_size' must be one of"),
                (#"{"lead":"l","attributes":{"country":"Germany"}}"#, "'country'"),
                (#"{"lead":"l","attributes":{"newsletter":"maybe"}}"#, "'newsletter'"),
                (#"{"lead":"l","attributes":{"phone":"call me"}}"#, "'phone'"), (#"{"lead":"l","attributes":{"role":""}}"#, "'role'"),
                (#"{"lead":"l","attributes":{"budget":"lots"}}"#, "'budget' must be one of none, planned, approved"),
                (#"{"lead":"l","attributes":{"project":"maybe"}}"#, "'project'"),
            ]
            for (json, message) in cases {
                let (status, text) = try await post(json)
                #expect(status == .badRequest && text.contains(message), "\(json): \(text)")
            }
        }
        #expect(events.count == 1)
        #expect(events[0].type == .identify && events[0].lead == "lead-42" && events[0].visitor == visitor)
        #expect(events[0].props == ["birthday": "1980-05-01", "company_size": "250-999", "newsletter": "yes", "country": "DE"])
        #expect(events[0].ua == nil && events[0].ip == nil)
    }

    @Test func identifyAlwaysTakesTheTrackingConsent() async throws {
        let key = "k-0123456789abcdef"
        let events = try await withCollector({ c in
            c.apiKeys = [key]
            c.identifyAttributes = ["role"]
        }) { client in
            for (json, status) in [
                (#"{"lead":"lead-42","attributes":{"tracking":false}}"#, HTTPResponse.Status.noContent),
                (#"{"lead":"lead-42","attributes":{"tracking":"yes"}}"#, .noContent),
                (#"{"lead":"lead-42","attributes":{"tracking":"later"}}"#, .badRequest),
            ] {
                try await client.execute(
                    uri: "/api/identify", method: .post, headers: [.contentType: "application/json", .authorization: "Bearer \(key)"],
                    body: ByteBuffer(string: json)
                ) { r in #expect(r.status == status, "\(json): \(r.text)") }
            }
        }
        #expect(events.map(\.props) == [["tracking": "no"], ["tracking": "yes"]])
    }

    @Test func identifyTakesStoredKeysOfItsScopeOnly() async throws {
        let keys = NIOLockedValueBox<[APIScope: String]>([:])
        let events = try await withCollector({ c in
            try? FileManager.default.createDirectory(atPath: c.dataDirectory, withIntermediateDirectories: true)
            let store = APIKeyStore(path: APIKeyStore.defaultPath(dataDirectory: c.dataDirectory))
            for scope in APIScope.allCases { keys.withLockedValue { $0[scope] = try? store.add("k-\(scope)", scope: scope) } }
        }) { client in
            let k = keys.withLockedValue { $0 }
            func post(_ key: String?) async throws -> HTTPResponse.Status {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let key { headers[.authorization] = "Bearer \(key)" }
                return try await client.execute(uri: "/api/identify", method: .post, headers: headers, body: ByteBuffer(string: #"{"lead":"l-1"}"#)) {
                    $0.status
                }
            }
            let statuses = [try await post(k[.identify]), try await post(k[.read]), try await post("spur_" + String(repeating: "A", count: 43))]
            #expect(statuses == [.noContent, .forbidden, .unauthorized])
        }
        #expect(events.count == 1 && events[0].lead == "l-1")
    }

    @Test func identifyDoesNotExistWithoutKeys() async throws {
        try await withCollector { client in
            try await client.execute(uri: "/api/identify", method: .post, body: ByteBuffer(string: "{}")) { r in #expect(r.status == .notFound) }
        }
    }
}

func gzipSize(_ text: String) throws -> Int {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    p.arguments = ["-9c"]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return data.count
}
