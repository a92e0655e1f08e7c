/// One gzip member of a segment, framed BGZF-style (see docs/segments.md).
///
/// Every frame is a complete RFC 1952 member whose FEXTRA subfield `'E' <type>` carries the
/// frame's total size, a CRC of the compressed bytes, the segment tag and the type's fields,
/// all covered by a CRC of their own. A reader can therefore verify and skip a frame by length
/// without inflating it, and never trusts a length it has not checked.
enum FrameType: UInt8, Sendable {
    case header = 0x48  // 'H'
    case block = 0x42  // 'B'
    case footer = 0x46  // 'F'
}

struct HeaderFields: Equatable, Sendable {
    var sequence: UInt64
    var createdMillis: Int64
    var node: String

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.appendLE(sequence)
        out.appendLE(createdMillis)
        let nodeBytes = Array(node.utf8.prefix(255))
        out.append(UInt8(nodeBytes.count))
        out.append(contentsOf: nodeBytes)
        return out
    }

    init(sequence: UInt64, createdMillis: Int64, node: String) {
        self.sequence = sequence
        self.createdMillis = createdMillis
        self.node = node
    }

    init?(_ f: ArraySlice<UInt8>) {
        guard f.count >= 17 else { return nil }
        let s = f.startIndex
        sequence = f.readLE(UInt64.self, at: s)
        createdMillis = f.readLE(Int64.self, at: s + 8)
        let len = Int(f[s + 16])
        guard f.count == 17 + len else { return nil }
        node = String(decoding: f[(s + 17)..<(s + 17 + len)], as: UTF8.self)
    }
}

struct BlockFields: Equatable, Sendable {
    var blockIndex: UInt32
    var firstEventIndex: UInt64
    var eventCount: UInt32
    var minMillis: Int64
    var maxMillis: Int64

    static let size = 32

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.size)
        out.appendLE(blockIndex)
        out.appendLE(firstEventIndex)
        out.appendLE(eventCount)
        out.appendLE(minMillis)
        out.appendLE(maxMillis)
        return out
    }

    init(blockIndex: UInt32, firstEventIndex: UInt64, eventCount: UInt32, minMillis: Int64, maxMillis: Int64) {
        self.blockIndex = blockIndex
        self.firstEventIndex = firstEventIndex
        self.eventCount = eventCount
        self.minMillis = minMillis
        self.maxMillis = maxMillis
    }

    init?(_ f: ArraySlice<UInt8>) {
        guard f.count == Self.size else { return nil }
        let s = f.startIndex
        blockIndex = f.readLE(UInt32.self, at: s)
        firstEventIndex = f.readLE(UInt64.self, at: s + 4)
        eventCount = f.readLE(UInt32.self, at: s + 12)
        minMillis = f.readLE(Int64.self, at: s + 16)
        maxMillis = f.readLE(Int64.self, at: s + 24)
    }
}

struct FooterFields: Equatable, Sendable {
    var blockCount: UInt32
    var eventCount: UInt64
    var dataEnd: UInt64
    var dataCRC: UInt32
    var minMillis: Int64
    var maxMillis: Int64

    static let size = 40

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.size)
        out.appendLE(blockCount)
        out.appendLE(eventCount)
        out.appendLE(dataEnd)
        out.appendLE(dataCRC)
        out.appendLE(minMillis)
        out.appendLE(maxMillis)
        return out
    }

    init(blockCount: UInt32, eventCount: UInt64, dataEnd: UInt64, dataCRC: UInt32, minMillis: Int64, maxMillis: Int64) {
        self.blockCount = blockCount
        self.eventCount = eventCount
        self.dataEnd = dataEnd
        self.dataCRC = dataCRC
        self.minMillis = minMillis
        self.maxMillis = maxMillis
    }

    init?(_ f: ArraySlice<UInt8>) {
        guard f.count == Self.size else { return nil }
        let s = f.startIndex
        blockCount = f.readLE(UInt32.self, at: s)
        eventCount = f.readLE(UInt64.self, at: s + 4)
        dataEnd = f.readLE(UInt64.self, at: s + 12)
        dataCRC = f.readLE(UInt32.self, at: s + 20)
        minMillis = f.readLE(Int64.self, at: s + 24)
        maxMillis = f.readLE(Int64.self, at: s + 32)
    }
}

enum Frame {
    /// The fixed first 10 bytes: magic, deflate, FLG=FEXTRA, MTIME=0, XFL=0, OS=255.
    static let fixedPrefix: [UInt8] = [0x1F, 0x8B, 0x08, 0x04, 0, 0, 0, 0, 0, 0xFF]
    static let subfieldID: UInt8 = 0x45  // 'E'
    static let version: UInt16 = 1
    /// Bytes before the type-specific fields.
    static let fieldsOffset = 32
    /// Largest uncompressed payload a frame may announce; bounds a reader's memory.
    static let maxPayload = 64 << 20

