import Foundation
import Testing

@testable import SpurCore

final class CountingObserver: EventLogObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var _dropped = 0
    private var _failures = 0
    var dropped: Int { lock.withLock { _dropped } }
    var failures: Int { lock.withLock { _failures } }
    func committed(events: Int, bytes: Int, seconds: Double) {}
    func sealed(segment: SegmentName, bytes: Int) {}
    func dropped(events: Int, reason: DropReason) { lock.withLock { _dropped += events } }
    func writeFailed(_ error: SpurError) { lock.withLock { _failures += 1 } }
}

@Suite struct EventLogTests {
    func config(_ dir: String) -> EventLog.Configuration {
        var c = EventLog.Configuration(directory: dir, node: "n1")
        c.commitInterval = .milliseconds(10)
        return c
    }

    @Test func cancellingTheRunningTaskWritesSealsAndReturns() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog(configuration: config(dir), logger: quietLogger)
            let running = Task { try await log.run() }
            try await log.appendDurably(EventBatch(sampleEvent(1)))
            #expect(log.append(EventBatch(sampleEvent(2))))
            running.cancel()
            try await running.value  // returns instead of waiting for a stop() that never comes
            let entries = try SegmentDirectory.list(dir)
            #expect(entries.map(\.state) == [.sealed])
            #expect(try allEvents(in: dir).map(\.id) == ["e1", "e2"])
        }
    }

    @Test func groupCommitsEventsFromManyWriters() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog(configuration: config(dir), logger: quietLogger)
            let running = Task { try await log.run() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        if i % 2 == 0 {
                            try await log.appendDurably(EventBatch(sampleEvent(i)))
                        } else {
                            #expect(log.append(EventBatch(sampleEvent(i))))
                        }
                    }
                }
                try await group.waitForAll()
            }
            log.stop()
            try await running.value
            let events = try allEvents(in: dir)
            #expect(Set(events.map(\.id)).count == 200)
            // Far fewer frames than events: commits were grouped.
            let scan = try SegmentScanner.scan(path: SegmentDirectory.list(dir)[0].path)
            #expect(scan.blocks < 100)
        }
    }

    @Test func durableAppendReturnsOnlyAfterTheEventIsOnDisk() async throws {
        try await withTemporaryDirectory { dir in
            let log = try EventLog(configuration: config(dir), logger: quietLogger)
            let running = Task { try await log.run() }
            try await log.appendDurably(EventBatch(sampleEvent(7)))
            // Still unsealed, but already readable from the open file.
            #expect(try allEvents(in: dir).map(\.id) == ["e7"])
            log.stop()
            try await running.value
        }
    }

    @Test func diskFullKeepsPixelsQueuedRefusesDurableWritesAndResumes() async throws {
        try await withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let observer = CountingObserver()
            var c = config(dir)
            c.queueMaxBytes = 64 * 1024
            let log = try EventLog(configuration: c, fileSystem: fs, observer: observer, logger: quietLogger)
            let running = Task { try await log.run() }
            try await log.appendDurably(EventBatch(sampleEvent(0)))
            fs.writeError = ENOSPC
            #expect(log.append(EventBatch(sampleEvent(1))))
            try await Task.sleep(for: .milliseconds(100))
            #expect(!log.status.isReady)
            #expect(log.status.writeError?.contains("No space") == true)
            await #expect(throws: SpurError.self) { try await log.appendDurably(EventBatch(sampleEvent(2))) }
            // Beyond the bounded queue, pixel events are dropped and counted.
            var accepted = 0
            for i in 0..<2000 where log.append(EventBatch(sampleEvent(100 + i))) { accepted += 1 }
            #expect(observer.dropped == 2000 - accepted)
            #expect(observer.dropped > 0)
            fs.writeError = nil
            try await Task.sleep(for: .milliseconds(200))
            #expect(log.status.isReady)
            log.stop()
            try await running.value
            let ids = Set(try allEvents(in: dir).map(\.id))
            #expect(ids.contains("e0") && ids.contains("e1") && !ids.contains("e2"))
            #expect(ids.count == 2 + accepted)
            for entry in try SegmentDirectory.list(dir) { #expect(try SegmentScanner.scan(path: entry.path).isClean) }
        }
    }

    @Test func aFailedSyncStopsTheLogWithAnError() async throws {
        try await withTemporaryDirectory { dir in
            let fs = FaultyFileSystem()
            let log = try EventLog(configuration: config(dir), fileSystem: fs, logger: quietLogger)
            let running = Task { try await log.run() }
            try await log.appendDurably(EventBatch(sampleEvent(0)))
            fs.syncError = EIO
            await #expect(throws: (any Error).self) { try await log.appendDurably(EventBatch(sampleEvent(1))) }
            await #expect(throws: SpurError.self) { try await running.value }
            #expect(!log.append(EventBatch(sampleEvent(2))))
            // The next start recovers what was synced.
            let restarted = try EventLog(configuration: config(dir), logger: quietLogger)
            #expect(restarted.recoveryReports.count == 1)
            #expect(try allEvents(in: dir).map(\.id).contains("e0"))
        }
    }

    @Test func stopWritesEverythingQueuedBeforeSealing() async throws {
        try await withTemporaryDirectory { dir in
            var c = config(dir)
            c.commitInterval = .seconds(5)
            let log = try EventLog(configuration: c, logger: quietLogger)
            let running = Task { try await log.run() }
            try await Task.sleep(for: .milliseconds(20))
            for i in 0..<100 { log.append(EventBatch(sampleEvent(i))) }
            let waiting = Task { try await log.appendDurably(EventBatch(sampleEvent(100))) }
            try await Task.sleep(for: .milliseconds(20))
            log.stop()
            try await waiting.value
            try await running.value
            #expect(try allEvents(in: dir).count == 101)
            #expect(try SegmentDirectory.list(dir).map(\.state) == [.sealed])
        }
    }
}

@Suite struct NodeLockTests {
    @Test func aSecondLogForTheSameNodeIsRefusedUntilTheFirstHasStopped() async throws {
        try await withTemporaryDirectory { dir in
            var c = EventLog.Configuration(directory: dir, node: "n1")
            c.commitInterval = .milliseconds(5)
            let first = try EventLog(configuration: c, logger: quietLogger)
            let running = Task { try await first.run() }
            #expect(throws: SpurError.nodeInUse(node: "n1", lock: dir + "/.n1.lock")) {
                _ = try EventLog(configuration: c, logger: quietLogger)
            }
            // Another node in the same directory is fine.
            var other = c
            other.node = "n2"
            _ = try EventLog(configuration: other, logger: quietLogger)
            first.stop()
            try await running.value
            _ = try EventLog(configuration: c, logger: quietLogger)
            // The lock file is no segment.
            #expect(try SegmentDirectory.list(dir).allSatisfy { $0.name.node == "n1" || $0.name.node == "n2" })
        }
    }
}
