import Foundation
import Testing

@testable import SpurCore

/// Random newsletters built from real-world fragments: every wrapped link, followed through the
/// token decoder, gives back its original target exactly; everything else is left as written.
@Suite struct WrapPropertyTests {
    struct Rng {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
    }

    static let keyring = try! Keyring(parsing: "p:0123456789abcdef0123456789abcdef")
    static let base = "https://t.example.com"

    /// A target URL and how it may be written in HTML.
    func randomURL(_ r: inout Rng) -> (target: String, written: String) {
        let hosts = ["shop.example", "www.Shop.example:8443", "xn--mller-kva.example", "a.b.c.example"]
        let paths = ["/", "/produkte/farben/acryl", "/malbedarf/pinsel%20rund", "/a/b/c.pdf", "/Katalog.ZIP", "/x;y=1", "/ümlaut"]
        var target = (r.next(2) == 0 ? "https://" : "http://") + hosts[r.next(hosts.count)] + paths[r.next(paths.count)]
        var written = target
        if r.next(2) == 0 {
            let query = ["a=1", "utm_source=nl", "q=farbe+rot", "x=%C3%BC", "empty="]
            let n = 1 + r.next(3)
            let parts = (0..<n).map { _ in query[r.next(query.count)] }
            target += "?" + parts.joined(separator: "&")
            let amp = ["&amp;", "&", "&#38;", "&#x26;"][r.next(4)]
            written += "?" + parts.joined(separator: amp)
        }
        if r.next(4) == 0 {
            target += "#section-2"
            written += "#section-2"
        }
        return (target, written)
    }

    func randomNewsletter(_ r: inout Rng) -> (html: String, targets: [String], written: [String]) {
        var html = r.next(2) == 0 ? "<!doctype html><html><head><style>a{color:red}</style></head><body>" : "<table><tr><td>"
        var targets: [String] = []
        var writtenForms: [String] = []
        for _ in 0..<(1 + r.next(12)) {
            let (target, written) = randomURL(&r)
            let before = targets.count
            defer { if targets.count > before { writtenForms.append(written) } }
            switch r.next(10) {
            case 0: html += "<a href=\"\(written)\">Link &amp; Text</a>"; targets.append(target)
            case 1: html += "<A class='x' HREF='\(written)' target=_blank>Mehr</A>"; targets.append(target)
            case 2:
                if written.contains("&") || written.contains("#") {
                    html += "<a href=\"\(written)\">x</a>"
                } else {
                    html += "<a href=\(written) style=\"color:#fff\">x</a>"
                }
                targets.append(target)
            case 3:
                html += "<!--[if mso]><v:roundrect href=\"\(written)\" arcsize=\"10%\"><center>Button</center></v:roundrect><![endif]-->";
                targets.append(target)
            case 4: html += "<!-- <a href=\"\(written)\">commented out</a> -->"
            case 5: html += "<script>var u = '<a href=\"\(written)\">';</script>"
            case 6: html += "<a href=\"mailto:info@shop.example\">Mail</a> <a href=\"#top\">top</a>"
            case 7: html += "<area shape=\"rect\" href=\"\(written)\" alt=\"\">"; targets.append(target)
            case 8: html += "<a\n  data-x=\"1\"\n  href = \"\(written)\"\n>Umbruch</a>"; targets.append(target)
            default: html += "<p>Text mit &uuml;mlaut &lt;b&gt; und 5 &gt; 3</p>\n"
            }
        }
        html += r.next(2) == 0 ? "</body></html>" : "</td></tr></table>"
        return (html, targets, writtenForms)
    }

    @Test func unwrappingEveryGeneratedLinkGivesBackTheOriginalTargets() throws {
        var r = Rng(state: 42)
        for round in 0..<300 {
            let (html, targets, written) = randomNewsletter(&r)
            let wrapper = try NewsletterWrapper(html: Array(html.utf8), options: .init(base: Self.base, campaign: "c"))
            let output = String(decoding: wrapper.render(lead: .signed("l1"), keyring: Self.keyring), as: UTF8.self)
            let tokens = output.components(separatedBy: Self.base + "/c/").dropFirst().map {
                $0.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
            }
            let decoded = try tokens.map { try Self.keyring.verify($0) }
            // Tokens carry each target as an RFC 3986 URI (non-ASCII percent-encoded, IDNA hosts).
            #expect(decoded.map(\.url!) == targets.map(TargetURL.normalized), "round \(round): \(html)")
            #expect(decoded.allSatisfy { $0.lead == "l1" && $0.campaign == "c" })
            let downloads = decoded.filter { $0.kind == .download }.map { $0.url! }
            #expect(downloads.allSatisfy { $0.lowercased().contains(".pdf") || $0.lowercased().contains(".zip") })
            // Outside the links nothing changed: putting the written values back gives the input.
            var restored = output
            if let pixel = restored.range(of: "<img src=\"\(Self.base)/o/") {
                restored.removeSubrange(pixel.lowerBound..<restored.range(of: ">", range: pixel.lowerBound..<restored.endIndex)!.upperBound)
            }
            for (token, value) in zip(tokens, written) {
                restored = restored.replacingOccurrences(of: Self.base + "/c/" + token, with: value)
            }
            #expect(restored == html, "round \(round)")
        }
    }
}
