/// Writes an event as one JSON line with the fixed field names and order of docs/events.md.
///
/// Hand-written because it runs for every request: no Foundation encoder, no intermediate
/// dictionaries, just bytes appended to the batch buffer.
package enum EventLineEncoder {
    static func encode(_ e: Event, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + 512)
        out.append(contentsOf: #"{"id":"#.utf8)
        appendString(e.id, to: &out)
        out.append(contentsOf: #","ts":"#.utf8)
        out.append(contentsOf: String(e.ts).utf8)
        out.append(contentsOf: #","type":""#.utf8)
        out.append(contentsOf: e.type.rawValue.utf8)
        out.append(0x22)
        field("campaign", e.campaign, &out)
        field("lead", e.lead, &out)
        field("visitor", e.visitor, &out)
        field("url", e.url, &out)
        field("referrer", e.referrer, &out)
        field("title", e.title, &out)
        field("name", e.name, &out)
        field("ua", e.ua, &out)
        field("ip", e.ip, &out)
        if !e.flags.isEmpty {
            out.append(contentsOf: #","flags":["#.utf8)
            for (i, name) in e.flags.names.enumerated() {
                if i > 0 { out.append(0x2C) }
                appendString(name, to: &out)
            }
            out.append(0x5D)
        }
        if !e.props.isEmpty {
            out.append(contentsOf: #","props":"#.utf8)
            appendObject(e.props, to: &out)
        }
        field("node", e.node, &out)
        out.append(contentsOf: "}\n".utf8)
    }

    @inline(__always)
    private static func field(_ name: StaticString, _ value: String?, _ out: inout [UInt8]) {
        guard let value else { return }
        out.append(0x2C)
        out.append(0x22)
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(0x22)
        out.append(0x3A)
        appendString(value, to: &out)
    }

    /// `props` as a JSON object with sorted keys (the form the aggregator stores).
    package static func object(_ props: [String: String]) -> String {
        var out: [UInt8] = []
        appendObject(props, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendObject(_ props: [String: String], to out: inout [UInt8]) {
        out.append(0x7B)
        for (i, key) in props.keys.sorted().enumerated() {
            if i > 0 { out.append(0x2C) }
            appendString(key, to: &out)
            out.append(0x3A)
            appendString(props[key]!, to: &out)
        }
        out.append(0x7D)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string. Swift strings are valid Unicode, so the output is valid
    /// UTF-8; control characters and U+2028/U+2029 (which break JavaScript parsers) are escaped.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { utf8 in
            var i = 0
            // Bytes that need no escape are copied in runs: this runs for every field of every hit.
            var run = 0
            let n = utf8.count
            let raw = UnsafeRawBufferPointer(utf8)
            while i < n {
                // Eight plain bytes at a time: no control, quote, backslash, DEL or the lead byte
                // of U+2028/U+2029.
                if i + 8 <= n {
                    let w = ByteWord.load(raw, at: i)
                    if !(ByteWord.hasLess(w, than: 0x20) || ByteWord.has(w, 0x22) || ByteWord.has(w, 0x5C)
                        || ByteWord.has(w, 0x7F) || ByteWord.has(w, 0xE2))
                    {
                        i += 8
                        continue
                    }
                }
                let c = utf8[i]
                if c >= 0x20 && c != 0x22 && c != 0x5C && c != 0x7F && c != 0xE2 {
                    i += 1
                    continue
                }
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i])) }
                switch c {
                case 0x22: out.append(0x5C); out.append(0x22)
                case 0x5C: out.append(0x5C); out.append(0x5C)
                case 0x0A: out.append(0x5C); out.append(0x6E)
                case 0x0D: out.append(0x5C); out.append(0x72)
                case 0x09: out.append(0x5C); out.append(0x74)
                case 0x00..<0x20, 0x7F:
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
                case 0xE2 where i + 2 < n && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9):
                    out.append(contentsOf: Array(#"\u202"#.utf8))
                    out.append(utf8[i + 2] == 0xA8 ? 0x38 : 0x39)
                    i += 2
                default: out.append(c)
                }
                i += 1
                run = i
            }
            if run < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<n])) }
        }
        out.append(0x22)
    }
}
