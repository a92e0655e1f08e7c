import CoreMetrics
import Prometheus
import SpurCore
import Synchronization

/// The collector's metrics (swift-metrics API, Prometheus backend), served at `/metrics`.
///
/// A private registry instead of the global `MetricsSystem`, so several collectors (tests)
/// can live in one process.
public final class CollectorMetrics: EventLogObserver, Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let flushLatency: CoreMetrics.Timer
    private let bytesWritten: CoreMetrics.Counter
    private let eventsWritten: CoreMetrics.Counter
    private let segmentsSealed: CoreMetrics.Counter
    private let queueEvents: CoreMetrics.Gauge
    private let queueBytes: CoreMetrics.Gauge
    private let ready: CoreMetrics.Gauge
    /// Counters by label and dimensions, so the request path does not rebuild them.
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    /// The counters every tracking request touches, made once: no key to build, no lock.
    private let trackingRequests: [String: [Int: CoreMetrics.Counter]]
    private let eventsByType: [EventType: CoreMetrics.Counter]
    private let eventsByFlag: [String: CoreMetrics.Counter]

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        var key = label
        for (k, v) in dimensions { key += "\u{0}" + k + "=" + v }
        return counters.withLock { cache in
            if let c = cache[key] { return c }
            let c = Counter(label: label, dimensions: dimensions, factory: factory)
            cache[key] = c
            return c
        }
    }

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["spur_flush_seconds"] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(5),
        ]
        self.factory = factory
        flushLatency = Timer(label: "spur_flush_seconds", factory: factory)
        bytesWritten = Counter(label: "spur_event_bytes_written_total", factory: factory)
        eventsWritten = Counter(label: "spur_events_written_total", factory: factory)
        segmentsSealed = Counter(label: "spur_segments_sealed_total", factory: factory)
        queueEvents = CoreMetrics.Gauge(label: "spur_queue_events", factory: factory)
        queueBytes = CoreMetrics.Gauge(label: "spur_queue_bytes", factory: factory)
        ready = CoreMetrics.Gauge(label: "spur_ready", factory: factory)
        var tracking: [String: [Int: CoreMetrics.Counter]] = [:]
        for route in ["open", "click", "pixel"] {
            for status in [200, 302, 400, 404] {
                tracking[route, default: [:]][status] = Counter(
                    label: "spur_http_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory)
            }
        }
        trackingRequests = tracking
        eventsByType = Dictionary(
            uniqueKeysWithValues: EventType.allCases.map {
                ($0, Counter(label: "spur_events_total", dimensions: [("type", $0.rawValue)], factory: factory))
            })
        eventsByFlag = Dictionary(
            uniqueKeysWithValues: EventFlags.allNames.map {
                ($0, Counter(label: "spur_event_flags_total", dimensions: [("flag", $0)], factory: factory))
            })
        for reason in DropReason.allCases {
            Counter(label: "spur_events_dropped_total", dimensions: [("reason", reason.rawValue)], factory: factory).increment(by: 0)
        }
    }

    func request(route: String, status: Int) {
        if let known = trackingRequests[route]?[status] { return known.increment() }
        counter("spur_http_requests_total", [("route", route), ("status", String(status))]).increment()
    }

    func recorded(_ event: Event) { recorded(type: event.type, flags: event.flags) }

    func recorded(type: EventType, flags: EventFlags) {
        eventsByType[type]?.increment()
        guard !flags.isEmpty else { return }
        for flag in flags.names {
            (eventsByFlag[flag] ?? counter("spur_event_flags_total", [("flag", flag)])).increment()
        }
    }

    /// New connections closed at once at the connection cap, every connection being busy.
    func connectionRefused() { counter("spur_connections_refused_total", []).increment() }

    /// Idle connections closed to make room for a new one at the cap.
    func connectionEvicted() { counter("spur_connections_evicted_total", []).increment() }

    /// Template-link leads left out of recorded events: past the cap per campaign and network.
    func unsignedLeadCapped() {
        counter("spur_unsigned_leads_capped_total", []).increment()
    }

    /// Requests answered without recording an event, by reason (head, prefetch, dnt, invalid_token…).
    func notRecorded(_ reason: String, count: Int = 1) {
        counter("spur_hits_not_recorded_total", [("reason", reason)]).increment(by: Int64(count))
    }

    /// The Prometheus text exposition of every metric.
    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    func update(from status: EventLog.Status) {
        queueEvents.record(status.queuedEvents)
        queueBytes.record(status.queuedBytes)
        ready.record(status.isReady ? 1 : 0)
    }

    // MARK: EventLogObserver

    public func committed(events: Int, bytes: Int, seconds: Double) {
        flushLatency.recordNanoseconds(Int64(seconds * 1e9))
        eventsWritten.increment(by: Int64(events))
        bytesWritten.increment(by: Int64(bytes))
    }

    public func sealed(segment: SegmentName, bytes: Int) {
        segmentsSealed.increment()
        Counter(label: "spur_segment_bytes_sealed_total", factory: factory).increment(by: Int64(bytes))
    }

    public func dropped(events: Int, reason: DropReason) {
        Counter(label: "spur_events_dropped_total", dimensions: [("reason", reason.rawValue)], factory: factory)
            .increment(by: Int64(events))
    }

    public func writeFailed(_ error: SpurError) {
        Counter(label: "spur_write_errors_total", dimensions: [("kind", error.isNoSpace ? "no_space" : "io")], factory: factory)
            .increment()
    }
}
