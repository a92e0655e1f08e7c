import Foundation
import SpurCore
import Testing

/// The mail tools newsletters come from: their merge tags are left alone by `spur wrap`, and
/// recipient lists come as their spreadsheets export them.
@Suite struct MailToolTests {
    /// Links as a new user writes them in each tool, by the tool that fills the tag in.
    static let tagged: [(tool: String, href: String)] = [
        ("CleverReach", "https://shop.example/profil?email={$email}"),
        ("MailerLite", "https://shop.example/p?e={$email}&amp;n={$name}"),
        ("Mailchimp, URL-encoded", "https://shop.example/c?e=*%7CEMAIL%7C*"),
        ("Mailchimp", "https://shop.example/c?e=*|EMAIL|*"),
        ("Mautic", "https://shop.example/c?e={contactfield=email}"),
        ("ActiveCampaign", "https://shop.example/c?e=%EMAIL%"),
        ("Sendy", "https://shop.example/c?e=[Email]"),
        ("Mailchimp (older)", "https://shop.example/c?id=[UNIQID]"),
        ("Brevo", "https://shop.example/c?e={{ contact.EMAIL }}"),
        ("listmonk", "https://shop.example/c?u={{ .Subscriber.UUID }}"),
        ("Mailjet", "https://shop.example/c?n=[[var:firstname]]"),
    ]

    /// Links that look a little like tags but are ordinary URLs: they are wrapped.
    static let plain = [
        "https://b%C3%BCcher.example/%C3%9Cber-uns", "https://shop.example/liste?filter[farbe]=rot", "https://shop.example/rabatt?wert=100%25",
        "https://shop.example/produkte/farben/acryl?utm_source=newsletter&amp;utm_medium=email",
    ]

