import SpurCore

/// Strings many events share (user agents, page addresses without their query, titles, campaign
/// and event names, id prefixes, prop keys), kept once in the `strings` table and referred to by
/// number in the stored events. Bounded: past `limit` entries new strings are stored inline.
final class StringDictionary {
    private var ids: [String: Int] = [:]
    private(set) var texts: [String?] = []
    /// Entries made since the last `takeAdded()`: the store writes them in the fold's transaction.
    private var added: [(Int, String)] = []
    let limit: Int

    init(limit: Int = 262_144) { self.limit = limit }

    /// Replaces the content with the table's rows.
    func load(_ rows: [(Int, String)]) {
        ids = [:]
        texts = []
        for (id, text) in rows {
            if id >= texts.count { texts += Array(repeating: nil, count: id - texts.count + 1) }
            texts[id] = text
            ids[text] = id
        }
    }

    /// The number of `s`, made now if there is room; nil past the limit.
    func intern(_ s: String) -> Int? {
        if let id = ids[s] { return id }
        guard ids.count < limit else { return nil }
        let id = texts.count
        texts.append(s)
        ids[s] = id
        added.append((id, s))
        return id
    }

    func text(_ id: Int) -> String? { id < texts.count ? texts[id] : nil }

    func takeAdded() -> [(Int, String)] {
        defer { added = [] }
        return added
    }

    /// Forgets entries the store deleted (after an erasure).
    func remove(_ removed: Set<Int>) {
        for id in removed where id < texts.count {
            if let t = texts[id] { ids[t] = nil }
            texts[id] = nil
        }
    }
}

/// Whose events a stored list holds. Lead and visitor lists leave out the field that names their
/// owner; the campaign lists (a campaign's opens, clicks and downloads of one day, for its report)
/// keep every field.
enum FactOwner: UInt8, Comparable {
    case lead = 0
    case visitor = 1
    /// Events with neither lead nor visitor, per campaign (or none) and day.
    case anonymous = 2
    case campaignDay = 3
    /// Not events: a visitor's links to leads (`links` table).
    case link = 4

    static func < (a: FactOwner, b: FactOwner) -> Bool { a.rawValue < b.rawValue }

    /// The owner key of an anonymous or campaign list: the campaign, a zero byte and the day,
    /// written so that byte order is (campaign, day) order.
    static func dayKey(_ campaign: String, day: Int64) -> String {
        let digits = String(max(0, day))
        return campaign + "\u{0}" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    static func splitDayKey(_ key: String) -> (campaign: String, day: Int64) {
        let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? Int64(parts[1]) ?? 0 : 0)
    }
}

/// The compact binary form of stored events (docs/decisions.md, "Events as per-lead facts"):
/// a list is a count, then per event the time as a difference to the previous one, the body's
/// length and the body. A body: the id, type, flags, a mask of the fields present, then each
/// field — a string inline, a number into the `StringDictionary`, or an IPv4 address as four bytes.
enum FactCodec {
    // MARK: Writing

    private static let propsBit = 1 << 10

