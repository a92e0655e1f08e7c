import Foundation
import Logging

/// The collector's write path: a bounded in-memory queue shared by all connections and one
/// commit thread that group-commits it into segments (one write + fdatasync per interval).
///
/// Pixels and redirects use `append` and never wait; beacon POSTs use `appendDurably`, which
/// returns only once their events are on disk.
public final class EventLog: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var directory: String
        public var node: String
        public var commitInterval: Duration = .milliseconds(200)
        public var flushBytes = 1 << 20
        public var segmentMaxBytes = 64 << 20
        public var segmentMaxAge: Duration = .seconds(300)
        public var queueMaxBytes = 64 << 20
        public var compressionLevel: Int32 = 1

        public init(directory: String, node: String) {
            self.directory = directory
            self.node = node
        }
    }

    public struct Status: Sendable {
        public var queuedEvents: Int
        public var queuedBytes: Int
        public var queueLimitBytes: Int
        /// The last write error, while writing is failing.
        public var writeError: String?
        public var running: Bool
        /// Ready for traffic: running, writable and the queue not nearly full.
        public var isReady: Bool { running && writeError == nil && queuedBytes < queueLimitBytes * 9 / 10 }
    }

    private struct Waiter {
        var batch: EventBatch
        var continuation: CheckedContinuation<Void, any Error>
    }

    public let configuration: Configuration
    private let writer: SegmentWriter
    private let observer: any EventLogObserver
    private let logger: Logger
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var loose = EventBatch()
    private var waiters: [Waiter] = []
    private var queuedBytes = 0
    private var queuedEvents = 0
    private var stopRequested = false
    private var running = false
    private var finished = false
    private var writeError: SpurError?

    /// Opens the log: creates the directory, recovers `.open` files this node left behind.
    public init(
        configuration: Configuration,
        fileSystem: any SegmentFileSystem = PosixFileSystem(),
        observer: any EventLogObserver = NoEventLogObserver(),
        logger: Logger
    ) throws {
        self.configuration = configuration
        self.observer = observer
        self.logger = logger
        try FileManager.default.createDirectory(atPath: configuration.directory, withIntermediateDirectories: true)
        // Before recovery: only the holder of the node's lock may seal its open segments.
        self.nodeLock = try NodeLock(directory: configuration.directory, node: configuration.node)
        self.recoveryReports = try SegmentRecovery.recover(
            directory: configuration.directory, node: configuration.node, fileSystem: fileSystem, logger: logger)
        self.writer = try SegmentWriter(
            configuration: .init(
                directory: configuration.directory, node: configuration.node, maxBytes: configuration.segmentMaxBytes,
                maxAgeNanos: UInt64(configuration.segmentMaxAge.nanoseconds),
                compressionLevel: configuration.compressionLevel),
            fileSystem: fileSystem, logger: logger, wallMillis: { SystemTime.nowMillis() })
    }

    /// What start-up recovery did.
    public let recoveryReports: [RecoveryReport]
    /// Held from opening until the commit loop has ended (`NodeLock`): then nothing of this
    /// log writes any more, and a restart in the same process may open the node again.
    private var nodeLock: NodeLock?

    /// Queues events without waiting. Returns false when they were dropped (and counted).
    @discardableResult
    public func append(_ batch: EventBatch) -> Bool {
        condition.lock()
        guard !finished, !stopRequested || running else {
            condition.unlock()
            observer.dropped(events: batch.count, reason: .stopped)
            return false
        }
        guard queuedBytes + batch.bytes.count <= configuration.queueMaxBytes else {
            condition.unlock()
            observer.dropped(events: batch.count, reason: .queueFull)
            return false
        }
        loose.append(contentsOf: batch)
        queuedBytes += batch.bytes.count
        queuedEvents += batch.count
        if queuedBytes >= configuration.flushBytes { condition.signal() }
        condition.unlock()
        return true
    }

    /// Queues events and returns once they are durable; throws `SpurError.eventLog` when they
    /// cannot be written now.
    public func appendDurably(_ batch: EventBatch) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            condition.lock()
            let failure: SpurError?
            if finished || stopRequested {
                failure = SpurError.eventLog(.stopped, "the event log is not running")
            } else if let writeError {
                failure = SpurError.eventLog(.unavailable, "events cannot be written: \(writeError)")
            } else if queuedBytes + batch.bytes.count > configuration.queueMaxBytes {
                failure = SpurError.eventLog(.queueFull, "the write queue is full")
            } else {
                failure = nil
                waiters.append(Waiter(batch: batch, continuation: continuation))
                queuedBytes += batch.bytes.count
                queuedEvents += batch.count
                if queuedBytes >= configuration.flushBytes { condition.signal() }
            }
            condition.unlock()
            if let failure { continuation.resume(throwing: failure) }
        }
    }

    public var status: Status {
        condition.lock()
        defer { condition.unlock() }
        return Status(
            queuedEvents: queuedEvents, queuedBytes: queuedBytes, queueLimitBytes: configuration.queueMaxBytes,
            writeError: writeError.map(\.description), running: running && !stopRequested)
    }

    /// Runs the commit loop until `stop()` or until the calling task is cancelled; then writes
    /// what is queued, seals and returns. Throws when a sync fails: data may then be lost, so the
    /// process must end and recover.
    public func run() async throws {
        markRunning()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread { [self] in
                    do {
                        try self.commitLoop()
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "spur-commit"
                thread.start()
            }
        } onCancel: {
            stop()
        }
    }

    private func markRunning() {
        condition.lock()
        precondition(!running && !finished, "EventLog.run() may be called once")
        running = true
        condition.unlock()
    }

    /// Asks the commit loop to drain the queue, seal and finish.
    public func stop() {
        condition.lock()
        stopRequested = true
        condition.signal()
        condition.unlock()
    }

    // MARK: - Commit loop (commit thread only)

    private func commitLoop() throws {
        defer {
            condition.lock()
            finished = true
            running = false
            nodeLock = nil
            let orphans = waiters
            waiters = []
            condition.unlock()
            for w in orphans {
                w.continuation.resume(throwing: SpurError.eventLog(.stopped, "the event log stopped"))
            }
        }
        let interval = Double(configuration.commitInterval.nanoseconds) / 1e9
        var shutdownRetries = 0
        while true {
            condition.lock()
            let deadline = Date(timeIntervalSinceNow: interval)
            while !stopRequested && queuedBytes < configuration.flushBytes && condition.wait(until: deadline) {}
            let stopping = stopRequested
            let batch = loose
            let group = waiters
            loose = EventBatch()
            waiters = []
            condition.unlock()

            let ok = try commit(batch, group)
            let now = SystemTime.monotonicNanos()
            if ok, writer.needsRotation(nowNanos: now) { try sealCurrent() }
            if stopping {
                condition.lock()
                let empty = loose.isEmpty && waiters.isEmpty
                condition.unlock()
                if empty || shutdownRetries >= 10 {
                    if !empty { dropRemaining() }
                    try sealCurrent()
                    return
                }
                if !ok {
                    shutdownRetries += 1
                    Thread.sleep(forTimeInterval: interval)
                }
            }
        }
    }

    /// Writes and syncs one group. Returns false when the disk refused (the loose events are
    /// requeued, the waiters are told); throws when a sync failed.
    private func commit(_ batch: EventBatch, _ group: [Waiter]) throws -> Bool {
        if batch.isEmpty && group.isEmpty { return true }
        var blocks: [SegmentWriter.PendingBlock] = []
        var current = EventBatch()
        for part in [batch] + group.map(\.batch) where !part.isEmpty {
            if !current.isEmpty && current.bytes.count + part.bytes.count > configuration.flushBytes {
                blocks.append(.init(payload: current.bytes, count: current.count, minMillis: current.minMillis, maxMillis: current.maxMillis))
                current = EventBatch()
            }
            current.append(contentsOf: part)
        }
        if !current.isEmpty {
            blocks.append(.init(payload: current.bytes, count: current.count, minMillis: current.minMillis, maxMillis: current.maxMillis))
        }
        let events = batch.count + group.reduce(0) { $0 + $1.batch.count }
        let bytes = batch.bytes.count + group.reduce(0) { $0 + $1.batch.bytes.count }
        let started = SystemTime.monotonicNanos()
        do {
            try writer.write(blocks, nowNanos: started)
        } catch {
            writeFailed(error, requeue: batch, group: group)
            return false
        }
        do {
            try writer.sync()
        } catch {
            // After a failed fdatasync the kernel may have dropped the dirty pages: nothing
            // written since the last good sync can be trusted. Stop; recovery runs at next start.
            logger.critical("fdatasync failed; stopping so that recovery can run", metadata: ["error": "\(error)"])
            for w in group { w.continuation.resume(throwing: SpurError.eventLog(.unavailable, "\(error)")) }
            throw error
        }
        let seconds = Double(SystemTime.monotonicNanos() - started) / 1e9
        condition.lock()
        queuedBytes -= bytes
        queuedEvents -= events
        let recovered = writeError != nil
        writeError = nil
        condition.unlock()
        if recovered { logger.notice("Writing events works again") }
        for w in group { w.continuation.resume() }
        observer.committed(events: events, bytes: bytes, seconds: seconds)
        return true
    }

    private func writeFailed(_ error: SpurError, requeue batch: EventBatch, group: [Waiter]) {
        observer.writeFailed(error)
        condition.lock()
        let first = writeError == nil
        writeError = error
        // Waiters get an error now (their client may retry); pixel events wait for the disk.
        var requeued = batch
        requeued.append(contentsOf: loose)
        loose = requeued
        let groupBytes = group.reduce(0) { $0 + $1.batch.bytes.count }
        queuedBytes -= groupBytes
        queuedEvents -= group.reduce(0) { $0 + $1.batch.count }
        condition.unlock()
        if first {
            logger.error("Cannot write events; queueing them until writing works again", metadata: ["error": "\(error)"])
        }
        for w in group {
            w.continuation.resume(throwing: SpurError.eventLog(.unavailable, "events cannot be written: \(error)"))
        }
    }

    private func sealCurrent() throws {
        do {
            if let sealed = try writer.seal() { observer.sealed(segment: sealed.name, bytes: sealed.bytes) }
        } catch  where error.isNoSpace {
            writeFailed(error, requeue: EventBatch(), group: [])
        }
    }

    private func dropRemaining() {
        condition.lock()
        let events = queuedEvents
        let group = waiters
        loose = EventBatch()
        waiters = []
        queuedBytes = 0
        queuedEvents = 0
        condition.unlock()
        logger.error("Dropping events that could not be written before shutdown", metadata: ["events": "\(events)"])
        observer.dropped(events: events, reason: .unwritableAtShutdown)
        for w in group { w.continuation.resume(throwing: SpurError.eventLog(.stopped, "shutting down")) }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}
