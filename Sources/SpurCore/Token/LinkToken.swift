/// What a link leads to: an open pixel, a click or a file download.
public enum LinkKind: UInt8, Sendable, CaseIterable {
    case open = 0
    case click = 1
    case download = 2

    public var eventType: EventType {
        switch self {
        case .open: .open
        case .click: .click
        case .download: .download
        }
    }
}

/// The signed content of an open or click link (docs/http.md, "Tokens").
public struct LinkToken: Equatable, Sendable {
    public var kind: LinkKind
    public var campaign: String
    /// The signed lead. Nil for template links, whose lead travels in the `l` query parameter.
    public var lead: String?
    /// Click/download target (absolute http/https URL). Nil for opens.
    public var url: String?
    /// Template mode: the lead comes unsigned from the `l` query parameter (weaker, see docs).
    public var leadInQuery: Bool
    /// The invisible honeypot link `spur wrap --honeypot` adds: clicks mark scanner traffic.
    public var honeypot: Bool

    public init(
        kind: LinkKind, campaign: String, lead: String? = nil, url: String? = nil, leadInQuery: Bool = false,
        honeypot: Bool = false
    ) {
        self.kind = kind
        self.campaign = campaign
        self.lead = lead
        self.url = url
        self.leadInQuery = leadInQuery
        self.honeypot = honeypot
    }

    static let version: UInt8 = 1

    /// Checks what a token may carry; throws `.invalidInput` naming the problem.
    public func validate() throws(SpurError) {
        if let problem = contentProblem() { throw .invalidInput(problem) }
    }

    public var isValid: Bool { contentProblem() == nil }

    /// The first problem of the token's content, if any (`validate`, `Keyring.verify`).
    func contentProblem() -> String? {
        if let p = Identifier.problem(campaign, what: "campaign") { return p }
        if let lead, let p = Identifier.problem(lead, what: "lead") { return p }
        if lead != nil && leadInQuery { return "a link carries either a signed lead or a lead placeholder, not both" }
        switch kind {
        case .open:
            if url != nil { return "an open pixel has no target URL" }
        case .click, .download:
            guard let url else { return "a click link needs a target URL" }
            if let p = TargetURL.problem(url) { return p }
        }
        return nil
    }

    func payload(keyID: String) -> [UInt8] {
        var out: [UInt8] = [Self.version]
        out.reserveCapacity(8 + keyID.utf8.count + campaign.utf8.count + (lead?.utf8.count ?? 0) + (url?.utf8.count ?? 0))
        let kid = Array(keyID.utf8)
        out.append(UInt8(kid.count))
        out += kid
        out.append(kind.rawValue)
        out.append((leadInQuery ? 1 : 0) | (honeypot ? 2 : 0))
        for field in [campaign, lead ?? "", url ?? ""] {
            Varint.append(field.utf8.count, to: &out)
            out += field.utf8
        }
        return out
    }

    /// Parses a payload; returns the key id and the token, or nil if malformed.
    static func parse(payload p: [UInt8]) -> (keyID: String, token: LinkToken)? {
        var r = ByteReader(p)
        guard r.byte() == version, let kidLen = r.byte(), (1...16).contains(kidLen), let kid = r.bytes(Int(kidLen)),
            let kindRaw = r.byte(), let kind = LinkKind(rawValue: kindRaw), let flags = r.byte(), flags & ~3 == 0,
            let campaign = r.string(), let lead = r.string(), let url = r.string(), r.atEnd
        else { return nil }
        let token = LinkToken(
            kind: kind, campaign: campaign, lead: lead.isEmpty ? nil : lead, url: url.isEmpty ? nil : url,
            leadInQuery: flags & 1 != 0, honeypot: flags & 2 != 0)
        return (String(decoding: kid, as: UTF8.self), token)
    }
}

/// Campaign and lead ids: opaque, short, URL- and file-safe, never an e-mail address.
public enum Identifier {
    public static let maxLength = 128

    /// Throws `.invalidInput` naming what is wrong with `value` as a `what` id.
    public static func validate(_ value: String, what: String) throws(SpurError) {
        if let problem = problem(value, what: what) { throw .invalidInput(problem) }
    }

    static func problem(_ value: String, what: String) -> String? {
        if value.isEmpty { return "\(what) id is empty" }
        if value.utf8.count > maxLength { return "\(what) id is longer than \(maxLength) bytes" }
        if value.utf8.contains(UInt8(ascii: "@")) { return "\(what) id looks like an e-mail address; use an opaque id" }
        let ok = value.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E || c == 0x3A || c == 0x2B
        }
        return ok ? nil : "\(what) id may only contain letters, digits and . _ - ~ : +"
    }

    public static func isValid(_ value: String) -> Bool { problem(value, what: "") == nil }
}

