import Foundation
import Yams

/// What a webhook endpoint can be told about.
public enum WebhookEvent: String, Sendable, CaseIterable {
    /// The lead reached MQL (from none).
    case stageMQL = "stage.mql"
    /// The lead reached SQL.
    case stageSQL = "stage.sql"
    /// The lead fell back to no stage (its score decayed below the MQL threshold).
    case stageNone = "stage.none"
    /// The lead's score rose to or past the endpoint's `score_threshold`.
    case scoreCrossed = "score.crossed"
    /// The lead entered or left an audience (docs/audiences.md).
    case audienceEntered = "audience.entered"
    case audienceLeft = "audience.left"

    static func stage(_ s: Stage) -> WebhookEvent {
        switch s {
        case .none: .stageNone
        case .mql: .stageMQL
        case .sql: .stageSQL
        }
    }
}

/// The webhooks file (`--webhooks FILE`, YAML; docs/webhooks.md): endpoints with the events they
/// want, an optional filter, their signing secret, and how long failed deliveries are retried.
public struct WebhookConfiguration: Sendable {
    public struct Endpoint: Sendable {
        public var name: String
        public var url: String
        /// Signs every delivery (`Spur-Signature`); never logged.
        public var secret: String
        public var events: Set<WebhookEvent>
        public var scoreThreshold: Double?
        /// Only leads with one of these letters (empty: any).
        public var letters: Set<Letter> = []
        /// Only leads with one of these among their top interests (empty: any).
        public var interests: Set<String> = []
        /// For `audience.*` events: only these audiences (empty: all).
        public var audiences: Set<String> = []
        /// Milliseconds an attempt may take.
        public var timeoutMillis: Int64 = 10_000

        public init(name: String, url: String, secret: String, events: Set<WebhookEvent>) {
            self.name = name
            self.url = url
            self.secret = secret
            self.events = events
        }

        /// Whether the endpoint's filter lets `profile` through.
        func accepts(_ profile: LeadProfile) -> Bool {
            (letters.isEmpty || letters.contains(profile.letter))
                && (interests.isEmpty || profile.interests.prefix(3).contains { interests.contains($0.category) })
        }
    }

    public var endpoints: [Endpoint] = []
    /// A failed delivery is retried with exponential back-off and jitter for this long, then given up (dead).
    public var retryForMillis: Int64 = 24 * 3_600_000
    /// The wait after the first failure; it doubles with each further one, up to `maxDelayMillis`.
    public var firstDelayMillis: Int64 = 30_000
    public var maxDelayMillis: Int64 = 3_600_000

    public init(endpoints: [Endpoint] = []) { self.endpoints = endpoints }

    public func endpoint(named name: String) -> Endpoint? { endpoints.first { $0.name == name } }

