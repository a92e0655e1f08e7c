import Foundation
import SpurCore

/// The outbox as its deliverers use it: `spur deliver`, the attempt at the end of
/// `spur aggregate`, and `spur webhooks`. Opens the database read-write; not thread-safe.
public final class Outbox {
    let store: AggregateStore

    /// Throws `AggregateError.noDatabase` when nothing was aggregated yet.
    public init(database path: String) throws {
        store = try AggregateStore(path: path, migrating: false)
    }

    init(store: AggregateStore) { self.store = store }

    /// Pending deliveries of `endpoint` due at `now`, oldest first.
    public func due(endpoint: String, now: Int64, limit: Int = 100) throws -> [Delivery] {
        try store.pendingDeliveries(endpoint: endpoint, dueAt: now, limit: limit)
    }

    /// Records one attempt. A failed delivery is due again at `nextAt`, or given up when `dead`.
    public func record(_ id: String, delivered: Bool, error: String? = nil, nextAt: Int64 = 0, dead: Bool = false, now: Int64) throws {
        try store.recordAttempt(id: id, delivered: delivered, error: error, nextAt: nextAt, dead: dead, now: now)
    }

    /// Puts given-up deliveries back in the queue: one by id, or every dead one (nil). Returns how many.
    public func retry(_ id: String?, now: Int64) throws -> Int {
        let n = try store.retryDeliveries(id: id, now: now)
        if let id, n == 0 { throw AggregateError.noDelivery(id) }
        return n
    }

    public func list(state: Delivery.State? = nil, limit: Int = 100) throws -> [Delivery] { try store.deliveries(state: state, limit: limit) }

    public func delivery(_ id: String) throws -> Delivery? { try store.delivery(id: id) }

    public func counts() throws -> OutboxCounts { try store.outboxCounts() }

    /// What delivering the hand-offs did.
    public struct HandoffResult: Sendable {
        public var delivered = 0
        public var waiting = 0
        public var error: String?
    }

    /// Delivers every pending hand-off to the file (appended, made durable) and/or the command
    /// (JSON Lines on stdin; a non-zero exit is a failed delivery). They leave the queue only
    /// when both destinations took them; without a destination they wait.
    public func deliverHandoffs(file: String?, command: String?, now: Int64) throws -> HandoffResult {
        let pending = try store.pendingDeliveries(endpoint: Delivery.handoffEndpoint, dueAt: nil, limit: Int(Int32.max))
        var result = HandoffResult()
        guard !pending.isEmpty else { return result }
        guard file != nil || command != nil else {
            result.waiting = pending.count
            return result
        }
        let lines = pending.map { $0.body + "\n" }.joined()
        do {
            if let file { try HandoffDelivery.append(lines, to: file) }
            if let command { try HandoffDelivery.run(command, input: lines) }
            try store.transaction {
                for d in pending { try store.recordAttempt(id: d.id, delivered: true, error: nil, nextAt: now, dead: false, now: now) }
            }
            result.delivered = pending.count
        } catch {
            try store.transaction {
                for d in pending { try store.recordAttempt(id: d.id, delivered: false, error: "\(error)", nextAt: now, dead: false, now: now) }
            }
            result.waiting = pending.count
            result.error = "\(error)"
        }
        return result
    }
}
