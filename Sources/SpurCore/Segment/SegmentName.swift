import Foundation

/// `20261122T205534Z-node1-0000000042`: creation time (UTC), node, per-node sequence.
///
/// Names sort by creation time first, so `ls` and the aggregator see segments of all nodes in
/// time order; the sequence never repeats for a node, so a gap tells a segment is missing.
public struct SegmentName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let sealedSuffix = ".jsonl.gz"
    public static let openSuffix = ".jsonl.gz.open"

    public let created: String
    public let node: String
    public let sequence: UInt64

    public init(createdMillis: Int64, node: String, sequence: UInt64) {
        self.created = Self.timestamp(createdMillis)
        self.node = node
        self.sequence = sequence
    }

    /// Parses a base name (without suffix).
    public init?(_ base: String) {
        // The node may itself contain '-', so split off the first and last parts.
        guard let first = base.firstIndex(of: "-"), let last = base.lastIndex(of: "-"), first < last else { return nil }
        let created = String(base[..<first])
        let node = String(base[base.index(after: first)..<last])
        let seqText = base[base.index(after: last)...]
        guard created.count == 16, created.hasSuffix("Z"), created.dropFirst(8).first == "T",
            NodeName.isValid(node), seqText.count >= 10, seqText.allSatisfy(\.isASCII),
            let seq = UInt64(seqText)
        else { return nil }
        self.created = created
        self.node = node
        self.sequence = seq
    }

    /// Parses a file name with either suffix.
    public init?(fileName: String) {
        if fileName.hasSuffix(Self.openSuffix) {
            self.init(String(fileName.dropLast(Self.openSuffix.count)))
        } else if fileName.hasSuffix(Self.sealedSuffix) {
            self.init(String(fileName.dropLast(Self.sealedSuffix.count)))
        } else {
            return nil
        }
    }

    public var description: String {
        let digits = String(sequence)
        return "\(created)-\(node)-\(String(repeating: "0", count: max(0, 10 - digits.count)))\(digits)"
    }

    public var sealedFileName: String { description + Self.sealedSuffix }
    public var openFileName: String { description + Self.openSuffix }

    public static func < (a: SegmentName, b: SegmentName) -> Bool {
        (a.created, a.node, a.sequence) < (b.created, b.node, b.sequence)
    }

    static func timestamp(_ millis: Int64) -> String {
        let f = SystemTime.utcFields(millis)
        return f[0] + f[1] + f[2] + "T" + f[3] + f[4] + f[5] + "Z"
    }
}

/// Collector node names appear in file names and event ids, so they are restricted.
public enum NodeName {
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E
                    || c == 0x5F || c == 0x2D
            }
            && name.first != "." && name.first != "-"
    }
}
