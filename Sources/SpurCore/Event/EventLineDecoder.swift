/// Decodes event lines as `EventLineEncoder` writes them — flat objects of strings, integers,
/// string arrays and string maps — without Foundation, because the aggregator reads every line
/// of every segment. Anything else (other JSON shapes) returns nil; the caller then falls back
/// to the general JSON parser, so hand-edited or foreign lines still decode.
enum EventLineDecoder {
    static func decode(_ bytes: some Collection<UInt8>) -> Event? {
        var p = Parser(Array(bytes))
        return p.event()
    }

    private struct Parser {
        let b: [UInt8]
        var i = 0
        init(_ b: [UInt8]) { self.b = b }

        mutating func event() -> Event? {
            skipSpace()
            guard take(0x7B) else { return nil }
            var id: String?, ts: Int64?, type: EventType?
            var e = Event(id: "", ts: 0, type: .custom)
            skipSpace()
            if take(0x7D) { return nil }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard take(0x3A) else { return nil }
                skipSpace()
                switch key {
                case "ts": guard let n = integer() else { return nil }; ts = n
                case "flags":
                    guard let names = stringArray() else { return nil }
                    e.flags = EventFlags(names: names)
                case "props": guard let map = stringMap() else { return nil }; e.props = map
                default:
                    guard let value = string() else { return nil }
                    switch key {
                    case "id": id = value
                    case "type": type = EventType(rawValue: value)
                    case "campaign": e.campaign = value
                    case "lead": e.lead = value
                    case "visitor": e.visitor = value
                    case "url": e.url = value
                    case "referrer": e.referrer = value
                    case "title": e.title = value
                    case "name": e.name = value
                    case "ua": e.ua = value
                    case "ip": e.ip = value
                    case "node": e.node = value
                    default: break
                    }
                }
                skipSpace()
                if take(0x2C) { continue }
                guard take(0x7D) else { return nil }
                break
            }
            skipSpace()
            guard i == b.count, let id, let ts, let type else { return nil }
            e.id = id
            e.ts = ts
            e.type = type
            return e
        }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
        }

        mutating func take(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }

        mutating func integer() -> Int64? {
            var negative = false
            if take(0x2D) { negative = true }
            var value: Int64 = 0
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 0x30))
                guard !o1, !o2 else { return nil }
                value = a
                i += 1
            }
            guard i > start, i == b.count || (b[i] != 0x2E && b[i] != 0x65 && b[i] != 0x45) else { return nil }
            return negative ? -value : value
        }

        mutating func string() -> String? {
            guard take(0x22) else { return nil }
            var out: [UInt8] = []
            let start = i
            // Fast path: no escapes.
            while i < b.count, b[i] != 0x22, b[i] != 0x5C { i += 1 }
            if i < b.count, b[i] == 0x22 {
                defer { i += 1 }
                return String(validating: b[start..<i], as: UTF8.self)
            }
            out += b[start..<i]
            while i < b.count {
                let c = b[i]
                i += 1
                if c == 0x22 { return String(validating: out, as: UTF8.self) }
                guard c == 0x5C else {
                    out.append(c)
                    continue
                }
                guard i < b.count else { return nil }
                let e = b[i]
                i += 1
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard take(0x5C), take(0x75), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { return nil }
                    out += Array(String(Character(u)).utf8)
                default: return nil
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard i + 4 <= b.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                i += 1
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }

        mutating func stringArray() -> [String]? {
            guard take(0x5B) else { return nil }
            var out: [String] = []
            skipSpace()
            if take(0x5D) { return out }
            while true {
                skipSpace()
                guard let s = string() else { return nil }
                out.append(s)
                skipSpace()
                if take(0x2C) { continue }
                return take(0x5D) ? out : nil
            }
        }

        mutating func stringMap() -> [String: String]? {
            guard take(0x7B) else { return nil }
            var out: [String: String] = [:]
            skipSpace()
            if take(0x7D) { return out }
            while true {
                skipSpace()
                guard let k = string() else { return nil }
                skipSpace()
                guard take(0x3A) else { return nil }
                skipSpace()
                guard let v = string() else { return nil }
                out[k] = v
                skipSpace()
                if take(0x2C) { continue }
                return take(0x7D) ? out : nil
            }
        }
    }
}
