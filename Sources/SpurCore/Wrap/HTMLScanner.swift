/// A forgiving, byte-exact HTML tag scanner: it reports tags with the byte ranges of their
/// attributes and skips what a mail client does not render as markup — ordinary comments and
/// the content of `<script>` and `<style>`. Outlook conditional comments
/// (`<!--[if mso]> … <![endif]-->`) are *not* skipped: Outlook renders their content.
struct HTMLScanner {
    struct Attribute {
        /// Lowercased name.
        var name: String
        /// From the whitespace before the name to the end of the value.
        var fullRange: Range<Int>
        /// The value including its quotes, if the attribute has a value.
        var valueRange: Range<Int>?
        /// The value without quotes.
        var contentRange: Range<Int>?
        var quote: UInt8?
    }

    struct Tag {
        var name: String
        var isEndTag: Bool
        var start: Int
        var attributes: [Attribute]
    }

    private let b: [UInt8]
    private var i = 0
    var lastBodyClose: Int?

    init(_ bytes: [UInt8]) {
        b = bytes
    }

    mutating func nextTag() -> Tag? {
        while i < b.count {
            guard let lt = find(UInt8(ascii: "<"), from: i) else {
                i = b.count
                return nil
            }
            i = lt
            if has("<!--[if", at: i) {
                // Conditional comment opener: its content is markup for Outlook.
                i = (find("]>", from: i) ?? b.count - 2) + 2
            } else if has("<!-->", at: i) {
                i += 5
            } else if has("<!--", at: i) {
                i = (find("-->", from: i + 4) ?? b.count - 3) + 3
            } else if has("<!", at: i) || has("<?", at: i) {
                i = (find(UInt8(ascii: ">"), from: i) ?? b.count - 1) + 1
            } else if has("</", at: i) {
                let start = i
                var j = i + 2
                let name = readName(&j)
                i = (find(UInt8(ascii: ">"), from: j) ?? b.count - 1) + 1
                if !name.isEmpty { return Tag(name: name, isEndTag: true, start: start, attributes: []) }
            } else if i + 1 < b.count, isLetter(b[i + 1]) {
                let start = i
                var j = i + 1
                let name = readName(&j)
                let attributes = readAttributes(&j)
                i = j
                if name == "script" || name == "style" || name == "textarea" || name == "title" {
                    i = findEndTag(name, from: i) ?? b.count
                }
                return Tag(name: name, isEndTag: false, start: start, attributes: attributes)
            } else {
                i += 1
            }
        }
        return nil
    }

    private mutating func readAttributes(_ j: inout Int) -> [Attribute] {
        var attributes: [Attribute] = []
        while j < b.count {
            let wsStart = j
            while j < b.count, isSpace(b[j]) || b[j] == UInt8(ascii: "/") { j += 1 }
            guard j < b.count else { break }
            if b[j] == UInt8(ascii: ">") {
                j += 1
                break
            }
            let nameStart = j
            while j < b.count, !isSpace(b[j]), b[j] != UInt8(ascii: "="), b[j] != UInt8(ascii: ">") { j += 1 }
            if j == nameStart {
                j += 1
                continue
            }
            let name = String(decoding: b[nameStart..<j], as: UTF8.self).lowercased()
            var k = j
            while k < b.count, isSpace(b[k]) { k += 1 }
            guard k < b.count, b[k] == UInt8(ascii: "=") else {
                attributes.append(Attribute(name: name, fullRange: wsStart..<j))
                continue
            }
            k += 1
            while k < b.count, isSpace(b[k]) { k += 1 }
            guard k < b.count else {
                j = k
                break
            }
            if b[k] == UInt8(ascii: "\"") || b[k] == UInt8(ascii: "'") {
                let q = b[k]
                let end = find(q, from: k + 1) ?? b.count
                let close = min(end + 1, b.count)
                attributes.append(Attribute(name: name, fullRange: wsStart..<close, valueRange: k..<close, contentRange: (k + 1)..<end, quote: q))
                j = close
            } else {
                var end = k
                while end < b.count, !isSpace(b[end]), b[end] != UInt8(ascii: ">") { end += 1 }
                attributes.append(Attribute(name: name, fullRange: wsStart..<end, valueRange: k..<end, contentRange: k..<end, quote: nil))
                j = end
            }
        }
        return attributes
    }

    private func readName(_ j: inout Int) -> String {
        let start = j
        while j < b.count, isLetter(b[j]) || (b[j] >= 0x30 && b[j] <= 0x39) || b[j] == UInt8(ascii: ":") || b[j] == UInt8(ascii: "-") { j += 1 }
        return String(decoding: b[start..<j], as: UTF8.self).lowercased()
    }

    private func findEndTag(_ name: String, from start: Int) -> Int? {
        let needle = Array(("</" + name).utf8)
        var k = start
        while let lt = find(UInt8(ascii: "<"), from: k) {
            if lt + needle.count <= b.count,
                zip(needle, b[lt..<(lt + needle.count)]).allSatisfy({ $0 == ($1 | ($1 >= 0x41 && $1 <= 0x5A ? 0x20 : 0)) })
            {
                return lt
            }
            k = lt + 1
        }
        return nil
    }

    private func has(_ s: StaticString, at k: Int) -> Bool {
        let n = s.utf8CodeUnitCount
        guard k + n <= b.count else { return false }
        return s.withUTF8Buffer { p in
            for x in 0..<n {
                let c = b[k + x]
                let lower = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
                if lower != p[x] { return false }
            }
            return true
        }
    }

    private func find(_ byte: UInt8, from k: Int) -> Int? {
        var x = k
        while x < b.count {
            if b[x] == byte { return x }
            x += 1
        }
        return nil
    }

    private func find(_ s: StaticString, from k: Int) -> Int? {
        var x = k
        while let at = find(s.utf8Start.pointee, from: x) {
            if has(s, at: at) { return at }
            x = at + 1
        }
        return nil
    }

    private func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C }
}
