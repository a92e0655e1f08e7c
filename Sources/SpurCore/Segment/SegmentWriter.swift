import Foundation
import Logging

/// Appends framed blocks to the node's open segment and seals it. Not thread-safe: owned by the
/// commit loop, the only writer of its node's files.
final class SegmentWriter {
    struct Configuration {
        var directory: String
        var node: String
        var maxBytes: Int
        var maxAgeNanos: UInt64
        var compressionLevel: Int32
    }

    struct PendingBlock {
        var payload: [UInt8]
        var count: Int
        var minMillis: Int64
        var maxMillis: Int64
    }

    private struct OpenSegment {
        var fd: Int32
        var name: SegmentName
        var tag: UInt32
        var size: Int
        var syncedSize: Int
        var blocks: UInt32
        var events: UInt64
        var dataCRC: UInt32
        var minMillis: Int64
        var maxMillis: Int64
        var openedAtNanos: UInt64
        var directoryEntrySynced: Bool
        var openPath: String
    }

    private let config: Configuration
    private let fs: any SegmentFileSystem
    private let logger: Logger
    private let wallMillis: @Sendable () -> Int64
    private var current: OpenSegment?
    private var nextSequence: UInt64

    init(
        configuration: Configuration,
        fileSystem: any SegmentFileSystem,
        logger: Logger,
        wallMillis: @escaping @Sendable () -> Int64
    ) throws {
        self.config = configuration
        self.fs = fileSystem
        self.logger = logger
        self.wallMillis = wallMillis
        self.nextSequence = try SequenceFile.next(directory: configuration.directory, node: configuration.node)
    }

    /// Writes `blocks` as frames to the open segment (opening one if needed). Not yet durable.
    /// On failure the file is cut back to where it was, so a retry never leaves a torn frame.
    func write(_ blocks: [PendingBlock], nowNanos: UInt64) throws(SpurError) {
        if current == nil { try openSegment(nowNanos: nowNanos) }
        guard var seg = current else { return }
        var bytes: [UInt8] = seg.size == 0 ? headerFrame(seg) : []
        var blocksAfter = seg.blocks
        var eventsAfter = seg.events
        var minAfter = seg.minMillis
        var maxAfter = seg.maxMillis
        for block in blocks {
            let fields = BlockFields(
                blockIndex: blocksAfter,
                firstEventIndex: eventsAfter,
                eventCount: UInt32(block.count),
                minMillis: block.minMillis,
                maxMillis: block.maxMillis
            )
            bytes += Frame.encode(
                type: .block, tag: seg.tag, fields: fields.encoded(), payload: block.payload, level: config.compressionLevel)
            blocksAfter += 1
            eventsAfter += UInt64(block.count)
            minAfter = min(minAfter, block.minMillis)
            maxAfter = max(maxAfter, block.maxMillis)
        }
        do {
            try fs.write(seg.fd, bytes, path: seg.openPath)
        } catch {
            try? fs.truncate(seg.fd, to: seg.size, path: seg.openPath)
            if seg.size == 0 { abandon(seg) }
            throw error
        }
        seg.dataCRC = Zlib.crc32(bytes, continuing: seg.dataCRC)
        seg.size += bytes.count
        seg.blocks = blocksAfter
        seg.events = eventsAfter
        seg.minMillis = minAfter
        seg.maxMillis = maxAfter
        current = seg
    }

    /// Makes everything written so far durable: fdatasync, and the directory entry of a new file.
    func sync() throws(SpurError) {
        guard var seg = current, seg.syncedSize != seg.size || !seg.directoryEntrySynced else { return }
        try fs.sync(seg.fd, path: seg.openPath)
        if !seg.directoryEntrySynced {
            try fs.syncDirectory(config.directory)
            seg.directoryEntrySynced = true
        }
        seg.syncedSize = seg.size
        current = seg
    }

    func needsRotation(nowNanos: UInt64) -> Bool {
        guard let seg = current else { return false }
        return seg.size >= config.maxBytes || nowNanos &- seg.openedAtNanos >= config.maxAgeNanos
    }

