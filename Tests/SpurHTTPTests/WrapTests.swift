import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpurCore
import Testing

@testable import SpurHTTP

let wrapBase = "https://t.example.com"

func fixture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "html", subdirectory: "Fixtures"))
    return [UInt8](try Data(contentsOf: url))
}

/// Undoes a wrap: removes pixel and honeypot, and puts each original link value back.
func unwrap(_ output: String, _ wrapper: NewsletterWrapper) -> String {
    var text = output
    for prefix in ["<a href=\"\(wrapBase)/c/", "<img src=\"\(wrapBase)/o/"] where text.contains(prefix) {
        let start = text.range(of: prefix, options: .backwards)!.lowerBound
        let end =
            prefix.hasPrefix("<a")
            ? text.range(of: "</a>", range: start..<text.endIndex)!.upperBound
            : text.range(of: ">", range: start..<text.endIndex)!.upperBound
        text.removeSubrange(start..<end)
    }
    var result = ""
    var rest = Substring(text)
    var wrapped = wrapper.links.filter { if case .wrap = $0.decision { true } else { false } }.makeIterator()
    while let r = rest.range(of: wrapBase + "/c/") {
        let tokenEnd = rest[r.upperBound...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") } ?? rest.endIndex
        result += rest[..<r.lowerBound]
        if (try? testKeyring.verify(rest[r.upperBound..<tokenEnd])) != nil, let link = wrapped.next() {
            result += link.raw
        } else {
            result += rest[r.lowerBound..<tokenEnd]
        }
        rest = rest[tokenEnd...]
    }
    return result + rest
}

/// Targets of every Spur click link in `html`, by verifying each token.
func spurTargets(_ html: String, keyring: Keyring = testKeyring) -> [String] {
    var out: [String] = []
    var rest = Substring(html)
    while let r = rest.range(of: wrapBase + "/c/") {
        let tokenEnd = rest[r.upperBound...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") } ?? rest.endIndex
        if let token = try? keyring.verify(rest[r.upperBound..<tokenEnd]), !token.honeypot { out.append(token.url!) }
        rest = rest[tokenEnd...]
    }
    return out
}

@Suite struct WrapTests {
    func wrap(_ name: String, _ configure: (inout NewsletterWrapper.Options) -> Void = { _ in }) throws -> (NewsletterWrapper, String, String) {
        var options = NewsletterWrapper.Options(base: wrapBase, campaign: "nl-47")
        configure(&options)
        let input = try fixture(name)
        let wrapper = try NewsletterWrapper(html: input, options: options)
        let output = String(decoding: wrapper.render(lead: .signed("lead-42"), keyring: testKeyring), as: UTF8.self)
        return (wrapper, String(decoding: input, as: UTF8.self), output)
    }

    @Test(arguments: ["mailchimp", "brevo", "cleverreach", "mjml"])
    func everyByteOutsideTheRewrittenLinksIsPreserved(name: String) throws {
        let (wrapper, input, output) = try wrap(name) {
            $0.removeDataSpurOff = false; $0.honeypot = true
        }
        #expect(unwrap(output, wrapper) == input)
        #expect(output.contains("<img src=\"\(wrapBase)/o/"))
        // The pixel sits just before </body>.
        let pixel = output.range(of: "<img src=\"\(wrapBase)/o/")!
        #expect(output[pixel.lowerBound...].range(of: "</body>", options: .caseInsensitive) != nil)
        #expect(spurTargets(output) == wrapper.links.compactMap { if case .wrap = $0.decision { $0.target } else { nil } })
    }

    @Test func mailchimpDecisions() throws {
        let (wrapper, _, _) = try wrap("mailchimp")
        let wrapped = wrapper.links.filter { if case .wrap = $0.decision { true } else { false } }
        #expect(
            wrapped.map(\.target) == [
                "https://shop.example/malbedarf/acryl?utm_source=newsletter&utm_medium=email&utm_campaign=herbst",
                "https://shop.example/ratgeber/streichen.pdf",
                "https://shop.example/filialen?plz=10115&radius=20",
            ])
        #expect(wrapped[1].decision == .wrap(.download))
        let skips = wrapper.links.compactMap { if case .skip(let r) = $0.decision { r } else { nil } }
        #expect(skips.contains("mailto") && skips.contains("tel") && skips.contains("unsubscribe link"))
        // *|UNSUB|* and the list-manage link are unsubscribe links first; *|UPDATE_PROFILE|* a merge tag.
        #expect(skips.filter { $0.contains("merge tag") }.count == 1 && skips.filter { $0 == "unsubscribe link" }.count == 2)
        // Links in comments and scripts are not links at all.
        #expect(!wrapper.links.contains { $0.target.contains("hidden-in-comment") || $0.target.contains("in-script") })
    }

    @Test func brevoDecisions() throws {
        let (wrapper, _, output) = try wrap("brevo")
        let decisions = Dictionary(wrapper.links.map { ($0.raw, $0.decision) }, uniquingKeysWith: { a, _ in a })
        #expect(decisions["https://shop.example/produkte/pinsel/rund"] == .wrap(.click))
        #expect(decisions["https://shop.example/produkte/farben/oel?ref=brevo&amp;x=1"] == .wrap(.click))
        #expect(decisions["https://shop.example/aktion"] == .wrap(.click))
        #expect(decisions["https://shop.example/map-link"] == .wrap(.click))
        #expect(decisions["https://shop.example/angebote"] == .skip("marked data-spur=\"off\""))
        #expect(decisions["#top"] == .skip("anchor"))
        #expect(decisions["/relativ"] == .skip("relative link (a newsletter needs absolute URLs)"))
        #expect(decisions["https://shop.example/katalog.ZIP"] == .wrap(.download))
        #expect(decisions["https://t.example.com/c/already.signed"] == .skip("already a Spur link"))
        // data-spur="off" is removed by default, the link itself kept.
        #expect(!output.contains("data-spur") && output.contains("<a href=\"https://shop.example/angebote\">Nicht verfolgt</a>"))
        // An unquoted value stays unquoted.
        #expect(output.contains("<A HREF=\(wrapBase)/c/"))
    }

    @Test func outlookConditionalCommentsAndVMLButtonsAreWrapped() throws {
        let (wrapper, _, output) = try wrap("cleverreach")
        #expect(
            output.contains(
                "<v:roundrect xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:w=\"urn:schemas-microsoft-com:office:word\" href=\"\(wrapBase)/c/"))
        let targets = spurTargets(output)
        #expect(targets.filter { $0 == "https://shop.example/malbedarf/leinwand?cr=1&b=2" }.count == 2)
        #expect(wrapper.links.contains { $0.target.hasSuffix(".xlsx?dl=1") && $0.decision == .wrap(.download) })
        #expect(wrapper.links.contains { $0.target.contains("cleverreach.com") && $0.decision == .skip("unsubscribe link") } == false)
    }

    @Test func followingEveryWrappedLinkThroughTheCollectorReachesTheOriginalTarget() async throws {
        var pairs: [(String, String)] = []
        for name in ["mailchimp", "brevo", "cleverreach", "mjml"] {
            let (wrapper, _, output) = try wrap(name) { $0.honeypot = true }
            let links = output.components(separatedBy: wrapBase).dropFirst().compactMap { part -> String? in
                guard part.hasPrefix("/c/") else { return nil }
                let path = String(part.prefix { !($0 == "\"" || $0 == "'" || $0 == " " || $0 == ">") })
                return (try? testKeyring.verify(path.dropFirst(3))) == nil ? nil : path  // not our link
            }
            let expected = wrapper.links.compactMap { if case .wrap = $0.decision { $0.target } else { nil } }
            // The honeypot link goes to the collector's robots.txt.
            #expect(links.count == expected.count + 1)
            for (path, target) in zip(links, expected + ["\(wrapBase)/robots.txt"]) { pairs.append((path, target)) }
        }
        let checked = pairs
        let events = try await withCollector { client in
            for (path, target) in checked {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == .found)
                    #expect(r.headers[.location] == target)
                }
            }
        }
        #expect(events.count == checked.count)
        #expect(events.allSatisfy { $0.lead == "lead-42" && $0.campaign == "nl-47" })
        #expect(events.filter { $0.flags.contains(.honeypot) }.count == 4)
    }

    @Test func templateModeAppendsThePlaceholder() throws {
        let input = Array(#"<p><a href="https://shop.example/a">A</a></p><body></body>"#.utf8)
        let wrapper = try NewsletterWrapper(html: input, options: .init(base: wrapBase, campaign: "c"))
        let output = String(decoding: wrapper.render(lead: .placeholder("{{lead}}"), keyring: testKeyring), as: UTF8.self)
        #expect(output.contains("?l={{lead}}\">A</a>"))
        #expect(output.contains(".gif?l={{lead}}\" width=\"1\""))
        let token = try testKeyring.verify(Substring(spurTokens(output)[0]))
        #expect(token.leadInQuery && token.lead == nil)
    }

    @Test func badInputIsRefused() {
        #expect(throws: SpurError.self) { try NewsletterWrapper(html: [0x3C, 0, 1, 2], options: .init(base: wrapBase, campaign: "c")) }
        #expect(throws: SpurError.self) { try NewsletterWrapper(html: [0x3C, 0xFF, 0xFE], options: .init(base: wrapBase, campaign: "c")) }
        #expect(throws: SpurError.self) { try NewsletterWrapper(html: Array("just text".utf8), options: .init(base: wrapBase, campaign: "c")) }
    }

    @Test func recipientCSVIsParsedStrictly() throws {
        #expect(
            try RecipientList.leads(csv: "email_hash,lead\nx,lead-1\r\n\"y,z\",\"lead-2\"\n", column: "lead", file: "r.csv") == ["lead-1", "lead-2"])
        for (csv, message) in [
            ("name\nx\n", "no column 'lead'"), ("lead,x\nl1\n", "r.csv:2: 1 fields"), ("lead\n../etc\n", "r.csv:2:"),
            ("lead\n..\n", "cannot be used as a file name"), ("lead\na\na\n", "appears twice"), ("lead\n\"a\n", "not closed"),
            ("lead\n", "no recipients"), ("lead\na@b.example\n", "e-mail"),
        ] {
            #expect(throws: SpurError.self) { try RecipientList.leads(csv: csv, column: "lead", file: "r.csv") }
            do {
                _ = try RecipientList.leads(csv: csv, column: "lead", file: "r.csv")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}

func spurTokens(_ html: String) -> [String] {
    html.components(separatedBy: wrapBase + "/c/").dropFirst().map {
        String($0.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
    }
}
