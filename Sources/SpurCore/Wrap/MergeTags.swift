import Foundation

/// The merge tags of the mail tools newsletters come from (docs/wrap.md has the table). A link
/// that contains one is left alone: the mail tool fills it in after wrapping, which it could not
/// do inside a signed token — the click would redirect to the literal tag.
public struct MergeTags {
    public struct Form: Sendable {
        /// The tools that write it, for the skip reason.
        public var tools: String
        /// A regular expression (ICU syntax) over the link's target as written, after `&amp;` decoding.
        public var pattern: String
    }

    /// Built-in forms, most specific first.
    public static let builtIn: [Form] = [
        Form(tools: "Mailchimp", pattern: #"\*\|[A-Za-z0-9_:]+\|\*"#),
        Form(tools: "Mailchimp, URL-encoded", pattern: #"\*%7[Cc][A-Za-z0-9_:]+%7[Cc]\*"#),
        Form(tools: "CleverReach, MailerLite", pattern: #"\{\$[A-Za-z_][A-Za-z0-9_.]*\}"#),
        Form(tools: "Brevo, listmonk, Liquid, Handlebars", pattern: #"\{\{.*?\}\}"#),
        Form(tools: "Brevo, listmonk, URL-encoded", pattern: #"%7[Bb]%7[Bb]"#),
        Form(tools: "Mautic", pattern: #"\{[A-Za-z_][A-Za-z0-9_]*(=[^}]*)?\}"#),
        Form(tools: "Salesforce Marketing Cloud", pattern: #"%%[^%]+%%"#),
        // %EMAIL%, not a percent-encoded byte (%C3%): a name of three or more characters with one outside hex.
        Form(tools: "ActiveCampaign", pattern: #"%(?=[A-Z0-9_-]*[G-Z_])[A-Z][A-Z0-9_-]{2,}%"#),
        // [Email], [UNIQID] where a value starts (after = / ? & # :), not PHP's filter[color]=red.
        Form(tools: "Sendy, Mailchimp (older)", pattern: #"(^|[=/?&#:])\[[A-Za-z][A-Za-z0-9_ ,-]*\](?!=)"#),
        Form(tools: "Mailjet", pattern: #"\[\[[^\]]+\]\]"#),
        Form(tools: "Jinja, Twig", pattern: #"\{%.*?%\}"#),
        Form(tools: "Salesforce Pardot, HubSpot (older)", pattern: #"\$\([^)]+\)|##[^#]+##"#),
    ]

    private let compiled: [(tools: String, regex: NSRegularExpression)]

    /// The built-in forms and `extra` patterns (`--merge-tag`); a pattern that does not compile
    /// is an error that names it.
    public init(extra: [String] = []) throws(SpurError) {
        var compiled: [(String, NSRegularExpression)] = []
        for form in Self.builtIn + extra.map({ Form(tools: "--merge-tag \($0)", pattern: $0) }) {
            guard let regex = try? NSRegularExpression(pattern: form.pattern) else {
                throw .invalidInput("--merge-tag '\(form.pattern)' is not a regular expression (e.g. '\\$\\{[a-z]+\\}' for ${name})")
            }
            compiled.append((form.tools, regex))
        }
        self.compiled = compiled
    }

    /// The tools whose merge tag `target` contains, nil when it contains none.
    public func match(_ target: String) -> String? {
        let range = NSRange(target.startIndex..., in: target)
        return compiled.first { $0.regex.firstMatch(in: target, range: range) != nil }?.tools
    }
}
