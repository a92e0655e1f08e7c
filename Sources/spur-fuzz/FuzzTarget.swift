import Foundation
import SpurCore

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

    static let keyring = try! Keyring(parsing: "f1:fuzz-secret-0123456789abcdef")

    func run(_ data: [UInt8]) {
        switch self {
        case .token: Self.token(data)
        case .frame: Self.frame(data)
        case .html: Self.html(data)
        case .beacon: Self.beacon(data)
        case .query: Self.query(data)
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
}
