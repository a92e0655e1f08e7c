/// Why events were not written.
public enum DropReason: String, Sendable, CaseIterable {
    /// The bounded memory queue was full (disk full or too slow for too long).
    case queueFull = "queue_full"
    /// The log was shutting down or had failed.
    case stopped
    /// Still unwritable when the collector stopped.
    case unwritableAtShutdown = "unwritable_at_shutdown"
}

/// Receives what the event log does, e.g. to turn it into metrics. Called from the commit thread
/// and, for drops, from request handlers: implementations must be cheap and thread-safe.
public protocol EventLogObserver: Sendable {
    func committed(events: Int, bytes: Int, seconds: Double)
    func sealed(segment: SegmentName, bytes: Int)
    func dropped(events: Int, reason: DropReason)
    func writeFailed(_ error: SpurError)
}

public struct NoEventLogObserver: EventLogObserver {
    public init() {}
    public func committed(events: Int, bytes: Int, seconds: Double) {}
    public func sealed(segment: SegmentName, bytes: Int) {}
    public func dropped(events: Int, reason: DropReason) {}
    public func writeFailed(_ error: SpurError) {}
}
