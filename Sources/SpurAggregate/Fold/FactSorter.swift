import Foundation
import SpurCore

/// One record of a fold: an event (or a link) under its owner, with what the merge needs
/// without decoding the body. Records sort by (owner kind, owner, time, id).
struct FactRecord {
    var owner: FactOwner
    var type: UInt8
    var flags: EventFlags
    /// The segment's position in the fold (its counts of events and duplicates).
    var segment: Int
    var ts: Int64
    var key: [UInt8]
    var id: [UInt8]
    var body: [UInt8]

    var keyString: String { String(decoding: key, as: UTF8.self) }
    var idString: String { String(decoding: id, as: UTF8.self) }
}

/// Sorts a fold's records with bounded memory: in memory up to `budget` bytes, then as sorted
/// runs in temporary files merged at the end (an external merge sort). A night's few hundred
/// thousand events never touch the disk; a first fold of ten million does.
final class FactSorter {
    private var buffer: [UInt8] = []
    private var offsets: [Int] = []
    private var runs: [String] = []
    private let directory: String
    private let budget: Int

    /// `directory`: where runs go (created on the first spill, removed by `finish`).
    init(directory: String, budget: Int = 60 << 20) {
        self.directory = directory
        self.budget = budget
        buffer.reserveCapacity(min(budget, 1 << 20))
    }

    deinit { removeRuns() }

    private static let header = 23

    func add(owner: FactOwner, type: UInt8, flags: EventFlags, segment: Int, ts: Int64, key: String, id: String, body: [UInt8]) throws {
        var key = key, id = id
        let k = min(key.utf8.count, 0xFFFF), i = min(id.utf8.count, 0xFFFF)
        let length = Self.header + k + i + body.count
        // Grown once to the budget and a margin, not by doubling past it (peak memory).
        if buffer.count + length > buffer.capacity { buffer.reserveCapacity(max(budget + (4 << 20), buffer.count + length)) }
        offsets.append(buffer.count)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.header) { h in
            h[0] = owner.rawValue
            h[1] = type
            h[2] = flags.rawValue
            Self.put(UInt64(truncatingIfNeeded: segment), 4, h, 3)
            Self.put(UInt64(bitPattern: ts), 8, h, 7)
            Self.put(UInt64(k), 2, h, 15)
            Self.put(UInt64(i), 2, h, 17)
            Self.put(UInt64(body.count), 4, h, 19)
            buffer.append(contentsOf: UnsafeBufferPointer(h))
        }
        key.withUTF8 { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: $0.prefix(k))) }
        id.withUTF8 { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: $0.prefix(i))) }
        buffer.append(contentsOf: body)
        if buffer.count >= budget { try spill() }
    }

    private static func put(_ v: UInt64, _ bytes: Int, _ h: UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
        for b in 0..<bytes { h[at + b] = UInt8(truncatingIfNeeded: v >> UInt64(8 * b)) }
    }

    private func sortOffsets() {
        buffer.withUnsafeBufferPointer { b in
            offsets.sort { Self.compare(b, $0, b, $1) < 0 }
        }
    }

    private func spill() throws {
        sortOffsets()
        if runs.isEmpty {
            try? FileManager.default.removeItem(atPath: directory)
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw AggregateError.fileSystem(operation: "create the sort directory", path: directory, errno: EIO)
            }
        }
        let path = directory + "/run-\(runs.count)"
        guard let file = fopen(path, "wb") else { throw AggregateError.fileSystem(operation: "create a sort run", path: path, errno: errno) }
        defer { fclose(file) }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        try buffer.withUnsafeBufferPointer { b in
            for o in offsets {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[o..<o + Self.length(b, o)]))
                if out.count >= 1 << 20 { try write(out, file, path); out.removeAll(keepingCapacity: true) }
            }
        }
        try write(out, file, path)
        runs.append(path)
        buffer.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: [UInt8], _ file: UnsafeMutablePointer<FILE>, _ path: String) throws {
        guard bytes.isEmpty || fwrite(bytes, 1, bytes.count, file) == bytes.count else {
            throw AggregateError.fileSystem(operation: "write a sort run", path: path, errno: errno)
        }
    }

    private func removeRuns() {
        guard !runs.isEmpty else { return }
        try? FileManager.default.removeItem(atPath: directory)
        runs = []
    }

    static func u16(_ b: UnsafeBufferPointer<UInt8>, _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
    static func u32(_ b: UnsafeBufferPointer<UInt8>, _ o: Int) -> Int { (0..<4).reduce(0) { $0 | Int(b[o + $1]) << (8 * $1) } }
    static func i64(_ b: UnsafeBufferPointer<UInt8>, _ o: Int) -> Int64 {
        Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[o + $1]) << UInt64(8 * $1) })
    }
    static func length(_ b: UnsafeBufferPointer<UInt8>, _ o: Int) -> Int { header + u16(b, o + 15) + u16(b, o + 17) + u32(b, o + 19) }

    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ x: Int, _ b: UnsafeBufferPointer<UInt8>, _ y: Int) -> Int {
        if a[x] != b[y] { return a[x] < b[y] ? -1 : 1 }
        let ak = u16(a, x + 15), bk = u16(b, y + 15)
        let c = bytes(a, x + header, ak, b, y + header, bk)
        if c != 0 { return c }
        let at = i64(a, x + 7), bt = i64(b, y + 7)
        if at != bt { return at < bt ? -1 : 1 }
        return bytes(a, x + header + ak, u16(a, x + 17), b, y + header + bk, u16(b, y + 17))
    }

    private static func bytes(_ a: UnsafeBufferPointer<UInt8>, _ x: Int, _ n: Int, _ b: UnsafeBufferPointer<UInt8>, _ y: Int, _ m: Int) -> Int {
        let c = memcmp(a.baseAddress! + x, b.baseAddress! + y, min(n, m))
        if c != 0 { return c < 0 ? -1 : 1 }
        return n == m ? 0 : (n < m ? -1 : 1)
    }

    static func record(_ b: UnsafeBufferPointer<UInt8>, _ o: Int) -> FactRecord {
        let k = u16(b, o + 15), i = u16(b, o + 17), n = u32(b, o + 19)
        let start = o + header
        return FactRecord(
            owner: FactOwner(rawValue: b[o]) ?? .lead, type: b[o + 1], flags: EventFlags(rawValue: b[o + 2]), segment: u32(b, o + 3),
            ts: i64(b, o + 7), key: Array(b[start..<start + k]), id: Array(b[start + k..<start + k + i]),
            body: Array(b[start + k + i..<start + k + i + n]))
    }

    /// Every record in order, then removes the runs.
    func finish(_ each: (FactRecord) throws -> Void) throws {
        defer { removeRuns() }
        if runs.isEmpty {
            sortOffsets()
            try buffer.withUnsafeBufferPointer { b in
                for o in offsets { try each(Self.record(b, o)) }
            }
            buffer = []
            offsets = []
            return
        }
        if !offsets.isEmpty { try spill() }
        buffer = []
        offsets = []
        var readers = try runs.map { try RunReader(path: $0) }
        // A binary heap of run indexes by their current record.
        var heap = readers.indices.filter { readers[$0].current != nil }
        func less(_ i: Int, _ j: Int) -> Bool { readers[i].compare(to: readers[j]) < 0 }
        func down(_ start: Int) {
            var p = start
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < heap.count && less(heap[l], heap[m]) { m = l }
                if r < heap.count && less(heap[r], heap[m]) { m = r }
                if m == p { return }
                heap.swapAt(p, m)
                p = m
            }
        }
        for p in stride(from: heap.count / 2, through: 0, by: -1) { down(p) }
        while let top = heap.first {
            try each(readers[top].record())
            try readers[top].advance()
            if readers[top].current == nil {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            if !heap.isEmpty { down(0) }
        }
    }
}

