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

    @Option(help: "Address to listen on. [env: SPUR_HOST] (default: 127.0.0.1)") var host: String?
    @Option(help: "Port to listen on. [env: SPUR_PORT] (default: 8080)") var port: Int?
    @Option(help: "This collector's node name, unique per collector. [env: SPUR_NODE] (default: host name)") var node: String?
    @Option(help: "Public base URL of the collector. [env: SPUR_PUBLIC_URL] (default: http://127.0.0.1:8080)") var publicURL: String?
    @Option(help: "Group commit interval, e.g. 200ms. [env: SPUR_COMMIT_INTERVAL]") var commitInterval: String?
    @Option(help: "Commit early when this much is queued, e.g. 1MiB. [env: SPUR_FLUSH_BYTES]") var flushBytes: String?
    @Option(help: "Seal a segment at this size, e.g. 64MiB. [env: SPUR_SEGMENT_MAX_BYTES]") var segmentMaxBytes: String?
    @Option(help: "Seal a segment at this age, e.g. 5m. [env: SPUR_SEGMENT_MAX_AGE]") var segmentMaxAge: String?
    @Option(help: "Memory queue limit while the disk cannot be written, e.g. 64MiB. [env: SPUR_QUEUE_MAX_BYTES]") var queueMaxBytes: String?
    @Option(help: "Client IPs: truncate (IPv4 /24, IPv6 /48), full or none. [env: SPUR_IP] (default: truncate)") var ip: String?
    @Option(help: "Trusted reverse proxy address or CIDR whose X-Forwarded-For is believed (repeatable). [env: SPUR_TRUSTED_PROXIES, comma-separated]") var trustedProxy: [String] = []
    @Option(help: "Site hits with DNT/GPC/opt-out: anonymous (no visitor, flagged dnt) or drop. [env: SPUR_DNT] (default: anonymous)") var dnt: String?
    @Option(help: "Cookie domain, e.g. shop.example to share the visitor id with t.shop.example. [env: SPUR_COOKIE_DOMAIN]") var cookieDomain: String?
    @Option(help: "Secure cookies: auto (when the public URL is https), on, off. [env: SPUR_COOKIE_SECURE] (default: auto)") var cookieSecure: String?
    @Option(help: "Close connections that send no complete request for this long, e.g. 30s. [env: SPUR_REQUEST_TIMEOUT]") var requestTimeout: String?
    @Option(help: "Site origin allowed to send beacons with cookies via CORS, e.g. https://shop.example (repeatable). [env: SPUR_SITE_ORIGINS, comma-separated]") var siteOrigin: [String] = []
    @Option(help: "File with API keys for /api/identify, one per line. [env: SPUR_API_KEYS, comma-separated] (default: none, endpoint disabled)") var apiKeysFile: String?
    @Option(help: "Attributes /api/identify accepts, comma-separated. [env: SPUR_IDENTIFY_ATTRIBUTES]") var identifyAttributes: String?
    @Option(help: "File with extra user-agent substrings to flag as bot, one per line. [env: SPUR_BOT_PATTERNS_FILE]") var botPatternsFile: String?
    @Option(help: "Event loop threads. [env: SPUR_THREADS] (default: one per core)") var threads: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. [env: SPUR_LOG_LEVEL] (default: info)") var logLevel: Logger.Level?

    func run() async throws {
        let level = logLevel ?? Environment.value("SPUR_LOG_LEVEL").flatMap { Logger.Level(rawValue: $0) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "spur")
        let configuration = try collectorConfiguration()
        let (keyring, source) = try secret.keyring(dataDirectory: configuration.dataDirectory)
        logger.info("Signing keys loaded", metadata: ["source": "\(source)", "keys": "\(keyring.keys.map(\.id))"])
        let metrics = CollectorMetrics()
        let eventLog = try EventLog(configuration: configuration.eventLogConfiguration, observer: metrics, logger: logger)
        let app = CollectorApplication.build(
            configuration: configuration, keyring: keyring, eventLog: eventLog, metrics: metrics, logger: logger)
        logger.info(
            "Spur collector starting",
            metadata: [
                "address": "\(configuration.hostname):\(configuration.port)", "node": "\(configuration.node)",
                "segments": "\(configuration.segmentDirectory)", "public_url": "\(configuration.publicURL)",
            ])
        try await app.runService()
    }

    func collectorConfiguration() throws -> CollectorConfiguration {
        var c = CollectorConfiguration()
        c.dataDirectory = data.directory
        c.hostname = host ?? Environment.value("SPUR_HOST") ?? c.hostname
        if let p = port ?? Environment.value("SPUR_PORT").flatMap({ Int($0) }) {
            guard (0...65535).contains(p) else { throw ValidationError("--port must be 0–65535") }
            c.port = p
        }
        c.node = node ?? Environment.value("SPUR_NODE") ?? Self.defaultNode()
        guard NodeName.isValid(c.node) else {
            throw ValidationError("node name '\(c.node)' must be 1–64 letters, digits, '.', '_' or '-'")
        }
        c.publicURL = try Self.baseURL(publicURL ?? Environment.value("SPUR_PUBLIC_URL") ?? c.publicURL)
        if let d = try duration(commitInterval, "SPUR_COMMIT_INTERVAL", "--commit-interval") {
            guard d > .zero, d <= .seconds(10) else { throw ValidationError("--commit-interval must be between 1ms and 10s") }
            c.commitInterval = d
        }
        if let d = try duration(segmentMaxAge, "SPUR_SEGMENT_MAX_AGE", "--segment-max-age") {
            guard d >= .seconds(1) else { throw ValidationError("--segment-max-age must be at least 1s") }
            c.segmentMaxAge = d
        }
        if let d = try duration(requestTimeout, "SPUR_REQUEST_TIMEOUT", "--request-timeout") {
            guard d >= .seconds(1) else { throw ValidationError("--request-timeout must be at least 1s") }
            c.requestTimeout = d
        }
        if let n = try size(flushBytes, "SPUR_FLUSH_BYTES", "--flush-bytes") {
            guard n >= 4096, n <= 16 << 20 else { throw ValidationError("--flush-bytes must be between 4KiB and 16MiB") }
            c.flushBytes = n
        }
        if let n = try size(segmentMaxBytes, "SPUR_SEGMENT_MAX_BYTES", "--segment-max-bytes") {
            guard n >= 64 * 1024, n <= 1 << 30 else { throw ValidationError("--segment-max-bytes must be between 64KiB and 1GiB") }
            c.segmentMaxBytes = n
        }
        if let n = try size(queueMaxBytes, "SPUR_QUEUE_MAX_BYTES", "--queue-max-bytes") {
            guard n >= 1 << 20 else { throw ValidationError("--queue-max-bytes must be at least 1MiB") }
            c.queueMaxBytes = n
        }
        if let n = threads ?? Environment.value("SPUR_THREADS").flatMap({ Int($0) }) {
            guard (1...256).contains(n) else { throw ValidationError("--threads must be 1–256") }
            c.eventLoopThreads = n
        }
        if let text = ip ?? Environment.value("SPUR_IP") {
            guard let mode = IPStorage(rawValue: text) else { throw ValidationError("--ip must be truncate, full or none") }
            c.ipStorage = mode
        }
        let proxies = trustedProxy.isEmpty
            ? (Environment.value("SPUR_TRUSTED_PROXIES")?.split(separator: ",").map(String.init) ?? []) : trustedProxy
        c.trustedProxies = try proxies.map { text in
            guard let net = IPNetwork(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--trusted-proxy '\(text)' is not an IP address or CIDR range")
            }
            return net
        }
        if let text = dnt ?? Environment.value("SPUR_DNT") {
            guard let mode = CollectorConfiguration.DoNotTrackMode(rawValue: text) else {
                throw ValidationError("--dnt must be anonymous or drop")
            }
            c.doNotTrack = mode
        }
        c.cookieDomain = cookieDomain ?? Environment.value("SPUR_COOKIE_DOMAIN")
        if let d = c.cookieDomain,
            d.isEmpty || !d.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" })
        {
            throw ValidationError("--cookie-domain '\(d)' is not a domain name")
        }
        switch (cookieSecure ?? Environment.value("SPUR_COOKIE_SECURE") ?? "auto").lowercased() {
        case "auto": c.cookieSecure = nil
        case "on", "true", "yes": c.cookieSecure = true
        case "off", "false", "no": c.cookieSecure = false
        default: throw ValidationError("--cookie-secure must be auto, on or off")
        }
        let origins = siteOrigin.isEmpty
            ? (Environment.value("SPUR_SITE_ORIGINS")?.split(separator: ",").map(String.init) ?? []) : siteOrigin
        c.siteOrigins = try origins.map { raw in
            var o = raw.trimmingCharacters(in: .whitespaces)
            while o.hasSuffix("/") { o.removeLast() }
            guard o.hasPrefix("http://") || o.hasPrefix("https://"), !o.dropFirst(8).contains("/") else {
                throw ValidationError("--site-origin '\(raw)' must be an origin like https://shop.example")
            }
            return o
        }
        var keys: [String] = []
        if let file = apiKeysFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read --api-keys-file \(file)") }
            keys = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        } else if let env = Environment.value("SPUR_API_KEYS") {
            keys = env.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let weak = keys.first(where: { $0.count < 16 }) {
            throw ValidationError("API key '\(weak.prefix(3))…' is shorter than 16 characters")
        }
        c.apiKeys = keys
        if let file = botPatternsFile ?? Environment.value("SPUR_BOT_PATTERNS_FILE") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read --bot-patterns-file \(file)") }
            c.extraBotPatterns = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        if let list = identifyAttributes ?? Environment.value("SPUR_IDENTIFY_ATTRIBUTES") {
            c.identifyAttributes = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return c
    }

    private func duration(_ flag: String?, _ env: String, _ name: String) throws -> Duration? {
        guard let text = flag ?? Environment.value(env) else { return nil }
        guard let d = DurationText.parse(text) else { throw ValidationError("\(name) '\(text)' is not a duration like 250ms, 30s or 5m") }
        return d
    }

    private func size(_ flag: String?, _ env: String, _ name: String) throws -> Int? {
        guard let text = flag ?? Environment.value(env) else { return nil }
        guard let n = ByteSizeText.parse(text) else { throw ValidationError("\(name) '\(text)' is not a size like 64MiB") }
        return n
    }

    static func defaultNode() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        return NodeName.isValid(host) ? host : "node1"
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
