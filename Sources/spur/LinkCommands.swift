import ArgumentParser
import SpurCore

struct LinkBaseOptions: ParsableArguments {
    @Option(help: "Public base URL of the collector. [env: SPUR_PUBLIC_URL] (default: http://127.0.0.1:8080)")
    var base: String?

    func url() throws -> String {
        try Serve.baseURL(base ?? Environment.value("SPUR_PUBLIC_URL") ?? "http://127.0.0.1:8080")
    }
}

/// `spur link`: one signed click (or download) URL.
struct Link: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a signed click link for a target URL.")

    @OptionGroup var data: DataOptions
    @OptionGroup var secret: SecretOptions
    @OptionGroup var base: LinkBaseOptions
    @Option(help: "Campaign (newsletter) id.") var campaign: String
    @Option(help: "Lead id, signed into the link.") var lead: String?
    @Option(help: "Template mode: leave the lead to the mail tool, e.g. '{{lead}}' (weaker: see README).") var leadPlaceholder: String?
    @Flag(help: "Count the click as a download.") var download = false
    @Argument(help: "Target URL (http or https).") var url: String

    func run() throws {
        let token = LinkToken(
            kind: download ? .download : .click, campaign: campaign, lead: lead, url: url,
            leadInQuery: leadPlaceholder != nil)
        if let problem = token.validationProblem() { throw ValidationError(problem) }
        let keyring = try secret.keyring(dataDirectory: data.directory).keyring
        var link = try base.url() + "/c/" + keyring.sign(token)
        if let placeholder = leadPlaceholder { link += "?l=" + placeholder }
        print(link)
    }
}

/// `spur pixel`: one signed open-pixel URL.
struct Pixel: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a signed e-mail open pixel URL.")

    @OptionGroup var data: DataOptions
    @OptionGroup var secret: SecretOptions
    @OptionGroup var base: LinkBaseOptions
    @Option(help: "Campaign (newsletter) id.") var campaign: String
    @Option(help: "Lead id, signed into the pixel.") var lead: String?
    @Option(help: "Template mode: leave the lead to the mail tool, e.g. '{{lead}}' (weaker: see README).") var leadPlaceholder: String?

    func validate() throws {
        if lead == nil && leadPlaceholder == nil { throw ValidationError("give --lead or --lead-placeholder") }
    }

    func run() throws {
        let token = LinkToken(kind: .open, campaign: campaign, lead: lead, leadInQuery: leadPlaceholder != nil)
        if let problem = token.validationProblem() { throw ValidationError(problem) }
        let keyring = try secret.keyring(dataDirectory: data.directory).keyring
        var link = try base.url() + "/o/" + keyring.sign(token) + ".gif"
        if let placeholder = leadPlaceholder { link += "?l=" + placeholder }
        print(link)
    }
}
