import Foundation

/// The outbox (`deliveries`): hand-offs and webhook messages, queued in the scoring transaction
/// and marked by whoever delivers them (`Outbox`).
extension AggregateStore {
    func createOutbox() throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS deliveries(
                id TEXT PRIMARY KEY, endpoint TEXT NOT NULL, event TEXT NOT NULL, lead TEXT NOT NULL, created_at INTEGER NOT NULL,
                body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_error TEXT,
                state TEXT NOT NULL DEFAULT 'pending', done_at INTEGER);
            CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, endpoint, next_at);
            CREATE INDEX IF NOT EXISTS deliveries_lead ON deliveries(lead);
            """)
    }

    /// Version 3's hand-off queue, moved into the outbox (ids from what identified a row then).
    static let handoffsIntoOutbox = """
        CREATE TABLE IF NOT EXISTS handoff_outbox(
            lead TEXT NOT NULL, stage TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY(lead, stage, at));
        INSERT OR IGNORE INTO deliveries(id, endpoint, event, lead, created_at, body, next_at)
            SELECT 'm_' || lower(hex(lead || '|' || stage || '|' || at)), 'handoff', 'handoff', lead,
                CAST(strftime('%s', 'now') AS INTEGER) * 1000, payload, 0 FROM handoff_outbox;
        """

    private static let deliveryColumns = "id, endpoint, event, lead, created_at, body, attempts, next_at, last_error, state, done_at"

    private static func delivery(_ r: Statement.Row) -> Delivery {
        var d = Delivery(id: r.string(0)!, endpoint: r.string(1)!, event: r.string(2)!, lead: r.string(3)!, createdAt: r.int(4), body: r.string(5)!)
        d.attempts = Int(r.int(6))
        d.nextAt = r.int(7)
        d.lastError = r.string(8)
        d.state = Delivery.State(rawValue: r.string(9) ?? "") ?? .pending
        d.doneAt = r.string(10) == nil ? nil : r.int(10)
        return d
    }

    func enqueue(_ d: Delivery) throws {
        try db.prepare("INSERT OR IGNORE INTO deliveries(id, endpoint, event, lead, created_at, body, next_at) VALUES(?,?,?,?,?,?,?)")
            .run(d.id, d.endpoint, d.event, d.lead, d.createdAt, d.body, d.nextAt)
    }

    /// Pending deliveries of `endpoint` due at `now` (all pending ones when `now` is nil), oldest first.
    func pendingDeliveries(endpoint: String, dueAt now: Int64?, limit: Int) throws -> [Delivery] {
        var out: [Delivery] = []
        try db.prepare(
            """
            SELECT \(Self.deliveryColumns) FROM deliveries WHERE state = 'pending' AND endpoint = ? AND next_at <= ?
            ORDER BY created_at, id LIMIT ?
            """
        ).query(endpoint, now ?? Int64.max, Int64(limit)) { out.append(Self.delivery($0)) }
        return out
    }

    func deliveries(state: Delivery.State?, limit: Int) throws -> [Delivery] {
        var out: [Delivery] = []
        try db.prepare(
            """
            SELECT \(Self.deliveryColumns) FROM deliveries WHERE ?1 IS NULL OR state = ?1 ORDER BY created_at DESC, id LIMIT ?2
            """
        ).query(state?.rawValue, Int64(limit)) { out.append(Self.delivery($0)) }
        return out
    }

    func delivery(id: String) throws -> Delivery? {
        var out: Delivery?
        try db.prepare("SELECT \(Self.deliveryColumns) FROM deliveries WHERE id = ?").query(id) { out = Self.delivery($0) }
        return out
    }

    /// Records an attempt: delivered, or failed with the next attempt's time or given up (`dead`).
    func recordAttempt(id: String, delivered: Bool, error: String?, nextAt: Int64, dead: Bool, now: Int64) throws {
        let state: Delivery.State = delivered ? .delivered : dead ? .dead : .pending
        try db.prepare(
            """
            UPDATE deliveries SET attempts = attempts + 1, state = ?, last_error = ?, next_at = ?, done_at = ?
            WHERE id = ? AND state = 'pending'
            """
        ).run(state.rawValue, error, nextAt, state == .pending ? nil : now, id)
    }

    /// Puts given-up deliveries (all, or one by id) back into the queue, due now. Returns how many.
    func retryDeliveries(id: String?, now: Int64) throws -> Int {
        try db.prepare(
            """
            UPDATE deliveries SET state = 'pending', next_at = ?1, attempts = 0, done_at = NULL
            WHERE (?2 IS NULL AND state = 'dead') OR (id = ?2 AND state != 'delivered')
            """
        ).run(now, id)
        return db.changes
    }

    func outboxCounts() throws -> OutboxCounts {
        var c = OutboxCounts()
        try db.prepare("SELECT endpoint = 'handoff', state, count(*) FROM deliveries WHERE state != 'delivered' GROUP BY 1, 2").query { r in
            let n = Int(r.int(2))
            switch (r.int(0) == 1, r.string(1)) {
            case (true, "pending"): c.handoffsPending = n
            case (true, _): c.handoffsDead = n
            case (false, "pending"): c.webhooksPending = n
            default: c.webhooksDead = n
            }
        }
        return c
    }

    /// Forgets delivered messages older than `before` (Unix ms): the outbox is not an archive.
    func pruneDelivered(before: Int64) throws {
        try db.prepare("DELETE FROM deliveries WHERE state = 'delivered' AND done_at < ?").run(before)
    }

    /// Every row, for a rebuild to carry the outbox over to the fresh database.
    func copyOutbox(to fresh: AggregateStore) throws {
        try db.prepare("SELECT \(Self.deliveryColumns) FROM deliveries").query { r in
            let d = Self.delivery(r)
            try fresh.db.prepare("INSERT OR REPLACE INTO deliveries(\(Self.deliveryColumns)) VALUES(?,?,?,?,?,?,?,?,?,?,?)").run(
                d.id, d.endpoint, d.event, d.lead, d.createdAt, d.body, Int64(d.attempts), d.nextAt, d.lastError, d.state.rawValue, d.doneAt)
        }
    }
}
