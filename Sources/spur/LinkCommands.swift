import ArgumentParser
import Foundation
import SpurCore
import SpurHTTP

struct LinkBaseOptions: ParsableArguments {
    @Option(
        help:
            "Public base URL of the collector. [env: SPUR_PUBLIC_URL] (default: the one the collector in DATA announced, else \(Defaults.collector.publicURL))"
    )
    var base: String?

    /// The base links are minted for: the flag, the variable, else what the collector serving
    /// this data directory announced (`DATA/public-url`). A given base that differs from the
    /// announced one is probably a mistake (a link to the wrong port is a lost click): warn.
    func url(dataDirectory: String) throws -> String {
        let announced = PublicURLRecord.read(dataDirectory: dataDirectory)
        guard let given = base ?? Environment.value("SPUR_PUBLIC_URL") else {
            return try Serve.baseURL(announced ?? Defaults.collector.publicURL)
        }
        let url = try Serve.baseURL(given)
        if let announced, announced != url {
            FileHandle.standardError.write(
                Data(
                    ("warning: minting links for \(url), but the collector of \(dataDirectory) announced \(announced); "
                        + "check --base / SPUR_PUBLIC_URL\n").utf8))
        }
        return url
    }
}

/// What every signed URL needs: the secret, the base URL, the campaign and the lead.
struct SigningOptions: ParsableArguments {
    @OptionGroup var data: DataOptions
    @OptionGroup var secret: SecretOptions
    @OptionGroup var base: LinkBaseOptions
    @Option(help: "Campaign (newsletter) id.") var campaign: String
    @Option(help: "Lead id, signed into the URL.") var lead: String?
    @Option(help: "Template mode: leave the lead to the mail tool, e.g. '{{lead}}' (weaker: see README).")
    var leadPlaceholder: String?

    /// `BASE` + `path` + the signed token + `suffix`, with the lead placeholder as `?l=` in template mode.
    func signedURL(_ token: LinkToken, path: String, suffix: String = "") throws -> String {
        do { try token.validate() } catch { throw ValidationError(error.description) }
        let keyring = try secret.keyring(dataDirectory: data.directory).keyring
        var url = try base.url(dataDirectory: data.directory) + path + keyring.sign(token) + suffix
        if let placeholder = leadPlaceholder { url += "?l=" + placeholder }
        return url
    }
}

/// `spur link`: one signed click (or download) URL.
struct Link: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a signed click link for a target URL.")

    @OptionGroup var signing: SigningOptions
    @Flag(help: "Count the click as a download.") var download = false
    @Argument(help: "Target URL (http or https).") var url: String

    func run() throws {
        let token = LinkToken(
            kind: download ? .download : .click, campaign: signing.campaign, lead: signing.lead, url: TargetURL.normalized(url),
            leadInQuery: signing.leadPlaceholder != nil)
        print(try signing.signedURL(token, path: "/c/"))
    }
}

/// `spur pixel`: one signed open-pixel URL.
struct Pixel: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a signed e-mail open pixel URL.")

    @OptionGroup var signing: SigningOptions

    func validate() throws {
        if signing.lead == nil && signing.leadPlaceholder == nil { throw ValidationError("give --lead or --lead-placeholder") }
    }

    func run() throws {
        let token = LinkToken(
            kind: .open, campaign: signing.campaign, lead: signing.lead, leadInQuery: signing.leadPlaceholder != nil)
        print(try signing.signedURL(token, path: "/o/", suffix: ".gif"))
    }
}
