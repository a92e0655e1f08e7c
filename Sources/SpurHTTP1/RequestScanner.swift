import SpurCore

/// A deliberately narrow HTTP/1.1 request-head scanner for the tracking routes' hot path.
///
/// It recognises one shape only: `GET` or `HEAD`, an origin-form target of visible ASCII,
/// `HTTP/1.1`, CRLF line ends, well-formed fields, exactly one `Host`, no body framing
/// (`Content-Length`, `Transfer-Encoding`), no `Expect` or `Upgrade`, and nothing it reads twice
/// that should be there once. Anything else — obs-fold, bare CR or LF, NUL and other controls,
/// HTTP/1.0, absolute-form targets, leading empty lines, over-long parts — is `.unsupported`:
/// the caller hands those bytes to the full HTTP implementation, which decides. The scanner never
/// guesses and never rejects a request itself, so it can only make a request the full parser
/// accepts take the fast way, never change how a request is framed (RFC 9112 §2–§6).
public struct RequestScanner: Sendable {
    /// Above these the request is left to the full implementation (which answers 414 or 431).
    public var maxTargetBytes: Int
    public var maxHeadBytes: Int
    public var maxFields: Int

    public init(maxTargetBytes: Int = 8192, maxHeadBytes: Int = 16384, maxFields: Int = 64) {
        self.maxTargetBytes = maxTargetBytes
        self.maxHeadBytes = maxHeadBytes
        self.maxFields = maxFields
    }

    public enum Result: Equatable, Sendable {
        /// The bytes so far are the start of a request this scanner could take; more are needed.
        case incomplete
        /// A complete request head of `length` bytes; the next request starts right after it.
        case request(ScannedRequest, length: Int)
        /// Not for the fast path: hand these bytes, and the connection, to the full parser.
        case unsupported
    }

    public func scan(_ bytes: UnsafeRawBufferPointer) -> Result {
        var cursor = Cursor(bytes)
        return cursor.scan(self)
    }

    public func scan(_ bytes: [UInt8]) -> Result {
        bytes.withUnsafeBytes { scan($0) }
    }
}

/// The parts of a scanned request head that the tracking routes read.
public struct ScannedRequest: Equatable, Sendable {
    public enum Method: Sendable { case get, head }

    public var method: Method
    /// The request target as sent: path and query, visible ASCII only.
    public var target: String
    /// `Connection: close` was sent: the connection ends after the answer.
    public var closes = false
    /// The single-valued fields the routes read (stored one by one: an array would be one more
    /// allocation per request).
    private var userAgent, referer, acceptLanguage, dnt, secGPC, secPurpose, purpose, xPurpose, xMoz: String?
    /// Every `Cookie` and `X-Forwarded-For` field value, in order.
    public var cookies: [String] = []
    public var forwardedFor: [String] = []
    /// The field section as the collector's header limit counts it — name, value, ": " and CRLF
    /// of every field except the one `Host` — or a little more (see obs-text below), never less.
    public var fieldBytes = 0
    public var fieldCount = 0

    /// Fields read by the tracking routes that must appear at most once.
    public enum Field: CaseIterable, Sendable {
        case userAgent, referer, acceptLanguage, dnt, secGPC, secPurpose, purpose, xPurpose, xMoz
    }

    public subscript(field: Field) -> String? {
        get {
            switch field {
            case .userAgent: userAgent
            case .referer: referer
            case .acceptLanguage: acceptLanguage
            case .dnt: dnt
            case .secGPC: secGPC
            case .secPurpose: secPurpose
            case .purpose: purpose
            case .xPurpose: xPurpose
            case .xMoz: xMoz
            }
        }
        set {
            switch field {
            case .userAgent: userAgent = newValue
            case .referer: referer = newValue
            case .acceptLanguage: acceptLanguage = newValue
            case .dnt: dnt = newValue
            case .secGPC: secGPC = newValue
            case .secPurpose: secPurpose = newValue
            case .purpose: purpose = newValue
            case .xPurpose: xPurpose = newValue
            case .xMoz: xMoz = newValue
            }
        }
    }