    public static func load(path: String) throws -> WebhookConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AggregateError.invalidWebhooks("cannot read \(path): check the path given to --webhooks or SPUR_WEBHOOKS")
        }
        do {
            return try WebhookConfiguration(yaml: String(decoding: data, as: UTF8.self), directory: (path as NSString).deletingLastPathComponent)
        } catch AggregateError.invalidWebhooks(let problem) {
            throw AggregateError.invalidWebhooks("\(path): \(problem)")
        }
    }

    /// `directory` resolves relative `secret_file` paths.
    public init(yaml text: String, directory: String = ".") throws {
        func bad(_ s: String) -> AggregateError { .invalidWebhooks(s) }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw bad("not valid YAML: \(error)") }
        guard let doc = root as? [String: Any] else { throw bad("expected a mapping with 'endpoints' at the top level") }
        for key in doc.keys where !["endpoints", "retry_for", "first_retry_after", "max_retry_delay"].contains(key) {
            throw bad("unknown key '\(key)' (endpoints, retry_for, first_retry_after, max_retry_delay)")
        }
        if let v = doc["retry_for"] { retryForMillis = try Self.millis(v, "retry_for") }
        if let v = doc["first_retry_after"] { firstDelayMillis = try Self.millis(v, "first_retry_after") }
        if let v = doc["max_retry_delay"] { maxDelayMillis = try Self.millis(v, "max_retry_delay") }
        guard let list = doc["endpoints"] as? [Any] else { throw bad("'endpoints' must be a list of endpoints") }
        for (i, item) in list.enumerated() {
            guard let e = item as? [String: Any] else { throw bad("endpoints[\(i)] must be a mapping") }
            let at = "endpoints[\(i)]"
            let known = ["name", "url", "secret", "secret_file", "events", "score_threshold", "filter", "audiences", "timeout"]
            for key in e.keys where !known.contains(key) { throw bad("\(at): unknown key '\(key)' (\(known.joined(separator: ", ")))") }
            guard let name = e["name"] as? String, name.range(of: #"^[A-Za-z0-9._-]{1,64}$"#, options: .regularExpression) != nil,
                name != Delivery.handoffEndpoint
            else { throw bad("\(at).name must be 1–64 letters, digits, '.', '_' or '-' (and not 'handoff')") }
            guard !endpoints.contains(where: { $0.name == name }) else { throw bad("\(at): the name '\(name)' is used twice") }
            guard let url = e["url"] as? String, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                parsed.host?.isEmpty == false
            else { throw bad("\(at) (\(name)).url must be an http:// or https:// URL") }
            var secret = e["secret"] as? String
            if let file = e["secret_file"] as? String {
                let path = file.hasPrefix("/") ? file : directory + "/" + file
                guard let data = FileManager.default.contents(atPath: path) else { throw bad("\(at) (\(name)): cannot read secret_file \(path)") }
                secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            // The message never shows the secret.
            guard let secret, secret.count >= 16 else {
                throw bad("\(at) (\(name)) needs a secret (or secret_file) of at least 16 characters: e.g. openssl rand -hex 32")
            }
            guard let names = e["events"] as? [String], !names.isEmpty else {
                throw bad("\(at) (\(name)).events must list events: \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var events = Set<WebhookEvent>()
            for n in names {
                guard let event = WebhookEvent(rawValue: n) else {
                    throw bad("\(at) (\(name)): unknown event '\(n)' (\(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                events.insert(event)
            }
            var endpoint = Endpoint(name: name, url: url, secret: secret, events: events)
            if let t = e["score_threshold"] {
                guard let n = (t as? Double) ?? (t as? Int).map(Double.init), n.isFinite else {
                    throw bad("\(at) (\(name)).score_threshold must be a number")
                }
                endpoint.scoreThreshold = n
            }
            if events.contains(.scoreCrossed) && endpoint.scoreThreshold == nil {
                throw bad("\(at) (\(name)): score.crossed needs a score_threshold")
            }
            if let f = e["filter"] {
                guard let filter = f as? [String: Any] else { throw bad("\(at) (\(name)).filter must be a mapping (letter, interest)") }
                for key in filter.keys where !["letter", "interest"].contains(key) {
                    throw bad("\(at) (\(name)).filter: unknown key '\(key)' (letter, interest)")
                }
                for l in Self.strings(filter["letter"]) {
                    guard let letter = Letter(rawValue: l.uppercased()) else {
                        throw bad("\(at) (\(name)).filter.letter: '\(l)' is not A, B, C or D")
                    }
                    endpoint.letters.insert(letter)
                }
                endpoint.interests = Set(Self.strings(filter["interest"]))
            }
            endpoint.audiences = Set(Self.strings(e["audiences"]))
            if let t = e["timeout"] {
                endpoint.timeoutMillis = try Self.millis(t, "\(at) (\(name)).timeout")
                guard (100...120_000).contains(endpoint.timeoutMillis) else { throw bad("\(at) (\(name)).timeout must be 100ms–120s") }
            }
            endpoints.append(endpoint)
        }
    }

    private static func strings(_ value: Any?) -> [String] {
        if let s = value as? String { return [s] }
        return (value as? [Any])?.map { "\($0)" } ?? []
    }

    /// `500ms`, `30s`, `10m`, `24h`, `2d`; a bare number is seconds.
    static func millis(_ value: Any, _ key: String) throws -> Int64 {
        let text = "\(value)".trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        let unit = units.first { text.hasSuffix($0.0) } ?? ("", 1000)
        guard let n = Double(text.dropLast(unit.0.count)), n.isFinite, n > 0 else {
            throw AggregateError.invalidWebhooks("\(key) must be a duration like 30s, 10m, 24h or 2d, not '\(text)'")
        }
        return Int64(n * unit.1)
    }

    /// When to try again after `attempts` failed attempts: doubling from the first delay, capped,
    /// with ±50 % jitter so that many failed deliveries do not come back at the same moment.
    public func nextAttempt(after attempts: Int, now: Int64) -> Int64 {
        let exponent = Double(max(0, attempts - 1))
        let delay = min(Double(maxDelayMillis), Double(firstDelayMillis) * pow(2, min(exponent, 30)))
        return now + Int64(delay * Double.random(in: 0.5...1.5))
    }
}