/// Reads one sorted run file record by record through a buffer.
private struct RunReader {
    let path: String
    let file: UnsafeMutablePointer<FILE>
    var chunk: [UInt8] = []
    /// Offset of the current record in `chunk`, nil at the end.
    var current: Int?

    init(path: String) throws {
        self.path = path
        guard let f = fopen(path, "rb") else { throw AggregateError.fileSystem(operation: "open a sort run", path: path, errno: errno) }
        file = f
        current = 0
        try fill(from: 0)
    }

    /// Keeps the bytes from `offset` on and reads more until a whole record is there.
    private mutating func fill(from offset: Int) throws {
        chunk.removeFirst(offset)
        current = 0
        while true {
            if chunk.count >= 23 {
                let need = chunk.withUnsafeBufferPointer { FactSorter.length($0, 0) }
                if chunk.count >= need { return }
            }
            var more = [UInt8](repeating: 0, count: 1 << 20)
            let n = fread(&more, 1, more.count, file)
            if n == 0 {
                if ferror(file) != 0 { throw AggregateError.fileSystem(operation: "read a sort run", path: path, errno: EIO) }
                if !chunk.isEmpty { throw AggregateError.fileSystem(operation: "read a whole record of a sort run", path: path, errno: EIO) }
                current = nil
                fclose(file)
                return
            }
            chunk += more.prefix(n)
        }
    }

    mutating func advance() throws {
        guard let c = current else { return }
        let next = c + chunk.withUnsafeBufferPointer { FactSorter.length($0, c) }
        let whole = chunk.withUnsafeBufferPointer { b -> Bool in
            next + 23 <= b.count && next + FactSorter.length(b, next) <= b.count
        }
        if whole { current = next } else { try fill(from: next) }
    }

    func record() -> FactRecord { chunk.withUnsafeBufferPointer { FactSorter.record($0, current!) } }

    func compare(to other: RunReader) -> Int {
        chunk.withUnsafeBufferPointer { a in
            other.chunk.withUnsafeBufferPointer { b in FactSorter.compare(a, current!, b, other.current!) }
        }
    }
}
