import ArgumentParser
import Foundation
import SpurCore
import Synchronization

/// `spur wrap`: turns a newsletter into a tracked one.
struct Wrap: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite a newsletter's links into signed click links and add the open pixel.",
        discussion: """
            Reads IN.html (or stdin) and writes the tracked HTML to stdout, or with --recipients one file \
            per lead into --out. Everything outside the rewritten link values stays byte for byte. \
            A summary of wrapped and skipped links goes to stderr; docs/wrap.md has the rules.
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var secret: SecretOptions
    @OptionGroup var base: LinkBaseOptions
    @Option(help: "Campaign (newsletter) id.") var campaign: String
    @Option(help: "Sign this lead into every link.") var lead: String?
    @Option(help: "Template mode: the mail tool fills this placeholder, e.g. '{{lead}}' or '*|UNIQID|*' (weaker: see README).") var leadPlaceholder:
        String?
    @Option(help: "CSV file with one row per recipient (per-recipient mode; needs --out).") var recipients: String?
    @Option(help: "Column of --recipients holding the lead id.") var leadColumn = "lead"
    @Option(help: "Column of --recipients saying whether the recipient agreed to tracking (yes/no); used when present.")
    var trackingColumn = "tracking"
    @Flag(help: "Recipients without tracking consent get links that count clicks per campaign and link, without a lead (default: plain links).")
    var anonymousLinks = false
    @Option(help: "Directory for the per-recipient files (LEAD.html).") var out: String?
    @Flag(help: "Add an invisible honeypot link whose clicks mark scanner traffic.") var honeypot = false
    @Option(help: "File extensions counted as downloads, comma-separated.") var downloadExtensions = "pdf,zip,docx,xlsx,pptx,epub,mp4"
    @Option(help: "Extra case-insensitive URL substring that marks unsubscribe links (repeatable).") var unsubscribePattern: [String] = []
    @Flag(help: "Keep data-spur=\"off\" attributes in the output (default: remove them).") var keepDataSpur = false
    @Flag(help: "Do not add the open pixel.") var noPixel = false
    @Option(
        help:
            "A merge tag of another mail tool, as a regular expression, e.g. '\\$\\{[a-z]+\\}' (repeatable; the common ones are built in, docs/wrap.md)."
    )
    var mergeTag: [String] = []
    @Flag(help: "Only list the links found and what each becomes.") var dryRun = false
    @Argument(help: "Input HTML file (default: stdin).") var input: String?

    func validate() throws {
        let modes = [lead != nil, leadPlaceholder != nil, recipients != nil].filter { $0 }.count
        if modes > 1 { throw ValidationError("give only one of --lead, --lead-placeholder and --recipients") }
        if recipients != nil && out == nil && !dryRun { throw ValidationError("--recipients needs --out DIR") }
        if out != nil && recipients == nil { throw ValidationError("--out is for --recipients") }
        if anonymousLinks && recipients == nil { throw ValidationError("--anonymous-links is for --recipients with a tracking column") }
        do {
            try Identifier.validate(campaign, what: "campaign")
            if let lead { try Identifier.validate(lead, what: "lead") }
        } catch {
            throw ValidationError(error.description)
        }
        if let p = leadPlaceholder, p.isEmpty || p.contains(where: { $0 == "\"" || $0 == "<" || $0 == ">" || $0 == " " }) {
            throw ValidationError("--lead-placeholder must be non-empty without quotes, spaces or angle brackets")
        }
    }

    func run() throws {
        let source = input ?? "stdin"
        // The keys first: without the collector's secret nothing else is worth doing.
        let keyring = dryRun ? nil : try secret.keyring(dataDirectory: data.directory).keyring
        let html: [UInt8]
        if let input {
            guard let data = FileManager.default.contents(atPath: input) else {
                throw CommandFailure("\(input): cannot read the file", status: ExitStatus.noInput)
            }
            html = [UInt8](data)
        } else {
            html = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        var options = NewsletterWrapper.Options(base: try base.url(dataDirectory: data.directory), campaign: campaign)
        options.honeypot = honeypot
        options.removeDataSpurOff = !keepDataSpur
        options.extraMergeTags = mergeTag
        options.addPixel = !noPixel
        options.downloadExtensions = Set(downloadExtensions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        options.unsubscribePatterns += unsubscribePattern
        let wrapper: NewsletterWrapper
        do {
            wrapper = try NewsletterWrapper(html: html, options: options)
        } catch {
            throw CommandFailure("\(source): \(error)", status: ExitStatus.dataError)
        }
        report(wrapper, source: source)
        guard let keyring else { return }
        if let recipients, let out {
            try writeRecipients(wrapper, keyring: keyring, csv: recipients, directory: out)
        } else {
            let lead: NewsletterWrapper.Lead = self.lead.map { .signed($0) } ?? leadPlaceholder.map { .placeholder($0) } ?? .none
            if lead == .none { warn("no --lead, --lead-placeholder or --recipients: opens and clicks will carry no lead") }
            FileHandle.standardOutput.write(Data(wrapper.render(lead: lead, keyring: keyring)))
        }
    }

    private func report(_ wrapper: NewsletterWrapper, source: String) {
        var skipped: [String: Int] = [:]
        var wrapped = 0, downloads = 0
        for link in wrapper.links {
            switch link.decision {
            case .wrap(let kind):
                wrapped += 1
                if kind == .download { downloads += 1 }
                if dryRun { print("wrap \(kind == .download ? "download" : "click   ")  line \(link.line)  \(link.target)") }
            case .skip(let reason):
                skipped[reason, default: 0] += 1
                if dryRun { print("skip \(reason)  line \(link.line)  \(link.raw)") }
                if reason.hasPrefix("relative") {
                    warn("\(source):\(link.line): relative link '\(link.raw)' left as is: a newsletter needs absolute URLs")
                }
            }
        }
        let skips = skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        warn("wrapped \(wrapped) links (\(downloads) downloads)" + (skips.isEmpty ? "" : "; skipped \(skips)"))
    }

    /// One file per lead; all or nothing: on any error the files written so far are removed.
    private func writeRecipients(_ wrapper: NewsletterWrapper, keyring: Keyring, csv: String, directory: String) throws {
        guard let data = FileManager.default.contents(atPath: csv) else {
            throw CommandFailure("\(csv): cannot read the file", status: ExitStatus.noInput)
        }
        guard let text = String(validating: [UInt8](data), as: UTF8.self) else {
            throw CommandFailure("\(csv): not UTF-8 text", status: ExitStatus.dataError)
        }
        let recipients = try RecipientList.recipients(csv: text, column: leadColumn, trackingColumn: trackingColumn, file: csv)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Parsed once; rendered and written per recipient on all cores.
        let failure = Mutex<(any Error)?>(nil)
        let written = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: recipients.count) { i in
            guard failure.withLock({ $0 == nil }) else { return }
            let lead = recipients[i].lead
            let how: NewsletterWrapper.Lead = recipients[i].tracking ? .signed(lead) : (anonymousLinks ? .anonymous : .untracked)
            let final = directory + "/" + lead + ".html"
            let tmp = directory + "/." + lead + ".html.tmp"
            do {
                guard FileManager.default.createFile(atPath: tmp, contents: Data(wrapper.render(lead: how, keyring: keyring))) else {
                    throw CommandFailure("\(tmp): cannot write the file", status: ExitStatus.cannotCreate)
                }
                guard rename(tmp, final) == 0 else {
                    throw CommandFailure("\(final): cannot rename: \(String(cString: strerror(errno)))", status: ExitStatus.ioError)
                }
                written.withLock { $0.append(final) }
            } catch {
                try? FileManager.default.removeItem(atPath: tmp)
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.withLock({ $0 }) {
            // All or nothing: remove what was written.
            for file in written.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: file) }
            throw error
        }
        let untracked = recipients.count { !$0.tracking }
        warn("wrote \(recipients.count) files to \(directory)")
        if untracked > 0 {
            warn(
                "\(untracked) recipients without tracking consent ('\(trackingColumn)' column): "
                    + (anonymousLinks ? "links count clicks without a lead, no pixel" : "plain links, no pixel"))
        }
    }

    private func warn(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
