/// Decoding of the character references that appear in URLs inside HTML attributes.
enum HTMLEntities {
    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "equals": "=", "quest": "?",
        "sol": "/", "num": "#", "percnt": "%", "plus": "+", "colon": ":", "semi": ";", "comma": ",", "period": ".",
        "lowbar": "_", "hyphen": "-", "excl": "!", "dollar": "$", "lpar": "(", "rpar": ")", "ast": "*", "commat": "@",
    ]

    /// Replaces `&name;`, `&#NN;` and `&#xHH;` references; unknown ones stay as written.
    static func decode(_ s: some StringProtocol) -> String {
        guard s.contains("&") else { return String(s) }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            guard c == "&", let semi = s[i...].prefix(34).firstIndex(of: ";") else {
                out.append(c)
                i = s.index(after: i)
                continue
            }
            let body = s[s.index(after: i)..<semi]
            var replacement: String?
            if body.hasPrefix("#x") || body.hasPrefix("#X") {
                replacement = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if body.hasPrefix("#") {
                replacement = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                replacement = named[String(body)]
            }
            if let replacement {
                out += replacement
                i = s.index(after: semi)
            } else {
                out.append(c)
                i = s.index(after: i)
            }
        }
        return out
    }

    /// Escapes a value for a double- or single-quoted attribute.
    static func escapeAttribute(_ s: String, quote: UInt8) -> String {
        // Signed links never contain these; skip the work (this runs per link and recipient).
        if !s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) { return s }
        var out = s.replacingAll("&", with: "&amp;")
        out = out.replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
        return quote == UInt8(ascii: "'") ? out.replacingAll("'", with: "&#39;") : out.replacingAll("\"", with: "&quot;")
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