    /// The body of `e` (everything but its time), leaving out the owner's own field.
    static func body(_ e: Event, owner: FactOwner, dictionary: StringDictionary, into out: inout [UInt8]) {
        id(e.id, dictionary, &out)
        out.append(UInt8(EventType.allCases.firstIndex(of: e.type) ?? 0))
        out.append(e.flags.rawValue)
        // Bits in field order: campaign, lead, visitor, url, referrer, title, name, ua, ip, node.
        var mask = 0
        if e.campaign != nil { mask |= 1 }
        if e.lead != nil { mask |= 2 }
        if e.visitor != nil { mask |= 4 }
        if e.url != nil { mask |= 8 }
        if e.referrer != nil { mask |= 16 }
        if e.title != nil { mask |= 32 }
        if e.name != nil { mask |= 64 }
        if e.ua != nil { mask |= 128 }
        if e.ip != nil { mask |= 256 }
        if e.node != nil { mask |= 512 }
        if owner == .lead { mask &= ~(1 << 1) }
        if owner == .visitor { mask &= ~(1 << 2) }
        if !e.props.isEmpty { mask |= propsBit }
        varint(UInt64(mask), &out)
        if mask & 1 != 0 { string(e.campaign!, dictionary, &out) }
        if mask & 2 != 0 { string(e.lead!, nil, &out) }
        if mask & 4 != 0 { string(e.visitor!, nil, &out) }
        if mask & 8 != 0 { address(e.url!, dictionary, &out) }
        if mask & 16 != 0 { address(e.referrer!, dictionary, &out) }
        if mask & 32 != 0 { string(e.title!, dictionary, &out) }
        if mask & 64 != 0 { string(e.name!, dictionary, &out) }
        if mask & 128 != 0 { string(e.ua!, dictionary, &out) }
        if mask & 256 != 0 { ip(e.ip!, &out) }
        if mask & 512 != 0 { string(e.node!, dictionary, &out) }
        if mask & propsBit != 0 {
            varint(UInt64(e.props.count), &out)
            for (k, v) in e.props.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                string(k, dictionary, &out)
                string(v, nil, &out)
            }
        }
    }

    /// One entry of a list: the time relative to `previous`, the body's length and the body.
    static func appendEntry(ts: Int64, previous: Int64, body: some Collection<UInt8>, to out: inout [UInt8]) {
        varint(zigzag(ts &- previous), &out)
        varint(UInt64(body.count), &out)
        out.append(contentsOf: body)
    }

    static func varint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    private static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }

    private enum Mode: UInt64 { case inline = 0, interned = 1, ipv4 = 2 }

    /// A string inline, or by its number when a dictionary is given and has room.
    private static func string(_ s: String, _ dictionary: StringDictionary?, _ out: inout [UInt8]) {
        if let dictionary, let id = dictionary.intern(s) {
            varint(UInt64(id) << 2 | Mode.interned.rawValue, &out)
            return
        }
        var s = s
        s.withUTF8 { bytes in
            varint(UInt64(bytes.count) << 2 | Mode.inline.rawValue, &out)
            out.append(contentsOf: bytes)
        }
    }

    /// A URL as its part before `?` or `#` (shared) and the rest (inline).
    private static func address(_ url: String, _ dictionary: StringDictionary, _ out: inout [UInt8]) {
        let utf8 = url.utf8
        let cut = utf8.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? utf8.endIndex
        string(String(url[..<cut]), dictionary, &out)
        string(String(url[cut...]), nil, &out)
    }

    /// `a.b.c.d` as four bytes when it reads back the same; anything else inline.
    private static func ip(_ s: String, _ out: inout [UInt8]) {
        let parts = s.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if parts.count == 4 {
            var bytes: [UInt8] = []
            for p in parts {
                guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), p.count == 1 || p.first != 0x30 else { break }
                let n = p.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                guard n <= 255 else { break }
                bytes.append(UInt8(n))
            }
            if bytes.count == 4 {
                varint(Mode.ipv4.rawValue, &out)
                out += bytes
                return
            }
        }
        string(s, nil, &out)
    }

    /// An id as its prefix up to the last `-` (shared) and the counter after it: Spur's ids end in
    /// a base-36 counter (docs/decisions.md, "Event ids"), which a decimal one also is. Only a
    /// canonical counter (no leading zero, lower case, up to 12 digits) is taken, so that it
    /// reads back as the same text.
    private static func id(_ s: String, _ dictionary: StringDictionary, _ out: inout [UInt8]) {
        let utf8 = s.utf8
        if let dash = utf8.lastIndex(of: UInt8(ascii: "-")) {
            let digits = utf8[utf8.index(after: dash)...]
            if !digits.isEmpty, digits.count <= 12, digits.count == 1 || digits.first != UInt8(ascii: "0") {
                var value: UInt64 = 0
                var canonical = true
                for d in digits {
                    switch d {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value * 36 + UInt64(d - UInt8(ascii: "0"))
                    case UInt8(ascii: "a")...UInt8(ascii: "z"): value = value * 36 + UInt64(d - UInt8(ascii: "a") + 10)
                    default: canonical = false
                    }
                    if !canonical { break }
                }
                if canonical {
                    string(String(s[...dash]), dictionary, &out)
                    varint(value + 1, &out)
                    return
                }
            }
        }
        string(s, nil, &out)
        varint(0, &out)
    }

    // MARK: Reading

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func varint() -> UInt64? {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }

        mutating func take(_ n: Int) -> UnsafeBufferPointer<UInt8>? {
            guard n >= 0, n <= bytes.count - i else { return nil }
            defer { i += n }
            return UnsafeBufferPointer(rebasing: bytes[i..<i + n])
        }

        mutating func string(_ dictionary: StringDictionary) -> String? {
            guard let tag = varint() else { return nil }
            switch tag & 3 {
            case Mode.inline.rawValue: return take(Int(tag >> 2)).map { String(decoding: $0, as: UTF8.self) }
            case Mode.interned.rawValue: return dictionary.text(Int(tag >> 2))
            case Mode.ipv4.rawValue: return take(4).map { "\($0[0]).\($0[1]).\($0[2]).\($0[3])" }
            default: return nil
            }
        }

        mutating func id(_ dictionary: StringDictionary) -> String? {
            guard let base = string(dictionary), let counter = varint() else { return nil }
            return counter == 0 ? base : base + String(counter - 1, radix: 36)
        }
    }

    /// One stored entry: its time, id and body bytes (for merging lists without decoding them).
    struct Entry {
        var ts: Int64
        var id: String
        var body: [UInt8]
    }

    /// The entries of a list, in stored order; nil when the bytes are not a list.
    static func entries(_ blob: [UInt8], dictionary: StringDictionary) -> [Entry]? {
        blob.withUnsafeBufferPointer { buffer in
            var r = Reader(bytes: buffer)
            guard let count = r.varint() else { return nil }
            var out: [Entry] = []
            out.reserveCapacity(Int(min(count, 1 << 20)))
            var ts: Int64 = 0
            for _ in 0..<count {
                guard let delta = r.varint(), let length = r.varint(), let body = r.take(Int(length)) else { return nil }
                ts &+= unzigzag(delta)
                var b = Reader(bytes: body)
                guard let id = b.id(dictionary) else { return nil }
                out.append(Entry(ts: ts, id: id, body: Array(body)))
            }
            return out
        }
    }

    /// A list from entries sorted by (ts, id).
    static func list(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.reduce(4) { $0 + $1.body.count + 8 })
        varint(UInt64(entries.count), &out)
        var previous: Int64 = 0
        for e in entries {
            appendEntry(ts: e.ts, previous: previous, body: e.body, to: &out)
            previous = e.ts
        }
        return out
    }

    /// A list of events sorted by (ts, id).
    static func list(_ events: [Event], owner: FactOwner, dictionary: StringDictionary) -> [UInt8] {
        var out: [UInt8] = []
        varint(UInt64(events.count), &out)
        var previous: Int64 = 0
        var body: [UInt8] = []
        for e in events {
            body.removeAll(keepingCapacity: true)
            self.body(e, owner: owner, dictionary: dictionary, into: &body)
            appendEntry(ts: e.ts, previous: previous, body: body, to: &out)
            previous = e.ts
        }
        return out
    }

    /// The events of a list; `owner`/`key` fill in the field a lead's or visitor's list leaves out.
    /// Entries that do not decode (a number the dictionary lacks) are skipped and counted.
    static func events(_ blob: [UInt8], owner: FactOwner, key: String, dictionary: StringDictionary) -> (events: [Event], unreadable: Int) {
        blob.withUnsafeBufferPointer { buffer in
            var r = Reader(bytes: buffer)
            guard let count = r.varint() else { return ([], 1) }
            var out: [Event] = []
            out.reserveCapacity(Int(min(count, 1 << 20)))
            var ts: Int64 = 0
            var unreadable = 0
            for _ in 0..<count {
                guard let delta = r.varint(), let length = r.varint(), let body = r.take(Int(length)) else { return (out, unreadable + 1) }
                ts &+= unzigzag(delta)
                var b = Reader(bytes: body)
                if let e = event(&b, ts: ts, owner: owner, key: key, dictionary) { out.append(e) } else { unreadable += 1 }
            }
            return (out, unreadable)
        }
    }

    /// One body (a fold record's) as an event.
    static func event(body: [UInt8], ts: Int64, owner: FactOwner, key: String, dictionary: StringDictionary) -> Event? {
        body.withUnsafeBufferPointer { buffer in
            var r = Reader(bytes: buffer)
            return event(&r, ts: ts, owner: owner, key: key, dictionary)
        }
    }

    private static func event(_ r: inout Reader, ts: Int64, owner: FactOwner, key: String, _ d: StringDictionary) -> Event? {
        guard let id = r.id(d), let type = r.take(1), let flags = r.take(1), let mask = r.varint() else { return nil }
        let types = EventType.allCases
        guard Int(type[0]) < types.count else { return nil }
        var e = Event(id: id, ts: ts, type: types[types.index(types.startIndex, offsetBy: Int(type[0]))], flags: EventFlags(rawValue: flags[0]))
        if owner == .lead { e.lead = key }
        if owner == .visitor { e.visitor = key }
        func field(_ bit: Int, _ path: WritableKeyPath<Event, String?>) -> Bool {
            guard mask & (1 << UInt64(bit)) != 0 else { return true }
            guard let s = r.string(d) else { return false }
            e[keyPath: path] = s
            return true
        }
        func address(_ bit: Int, _ path: WritableKeyPath<Event, String?>) -> Bool {
            guard mask & (1 << UInt64(bit)) != 0 else { return true }
            guard let base = r.string(d), let rest = r.string(d) else { return false }
            e[keyPath: path] = base + rest
            return true
        }
        guard field(0, \.campaign), field(1, \.lead), field(2, \.visitor), address(3, \.url), address(4, \.referrer), field(5, \.title),
            field(6, \.name), field(7, \.ua), field(8, \.ip), field(9, \.node)
        else { return nil }
        if mask & UInt64(propsBit) != 0 {
            guard let n = r.varint() else { return nil }
            for _ in 0..<n {
                guard let k = r.string(d), let v = r.string(d) else { return nil }
                e.props[k] = v
            }
        }
        return e
    }

    /// The dictionary numbers a list uses (to find entries no event needs after an erasure).
    static func dictionaryNumbers(_ blob: [UInt8], into out: inout Set<Int>) {
        blob.withUnsafeBufferPointer { buffer in
            var r = Reader(bytes: buffer)
            guard let count = r.varint() else { return }
            for _ in 0..<count {
                guard r.varint() != nil, let length = r.varint(), let body = r.take(Int(length)) else { return }
                var b = Reader(bytes: body)
                numbers(&b, &out)
            }
        }
    }

    private static func numbers(_ r: inout Reader, _ out: inout Set<Int>) {
        func str() -> Bool {
            guard let tag = r.varint() else { return false }
            switch tag & 3 {
            case Mode.inline.rawValue: return r.take(Int(tag >> 2)) != nil
            case Mode.interned.rawValue:
                out.insert(Int(tag >> 2))
                return true
            case Mode.ipv4.rawValue: return r.take(4) != nil
            default: return false
            }
        }
        guard str(), r.varint() != nil, r.take(2) != nil, let mask = r.varint() else { return }
        for bit in 0..<10 where mask & (1 << UInt64(bit)) != 0 {
            guard str() else { return }
            if bit == 3 || bit == 4 { guard str() else { return } }
        }
        if mask & UInt64(propsBit) != 0, let n = r.varint() {
            for _ in 0..<n { guard str(), str() else { return } }
        }
    }
}
