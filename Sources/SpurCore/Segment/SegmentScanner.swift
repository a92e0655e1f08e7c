/// What a segment scan found: its identity, its valid content and every damaged spot.
public struct SegmentScan: Sendable {
    public struct Damage: Sendable, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "at byte \(offset): \(reason)" }

        package init(offset: Int, reason: String) {
            self.offset = offset
            self.reason = reason
        }
    }

    public var node: String?
    public var sequence: UInt64?
    public var createdMillis: Int64?
    public var fileSize = 0
    /// Valid event blocks (including ones found after damage).
    public var blocks = 0
    /// Events in valid blocks.
    public var events = 0
    /// Valid blocks/events in the undamaged prefix: what recovery keeps.
    var prefixBlocks = 0
    var prefixEvents = 0
    var prefixMinMillis = Int64.max
    var prefixMaxMillis = Int64.min
    /// End of the undamaged prefix of frames.
    public var validEnd = 0
    public var minMillis = Int64.max
    public var maxMillis = Int64.min
    /// The footer is present and matches the content.
    public var hasValidFooter = false
    public var damage: [Damage] = []

    /// Complete and undamaged.
    public var isClean: Bool { hasValidFooter && damage.isEmpty }
}

/// Reads segment files frame by frame, verifying every checksum and counter.
public enum SegmentScanner {
    /// Information about one valid event block handed to the visitor.
    public struct Block: Sendable {
        public let offset: Int
        public let index: UInt32
        public let eventCount: Int
        /// The block's own event time range, as its header records it.
        public let minMillis: Int64
        public let maxMillis: Int64
    }

    /// Scans the segment in `bytes`, calling `onBlock` with each valid block's JSON Lines payload.
    public static func scan(
        _ bytes: [UInt8],
        onBlock: (Block, [UInt8]) throws -> Void = { _, _ in }
    ) rethrows -> SegmentScan {
        var scan = SegmentScan()
        scan.fileSize = bytes.count
        if bytes.isEmpty {
            scan.damage.append(.init(offset: 0, reason: "empty file"))
            return scan
        }
        let tag: UInt32
        switch Frame.parse(bytes, at: 0) {
        case .frame(let frame) where frame.type == .header:
            guard let header = HeaderFields(frame.fields) else {
                scan.damage.append(.init(offset: 0, reason: "header frame fields invalid"))
                return scan
            }
            tag = frame.tag
            scan.node = header.node
            scan.sequence = header.sequence
            scan.createdMillis = header.createdMillis
            scan.validEnd = frame.size
        case .frame:
            scan.damage.append(.init(offset: 0, reason: "first frame is not a header"))
            return scan
        case .truncated:
            scan.damage.append(.init(offset: 0, reason: "torn header frame"))
            return scan
        case .corrupt(let why):
            scan.damage.append(.init(offset: 0, reason: "header frame: \(why)"))
            return scan
        }

        var pos = scan.validEnd
        var inPrefix = true
        var nextIndex: UInt32 = 0
        var eventsSoFar: UInt64 = 0

        func damaged(_ at: Int, _ reason: String) {
            scan.damage.append(.init(offset: at, reason: reason))
            inPrefix = false
        }

        scanning: while pos < bytes.count {
            switch Frame.parse(bytes, at: pos) {
            case .frame(let frame) where frame.tag == tag && frame.type == .block:
                guard let fields = BlockFields(frame.fields) else {
                    damaged(pos, "block fields invalid")
                    pos += frame.size
                    continue
                }
                let newlines = frame.payload.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                guard newlines == Int(fields.eventCount), frame.payload.last == 0x0A || frame.payload.isEmpty else {
                    damaged(pos, "block \(fields.blockIndex) holds \(newlines) lines, announces \(fields.eventCount)")
                    pos += frame.size
                    continue
                }
                if fields.blockIndex != nextIndex || fields.firstEventIndex != eventsSoFar {
                    damaged(pos, "block \(fields.blockIndex) follows a gap (expected block \(nextIndex))")
                }
                try onBlock(
                    Block(
                        offset: pos, index: fields.blockIndex, eventCount: Int(fields.eventCount), minMillis: fields.minMillis,
                        maxMillis: fields.maxMillis), frame.payload)
                nextIndex = fields.blockIndex &+ 1
                eventsSoFar = fields.firstEventIndex + UInt64(fields.eventCount)
                scan.blocks += 1
                scan.events += Int(fields.eventCount)
                if fields.eventCount > 0 {
                    scan.minMillis = min(scan.minMillis, fields.minMillis)
                    scan.maxMillis = max(scan.maxMillis, fields.maxMillis)
                }
                pos += frame.size
                if inPrefix {
                    scan.validEnd = pos
                    scan.prefixBlocks = scan.blocks
                    scan.prefixEvents = scan.events
                    scan.prefixMinMillis = scan.minMillis
                    scan.prefixMaxMillis = scan.maxMillis
                }
            case .frame(let frame) where frame.tag == tag && frame.type == .footer:
                guard let footer = FooterFields(frame.fields) else {
                    damaged(pos, "footer fields invalid")
                    break scanning
                }
                if footer.blockCount != UInt32(scan.blocks) || footer.eventCount != UInt64(scan.events) {
                    damaged(pos, "footer announces \(footer.blockCount) blocks / \(footer.eventCount) events, found \(scan.blocks) / \(scan.events)")
                } else if footer.dataEnd != UInt64(pos) || footer.dataCRC != Zlib.crc32(bytes[0..<pos]) {
                    damaged(pos, "footer checksum does not match the data")
                } else {
                    scan.hasValidFooter = true
                }
                pos += frame.size
                if pos != bytes.count {
                    damaged(pos, "\(bytes.count - pos) bytes after the footer")
                }
                break scanning
            case .frame(let frame):
                damaged(pos, frame.tag == tag ? "unexpected second header" : "frame of another segment")
                pos += frame.size
            case .truncated:
                damaged(pos, "torn frame: \(bytes.count - pos) bytes at the end")
                break scanning
            case .corrupt(let why):
                damaged(pos, why)
                var next = pos + 1
                while next < bytes.count, !Frame.looksLikeFrame(bytes, at: next, tag: tag) { next += 1 }
                if next >= bytes.count {
                    scan.damage.append(.init(offset: pos, reason: "no valid frame in the last \(bytes.count - pos) bytes"))
                    break scanning
                }
                scan.damage.append(.init(offset: next, reason: "resynchronised after \(next - pos) damaged bytes"))
                pos = next
            }
        }
        return scan
    }

    /// Scans the file at `path`.
    public static func scan(
        path: String,
        onBlock: (Block, [UInt8]) throws -> Void = { _, _ in }
    ) throws -> SegmentScan {
        let bytes = try FileBytes.read(path)
        return try scan(bytes, onBlock: onBlock)
    }
}
