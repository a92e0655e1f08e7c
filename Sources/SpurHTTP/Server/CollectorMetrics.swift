import CoreMetrics
import Prometheus
import SpurCore

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
        for reason in DropReason.allCases {
            Counter(label: "spur_events_dropped_total", dimensions: [("reason", reason.rawValue)], factory: factory).increment(by: 0)
        }
    }

    func request(route: String, status: Int) {
        Counter(label: "spur_http_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory)
            .increment()
    }

    func recorded(_ event: Event) {
        Counter(label: "spur_events_total", dimensions: [("type", event.type.rawValue)], factory: factory).increment()
        for flag in event.flags.names {
            Counter(label: "spur_event_flags_total", dimensions: [("flag", flag)], factory: factory).increment()
        }
    }

    /// Requests answered without recording an event, by reason (head, prefetch, dnt, invalid_token…).
    func notRecorded(_ reason: String, count: Int = 1) {
        Counter(label: "spur_hits_not_recorded_total", dimensions: [("reason", reason)], factory: factory)
            .increment(by: Int64(count))
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

    public func writeFailed(_ error: StorageError) {
        Counter(label: "spur_write_errors_total", dimensions: [("kind", error.isNoSpace ? "no_space" : "io")], factory: factory)
            .increment()
    }
}