    public init(method: Method, target: String) {
        self.method = method
        self.target = target
    }
}

/// What a field name means to the scanner.
private enum FieldRole {
    case host, connection, framing, cookie, forwardedFor, tracked(ScannedRequest.Field), other

    /// Names compared case-insensitively (ASCII): `lowered` is the name with letters in lower case.
    static func of(_ lowered: UnsafeRawBufferPointer) -> FieldRole {
        switch lowered.count {
        case 3 where matches(lowered, "dnt"): return .tracked(.dnt)
        case 4 where matches(lowered, "host"): return .host
        case 5 where matches(lowered, "x-moz"): return .tracked(.xMoz)
        case 6 where matches(lowered, "cookie"): return .cookie
        case 6 where matches(lowered, "expect"): return .framing
        case 7 where matches(lowered, "referer"): return .tracked(.referer)
        case 7 where matches(lowered, "purpose"): return .tracked(.purpose)
        case 7 where matches(lowered, "sec-gpc"): return .tracked(.secGPC)
        case 7 where matches(lowered, "upgrade"): return .framing
        case 9 where matches(lowered, "x-purpose"): return .tracked(.xPurpose)
        case 10 where matches(lowered, "user-agent"): return .tracked(.userAgent)
        case 10 where matches(lowered, "connection"): return .connection
        case 10 where matches(lowered, "keep-alive"): return .other
        case 11 where matches(lowered, "sec-purpose"): return .tracked(.secPurpose)
        case 14 where matches(lowered, "content-length"): return .framing
        case 15 where matches(lowered, "accept-language"): return .tracked(.acceptLanguage)
        case 15 where matches(lowered, "x-forwarded-for"): return .forwardedFor
        case 17 where matches(lowered, "transfer-encoding"): return .framing
        case 16 where matches(lowered, "proxy-connection"): return .framing
        default: return .other
        }
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        let start = name.utf8Start
        for i in 0..<bytes.count where bytes[i] != start[i] { return false }
        return true
    }
}

