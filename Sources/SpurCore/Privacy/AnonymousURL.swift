import Foundation

/// What of a URL an anonymous page count keeps (docs/consent.md): the page itself and the
/// campaign it came from, nothing a person could be told apart by — query strings carry session
/// ids, e-mail addresses and search terms, so only `utm_*` parameters stay.
public enum AnonymousURL {
    /// `scheme://host[:port]/path`, plus the `utm_*` parameters in their order; no fragment.
    public static func page(_ url: String) -> String {
        let (full, query) = split(url)
        let base = withoutCredentials(full)
        let kept =
            query.map { q in
                q.split(separator: "&", omittingEmptySubsequences: true).filter { $0.lowercased().hasPrefix("utm_") }
            } ?? []
        return kept.isEmpty ? String(base) : base + "?" + kept.joined(separator: "&")
    }

    /// The URL without query and fragment: the page a report counts under.
    public static func path(_ url: String) -> String { String(withoutCredentials(split(url).base)) }

    /// `scheme://host[:port]` of an absolute http(s) URL; nil for anything else.
    public static func origin(_ url: String) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        let afterScheme = url.index(url.firstIndex(of: ":")!, offsetBy: 3)
        let rest = url[afterScheme...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<end]
        // Credentials before `@` are never kept.
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty else { return nil }
        return String(url[..<afterScheme]) + authority
    }

    /// The URL's `utm_campaign` (decoded, at most 200 characters), if it has a non-empty one.
    public static func campaign(_ url: String) -> String? {
        guard let query = split(url).query, query.contains("utm_campaign") else { return nil }
        guard let value = QueryString.parse(query)["utm_campaign"], !value.isEmpty else { return nil }
        return String(value.prefix(200))
    }

    private static func withoutCredentials(_ base: Substring) -> Substring {
        guard let schemeEnd = base.range(of: "://")?.upperBound else { return base }
        let authorityEnd = base[schemeEnd...].firstIndex(of: "/") ?? base.endIndex
        guard let at = base[schemeEnd..<authorityEnd].lastIndex(of: "@") else { return base }
        return Substring(base[..<schemeEnd] + base[base.index(after: at)...])
    }

    private static func split(_ url: String) -> (base: Substring, query: Substring?) {
        let noFragment = url.firstIndex(of: "#").map { url[..<$0] } ?? url[...]
        guard let q = noFragment.firstIndex(of: "?") else { return (noFragment, nil) }
        return (noFragment[..<q], noFragment[noFragment.index(after: q)...])
    }
}
