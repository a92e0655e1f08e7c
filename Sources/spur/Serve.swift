import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SpurCore
import SpurHTTP

/// `spur serve`: the collector.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP collector (pixels, redirects, beacons) writing segments to DATA/segments.")

    @OptionGroup var data: DataOptions
    @OptionGroup var secret: SecretOptions

    private static let defaults = Defaults.collector

    @Option(help: "Address to listen on. [env: SPUR_HOST] (default: \(defaults.hostname))") var host: String?
    @Option(help: "Port to listen on. [env: SPUR_PORT] (default: \(defaults.port))") var port: Int?
    @Option(help: "This collector's node name, unique per collector. [env: SPUR_NODE] (default: host name)") var node: String?
    @Option(help: "Public base URL of the collector. [env: SPUR_PUBLIC_URL] (default: \(defaults.publicURL))") var publicURL: String?
    @Option(help: "Group commit interval, e.g. 200ms. [env: SPUR_COMMIT_INTERVAL] (default: \(DurationArgument.text(defaults.commitInterval)))")
    var commitInterval: DurationArgument?
    @Option(help: "Commit early when this much is queued. [env: SPUR_FLUSH_BYTES] (default: \(ByteSizeArgument.text(defaults.flushBytes)))")
    var flushBytes: ByteSizeArgument?
    @Option(help: "Seal a segment at this size. [env: SPUR_SEGMENT_MAX_BYTES] (default: \(ByteSizeArgument.text(defaults.segmentMaxBytes)))")
    var segmentMaxBytes: ByteSizeArgument?
    @Option(help: "Seal a segment at this age. [env: SPUR_SEGMENT_MAX_AGE] (default: \(DurationArgument.text(defaults.segmentMaxAge)))")
    var segmentMaxAge: DurationArgument?
    @Option(
        help:
            "Memory queue limit while the disk cannot be written. [env: SPUR_QUEUE_MAX_BYTES] (default: \(ByteSizeArgument.text(defaults.queueMaxBytes)))"
    )
    var queueMaxBytes: ByteSizeArgument?
    @Option(help: "Client IPs: truncate (IPv4 /24, IPv6 /48), the full address, or none. [env: SPUR_IP] (default: \(defaults.ipStorage.rawValue))")
    var ip: IPStorage?
    @Option(
        help: "Trusted reverse proxy address or CIDR whose X-Forwarded-For is believed (repeatable). [env: SPUR_TRUSTED_PROXIES, comma-separated]")
    var trustedProxy: [String] = []
    @Option(
        help:
            "Site hits with DNT/GPC/opt-out: anonymous (no visitor, flagged dnt) or drop. [env: SPUR_DNT] (default: \(defaults.doNotTrack.rawValue))")
    var dnt: CollectorConfiguration.DoNotTrackMode?
    @Option(
        help:
            "Site tracking consent: required (anonymous page counts until the consent cookie), strict (nothing until then) or not-required. [env: SPUR_CONSENT] (default: \(defaults.consent.rawValue))"
    )
    var consent: CollectorConfiguration.ConsentMode?
    @Option(help: "Cookie domain, e.g. shop.example to share the visitor id with t.shop.example. [env: SPUR_COOKIE_DOMAIN]") var cookieDomain: String?
    @Option(help: "Secure cookies: auto (when the public URL is https), on, off. [env: SPUR_COOKIE_SECURE] (default: auto)")
    var cookieSecure: CookieSecurity?
    @Option(
        help:
            "Close connections that send no complete request for this long. [env: SPUR_REQUEST_TIMEOUT] (default: \(DurationArgument.text(defaults.requestTimeout)))"
    )
    var requestTimeout: DurationArgument?
    @Option(
        help:
            "Close connections that send no request head for this long after connecting or the last response (the keep-alive idle timeout). [env: SPUR_HEAD_TIMEOUT] (default: \(DurationArgument.text(defaults.headTimeout)))"
    )
    var headTimeout: DurationArgument?
    @Option(help: "Open connections at most. [env: SPUR_MAX_CONNECTIONS] (default: the file-handle limit less 128)")
    var maxConnections: Int?
    @Option(
        help: "Client address or CIDR that may read /metrics and /readyz (repeatable). [env: SPUR_METRICS_ALLOW, comma-separated] (default: loopback)"
    )
    var metricsAllow: [String] = []
    @Option(
        help:
            "Site origin allowed to send beacons with cookies via CORS, e.g. https://shop.example (repeatable). [env: SPUR_SITE_ORIGINS, comma-separated]"
    )
    var siteOrigin: [String] = []
    @Option(help: "File with API keys for /api/identify, one per line. [env: SPUR_API_KEYS, comma-separated] (default: none, endpoint disabled)")
    var apiKeysFile: String?
    @Option(
        help:
            "Attributes /api/identify accepts, comma-separated. [env: SPUR_IDENTIFY_ATTRIBUTES] (default: \(defaults.identifyAttributes.sorted().joined(separator: ",")))"
    )
    var identifyAttributes: String?
    @Option(help: "File with extra user-agent substrings to flag as bot, one per line. [env: SPUR_BOT_PATTERNS_FILE]") var botPatternsFile: String?
    @Option(
        help:
            "Distinct template-link leads (?l=) one network may bring into a campaign per hour; 0: no cap. [env: SPUR_UNSIGNED_LEADS_PER_NETWORK] (default: 50)"
    )
    var unsignedLeadsPerNetwork: Int?
    @Option(help: "Site events per second one network (/24, /48) may store; 0: no limit. [env: SPUR_SITE_RATE_LIMIT] (default: 20)")
    var siteRateLimit: Double?
    @Option(help: "Site events one network may send at once. [env: SPUR_SITE_BURST] (default: 200)") var siteBurst: Double?
    @Option(help: "Events this node stores per hour at most; 0: no cap. [env: SPUR_MAX_EVENTS_PER_HOUR] (default: 2000000)")
    var maxEventsPerHour: Int?
    @Option(help: "Below this much free disk, site hits are not stored, e.g. 1GiB; 0: off. [env: SPUR_MIN_FREE_DISK] (default: 1GiB)")
    var minFreeDisk: ByteSizeArgument?
    @Option(help: "Event loop threads. [env: SPUR_THREADS] (default: one per core)") var threads: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. [env: SPUR_LOG_LEVEL] (default: info)") var logLevel:
        Logger.Level?

    enum CookieSecurity: String, ExpressibleByArgument, CaseIterable {
        case auto, on, off
        init?(argument: String) {
            switch argument.lowercased() {
            case "auto": self = .auto
            case "on", "true", "yes": self = .on
            case "off", "false", "no": self = .off
            default: return nil
            }
        }
    }

    /// Every flag and variable is checked before anything starts.
    func validate() throws { _ = try collectorConfiguration() }

    func run() async throws {
        try Environment.bootstrapLogging(logLevel)
        let logger = Logger(label: "spur")
        // The soft file-handle limit up to the hard one: the connection cap follows it.
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let configuration = try collectorConfiguration()
        let (keyring, source) = try secret.keyring(dataDirectory: configuration.dataDirectory, create: true)
        logger.info("Signing keys loaded", metadata: ["source": "\(source)", "keys": "\(keyring.keys.map(\.id))"])
        try PublicURLRecord.write(configuration.publicURL, dataDirectory: configuration.dataDirectory)
        let metrics = CollectorMetrics()
        let eventLog = try EventLog(configuration: configuration.eventLogConfiguration, observer: metrics, logger: logger)
        let app = CollectorApplication.build(
            configuration: configuration, keyring: keyring, eventLog: eventLog, metrics: metrics, logger: logger)
        logger.info(
            "Spur collector starting",
            metadata: [
                "address": "\(configuration.hostname):\(configuration.port)", "node": "\(configuration.node)",
                "segments": "\(configuration.segmentDirectory)", "public_url": "\(configuration.publicURL)",
                "max_connections": "\(configuration.connectionCap)",
            ])
        try await CollectorApplication.run(app, configuration: configuration)
    }

    func collectorConfiguration() throws -> CollectorConfiguration {
        var c = CollectorConfiguration()
        c.dataDirectory = data.directory
        c.hostname = host ?? Environment.value("SPUR_HOST") ?? c.hostname
        if let p = try Environment.fallback(port, "SPUR_PORT", flag: "--port") {
            guard (0...65535).contains(p) else { throw ValidationError("--port must be 0–65535") }
            c.port = p
        }
        c.node = node ?? Environment.value("SPUR_NODE") ?? Self.defaultNode()
        guard NodeName.isValid(c.node) else {
            throw ValidationError("node name '\(c.node)' must be 1–64 letters, digits, '.', '_' or '-'")
        }
        c.publicURL = try Self.baseURL(publicURL ?? Environment.value("SPUR_PUBLIC_URL") ?? Self.defaultPublicURL(host: c.hostname, port: c.port))
        if let d = try Environment.fallback(commitInterval, "SPUR_COMMIT_INTERVAL", flag: "--commit-interval")?.value {
            guard d > .zero, d <= .seconds(10) else { throw ValidationError("--commit-interval must be between 1ms and 10s") }
            c.commitInterval = d
        }
        if let d = try Environment.fallback(segmentMaxAge, "SPUR_SEGMENT_MAX_AGE", flag: "--segment-max-age")?.value {
            guard d >= .seconds(1) else { throw ValidationError("--segment-max-age must be at least 1s") }
            c.segmentMaxAge = d
        }
        if let d = try Environment.fallback(requestTimeout, "SPUR_REQUEST_TIMEOUT", flag: "--request-timeout")?.value {
            guard d >= .seconds(1) else { throw ValidationError("--request-timeout must be at least 1s") }
            c.requestTimeout = d
        }
        if let d = try Environment.fallback(headTimeout, "SPUR_HEAD_TIMEOUT", flag: "--head-timeout")?.value {
            guard d >= .milliseconds(100) else { throw ValidationError("--head-timeout must be at least 100ms") }
            c.headTimeout = d
        }
        if let n = try Environment.fallback(maxConnections, "SPUR_MAX_CONNECTIONS", flag: "--max-connections") {
            guard n >= 16 else { throw ValidationError("--max-connections must be at least 16") }
            c.maxConnections = n
        }
        if let n = try Environment.fallback(flushBytes, "SPUR_FLUSH_BYTES", flag: "--flush-bytes")?.value {
            guard n >= 4096, n <= 16 << 20 else { throw ValidationError("--flush-bytes must be between 4KiB and 16MiB") }
            c.flushBytes = n
        }
        if let n = try Environment.fallback(segmentMaxBytes, "SPUR_SEGMENT_MAX_BYTES", flag: "--segment-max-bytes")?.value {
            guard n >= 64 * 1024, n <= 1 << 30 else { throw ValidationError("--segment-max-bytes must be between 64KiB and 1GiB") }
            c.segmentMaxBytes = n
        }
        if let n = try Environment.fallback(queueMaxBytes, "SPUR_QUEUE_MAX_BYTES", flag: "--queue-max-bytes")?.value {
            guard n >= 1 << 20 else { throw ValidationError("--queue-max-bytes must be at least 1MiB") }
            c.queueMaxBytes = n
        }
        if let n = try Environment.fallback(threads, "SPUR_THREADS", flag: "--threads") {
            guard (1...256).contains(n) else { throw ValidationError("--threads must be 1–256") }
            c.eventLoopThreads = n
        }
        c.ipStorage = try Environment.fallback(ip, "SPUR_IP", flag: "--ip") ?? c.ipStorage
        c.trustedProxies = try Environment.list(trustedProxy, "SPUR_TRUSTED_PROXIES").map { text in
            guard let net = IPNetwork(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--trusted-proxy '\(text)' is not an IP address or CIDR range")
            }
            return net
        }
        let allow = try Environment.list(metricsAllow, "SPUR_METRICS_ALLOW").map { text in
            guard let net = IPNetwork(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--metrics-allow '\(text)' is not an IP address or CIDR range")
            }
            return net
        }
        if !allow.isEmpty { c.metricsAllow = allow }
        c.doNotTrack = try Environment.fallback(dnt, "SPUR_DNT", flag: "--dnt") ?? c.doNotTrack
        c.consent = try Environment.fallback(consent, "SPUR_CONSENT", flag: "--consent") ?? c.consent
        c.cookieDomain = cookieDomain ?? Environment.value("SPUR_COOKIE_DOMAIN")
        if let d = c.cookieDomain,
            d.isEmpty || !d.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" })
        {
            throw ValidationError("--cookie-domain '\(d)' is not a domain name")
        }
        switch try Environment.fallback(cookieSecure, "SPUR_COOKIE_SECURE", flag: "--cookie-secure") ?? .auto {
        case .auto: c.cookieSecure = nil
        case .on: c.cookieSecure = true
        case .off: c.cookieSecure = false
        }
        c.siteOrigins = try Environment.list(siteOrigin, "SPUR_SITE_ORIGINS").map { raw in
            var o = raw.trimmingCharacters(in: .whitespaces)
            while o.hasSuffix("/") { o.removeLast() }
            guard o.hasPrefix("http://") || o.hasPrefix("https://"), !o.dropFirst(8).contains("/") else {
                throw ValidationError("--site-origin '\(raw)' must be an origin like https://shop.example")
            }
            return o
        }
        var keys: [String] = []
        if let file = apiKeysFile {
            keys = try Self.lines(of: file, flag: "--api-keys-file")
        } else {
            keys = Environment.list([], "SPUR_API_KEYS")
        }
        // The message never shows any part of a key (it may be a real one, mistyped).
        if let weak = keys.firstIndex(where: { $0.count < 16 }) {
            throw ValidationError("API key \(weak + 1) of \(keys.count) is shorter than 16 characters; use long random keys")
        }
        c.apiKeys = keys
        if let r = try Environment.fallback(siteRateLimit, "SPUR_SITE_RATE_LIMIT", flag: "--site-rate-limit") {
            guard r >= 0, r.isFinite else { throw ValidationError("--site-rate-limit must be 0 (no limit) or more events per second") }
            c.siteEventsPerSecond = r
        }
        if let b = try Environment.fallback(siteBurst, "SPUR_SITE_BURST", flag: "--site-burst") {
            guard b >= 100, b.isFinite else { throw ValidationError("--site-burst must be at least 100 (one beacon may carry 100 events)") }
            c.siteBurst = b
        }
        if let n = try Environment.fallback(maxEventsPerHour, "SPUR_MAX_EVENTS_PER_HOUR", flag: "--max-events-per-hour") {
            guard n >= 0 else { throw ValidationError("--max-events-per-hour must be 0 (no cap) or more") }
            c.maxEventsPerHour = n
        }
        if let size = try Environment.fallback(minFreeDisk, "SPUR_MIN_FREE_DISK", flag: "--min-free-disk") {
            c.minFreeDiskBytes = Int64(size.value)
        }
        if let n = try Environment.fallback(unsignedLeadsPerNetwork, "SPUR_UNSIGNED_LEADS_PER_NETWORK", flag: "--unsigned-leads-per-network") {
            guard n >= 0 else { throw ValidationError("--unsigned-leads-per-network must be 0 (no cap) or more") }
            c.unsignedLeadsPerNetwork = n
        }
        if let file = botPatternsFile ?? Environment.value("SPUR_BOT_PATTERNS_FILE") {
            c.extraBotPatterns = try Self.lines(of: file, flag: "--bot-patterns-file")
        }
        if let list = identifyAttributes ?? Environment.value("SPUR_IDENTIFY_ATTRIBUTES") {
            c.identifyAttributes = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return c
    }

    /// The non-empty, non-comment lines of a list file.
    static func lines(of file: String, flag: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read \(flag) \(file)") }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    static func defaultNode() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        return NodeName.isValid(host) ? host : "node1"
    }

    /// Without `--public-url`, links point at the address the collector listens on (a wildcard
    /// address means this machine).
    static func defaultPublicURL(host: String, port: Int) -> String {
        let name = ["0.0.0.0", "::", "[::]", ""].contains(host) ? "127.0.0.1" : host
        return "http://" + (name.contains(":") && !name.hasPrefix("[") ? "[\(name)]" : name) + ":\(port)"
    }

    static func baseURL(_ text: String) throws -> String {
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count > 8 else {
            throw ValidationError("the public URL '\(text)' must start with http:// or https://")
        }
        return url
    }
}
