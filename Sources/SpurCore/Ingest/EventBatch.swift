/// Encoded JSON Lines of one or more events, ready to append to a segment.
public struct EventBatch: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var count = 0
    public private(set) var minMillis = Int64.max
    public private(set) var maxMillis = Int64.min

    public init() {}

    public init(_ event: Event) {
        append(event)
    }

    /// Appends one event as a JSON line.
    public mutating func append(_ event: Event) {
        EventLineEncoder.encode(event, into: &bytes)
        count += 1
        minMillis = min(minMillis, event.ts)
        maxMillis = max(maxMillis, event.ts)
    }

    mutating func append(contentsOf other: EventBatch) {
        bytes += other.bytes
        count += other.count
        minMillis = min(minMillis, other.minMillis)
        maxMillis = max(maxMillis, other.maxMillis)
    }

    var isEmpty: Bool { count == 0 }
}