    static func html(_ hrefs: [String]) -> String {
        "<html><body>" + hrefs.map { #"<p><a href="\#($0)">Link</a></p>"# }.joined(separator: "\n") + "</body></html>"
    }

    @Test func mergeTagsOfEveryToolAreLeftAlone() throws {
        let wrapper = try NewsletterWrapper(
            html: Array(Self.html(Self.tagged.map(\.href) + Self.plain).utf8), options: .init(base: "https://t.example.com", campaign: "nl"))
        for (i, (tool, href)) in Self.tagged.enumerated() {
            guard case .skip(let reason) = wrapper.links[i].decision else {
                Issue.record("\(tool): \(href) was wrapped")
                continue
            }
            #expect(reason.hasPrefix("merge tag of"), "\(tool): \(reason)")
        }
        for (i, href) in Self.plain.enumerated() {
            #expect(wrapper.links[Self.tagged.count + i].decision == .wrap(.click), "\(href)")
        }
    }

    @Test func anotherToolsTagCanBeAdded() throws {
        var options = NewsletterWrapper.Options(base: "https://t.example.com", campaign: "nl")
        let html = Array(Self.html(["https://shop.example/c?e=@@email@@"]).utf8)
        #expect(try NewsletterWrapper(html: html, options: options).links[0].decision == .wrap(.click))
        options.extraMergeTags = ["@@[a-z]+@@"]
        #expect(try NewsletterWrapper(html: html, options: options).links[0].decision.isSkip)
        options.extraMergeTags = ["(unclosed"]
        #expect(throws: SpurError.self) { try NewsletterWrapper(html: html, options: options) }
    }

    @Test func dryRunListsTheMergeTagLinks() throws {
        let dir = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.html(Self.tagged.map(\.href) + ["https://shop.example/c?e=@@email@@"]).write(
            toFile: dir + "/nl.html", atomically: true, encoding: .utf8)
        let o = try CommandLineTests.spur([
            "wrap", "--dry-run", "--campaign", "nl", "--base", "https://t.example.com", "--merge-tag", "@@[a-z]+@@", dir + "/nl.html",
        ])
        #expect(o.status == 0, "\(o.stderr)")
        let skips = o.stdout.split(separator: "\n").filter { $0.hasPrefix("skip merge tag of") }
        #expect(skips.count == Self.tagged.count + 1, "\(o.stdout)")
        for (tool, href) in Self.tagged { #expect(skips.contains { $0.hasSuffix(href) && $0.contains(tool.split(separator: " ")[0]) }, "\(tool)") }
        #expect(o.stderr.contains("wrapped 0 links"))
    }
}

extension MailToolTests {
    /// The same three recipients as each spreadsheet and mail tool exports them.
    static let dialects: [(name: String, csv: String)] = [
        ("comma, LF", "email,lead,name\nanna@example.org,lead-1,Anna\nbob@example.org,lead-2,Bob\ncarl@example.org,lead-3,Carl\n"),
        (
            "semicolon, CRLF, BOM (Excel, German)",
            "\u{FEFF}E-Mail;Lead;Name\r\nanna@example.org;lead-1;\"Müller; Anna\"\r\nbob@example.org;lead-2;Bob\r\ncarl@example.org;lead-3;Carl\r\n"
        ),
        (
            "tab (LibreOffice, Numbers)",
            "email\tlead\tname\nanna@example.org\tlead-1\tAnna\nbob@example.org\tlead-2\tBob\ncarl@example.org\tlead-3\tCarl"
        ),
        (
            "comma, BOM, quoted fields with delimiters, quotes and line breaks",
            "\u{FEFF}\"email\",\"lead\",\"note\"\r\n\"anna@example.org\",\"lead-1\",\"Zeile 1\r\nZeile 2, mit Komma\"\r\n\"bob@example.org\",\"lead-2\",\"sagt \"\"hallo\"\"\"\r\n\r\n\"carl@example.org\",\"lead-3\",\"\"\r\n"
        ),
        ("semicolon with a quoted header", "\"Name; Vorname\";lead\n\"Müller; Anna\";lead-1\nBob;lead-2\nCarl;lead-3\n"),
    ]

    @Test func recipientListsOfEveryDialectAreRead() throws {
        for (name, csv) in Self.dialects {
            #expect(try RecipientList.leads(csv: csv, column: "lead", file: "r.csv") == ["lead-1", "lead-2", "lead-3"], "\(name)")
        }
        // Line numbers count the line breaks inside quoted fields.
        let broken = "lead;note\nlead-1;\"a\nb\nc\"\nbad id;x\n"
        #expect(throws: SpurError.self) { try RecipientList.leads(csv: broken, column: "lead", file: "r.csv") }
        do { _ = try RecipientList.leads(csv: broken, column: "lead", file: "r.csv") } catch { #expect("\(error)".hasPrefix("r.csv:5:"), "\(error)") }
        // A missing column names the columns found and the delimiter, without an invisible mark.
        do { _ = try RecipientList.leads(csv: "\u{FEFF}E-Mail;Name\na@b.example;A\n", column: "lead", file: "r.csv") } catch {
            #expect("\(error)".contains("'E-Mail', 'Name'; delimiter ';'") && !"\(error)".contains("\u{FEFF}"), "\(error)")
        }
    }

    @Test func wrapWritesOneFilePerRecipientOfAGermanExcelList() throws {
        let dir = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.html(["https://shop.example/a"]).write(toFile: dir + "/nl.html", atomically: true, encoding: .utf8)
        try Self.dialects[1].csv.write(toFile: dir + "/list.csv", atomically: true, encoding: .utf8)
        try "k1:0123456789abcdef0123456789abcdef\n".write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
        let o = try CommandLineTests.spur([
            "wrap", "--data", dir, "--base", "https://t.example.com", "--campaign", "nl", "--recipients", dir + "/list.csv", "--lead-column", "Lead",
            "--out", dir + "/out", dir + "/nl.html",
        ])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out").sorted() == ["lead-1.html", "lead-2.html", "lead-3.html"])
    }
}

extension MailToolTests {
    @Test func recipientsWithoutTrackingConsentGetPlainLinksAndNoPixel() throws {
        let dir = try CommandLineTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.html(["https://shop.example/a"]).write(toFile: dir + "/nl.html", atomically: true, encoding: .utf8)
        try "lead;Tracking\nlead-1;ja\nlead-2;nein\nlead-3;\n".write(toFile: dir + "/list.csv", atomically: true, encoding: .utf8)
        try "k1:0123456789abcdef0123456789abcdef\n".write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
        func wrap(_ extra: [String]) throws -> CommandLineTests.Outcome {
            try? FileManager.default.removeItem(atPath: dir + "/out")
            return try CommandLineTests.spur(
                ["wrap", "--data", dir, "--base", wrapBase, "--campaign", "nl", "--recipients", dir + "/list.csv", "--out", dir + "/out"]
                    + extra + [dir + "/nl.html"])
        }
        func file(_ lead: String) throws -> String { try String(contentsOfFile: dir + "/out/\(lead).html", encoding: .utf8) }
        let keyring = try Keyring(parsing: "k1:0123456789abcdef0123456789abcdef")

        let plain = try wrap([])
        #expect(plain.status == 0 && plain.stderr.contains("2 recipients without tracking consent"), "\(plain.stderr)")
        let tracked = try file("lead-1")
        #expect(tracked.contains(wrapBase + "/o/") && spurTokens(tracked).count == 1)
        #expect(try keyring.verify(Substring(spurTokens(tracked)[0])).lead == "lead-1")
        for lead in ["lead-2", "lead-3"] {
            let html = try file(lead)
            #expect(html == (try String(contentsOfFile: dir + "/nl.html", encoding: .utf8)), "\(lead) must stay untouched")
            #expect(!html.contains(wrapBase))
        }

        let anonymous = try wrap(["--anonymous-links"])
        #expect(anonymous.status == 0, "\(anonymous.stderr)")
        let html = try file("lead-2")
        #expect(!html.contains(wrapBase + "/o/") && spurTokens(html).count == 1)
        let token = try keyring.verify(Substring(spurTokens(html)[0]))
        #expect(token.lead == nil && !token.leadInQuery && token.campaign == "nl" && token.url == "https://shop.example/a")

        try "lead,tracking\nlead-1,vielleicht\n".write(toFile: dir + "/list.csv", atomically: true, encoding: .utf8)
        let bad = try wrap([])
        #expect(bad.status != 0 && bad.stderr.contains("list.csv:2: column 'tracking' must be yes or no"), "\(bad.stderr)")
    }
}

extension NewsletterWrapper.Link.Decision {
    var isSkip: Bool { if case .skip = self { true } else { false } }
}