/// Redirect targets: absolute http(s) URLs only, so a signed link can never become a
/// `javascript:` or `data:` redirect.
public enum TargetURL {
    public static let maxLength = 4096

    /// The URL as an RFC 3986 URI, as it goes into a `Location` header: a host with non-ASCII
    /// labels in IDNA form (`bücher.example` → `xn--bcher-kva.example`) and every non-ASCII byte
    /// of path, query and fragment percent-encoded (`/Über` → `/%C3%9Cber`). ASCII stays as it is.
    public static func normalized(_ url: String) -> String {
        guard url.utf8.contains(where: { $0 >= 0x80 }), let schemeEnd = url.firstRange(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        var authority = String(afterScheme[..<authorityEnd])
        if authority.utf8.contains(where: { $0 >= 0x80 }) {
            // user@host:port — only the host's labels change.
            let at = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
            let hostAndPort = authority[at...]
            let colon = hostAndPort.hasPrefix("[") ? nil : hostAndPort.lastIndex(of: ":")
            let host = hostAndPort[..<(colon ?? hostAndPort.endIndex)]
            let labels = host.split(separator: ".", omittingEmptySubsequences: false).map { label -> String in
                guard label.utf8.contains(where: { $0 >= 0x80 }), let code = Punycode.encode(label.lowercased()) else { return String(label) }
                return "xn--" + code
            }
            authority = String(authority[..<at]) + labels.joined(separator: ".") + String(hostAndPort[(colon ?? hostAndPort.endIndex)...])
        }
        var rest = ""
        for byte in afterScheme[authorityEnd...].utf8 {
            if byte >= 0x80 {
                rest += "%" + String(byte >> 4, radix: 16).uppercased() + String(byte & 0xF, radix: 16).uppercased()
            } else {
                rest.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return String(url[..<schemeEnd.upperBound]) + authority + rest
    }

    /// The problem of `url` as a redirect target, if any.
    static func problem(_ url: String) -> String? {
        if url.utf8.count > maxLength { return "target URL is longer than \(maxLength) bytes" }
        if url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) { return "target URL contains spaces or control characters" }
        // On the bytes, as browsers read a URL (code points, not grapheme clusters); every
        // redirect checks its verified token's target, so this runs per click.
        var url = url
        return url.withUTF8 { bytes in authorityProblem(bytes) }
    }

    private static func authorityProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        func lower(_ i: Int) -> UInt8 { bytes[i] >= 0x41 && bytes[i] <= 0x5A ? bytes[i] | 0x20 : bytes[i] }
        func hasScheme(_ scheme: StaticString) -> Bool {
            scheme.utf8CodeUnitCount <= bytes.count
                && (0..<scheme.utf8CodeUnitCount).allSatisfy { lower($0) == scheme.utf8Start[$0] }
        }
        let schemeLength: Int
        if hasScheme("http://") {
            schemeLength = 7
        } else if hasScheme("https://") {
            schemeLength = 8
        } else {
            return "target URL must be an absolute http:// or https:// URL"
        }
        let authority = bytes[schemeLength...].prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        // Browsers read a backslash as '/', other parsers as part of the host or user name: the
        // two would send the click to different hosts.
        if authority.contains(UInt8(ascii: "\\")) { return "target URL has a backslash before its path; write '/'" }
        // `https://shop.example@evil.example/` goes to evil.example: a phishing pattern.
        if authority.contains(UInt8(ascii: "@")) { return "target URL has a user name or password before its host" }
        let host =
            authority.first == UInt8(ascii: "[")
            ? authority.prefix { $0 != UInt8(ascii: "]") } : authority.prefix { $0 != UInt8(ascii: ":") }
        if host.isEmpty || host.elementsEqual("[".utf8) { return "target URL has no host" }
        return nil
    }
}

enum Varint {
    static func append(_ value: Int, to out: inout [UInt8]) {
        var v = UInt64(value)
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}

struct ByteReader {
    private let bytes: [UInt8]
    private var pos = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { pos == bytes.count }

    mutating func byte() -> UInt8? {
        guard pos < bytes.count else { return nil }
        defer { pos += 1 }
        return bytes[pos]
    }

    mutating func bytes(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, bytes.count - pos >= n else { return nil }
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }

    mutating func varint() -> Int? {
        var value = 0
        var shift = 0
        while let b = byte() {
            value |= Int(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
            if shift > 21 { return nil }  // no field is longer than 2 MiB
        }
        return nil
    }

    mutating func string() -> String? {
        guard let n = varint(), let raw = bytes(n) else { return nil }
        // Reject invalid UTF-8 instead of repairing it: a signed payload is never invalid. (Decoded
        // and compared rather than `String(validating:)`, whose generic path cost more per click.)
        let text = String(decoding: raw, as: UTF8.self)
        return text.utf8.elementsEqual(raw) ? text : nil
    }
}
