import Foundation
import SpurCore
import SpurHTTP1

/// What `spur-fuzz` exercises. Each target feeds untrusted bytes to one parser and checks the
/// invariants that parser promises; a broken invariant stops the process like a crash would, so
/// the fuzzer keeps the input.
enum FuzzTarget: String, CaseIterable {
    /// `/c/` and `/o/` tokens: verification never crashes, and what verifies is a valid token
    /// whose redirect target is http(s).
    case token
    /// Segment bytes: the frame reader never crashes; what it accepts decodes as events.
    case frame
    /// Newsletter HTML: the wrapper never crashes; a plan with no link changes nothing but the pixel.
    case html
    /// `POST /e` bodies: parsed events survive limits, encoding and decoding unchanged.
    case beacon
    /// `/p.gif` query strings: same round trip for site pixel events.
    case query
    /// Raw request bytes for the collector's fast path (`RequestScanner`): never crashes, and
    /// its decisions are consistent — see `http(_:)`.
    case http

    static let keyring = try! Keyring(parsing: "f1:fuzz-secret-0123456789abcdef")

    func run(_ data: [UInt8]) {
        switch self {
        case .token: Self.token(data)
        case .frame: Self.frame(data)
        case .html: Self.html(data)
        case .beacon: Self.beacon(data)
        case .query: Self.query(data)
        case .http: Self.http(data)
        }
    }

    private static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition {
            FileHandle.standardError.write(Data(("invariant broken: " + message() + "\n").utf8))
            abort()
        }
    }

    private static func token(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        guard let token = try? keyring.verify(text) else { return }
        check((try? token.validate()) != nil, "a verified token is invalid")
        if let url = token.url {
            let lower = url.lowercased()
            check(lower.hasPrefix("http://") || lower.hasPrefix("https://"), "redirect target \(url) is not http(s)")
        }
        // Signing what was verified verifies again to the same content.
        check((try? keyring.verify(keyring.sign(token))) == token, "re-signed token differs")
    }

    private static func frame(_ data: [UInt8]) {
        let scan = SegmentScanner.scan(data) { _, payload in
            for line in payload.split(separator: 0x0A) {
                check(Event(jsonLine: line) != nil, "an accepted frame holds a line that is no event")
            }
        }
        check(scan.validEnd <= data.count, "valid end beyond the data")
    }

    private static func html(_ data: [UInt8]) {
        var options = NewsletterWrapper.Options(base: "https://t.example", campaign: "fuzz")
        options.honeypot = data.count % 2 == 0
        guard let plan = try? NewsletterWrapper(html: data, options: options) else { return }
        let out = plan.render(lead: .signed("lead-1"), keyring: keyring)
        check(out.count < data.count * 64 + 4096, "output grew out of proportion")
        options.addPixel = false
        options.honeypot = false
        if let bare = try? NewsletterWrapper(html: data, options: options),
            bare.links.allSatisfy({ $0.decision != .wrap(.click) && $0.decision != .wrap(.download) }),
            !data.contains(0x64)  // no `data-spur` attribute to remove ('d')
        {
            check(bare.render(lead: .none, keyring: keyring) == data, "HTML without links to wrap was changed")
        }
    }

    private static func roundTrip(_ event: Event) {
        var limited = event
        limited.applyLimits(FieldLimits())
        let line = limited.jsonLine.dropLast()
        check(!line.contains(0x0A), "an event line holds a newline")
        guard let decoded = Event(jsonLine: line) else { return check(false, "an encoded event does not decode") }
        check(decoded == limited, "event changed in an encode/decode round trip")
    }

    private static func beacon(_ data: [UInt8]) {
        guard let inputs = try? BeaconEvent.parse(data, maxEvents: 100) else { return }
        for input in inputs {
            var e = Event(id: "fz-1", ts: 1_700_000_000_000, type: input.type, node: "fz")
            e.url = input.url
            e.referrer = input.referrer
            e.title = input.title
            e.props = input.props
            roundTrip(e)
        }
    }

    private static func query(_ data: [UInt8]) {
        let query = QueryString.parse(Substring(String(decoding: data, as: UTF8.self)))
        var e = Event(id: "fz-1", ts: 1_700_000_000_000, type: .pageview, node: "fz")
        e.url = query["url"]
        e.title = query["title"]
        e.referrer = query["ref"]
        roundTrip(e)
    }

    private static let scanner = RequestScanner(maxTargetBytes: 512, maxHeadBytes: 2048, maxFields: 16)
    private static let crlf2: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]

    /// What the scanner promises, whatever the bytes (the agreement with NIO's parser is
    /// ScannerDifferentialTests): an accepted head is well-formed and ends in CRLF CRLF; every
    /// proper prefix of it is merely incomplete, and bytes after it do not change it; what is
    /// declined stays declined however the bytes go on.
    private static func http(_ data: [UInt8]) {
        switch scanner.scan(data) {
        case .request(let request, let length):
            check(length > 0 && length <= data.count, "head length \(length) outside the input")
            let head = Array(data[..<length])
            check(head.suffix(4).elementsEqual(crlf2), "an accepted head does not end in CRLF CRLF")
            check(head.starts(with: Array("GET /".utf8)) || head.starts(with: Array("HEAD /".utf8)), "an accepted method is not GET or HEAD")
            check(request.target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x23 }, "an accepted target has bytes it may not")
            check(request.target.utf8.count <= scanner.maxTargetBytes, "an accepted target is over the limit")
            check(request.fieldCount >= 1 && request.fieldCount <= scanner.maxFields, "field count \(request.fieldCount)")
            check(!head.contains(0) && !head.contains(0x7F), "an accepted head holds NUL or DEL")
            check(scanner.scan(head) == .request(request, length: length), "the head alone scans differently")
            // Each proper prefix (every one for short heads, a sample for long ones) waits for more.
            let step = max(1, length / 64)
            for cut in stride(from: 1, to: length, by: step) {
                check(scanner.scan(Array(head[..<cut])) == .incomplete, "a prefix of \(cut) bytes is not incomplete")
            }
        case .unsupported:
            check(scanner.scan(data + crlf2) == .unsupported, "a declined input was taken once more bytes came")
        case .incomplete:
            break
        }
    }
}
