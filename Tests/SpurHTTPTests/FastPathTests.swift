import Foundation
import HTTPTypes
import HummingbirdTesting
import SpurCore
import Testing

@testable import SpurHTTP

/// The event-loop fast path for pixels and redirects, seen from a socket.
@Suite struct FastPathTests {
    @Test func pipelinedRequestsAreAnsweredInOrderWhicheverPathTakesThem() async throws {
        let open = clickToken(kind: .open)
        let click = clickToken()
        let beacon = #"{"url":"https://s.example/pipelined"}"#
        let events = try await withCollector(via: .server) { client in
            // The beacon's answer waits for a group commit: generous on a machine busy with other tests.
            let connection = try RawConnection(port: client.port!, receiveTimeout: 20)
            // A slow-path request first: the fast path must not overtake its answer.
            connection.send(
                "POST /e HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: \(beacon.utf8.count)\r\n\r\n\(beacon)"
                    + "GET /o/\(open).gif HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /c/\(click) HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "HEAD /o/\(open).gif HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /o/\(open).gif HTTP/1.1\r\nHost: t\r\n\r\n")
            let text = await connection.receive { statusCodes($0).count >= 6 && $0.hasSuffix(";") }
            #expect(statusCodes(text) == [202, 200, 200, 302, 200, 200])
            #expect(text.contains("Location: https://shop.example/paint"))
            // The HEAD answer has the pixel's length but no body; the GIF after it is intact.
            #expect(text.components(separatedBy: "GIF89a").count == 3)
        }
        #expect(events.count == 4)
        #expect(events.filter { $0.type == .open }.count == 2)
        #expect(events.filter { $0.type == .click }.count == 1)
        #expect(events.filter { $0.type == .pageview && $0.url == "https://s.example/pipelined" }.count == 1)
    }

    @Test func theHeadTimeoutClosesIdleConnectionsAfterFastAnswers() async throws {
        let open = clickToken(kind: .open)
        try await withCollector(via: .server, { $0.headTimeout = .seconds(1) }) { client in
            let connection = try RawConnection(port: client.port!, receiveTimeout: 20)
            connection.send("GET /o/\(open).gif HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(statusCodes(await connection.receive { $0.contains("GIF89a") }) == [200])
            let start = ContinuousClock.now
            #expect(await connection.isClosedByPeer())
            // Closed after the configured 1 s, not the default 30 s; the margin is for a machine
            // busy with the other tests.
            #expect(ContinuousClock.now - start < .seconds(15))
        }
    }

    /// A head trickling in byte by byte goes to NIO's parser after 16 reads, with the deadline it
    /// had: the hand-off gives a slow client no fresh head timeout.
    @Test func aTrickledHeadKeepsItsDeadlineAcrossTheHandOff() async throws {
        try await withCollector(via: .server, { $0.headTimeout = .seconds(4) }) { client in
            let connection = try RawConnection(port: client.port!, receiveTimeout: 20)
            let start = ContinuousClock.now
            connection.send("GET /healthz HTTP/1.1\r\nHost: t\r\n")
            for _ in 0..<17 {
                try await Task.sleep(for: .milliseconds(200))
                connection.send("X")
            }
            #expect(await connection.isClosedByPeer())
            // 4 s after connecting; a fresh timeout at the hand-off (about 3.4 s) would be 7.4 s.
            #expect(ContinuousClock.now - start < .milliseconds(6500))
        }
    }

    /// Two Host headers: servers and proxies disagree on which counts; 400 on both paths.
    @Test func aSecondHostHeaderIsRefused() async throws {
        let open = clickToken(kind: .open)
        let events = try await withCollector(via: .server) { client in
            for target in ["/o/\(open).gif", "/healthz"] {
                let connection = try RawConnection(port: client.port!, receiveTimeout: 20)
                connection.send("GET \(target) HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n")
                #expect(statusCodes(await connection.receive { statusCodes($0).count >= 1 }) == [400], "\(target)")
            }
        }
        #expect(events.isEmpty)
    }

    /// HTTP/1.1 requires a Host; HTTP/1.0 may omit it.
    @Test func anHTTP11RequestWithoutHostIsRefused() async throws {
        let open = clickToken(kind: .open)
        let events = try await withCollector(via: .server) { client in
            for target in ["/o/\(open).gif", "/healthz"] {
                let connection = try RawConnection(port: client.port!, receiveTimeout: 20)
                connection.send("GET \(target) HTTP/1.1\r\n\r\n")
                #expect(statusCodes(await connection.receive { statusCodes($0).count >= 1 }) == [400], "\(target)")
                let old = try RawConnection(port: client.port!, receiveTimeout: 20)
                old.send("GET \(target) HTTP/1.0\r\n\r\n")
                #expect(statusCodes(await old.receive { statusCodes($0).count >= 1 }) == [200], "\(target)")
            }
        }
        #expect(events.count == 1)  // the HTTP/1.0 open
    }

    /// A broken chunked body is the client's mistake (400), not too much data (413).
    @Test func aMalformedChunkedBodyIs400() async throws {
        let events = try await withCollector(via: .server) { client in
            let connection = try RawConnection(port: client.port!, receiveTimeout: 20)
            connection.send(
                "POST /e HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"url\r\nZZ\r\nxx\r\n0\r\n\r\n")
            let text = await connection.receive { statusCodes($0).count >= 1 }
            #expect(statusCodes(text) == [400], "\(text.prefix(200))")
        }
        #expect(events.isEmpty)
    }

    @Test func connectionCloseIsHonoured() async throws {
        let click = clickToken()
        try await withCollector(via: .server) { client in
            let connection = try RawConnection(port: client.port!)
            connection.send("GET /c/\(click) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let text = await connection.receive { _ in false }
            #expect(statusCodes(text) == [302])
        }
    }

    /// 414, 431 and 400 hold on a socket too: the scanner hands such requests to the router (or
    /// NIO's parser), also after fast answers on the same connection, and records nothing for them.
    @Test func limitsHoldOnTheRawPath() async throws {
        let open = clickToken(kind: .open)
        let events = try await withCollector(
            via: .server,
            {
                $0.maxURIBytes = 200; $0.maxHeaderBytes = 1000
            }
        ) { client in
            let pixel = "GET /o/\(open).gif HTTP/1.1\r\nHost: t\r\n\r\n"
            let longTarget = "GET /o/\(open).gif?pad=\(String(repeating: "a", count: 300)) HTTP/1.1\r\nHost: t\r\n\r\n"
            let bigHeader = "GET /o/\(open).gif HTTP/1.1\r\nHost: t\r\nUser-Agent: \(String(repeating: "b", count: 2000))\r\n\r\n"
            let manyHeaders = "GET /o/\(open).gif HTTP/1.1\r\nHost: t\r\n" + (0..<250).map { "X-\($0): v\r\n" }.joined() + "\r\n"
            for (request, expected) in [(longTarget, 414), (bigHeader, 431), (manyHeaders, 400)] {
                let connection = try RawConnection(port: client.port!, receiveTimeout: 20)
                // A fast answer first, then the refused request on the same connection.
                connection.send(pixel + request)
                let text = await connection.receive { statusCodes($0).count >= 2 }
                #expect(statusCodes(text) == [200, expected], "\(expected): \(text.prefix(300))")
            }
            // Just under the limits the pixel is answered (and recorded) the fast way.
            let underTarget = "GET /o/\(open).gif?pad=\(String(repeating: "a", count: 190 - open.utf8.count - 12)) HTTP/1.1\r\nHost: t\r\n\r\n"
            let connection = try RawConnection(port: client.port!, receiveTimeout: 20)
            connection.send(underTarget)
            #expect(statusCodes(await connection.receive { statusCodes($0).count >= 1 }) == [200])
        }
        #expect(events.count == 4)  // the three pixels before the refusals, and the last one
    }

    @Test func routesAreReadFromTheTarget() {
        func route(_ target: String) -> String? {
            switch Tracker.Route(target: Substring(target)) {
            case .open(let file): "open \(file)"
            case .click(let token): "click \(token)"
            case .pageview: "pixel"
            case nil: nil
            }
        }
        #expect(route("/o/abc.gif") == "open abc.gif")
        #expect(route("/o/abc.gif?l=1/2") == "open abc.gif")
        #expect(route("/c/tok.sig") == "click tok.sig")
        #expect(route("/c/tök") == "click tök")
        #expect(route("/p.gif") == "pixel")
        #expect(route("/p.gif?url=https://s.example/") == "pixel")
        for other in ["/o/", "/o", "/c/a/b", "/x/abc", "/oo/abc", "/p.gifx", "/", "", "o/abc", "/O/abc"] {
            #expect(route(other) == nil, "\(other)")
        }
    }

    @Test func fastAnswersAreCountedInMetrics() async throws {
        let open = clickToken(kind: .open)
        try await withCollector(via: .server) { client in
            for _ in 0..<3 { try await client.execute(uri: "/o/\(open).gif", method: .get) { #expect($0.status == .ok) } }
            try await client.execute(uri: "/c/bogus", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.text.contains(#"spur_http_requests_total{route="open",status="200"} 3"#))
                #expect(r.text.contains(#"spur_http_requests_total{route="click",status="400"} 1"#))
                #expect(r.text.contains(#"spur_hits_not_recorded_total{reason="invalid_token"} 1"#))
            }
        }
    }
}
