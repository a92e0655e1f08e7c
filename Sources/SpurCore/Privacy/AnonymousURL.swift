/// What of a URL an anonymous page count keeps (docs/consent.md): the page itself and the
/// campaign it came from, nothing a person could be told apart by — query strings carry session
/// ids, e-mail addresses and search terms, so only `utm_*` parameters stay.
///
/// The aggregator calls `path` and `campaign` for every page view it folds, so they scan the
/// UTF-8 bytes once instead of using Foundation's string search.
public enum AnonymousURL {
    /// `scheme://host[:port]/path`, plus the `utm_*` parameters in their order; no fragment.
    public static func page(_ url: String) -> String {
        let base = path(url)
        let parts = Parts(url)
        guard let query = parts.query else { return base }
        let kept = Substring(url.utf8[query]).split(separator: "&", omittingEmptySubsequences: true).filter {
            $0.lowercased().hasPrefix("utm_")
        }
        return kept.isEmpty ? base : base + "?" + kept.joined(separator: "&")
    }

    /// The URL without query, fragment and credentials: the page a report counts under.
    public static func path(_ url: String) -> String {
        let parts = Parts(url)
        let utf8 = url.utf8
        if let at = parts.credentialsEnd {
            return String(Substring(utf8[utf8.startIndex..<parts.authorityStart])) + String(Substring(utf8[utf8.index(after: at)..<parts.baseEnd]))
        }
        return parts.baseEnd == utf8.endIndex ? url : String(Substring(utf8[utf8.startIndex..<parts.baseEnd]))
    }

    /// `scheme://host[:port]` of an absolute http(s) URL; nil for anything else.
    public static func origin(_ url: String) -> String? {
        let lower = url.prefix(8).lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        let parts = Parts(url)
        let utf8 = url.utf8
        let hostStart = parts.credentialsEnd.map { utf8.index(after: $0) } ?? parts.authorityStart
        guard hostStart < parts.authorityEnd else { return nil }
        return String(Substring(utf8[utf8.startIndex..<parts.authorityStart])) + String(Substring(utf8[hostStart..<parts.authorityEnd]))
    }

    /// The URL's `utm_campaign` (decoded, at most 200 characters), if it has a non-empty one.
    public static func campaign(_ url: String) -> String? {
        guard let query = Parts(url).query else { return nil }
        let key = Array("utm_campaign=".utf8)
        let utf8 = url.utf8
        var i = query.lowerBound
        while i < query.upperBound {
            // At the start of a parameter: compare the key, else skip to the next '&'.
            var j = i, k = 0
            while k < key.count, j < query.upperBound, utf8[j] == key[k] {
                j = utf8.index(after: j)
                k += 1
            }
            if k == key.count {
                var end = j
                while end < query.upperBound, utf8[end] != UInt8(ascii: "&") { end = utf8.index(after: end) }
                let value = QueryString.decode(Substring(utf8[j..<end]))
                return value.isEmpty ? nil : String(value.prefix(200))
            }
            while i < query.upperBound, utf8[i] != UInt8(ascii: "&") { i = utf8.index(after: i) }
            if i < query.upperBound { i = utf8.index(after: i) }
        }
        return nil
    }

    /// Where the parts of a URL are, found in one pass over its bytes.
    private struct Parts {
        /// End of scheme, authority and path: the first `?` or `#`, or the end.
        var baseEnd: String.Index
        /// After `://`, or the start when there is none.
        var authorityStart: String.Index
        /// The first `/` after the authority start (within the base), or the base's end.
        var authorityEnd: String.Index
        /// The last `@` in the authority: credentials end there.
        var credentialsEnd: String.Index?
        /// The query without `?`, up to `#`.
        var query: Range<String.Index>?

        init(_ url: String) {
            let utf8 = url.utf8
            var baseEnd = utf8.endIndex
            var query: Range<String.Index>?
            var i = utf8.startIndex
            while i < utf8.endIndex {
                let c = utf8[i]
                if c == UInt8(ascii: "#") {
                    baseEnd = i
                    break
                }
                if c == UInt8(ascii: "?") {
                    baseEnd = i
                    let start = utf8.index(after: i)
                    var end = start
                    while end < utf8.endIndex, utf8[end] != UInt8(ascii: "#") { end = utf8.index(after: end) }
                    query = start..<end
                    break
                }
                i = utf8.index(after: i)
            }
            var authorityStart = utf8.startIndex
            var j = utf8.startIndex
            // "://" before the first '/' that is not part of it.
            while j < baseEnd {
                let c = utf8[j]
                if c == UInt8(ascii: "/") { break }
                if c == UInt8(ascii: ":") {
                    let a = utf8.index(after: j)
                    if a < baseEnd, utf8[a] == UInt8(ascii: "/") {
                        let b = utf8.index(after: a)
                        if b < baseEnd, utf8[b] == UInt8(ascii: "/") { authorityStart = utf8.index(after: b) }
                    }
                    break
                }
                j = utf8.index(after: j)
            }
            var authorityEnd = baseEnd
            var credentialsEnd: String.Index?
            if authorityStart > utf8.startIndex {
                var k = authorityStart
                while k < baseEnd {
                    let c = utf8[k]
                    if c == UInt8(ascii: "/") {
                        authorityEnd = k
                        break
                    }
                    if c == UInt8(ascii: "@") { credentialsEnd = k }
                    k = utf8.index(after: k)
                }
            }
            self.baseEnd = baseEnd
            self.authorityStart = authorityStart
            self.authorityEnd = authorityEnd
            self.credentialsEnd = credentialsEnd
            self.query = query
        }
    }
}
