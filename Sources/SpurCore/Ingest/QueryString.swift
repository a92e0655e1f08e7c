/// Form-style query parsing: `+` is a space, `%XX` is a byte, invalid UTF-8 becomes U+FFFD.
/// (Hummingbird's own parser keeps undecodable values raw and does not map `+`.)
package enum QueryString {
    package static func parse(_ query: Substring?) -> [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            guard out[key] == nil else { continue }  // the first occurrence wins
            out[key] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }

    package static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var it = text.utf8.makeIterator()
        while let c = it.next() {
            switch c {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let h = it.next() else { bytes.append(c); break }
                guard let l = it.next() else { bytes += [c, h]; break }
                if let hi = hexValue(h), let lo = hexValue(l) {
                    bytes.append(hi << 4 | lo)
                } else {
                    bytes += [c, h, l]
                }
            default: bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