    /// Builds a complete frame (gzip member).
    static func encode(type: FrameType, tag: UInt32, fields: [UInt8], payload: [UInt8], level: Int32 = 1) -> [UInt8] {
        let cdata = Zlib.deflate(payload, level: level)
        let slen = 20 + fields.count
        let size = 36 + fields.count + cdata.count + 8
        var out: [UInt8] = []
        out.reserveCapacity(size)
        out.append(contentsOf: fixedPrefix)
        out.appendLE(UInt16(slen + 4))
        out.append(subfieldID)
        out.append(type.rawValue)
        out.appendLE(UInt16(slen))
        out.appendLE(UInt32(size))
        out.appendLE(Zlib.crc32(cdata))
        out.appendLE(tag)
        out.appendLE(version)
        out.appendLE(UInt16(0))
        out.append(contentsOf: fields)
        out.appendLE(Zlib.crc32(out[12..<out.count]))
        out.append(contentsOf: cdata)
        out.appendLE(Zlib.crc32(payload))
        out.appendLE(UInt32(truncatingIfNeeded: payload.count))
        return out
    }

    struct Parsed {
        var type: FrameType
        var tag: UInt32
        var size: Int
        var fields: ArraySlice<UInt8>
        var payload: [UInt8]
    }

    /// What the bytes at an offset hold. Not an error type: a torn or corrupt frame is an
    /// expected finding of a scan, reported as damage.
    enum Outcome {
        case frame(Parsed)
        /// Not enough bytes left for what the frame announces (a torn tail).
        case truncated
        /// The bytes are not a valid frame.
        case corrupt(String)
    }

    /// Verifies and decodes the frame starting at `offset` of `bytes`.
    static func parse(_ bytes: [UInt8], at offset: Int) -> Outcome {
        let available = bytes.count - offset
        guard available >= 16 else { return .truncated }
        for i in 0..<fixedPrefix.count where bytes[offset + i] != fixedPrefix[i] {
            return .corrupt("bad gzip header byte at +\(i)")
        }
        let all = bytes[...]
        let xlen = Int(all.readLE(UInt16.self, at: offset + 10))
        guard bytes[offset + 12] == subfieldID else { return .corrupt("missing 'E' subfield") }
        guard let type = FrameType(rawValue: bytes[offset + 13]) else {
            return .corrupt("unknown frame type")
        }
        let slen = Int(all.readLE(UInt16.self, at: offset + 14))
        guard xlen == slen + 4, slen >= 20 else { return .corrupt("inconsistent extra-field length") }
        guard available >= 12 + xlen else { return .truncated }
        let mcrcAt = offset + 12 + slen
        let mcrc = all.readLE(UInt32.self, at: mcrcAt)
        guard Zlib.crc32(bytes[(offset + 12)..<mcrcAt]) == mcrc else {
            return .corrupt("frame metadata checksum mismatch")
        }
        let size = Int(all.readLE(UInt32.self, at: offset + 16))
        let fieldsEnd = mcrcAt
        let cdataStart = mcrcAt + 4
        guard size >= cdataStart - offset + 8 + 2 else { return .corrupt("frame size too small") }
        guard all.readLE(UInt16.self, at: offset + 28) == version else {
            return .corrupt("unsupported frame version")
        }
        guard available >= size else { return .truncated }
        let end = offset + size
        let cdata = bytes[cdataStart..<(end - 8)]
        guard Zlib.crc32(cdata) == all.readLE(UInt32.self, at: offset + 20) else {
            return .corrupt("compressed data checksum mismatch")
        }
        let isize = Int(all.readLE(UInt32.self, at: end - 4))
        guard let payload = Zlib.inflate(cdata, expectedSize: isize, limit: maxPayload) else {
            return .corrupt("deflate stream invalid")
        }
        guard Zlib.crc32(payload) == all.readLE(UInt32.self, at: end - 8) else {
            return .corrupt("payload checksum mismatch")
        }
        return .frame(
            Parsed(
                type: type,
                tag: all.readLE(UInt32.self, at: offset + 24),
                size: size,
                fields: bytes[(offset + fieldsOffset)..<fieldsEnd],
                payload: payload
            )
        )
    }

    /// Whether a plausible frame of `tag` starts at `offset` (fixed bytes and metadata CRC valid).
    /// Used to resynchronise after a damaged frame.
    static func looksLikeFrame(_ bytes: [UInt8], at offset: Int, tag: UInt32) -> Bool {
        guard bytes.count - offset >= 36 else { return false }
        for i in 0..<fixedPrefix.count where bytes[offset + i] != fixedPrefix[i] { return false }
        let all = bytes[...]
        let xlen = Int(all.readLE(UInt16.self, at: offset + 10))
        let slen = Int(all.readLE(UInt16.self, at: offset + 14))
        guard bytes[offset + 12] == subfieldID, xlen == slen + 4, slen >= 20, bytes.count - offset >= 16 + slen
        else { return false }
        guard all.readLE(UInt32.self, at: offset + 24) == tag else { return false }
        let mcrcAt = offset + 12 + slen
        return Zlib.crc32(bytes[(offset + 12)..<mcrcAt]) == all.readLE(UInt32.self, at: mcrcAt)
    }
}