private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var i = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var count: Int { bytes.count }

    /// Whether the bytes from `i` on start with `literal`: true, false, or nil when they are a
    /// proper prefix of it (more bytes could still make it match).
    func startsWith(_ literal: StaticString) -> Bool? {
        let l = literal.utf8Start
        for k in 0..<literal.utf8CodeUnitCount {
            guard i + k < count else { return nil }
            if bytes[i + k] != l[k] { return false }
        }
        return true
    }

    mutating func scan(_ limits: RequestScanner) -> RequestScanner.Result {
        let method: ScannedRequest.Method
        switch (startsWith("GET /"), startsWith("HEAD /")) {
        case (true, _): method = .get; i += 4
        case (_, true): method = .head; i += 5
        case (nil, _), (_, nil): return .incomplete
        default: return .unsupported
        }
        let targetStart = i
        // Eight bytes at a time while all are plain target bytes; the loop below looks at the rest.
        while i + 8 <= count {
            let w = ByteWord.load(bytes, at: i)
            if ByteWord.hasLess(w, than: 0x21) || w & ByteWord.highBits != 0 || ByteWord.has(w, 0x7F)
                || ByteWord.has(w, UInt8(ascii: "#"))
            {
                break
            }
            i += 8
        }
        while true {
            guard i < count else { return i - targetStart > limits.maxTargetBytes ? .unsupported : .incomplete }
            let b = bytes[i]
            if b == 0x20 { break }
            // Visible ASCII only; a fragment has no place in a request (RFC 9112 §3.2).
            guard b > 0x20, b < 0x7F, b != UInt8(ascii: "#") else { return .unsupported }
            i += 1
        }
        let targetEnd = i
        guard targetEnd - targetStart <= limits.maxTargetBytes else { return .unsupported }
        i += 1
        switch startsWith("HTTP/1.1\r\n") {
        case nil: return .incomplete
        case false: return .unsupported
        case true: i += 10
        }
        var request = ScannedRequest(
            method: method, target: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<targetEnd]), as: UTF8.self))
        var hosts = 0
        var connections = 0
        var lowered: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the longest known name
        while true {
            guard i - targetEnd <= limits.maxHeadBytes else { return .unsupported }
            guard i < count else { return .incomplete }
            if bytes[i] == 0x0D {
                guard i + 1 < count else { return .incomplete }
                guard bytes[i + 1] == 0x0A else { return .unsupported }
                i += 2
                break
            }
            // Field name: one or more tchar, then the colon right away (no whitespace, RFC 9112 §5.1).
            let nameStart = i
            while i < count, Self.isTokenChar(bytes[i]) { i += 1 }
            guard i < count else { return .incomplete }
            guard bytes[i] == UInt8(ascii: ":"), i > nameStart else { return .unsupported }
            let nameLength = i - nameStart
            i += 1
            while i < count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
            let valueStart = i
            // Bytes of obs-text may be invalid UTF-8, which becomes a 3-byte replacement
            // character in the full implementation's strings: counted as 3 for the limit.
            var obsText = 0
            // Field content: HTAB, SP, VCHAR, obs-text. CTLs (NUL, a bare LF, the CR that ends the
            // line) and DEL are not: eight bytes at a time while there are none (nor a HTAB), then
            // byte by byte.
            while i + 8 <= count {
                let w = ByteWord.load(bytes, at: i)
                if ByteWord.hasLess(w, than: 0x20) || ByteWord.has(w, 0x7F) { break }
                obsText += (w & ByteWord.highBits).nonzeroBitCount
                i += 8
            }
            while i < count {
                let b = bytes[i]
                if b == 0x0D { break }
                guard b == 0x09 || (b >= 0x20 && b != 0x7F) else { return .unsupported }
                i += 1
                if b >= 0x80 { obsText += 1 }
            }
            // Trailing whitespace is not part of the value (RFC 9112 §5.1).
            var valueEnd = i
            while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09 { valueEnd -= 1 }
            guard i + 1 < count else { return .incomplete }
            guard bytes[i + 1] == 0x0A else { return .unsupported }
            i += 2
            request.fieldCount += 1
            guard request.fieldCount <= limits.maxFields else { return .unsupported }
            let role: FieldRole
            if nameLength <= 24 {
                role = withUnsafeMutableBytes(of: &lowered) { buffer in
                    for k in 0..<nameLength {
                        let c = bytes[nameStart + k]
                        buffer[k] = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
                    }
                    return FieldRole.of(UnsafeRawBufferPointer(rebasing: buffer[0..<nameLength]))
                }
            } else {
                role = .other
            }
            let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])
            switch role {
            case .host:
                hosts += 1
                guard hosts == 1 else { return .unsupported }
                continue  // the one Host becomes the authority; the limit does not count it
            case .connection:
                connections += 1
                guard connections == 1, let closes = Self.connectionCloses(value) else { return .unsupported }
                request.closes = closes
            case .framing:
                return .unsupported
            case .cookie:
                request.cookies.append(String(decoding: value, as: UTF8.self))
            case .forwardedFor:
                request.forwardedFor.append(String(decoding: value, as: UTF8.self))
            case .tracked(let field):
                guard request[field] == nil else { return .unsupported }
                request[field] = String(decoding: value, as: UTF8.self)
            case .other:
                break
            }
            request.fieldBytes += nameLength + value.count + 2 * obsText + 4
        }
        guard hosts == 1 else { return .unsupported }
        return .request(request, length: i)
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `Connection: close` (true) or `Connection: keep-alive` (false), in any case; nil for any
    /// other value — a list, an upgrade, hop-by-hop field names, odd whitespace — which the full
    /// implementation reads its own way (the fuzzer found `close<TAB>,` read as keep-alive there).
    static func connectionCloses(_ value: UnsafeRawBufferPointer) -> Bool? {
        let lower = value.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        if lower.elementsEqual("close".utf8) { return true }
        if lower.elementsEqual("keep-alive".utf8) { return false }
        return nil
    }
}
