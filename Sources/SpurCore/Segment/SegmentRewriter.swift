import Foundation

/// Rewrites a sealed segment without some of its events, for erasure (`spur forget`).
/// The new file keeps the name, node, sequence and creation time, gets a new frame tag, and
/// replaces the old one atomically: a crash leaves either the old or the new file.
public enum SegmentRewriter {
    public struct Result: Sendable {
        public let bytes: [UInt8]
        public let kept: Int
        public let removed: Int
    }

    /// The segment with only the lines `keep` accepts; nil when the file has no valid header.
    /// Damaged frames are dropped (they could not be checked).
    public static func rewrite(_ original: [UInt8], keep: (ArraySlice<UInt8>) -> Bool) -> Result? {
        guard case .frame(let headerFrame) = Frame.parse(original, at: 0), headerFrame.type == .header,
            let header = HeaderFields(headerFrame.fields)
        else { return nil }
        let tag = UInt32.random(in: 1...UInt32.max)
        var out = Frame.encode(type: .header, tag: tag, fields: header.encoded(), payload: [])
        var blocks: UInt32 = 0, events: UInt64 = 0, kept = 0, removed = 0
        var minTs = Int64.max, maxTs = Int64.min
        _ = try? SegmentScanner.scan(original) { _, payload in
            var lines: [UInt8] = []
            var count: UInt32 = 0
            // Each block carries the range of its own events (docs/segments.md); the footer the whole file's.
            var blockMin = Int64.max, blockMax = Int64.min
            var start = payload.startIndex
            for (i, byte) in zip(payload.indices, payload) where byte == 0x0A {
                let line = payload[start..<i]
                start = i + 1
                if keep(line) {
                    lines += line
                    lines.append(0x0A)
                    count += 1
                    if let ts = Event(jsonLine: line)?.ts {
                        blockMin = min(blockMin, ts)
                        blockMax = max(blockMax, ts)
                    }
                } else {
                    removed += 1
                }
            }
            guard count > 0 else { return }
            minTs = min(minTs, blockMin)
            maxTs = max(maxTs, blockMax)
            let fields = BlockFields(
                blockIndex: blocks, firstEventIndex: events, eventCount: count, minMillis: blockMin, maxMillis: blockMax)
            out += Frame.encode(type: .block, tag: tag, fields: fields.encoded(), payload: lines)
            blocks += 1
            events += UInt64(count)
            kept += Int(count)
        }
        let footer = FooterFields(
            blockCount: blocks, eventCount: events, dataEnd: UInt64(out.count), dataCRC: Zlib.crc32(out), minMillis: minTs,
            maxMillis: maxTs)
        out += Frame.encode(type: .footer, tag: tag, fields: footer.encoded(), payload: [])
        return Result(bytes: out, kept: kept, removed: removed)
    }

    /// Atomically replaces `path` with `bytes`: temporary file, fsync, verify, rename, directory fsync.
    public static func replace(_ path: String, with bytes: [UInt8], fileSystem fs: any SegmentFileSystem = PosixFileSystem()) throws {
        guard (try? SegmentScanner.scan(bytes))?.isClean == true else { throw SpurError.io(operation: "verify", path: path, errno: EIO) }
        try fs.writeAtomically(bytes, to: path)
    }
}
