/// Makes a newsletter trackable: rewrites its links into signed click links and adds the open
/// pixel, changing nothing else (see docs/wrap.md).
///
/// `plan` parses the HTML once; `render` then produces the output for any lead cheaply, so a
/// newsletter for 10,000 recipients is parsed once and only re-signed per recipient.
public struct NewsletterWrapper: Sendable {
    public struct Options: Sendable {
        /// The collector's public base URL, e.g. `https://t.example.com`.
        public var base: String
        public var campaign: String
        public var downloadExtensions: Set<String> = ["pdf", "zip", "docx", "xlsx", "pptx", "epub", "mp4"]
        /// Case-insensitive substrings of URLs that are unsubscribe links (never wrapped).
        public var unsubscribePatterns: [String] = [
            "unsubscribe", "unsub", "optout", "opt-out", "abmelden", "austragen", "abbestellen", "desinscri", "uitschrijven",
            "list-manage.com/unsubscribe", "/profile",
        ]
        public var honeypot = false
        /// Where a honeypot click is sent; default: the collector's `/robots.txt`.
        public var honeypotTarget: String?
        /// Remove `data-spur="off"` from the links it marks (default) or keep it.
        public var removeDataSpurOff = true
        public var addPixel = true
        /// Merge-tag patterns besides the built-in ones (`--merge-tag`, regular expressions).
        public var extraMergeTags: [String] = []

        public init(base: String, campaign: String) {
            self.base = base
            self.campaign = campaign
        }
    }

    /// Whose links these are.
    public enum Lead: Sendable, Equatable {
        /// Campaign-level links: opens and clicks carry no lead.
        case none
        /// The lead is signed into every link.
        case signed(String)
        /// Template mode: the mail tool fills this placeholder (e.g. `{{lead}}`) into `?l=`.
        case placeholder(String)
        /// A recipient without tracking consent: the original links, no pixel, no honeypot.
        case untracked
        /// A recipient without tracking consent, clicks counted per campaign and link: signed
        /// links without a lead, no pixel, no honeypot (`spur wrap --anonymous-links`).
        case anonymous
    }

    /// One `href` found in the HTML and what happens to it.
    public struct Link: Sendable, Equatable {
        public enum Decision: Sendable, Equatable {
            case wrap(LinkKind)
            case skip(String)
        }
        /// The attribute value as written.
        public let raw: String
        /// The URL after decoding character references.
        public let target: String
        public let decision: Decision
        /// 1-based line of the link in the input.
        public let line: Int
    }

    fileprivate enum Edit: Sendable {
        /// Replace the attribute value at `range` (quotes included) with a click link.
        case link(index: Int, range: Range<Int>, quote: UInt8?)
        /// Delete these bytes (a `data-spur="off"` attribute).
        case remove(range: Range<Int>)
        /// Insert the pixel (and honeypot) here.
        case insertPixel(at: Int)
    }

    public let options: Options
    public let links: [Link]
    private let input: [UInt8]
    private let edits: [Edit]

    /// Parses `html` and decides what to do with each link.
    public init(html: [UInt8], options: Options) throws(SpurError) {
        if html.contains(0) { throw SpurError.invalidNewsletter("the input contains NUL bytes: this is not an HTML text file") }
        guard String(validating: html, as: UTF8.self) != nil else {
            throw SpurError.invalidNewsletter("the input is not valid UTF-8 text (convert it to UTF-8 first)")
        }
        guard html.contains(UInt8(ascii: "<")) else { throw SpurError.invalidNewsletter("the input contains no HTML tags") }
        self.options = options
        input = html
        var scanner = HTMLScanner(html)
        let mergeTags = try MergeTags(extra: options.extraMergeTags)
        var links: [Link] = []
        var edits: [Edit] = []
        let base = options.base.lowercased()
        var line = 1, counted = 0  // newlines counted incrementally, not from the start each time
        while let tag = scanner.nextTag() {
            if tag.isEndTag {
                if tag.name == "body" { scanner.lastBodyClose = tag.start }
                continue
            }
            guard tag.name == "a" || tag.name == "area" || tag.name.hasPrefix("v:"),
                let href = tag.attributes.first(where: { $0.name == "href" }), let valueRange = href.valueRange
            else { continue }
            let raw = String(decoding: html[href.contentRange!], as: UTF8.self)
            let target = HTMLEntities.decode(raw).trimmingWhitespace()
            let off = tag.attributes.first { $0.name == "data-spur" }
            let decision = Self.decide(
                target: target,
                dataSpurOff: off.map { String(decoding: html[$0.contentRange ?? 0..<0], as: UTF8.self).lowercased() == "off" } ?? false, base: base,
                options: options, mergeTags: mergeTags)
            for i in counted..<tag.start where html[i] == 0x0A { line += 1 }
            counted = tag.start
            links.append(Link(raw: raw, target: target, decision: decision, line: line))
            if case .wrap = decision {
                edits.append(.link(index: links.count - 1, range: valueRange, quote: href.quote))
            }
            if let off, options.removeDataSpurOff, case .skip = decision, decision == .skip("marked data-spur=\"off\"") {
                edits.append(.remove(range: off.fullRange))
            }
        }
        if options.addPixel || options.honeypot {
            edits.append(.insertPixel(at: scanner.lastBodyClose ?? html.count))
        }
        self.links = links
        self.edits = edits.sorted { $0.position < $1.position }
    }

