import Logging

/// Writes events straight into sealed segments, without the collector's queue and timers:
/// for tools such as the demo-data generator and segment rewriting. Each `append` is one frame.
public final class SegmentBatchWriter {
    private let writer: SegmentWriter
    private var pending = EventBatch()
    /// Events per frame for `add`.
    public static let frameEvents = 2000

    public init(directory: String, node: String, segmentMaxBytes: Int = 64 << 20, logger: Logger) throws {
        writer = try SegmentWriter(
            configuration: .init(directory: directory, node: node, maxBytes: segmentMaxBytes, maxAgeNanos: .max, compressionLevel: 1),
            fileSystem: PosixFileSystem(), logger: logger, wallMillis: { SystemTime.nowMillis() })
    }

    /// Appends `batch` as one frame; seals the segment first when it has reached its maximum size.
    public func append(_ batch: EventBatch) throws {
        guard !batch.isEmpty else { return }
        if writer.needsRotation(nowNanos: 0) { try writer.seal() }
        try writer.write(
            [.init(payload: batch.bytes, count: batch.count, minMillis: batch.minMillis, maxMillis: batch.maxMillis)], nowNanos: 0)
    }

    /// Adds one event; every `frameEvents` events become one frame (`finish` writes the rest).
    public func add(_ event: Event) throws {
        pending.append(event)
        if pending.count == Self.frameEvents {
            try append(pending)
            pending = EventBatch()
        }
    }

    /// Writes what `add` holds, syncs and seals the open segment.
    public func finish() throws {
        try append(pending)
        pending = EventBatch()
        try writer.sync()
        try writer.seal()
    }
}
