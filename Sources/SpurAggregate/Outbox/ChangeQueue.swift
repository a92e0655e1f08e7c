import Foundation

/// A lead's stage and score as last stored, to tell what a run changed.
struct Standing: Sendable {
    var stage: Stage
    var score: Double
}

/// Turns what a scoring run changed about a lead into outbox deliveries: the hand-off when it
/// newly reached the hand-off stage, and for each webhook endpoint whose events and filter
/// match, a stage change (`stage.*`) or an upward crossing of its score threshold.
struct ChangeQueue {
    let webhooks: WebhookConfiguration?
    let handoffStage: Stage
    let asOf: String
    let now: Int64

    func deliveries(_ profile: LeadProfile, json: String, was: Standing) -> [Delivery] {
        var out: [Delivery] = []
        let lead = profile.lead
        if profile.stage >= handoffStage && was.stage < handoffStage {
            let at = profile.stageSince ?? profile.asOf
            out.append(
                Delivery(
                    id: Delivery.id(endpoint: Delivery.handoffEndpoint, event: "handoff", lead: lead, at: at), endpoint: Delivery.handoffEndpoint,
                    event: "handoff", lead: lead, createdAt: now, body: json))
        }
        guard let webhooks else { return out }
        for endpoint in webhooks.endpoints where endpoint.accepts(profile) {
            var events: [(WebhookEvent, String)] = []
            if profile.stage != was.stage, endpoint.events.contains(.stage(profile.stage)) {
                events.append((.stage(profile.stage), profile.stageSince ?? asOf))
            }
            if let t = endpoint.scoreThreshold, endpoint.events.contains(.scoreCrossed), was.score < t, profile.score >= t {
                events.append((.scoreCrossed, asOf))
            }
            for (event, at) in events {
                let id = Delivery.id(endpoint: endpoint.name, event: event.rawValue, lead: lead, at: at)
                let payload = WebhookPayload(
                    id: id, event: event.rawValue, created: ISO8601.string(now), lead: .init(profile),
                    previous: .init(stage: was.stage, score: was.score), threshold: event == .scoreCrossed ? endpoint.scoreThreshold : nil)
                out.append(Delivery(id: id, endpoint: endpoint.name, event: event.rawValue, lead: lead, createdAt: now, body: payload.json))
            }
        }
        return out
    }
}

extension ChangeQueue {
    /// `audience.entered` / `audience.left` for the endpoints that want it (their `audiences`
    /// list, when given, names this one). The body names the audience and the lead; the
    /// lead's profile is in the API.
    func audienceDeliveries(_ audience: String, event: WebhookEvent, lead: String) -> [Delivery] {
        guard let webhooks else { return [] }
        return webhooks.endpoints.filter { $0.events.contains(event) && ($0.audiences.isEmpty || $0.audiences.contains(audience)) }.map { e in
            let id = Delivery.id(endpoint: e.name, event: event.rawValue, lead: lead, at: audience + "\n" + asOf)
            let body = AudiencePayload(id: id, event: event.rawValue, created: ISO8601.string(now), audience: audience, lead: lead, as_of: asOf)
            return Delivery(id: id, endpoint: e.name, event: event.rawValue, lead: lead, createdAt: now, body: body.json)
        }
    }
}

/// The JSON body of an `audience.*` delivery.
public struct AudiencePayload: Codable, Sendable {
    public var id: String
    public var event: String
    public var created: String
    public var audience: String
    public var lead: String
    public var as_of: String

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// The JSON body of a webhook delivery (docs/webhooks.md).
public struct WebhookPayload: Codable, Sendable {
    public struct Lead: Codable, Sendable {
        public var lead: String
        public var score: Double
        public var implicit: Double
        public var explicit: Double
        public var grade: Grade
        public var letter: Letter
        public var label: String
        public var stage: Stage
        public var stage_since: String?
        public var mql_at: String?
        public var sql_at: String?
        public var interests: [String]
        public var first_seen: String
        public var last_seen: String
        public var as_of: String

        public init(_ p: LeadProfile) {
            (lead, score, implicit, explicit, grade, letter, label, stage) = (
                p.lead, p.score, p.implicit, p.explicit, p.grade, p.letter, p.label, p.stage
            )
            (stage_since, mql_at, sql_at, interests) = (p.stageSince, p.mqlAt, p.sqlAt, p.interests.prefix(3).map(\.category))
            (first_seen, last_seen, as_of) = (p.firstSeen, p.lastSeen, p.asOf)
        }
    }

    public struct Previous: Codable, Sendable {
        public var stage: Stage
        public var score: Double
    }

    /// The delivery id: the same in every attempt, the receiver's idempotency key.
    public var id: String
    public var event: String
    public var created: String
    public var lead: Lead
    public var previous: Previous?
    public var threshold: Double?

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