    static func decide(target: String, dataSpurOff: Bool, base: String, options: Options, mergeTags: MergeTags) -> Link.Decision {
        if dataSpurOff { return .skip("marked data-spur=\"off\"") }
        let lower = target.lowercased()
        if lower.isEmpty { return .skip("empty") }
        if lower.hasPrefix("#") { return .skip("anchor") }
        if lower.hasPrefix("mailto:") { return .skip("mailto") }
        if lower.hasPrefix("tel:") || lower.hasPrefix("sms:") { return .skip("tel") }
        if lower.hasPrefix(base + "/") || lower == base { return .skip("already a Spur link") }
        if options.unsubscribePatterns.contains(where: { lower.contains($0.lowercased()) }) { return .skip("unsubscribe link") }
        if let tools = mergeTags.match(target) {
            return .skip("merge tag of \(tools) (the mail tool fills it in; a signed link could not change)")
        }
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return lower.contains(":") && !lower.hasPrefix("/") ? .skip("not http(s)") : .skip("relative link (a newsletter needs absolute URLs)")
        }
        if let problem = TargetURL.problem(target) { return .skip(problem) }
        let path = lower.split(separator: "?", maxSplits: 1)[0].split(separator: "#", maxSplits: 1)[0]
        if let dot = path.lastIndex(of: "."), !path[dot...].contains("/"),
            options.downloadExtensions.contains(String(path[path.index(after: dot)...]))
        {
            return .wrap(.download)
        }
        return .wrap(.click)
    }

    /// Characters an unquoted attribute value may not contain.
    static func needsQuotes(_ c: UInt8) -> Bool {
        c <= 0x20 || c == 0x22 || c == 0x27 || c == 0x3D || c == 0x3C || c == 0x3E || c == 0x60 || c == 0x26
    }

    /// The wrapped HTML for `lead`, signed with `keyring`.
    public func render(lead: Lead, keyring: Keyring) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count + links.count * 160 + 512)
        var position = 0
        var signedLead: String?
        var suffix = ""
        switch lead {
        case .none, .untracked, .anonymous: break
        case .signed(let l): signedLead = l
        case .placeholder(let p): suffix = "?l=" + p
        }
        let tracked = lead != .untracked && lead != .anonymous
        let inQuery = suffix.isEmpty == false
        for edit in edits {
            switch edit {
            case .link(let index, let range, let quote):
                out += input[position..<range.lowerBound]
                guard case .wrap(let kind) = links[index].decision else { continue }
                guard lead != .untracked else {
                    out += input[range]
                    position = range.upperBound
                    continue
                }
                let token = LinkToken(
                    kind: kind, campaign: options.campaign, lead: signedLead, url: TargetURL.normalized(links[index].target), leadInQuery: inQuery)
                let url = options.base + "/c/" + keyring.sign(token) + suffix
                if quote == nil, !url.utf8.contains(where: { Self.needsQuotes($0) }) {
                    out += url.utf8  // stays unquoted, like the original
                } else {
                    let q = quote ?? UInt8(ascii: "\"")
                    out.append(q)
                    out += HTMLEntities.escapeAttribute(url, quote: q).utf8
                    out.append(q)
                }
                position = range.upperBound
            case .remove(let range):
                out += input[position..<range.lowerBound]
                position = range.upperBound
            case .insertPixel(let at):
                out += input[position..<at]
                position = at
                if options.honeypot && tracked {
                    let token = LinkToken(
                        kind: .click, campaign: options.campaign, lead: signedLead,
                        url: options.honeypotTarget ?? options.base + "/robots.txt", leadInQuery: inQuery, honeypot: true)
                    let href = HTMLEntities.escapeAttribute(options.base + "/c/" + keyring.sign(token) + suffix, quote: 0x22)
                    out +=
                        "<a href=\"\(href)\" aria-hidden=\"true\" tabindex=\"-1\" style=\"display:none!important;mso-hide:all;font-size:0;line-height:0;max-height:0;overflow:hidden;color:transparent\">&#8203;</a>"
                        .utf8
                }
                if options.addPixel && tracked {
                    let token = LinkToken(kind: .open, campaign: options.campaign, lead: signedLead, leadInQuery: inQuery)
                    let src = HTMLEntities.escapeAttribute(options.base + "/o/" + keyring.sign(token) + ".gif" + suffix, quote: 0x22)
                    out += "<img src=\"\(src)\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">".utf8
                }
            }
        }
        out += input[position...]
        return out
    }
}

extension NewsletterWrapper.Edit {
    var position: Int {
        switch self {
        case .link(_, let range, _): range.lowerBound
        case .remove(let range): range.lowerBound
        case .insertPixel(let at): at
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
