import Crypto
import Foundation

/// One message in the outbox: a lead's stage change or score crossing for one webhook endpoint,
/// or a lead that reached the hand-off stage for `--handoff-file`/`--handoff-command`. Queued in
/// the aggregator's scoring transaction; leaves the pending state only when delivered or given
/// up (dead), so nothing is lost between the two (docs/webhooks.md).
public struct Delivery: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        case pending, delivered, dead
    }

    /// The endpoint name of hand-offs (webhook endpoints may not use it).
    public static let handoffEndpoint = "handoff"

    /// Stable for the same change, so a receiver can use it as its idempotency key.
    public var id: String
    /// A webhook endpoint's name, or `handoff`.
    public var endpoint: String
    /// `stage.mql`, `stage.sql`, `stage.none`, `score.crossed`, `ping`, or `handoff`.
    public var event: String
    public var lead: String
    /// Unix ms.
    public var createdAt: Int64
    /// The exact bytes every attempt sends (JSON).
    public var body: String
    public var attempts = 0
    /// Unix ms of the next attempt.
    public var nextAt: Int64
    public var lastError: String?
    public var state = State.pending
    /// Unix ms when delivered or given up.
    public var doneAt: Int64?

    public init(id: String, endpoint: String, event: String, lead: String, createdAt: Int64, body: String) {
        self.id = id
        self.endpoint = endpoint
        self.event = event
        self.lead = lead
        self.createdAt = createdAt
        self.body = body
        nextAt = createdAt
    }

    /// `d_` and 32 hex digits of SHA-256 over what identifies the change: the same change
    /// queued twice (a rerun) is one delivery.
    public static func id(endpoint: String, event: String, lead: String, at: String) -> String {
        "d_" + SHA256.hash(data: Array("\(endpoint)\n\(event)\n\(lead)\n\(at)".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

/// How many deliveries wait, were given up or were delivered, for webhooks and hand-offs.
public struct OutboxCounts: Sendable, Equatable {
    public var webhooksPending = 0
    public var webhooksDead = 0
    public var handoffsPending = 0
    public var handoffsDead = 0

    public init(webhooksPending: Int = 0, webhooksDead: Int = 0, handoffsPending: Int = 0, handoffsDead: Int = 0) {
        (self.webhooksPending, self.webhooksDead, self.handoffsPending, self.handoffsDead) = (
            webhooksPending, webhooksDead, handoffsPending, handoffsDead
        )
    }
}
