import Foundation
import HummingbirdTesting
import NIOCore
import NIOEmbedded
import SpurCore
import Testing

@testable import SpurHTTP

/// Issue 17, attack 1: idle connections must not lock normal clients out. The full check —
/// 2,000 idle connections under a 1,024-handle limit, a normal client answered within 100 ms —
/// is the "connections" section of scripts/reliability.sh (run by ReliabilityTests).
@Suite struct ConnectionTests {
    @Test func atTheCapTheLongestIdleMakesRoomAndBusyOnesAreKept() throws {
        let registry = ConnectionRegistry(cap: 2, metrics: CollectorMetrics())
        let a = EmbeddedChannel(), b = EmbeddedChannel(), c = EmbeddedChannel()
        try a.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try b.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(registry.admit(a) && registry.admit(b))
        registry.setBusy(a, true)
        registry.setBusy(b, true)
        // Everyone busy: refused at once.
        #expect(!registry.admit(c) && registry.count == 2)
        // b answered its request: it is idle now, and the one to go.
        registry.setBusy(b, false)
        #expect(registry.admit(c) && registry.count == 2)
        #expect(!b.isActive && a.isActive)
        registry.remove(a)
        #expect(registry.count == 1)
    }

    @Test func manyIdleConnectionsDoNotLockAClientOut() async throws {
        try await withCollector(via: .server, { $0.maxConnections = 16 }) { client in
            let idle = try (0..<40).map { _ in try RawConnection(port: client.port!, receiveTimeout: 30) }
            let start = ContinuousClock.now
            let connection = try RawConnection(port: client.port!, receiveTimeout: 30)
            connection.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(statusCodes(await connection.receive { statusCodes($0).count >= 1 }) == [200])
            // Answered, not refused or left waiting; the margin is for a machine busy with the
            // other tests (reliability.sh's "connections" section measures the latency).
            #expect(ContinuousClock.now - start < .seconds(20))
            // The longest idle ones were closed to make room.
            var closed = 0
            for c in idle.prefix(10) where await c.isClosedByPeer() { closed += 1 }
            #expect(closed > 0)
        }
    }

    @Test func http10WithoutKeepAliveIsClosedAfterItsResponse() async throws {
        let open = clickToken(kind: .open)
        try await withCollector(via: .server) { client in
            for target in ["/o/\(open).gif", "/healthz"] {
                let connection = try RawConnection(port: client.port!, receiveTimeout: 20)
                connection.send("GET \(target) HTTP/1.0\r\nHost: t\r\n\r\n")
                #expect(statusCodes(await connection.receive { statusCodes($0).count >= 1 }) == [200], "\(target)")
                let start = ContinuousClock.now
                #expect(await connection.isClosedByPeer())
                // Closed after the response, not after the head timeout (60 s in these tests).
                #expect(ContinuousClock.now - start < .seconds(30), "\(target)")
            }
        }
        #expect(ConnectionGuardHandler.closingHTTP10(ByteBuffer(string: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")) == nil)
        #expect(ConnectionGuardHandler.closingHTTP10(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n")) == nil)
        #expect(
            ConnectionGuardHandler.closingHTTP10(ByteBuffer(string: "GET / HTTP/1.0\r\nHost: t\r\n\r\n")).map { String(buffer: $0) }
                == "GET / HTTP/1.0\r\nConnection: close\r\nHost: t\r\n\r\n")
    }
}
