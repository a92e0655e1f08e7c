import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import ServiceLifecycleTestKit
import SpurCore
import Testing

@testable import SpurHTTP

@Suite struct GracefulShutdownTests {
    @Test func shutdownDrainsInFlightRequestsWritesEverythingAndSeals() async throws {
        let dir = NSTemporaryDirectory() + "spur-shutdown-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = CollectorConfiguration()
        c.dataDirectory = dir
        c.node = "t1"
        c.port = 0
        // A long interval, longer than the test waits for its requests to arrive (60 s at most,
        // on a machine loaded by the other tests), so at shutdown everything is still queued;
        // the beacons wait for that commit, so the clients wait longer than the interval.
        c.commitInterval = .seconds(90)
        let metrics = CollectorMetrics()
        let log = try EventLog(configuration: c.eventLogConfiguration, observer: metrics, logger: quietLogger)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = CollectorApplication.build(
            configuration: c, keyring: testKeyring, eventLog: log, metrics: metrics, logger: quietLogger,
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) })
        let click = clickToken()
        let accepted = try await testGracefulShutdown { trigger in
            let group = ServiceGroup(services: [app], logger: quietLogger)
            async let serving: Void = group.run()
            var portIterator = ports.makeAsyncIterator()
            let port = await portIterator.next()!
            var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 100
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            let answered = try await withThrowingTaskGroup(of: (Int, UInt).self) { tasks in
                for i in 0..<40 {
                    tasks.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/e")
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "text/plain")
                        request.body = .bytes(ByteBuffer(string: #"{"url":"https://s.example/b/\#(i)"}"#))
                        do {
                            return (i, try await client.execute(request, timeout: .seconds(120)).status.code)
                        } catch {
                            return (i, 0)
                        }
                    }
                    tasks.addTask {
                        do {
                            let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/c/\(click)?n=\(i)")
                            return (-1, try await client.execute(request, timeout: .seconds(120)).status.code)
                        } catch {
                            return (-1, 0)
                        }
                    }
                }
                // Shut down once every request has reached the server and the beacons wait for
                // their commit (the interval is long, so nothing has been committed yet).
                for _ in 0..<6000 where log.status.queuedEvents < 80 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(log.status.queuedEvents == 80)
                trigger.triggerGracefulShutdown()
                var results: [(Int, UInt)] = []
                for try await r in tasks { results.append(r) }
                return results
            }
            try await client.shutdown()
            try await serving
            return answered
        }
        let beacons = accepted.filter { $0.0 >= 0 && $0.1 == 202 }
        #expect(beacons.count == 40, "\(accepted.map(\.1))")
        let redirected = accepted.filter { $0.0 < 0 && $0.1 == 302 }.count
        #expect(redirected == 40)
        let entries = try SegmentDirectory.list(c.segmentDirectory)
        #expect(entries.allSatisfy { $0.state == .sealed })
        var urls = Set<String>()
        var clicks = 0
        for entry in entries {
            let scan = try SegmentScanner.scan(path: entry.path) { _, payload in
                for line in payload.split(separator: 0x0A) {
                    let e = Event(jsonLine: line)!
                    if e.type == .click { clicks += 1 } else if let url = e.url { urls.insert(url) }
                }
            }
            #expect(scan.isClean)
        }
        #expect(urls == Set(beacons.map { "https://s.example/b/\($0.0)" }))
        #expect(clicks == redirected)
    }
}