    /// Appends the footer and publishes the open segment under its sealed name.
    @discardableResult
    func seal() throws(SpurError) -> (name: SegmentName, bytes: Int)? {
        guard let seg = current else { return nil }
        let footer = FooterFields(
            blockCount: seg.blocks, eventCount: seg.events, dataEnd: UInt64(seg.size), dataCRC: seg.dataCRC,
            minMillis: seg.minMillis, maxMillis: seg.maxMillis)
        let frame = Frame.encode(type: .footer, tag: seg.tag, fields: footer.encoded(), payload: [])
        do {
            try fs.write(seg.fd, frame, path: seg.openPath)
        } catch {
            try? fs.truncate(seg.fd, to: seg.size, path: seg.openPath)
            throw error
        }
        try fs.sync(seg.fd, path: seg.openPath)
        fs.close(seg.fd)
        current = nil
        try SegmentPublisher.publish(seg.name, directory: config.directory, fileSystem: fs)
        logger.info(
            "Sealed segment",
            metadata: ["segment": "\(seg.name)", "events": "\(seg.events)", "bytes": "\(seg.size + frame.count)"])
        return (seg.name, seg.size + frame.count)
    }

    private func headerFrame(_ seg: OpenSegment) -> [UInt8] {
        let header = HeaderFields(sequence: seg.name.sequence, createdMillis: wallMillis(), node: config.node)
        return Frame.encode(type: .header, tag: seg.tag, fields: header.encoded(), payload: [])
    }

    private func openSegment(nowNanos: UInt64) throws(SpurError) {
        let name = SegmentName(createdMillis: wallMillis(), node: config.node, sequence: nextSequence)
        let path = config.directory + "/" + name.openFileName
        // Persist the next sequence first: a crash must never let a sequence number be reused.
        try SequenceFile.store(nextSequence + 1, directory: config.directory, node: config.node, fileSystem: fs)
        let fd = try fs.createExclusive(path)
        nextSequence += 1
        current = OpenSegment(
            fd: fd, name: name, tag: UInt32.random(in: 1...UInt32.max), size: 0, syncedSize: 0, blocks: 0, events: 0,
            dataCRC: 0, minMillis: .max, maxMillis: .min, openedAtNanos: nowNanos, directoryEntrySynced: false,
            openPath: path)
    }

    /// A new file whose first write failed holds nothing: remove it and reuse its sequence number.
    private func abandon(_ seg: OpenSegment) {
        fs.close(seg.fd)
        try? fs.remove(seg.openPath)
        nextSequence = seg.name.sequence
        current = nil
    }
}

/// Publishing a finished `.open` file under its sealed name, durably.
enum SegmentPublisher {
    static func publish(_ name: SegmentName, directory: String, fileSystem fs: any SegmentFileSystem) throws(SpurError) {
        try fs.rename(directory + "/" + name.openFileName, directory + "/" + name.sealedFileName)
        try fs.syncDirectory(directory)
    }
}

/// The per-node "next sequence" record, so numbers never repeat even after segments are shipped away.
enum SequenceFile {
    static func path(directory: String, node: String) -> String { directory + "/.seq-" + node }

    static func next(directory: String, node: String) throws -> UInt64 {
        var next: UInt64 = 1
        if let text = try? String(contentsOfFile: path(directory: directory, node: node), encoding: .utf8),
            let stored = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            next = stored
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let base = file.hasSuffix(".damaged") ? String(file.dropLast(".damaged".count)) : file
            if let name = SegmentName(fileName: base), name.node == node {
                next = max(next, name.sequence + 1)
            }
        }
        return next
    }

    static func store(_ value: UInt64, directory: String, node: String, fileSystem fs: any SegmentFileSystem) throws(SpurError) {
        try fs.writeAtomically(Array("\(value)\n".utf8), to: path(directory: directory, node: node))
    }
}
