import Hummingbird
import SpurCore

/// Turns request facts into events and hands them to the event log: the one place that
/// stamps id, time, node and applies field limits.
final class Ingestor: Sendable {
    let configuration: CollectorConfiguration
    let eventLog: EventLog
    let keyring: Keyring
    let ids: EventIDGenerator
    let metrics: CollectorMetrics
    let resolver: ClientAddressResolver
    let cookies: CookieWriter
    let classifier: TrafficClassifier
    let admission: Admission

    init(configuration: CollectorConfiguration, eventLog: EventLog, keyring: Keyring, metrics: CollectorMetrics) {
        self.configuration = configuration
        self.eventLog = eventLog
        self.keyring = keyring
        self.metrics = metrics
        ids = EventIDGenerator(node: configuration.node)
        resolver = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
        cookies = CookieWriter(domain: configuration.cookieDomain, secure: configuration.secureCookies)
        var classification = TrafficClassifier.Configuration()
        classification.extraBotPatterns = configuration.extraBotPatterns
        classification.unsignedLeadsPerNetwork = configuration.unsignedLeadsPerNetwork
        classifier = TrafficClassifier(configuration: classification)
        admission = Admission(
            limits: .init(
                siteEventsPerSecond: configuration.siteEventsPerSecond, siteBurst: configuration.siteBurst,
                eventsPerHour: configuration.maxEventsPerHour, minFreeBytes: configuration.minFreeDiskBytes,
                directory: configuration.dataDirectory))
    }

    func event(_ type: EventType, _ facts: RequestFacts) -> Event {
        Event(
            id: ids.next(), ts: configuration.clock(), type: type, ua: facts.userAgent, ip: facts.ip,
            node: configuration.node)
    }

    /// The answer to `events` site events from `network` past the per-network limits or the
    /// node's capacity (counted as not recorded), or nil when they may be stored.
    func refusal(network: String?, events: Int, what: String) -> Response? {
        switch admission.admitSite(network: network, events: events, now: configuration.clock()) {
        case .admit:
            return nil
        case .rateLimited(let wait):
            metrics.notRecorded("rate_limited", count: events)
            return Responses.retryLater(.tooManyRequests, "Too many requests from this network; retry in \(wait) s.", after: wait)
        case let verdict:
            metrics.notRecorded(verdict.reason, count: events)
            return Responses.retryLater(.serviceUnavailable, "\(what) cannot be stored right now; retry later.", after: 60)
        }
    }

    /// What becomes of a site hit without consent: nil in strict mode (not recorded), else the
    /// event stripped to an anonymous page count (docs/consent.md).
    func withoutConsent(_ event: Event) -> Event? {
        guard configuration.consent != .strict else {
            metrics.notRecorded("no_consent")
            return nil
        }
        var e = event
        e.visitor = nil
        e.lead = nil
        e.ip = nil
        e.ua = nil
        e.props = [:]
        e.url = e.url.map(AnonymousURL.page)
        e.referrer = e.referrer.flatMap(AnonymousURL.origin)
        e.flags.insert(.anonymous)
        return e
    }

    /// Queues an event without waiting (pixels, redirects).
    func record(_ event: consuming Event) {
        event.applyLimits(configuration.fieldLimits)
        let (type, flags) = (event.type, event.flags)
        if eventLog.append(EventBatch(event)) { metrics.recorded(type: type, flags: flags) }
    }

    /// Writes events and returns once they are durable (beacons).
    func recordDurably(_ events: [Event]) async throws {
        var batch = EventBatch()
        var limited: [Event] = []
        for var event in events {
            event.applyLimits(configuration.fieldLimits)
            batch.append(event)
            limited.append(event)
        }
        try await eventLog.appendDurably(batch)
        for event in limited { metrics.recorded(event) }
    }

    /// The visitor id for a site hit or click, and the cookie to set when it is new.
    /// Nil when the person does not want to be tracked or has not consented where consent is required.
    func visitor(for facts: RequestFacts) -> (id: String, setCookie: String?)? {
        guard !facts.doesNotWantTracking, facts.mayIdentify else { return nil }
        if let existing = facts.visitor { return (existing, nil) }
        let id = VisitorID.generate()
        return (id, cookies.visitor(id))
    }
}
