import Foundation
import NIOPosix
import SpurAggregate

/// Read-only connections to the aggregator's database, reused across requests. A reader is not
/// thread-safe, so each request takes one from the pool and gives it back. The database is
/// opened in WAL mode by the aggregator: reading never blocks its writes, and a reader sees
/// the last committed run. Queries run on NIO's thread pool, off the event loops.
final class ReaderPool: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var idle: [AggregateReader] = []
    private let maxIdle = 8

    init(path: String) { self.path = path }

    func read<T: Sendable>(_ body: @escaping @Sendable (AggregateReader) throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive {
            let reader = try self.take()
            let result = try body(reader)
            self.giveBack(reader)
            return result
        }
    }

    private func take() throws -> AggregateReader {
        if let r = lock.withLock({ idle.popLast() }) { return r }
        return try AggregateReader(database: path)
    }

    private func giveBack(_ reader: AggregateReader) {
        lock.withLock { if idle.count < maxIdle { idle.append(reader) } }
    }
}
