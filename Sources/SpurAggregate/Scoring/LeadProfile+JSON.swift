import Foundation

/// The profile's JSON written directly, byte for byte what `LeadProfile.encoder` writes (sorted
/// keys, `/` escaped, absent optionals left out): the aggregator writes one per lead and run,
/// and Foundation's Codable machinery cost as much as scoring itself (docs/performance.md).
/// `LeadProfileJSONTests` holds the two equal on generated profiles.
extension LeadProfile {
    public var json: String {
        var w = JSONText()
        w.object { o in
            o.field("as_of") { $0.string(asOf) }
            o.field("attributes") { $0.map(attributes) }
            o.field("campaigns_clicked") { $0.strings(campaignsClicked) }
            o.field("campaigns_opened") { $0.strings(campaignsOpened) }
            o.field("counts") { w in
                w.object { o in
                    for key in JSONText.sorted(Array(counts.keys)) { o.field(key) { $0.integer(counts[key]!) } }
                }
            }
            o.field("explain") { w in
                w.array(explain) { w, e in
                    w.object { o in
                        o.field("awarded") { $0.number(e.awarded) }
                        o.field("events") { $0.integer(e.events) }
                        if let x = e.excluded { o.field("excluded") { $0.string(x) } }
                        o.field("points") { $0.number(e.points) }
                        o.field("rule") { $0.string(e.rule) }
                    }
                }
            }
            o.field("explicit") { $0.number(explicit) }
            o.field("first_seen") { $0.string(firstSeen) }
            if let t = firstTouch { o.field("first_touch") { $0.touch(t) } }
            o.field("grade") { $0.integer(grade.rawValue) }
            o.field("implicit") { $0.number(implicit) }
            o.field("interests") { w in
                w.array(interests) { w, i in
                    w.object { o in
                        o.field("category") { $0.string(i.category) }
                        o.field("weight") { $0.number(i.weight) }
                    }
                }
            }
            o.field("label") { $0.string(label) }
            o.field("last_seen") { $0.string(lastSeen) }
            if let t = lastTouch { o.field("last_touch") { $0.touch(t) } }
            o.field("lead") { $0.string(lead) }
            o.field("letter") { $0.string(letter.rawValue) }
            o.field("lifetime") { $0.number(lifetime) }
            if let m = mqlAt { o.field("mql_at") { $0.string(m) } }
            o.field("score") { $0.number(score) }
            if let s = sqlAt { o.field("sql_at") { $0.string(s) } }
            o.field("stage") { $0.string(stage.rawValue) }
            if let s = stageSince { o.field("stage_since") { $0.string(s) } }
            o.field("visitors") { $0.strings(visitors) }
        }
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

/// A small JSON writer with Foundation's choices for the values a profile holds.
struct JSONText {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    struct Object {
        fileprivate var writer: JSONText
        fileprivate var first = true

        mutating func field(_ key: String, _ value: (inout JSONText) -> Void) {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            writer.string(key)
            writer.bytes.append(UInt8(ascii: ":"))
            value(&writer)
        }
    }

    mutating func object(_ body: (inout Object) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var o = Object(writer: self)
        bytes = []
        body(&o)
        self = o.writer
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func array<T>(_ items: [T], _ each: (inout JSONText, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            each(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func strings(_ items: [String]) { array(items) { $0.string($1) } }

    mutating func map(_ m: [String: String]) {
        object { o in
            for key in Self.sorted(Array(m.keys)) { o.field(key) { $0.string(m[key]!) } }
        }
    }

    mutating func touch(_ t: LeadProfile.Touch) {
        object { o in
            o.field("at") { $0.string(t.at) }
            if let c = t.campaign { o.field("campaign") { $0.string(c) } }
            if let m = t.medium { o.field("medium") { $0.string(m) } }
            if let s = t.source { o.field("source") { $0.string(s) } }
            o.field("url") { $0.string(t.url) }
        }
    }

    /// Keys in the order `JSONEncoder`'s `.sortedKeys` puts them (Swift's string order).
    static func sorted(_ keys: [String]) -> [String] { keys.sorted() }

    mutating func integer(_ n: Int) { bytes.append(contentsOf: String(n).utf8) }

    /// Integral values without a fraction, others as Swift's shortest round-trip text.
    mutating func number(_ d: Double) {
        if d == 0 && d.sign == .minus {
            bytes.append(contentsOf: "-0".utf8)
        } else if d == d.rounded(), abs(d) <= 9_007_199_254_740_992 {
            integer(Int(d))
        } else {
            bytes.append(contentsOf: d.description.utf8)
        }
    }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes += [0x5C, 0x22]
            case UInt8(ascii: "\\"): bytes += [0x5C, 0x5C]
            case UInt8(ascii: "/"): bytes += [0x5C, 0x2F]
            case 0x08: bytes += [0x5C, UInt8(ascii: "b")]
            case 0x0C: bytes += [0x5C, UInt8(ascii: "f")]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
