import Foundation
import SpurCore

/// Everything `spur serve` can be told. Defaults are the documented ones (docs/configuration.md).
public struct CollectorConfiguration: Sendable {
    /// What to do with site hits from people who asked not to be tracked (DNT, GPC, opt-out).
    public enum DoNotTrackMode: String, Sendable, CaseIterable {
        /// Record the hit without visitor id and lead, flagged `dnt` (default).
        case anonymous
        /// Record nothing.
        case drop
    }

    /// Whether site tracking needs the person's consent first (docs/consent.md).
    public enum ConsentMode: String, Sendable, CaseIterable {
        /// Without the consent cookie: no cookie set or read, no visitor id; site hits are kept
        /// only as anonymous page counts (default).
        case required
        /// Without the consent cookie, site hits are not recorded at all.
        case strict
        /// Every site hit gets a visitor id (where the site has another legal basis).
        case notRequired = "not-required"
    }

    public var hostname = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./spur-data"
    public var node = "node1"
    /// The public base URL links point at, e.g. `https://t.example.com`.
    public var publicURL = "http://127.0.0.1:8080"

    public var commitInterval: Duration = .milliseconds(200)
    public var flushBytes = 1 << 20
    public var segmentMaxBytes = 64 << 20
    public var segmentMaxAge: Duration = .seconds(300)
    public var queueMaxBytes = 64 << 20

    public var ipStorage: IPStorage = .truncate
    public var trustedProxies: [IPNetwork] = []
    /// Client addresses that may read `/metrics` and `/readyz` (after `X-Forwarded-For` from a
    /// trusted proxy): loopback by default, so the public site does not show them.
    public var metricsAllow: [IPNetwork] = [IPNetwork("127.0.0.0/8")!, IPNetwork("::1")!]
    public var doNotTrack: DoNotTrackMode = .anonymous
    public var consent: ConsentMode = .required
    public var cookieDomain: String?
    /// Mark cookies `Secure`; nil means: when the public URL is https.
    public var cookieSecure: Bool?

    /// Site origins (e.g. `https://shop.example`) allowed to send beacons with credentials via CORS.
    public var siteOrigins: [String] = []
    /// Bearer keys for `POST /api/identify` given in clear text (`SPUR_API_KEYS`, `--api-keys-file`),
    /// besides the `identify` keys of `DATA/api-keys` (`spur keys`); with none the endpoint does
    /// not exist (404).
    public var apiKeys: [String] = []
    /// The key store `spur keys` writes (nil: none).
    public var apiKeyStore: String? { APIKeyStore.defaultPath(dataDirectory: dataDirectory) }
    /// Attributes `/api/identify` accepts (progressive profiling).
    public var identifyAttributes: Set<String> = [
        "birthday", "role", "company_size", "industry", "zip", "country", "customer_type", "phone", "company", "job_title",
        "newsletter", "budget", "authority", "need", "timeframe", "project",
    ]

    /// User-agent substrings flagged `bot` in addition to the built-in list.
    public var extraBotPatterns: [String] = []
    /// Site events per second and burst per network, events per hour per node, free-disk watermark.
    public var siteEventsPerSecond: Double = 20
    public var siteBurst: Double = 200
    public var maxEventsPerHour = 2_000_000
    public var minFreeDiskBytes: Int64 = 1 << 30
    /// Distinct template-link (unsigned) leads one network may bring into a campaign per hour.
    public var unsignedLeadsPerNetwork = 50

    public var maxURIBytes = 8192
    public var maxHeaderBytes = 16384
    public var maxBodyBytes = 64 * 1024
    public var maxEventsPerRequest = 100
    public var fieldLimits = FieldLimits()
    /// Event loop threads; nil means one per core. One is best when the collector is pinned to a core.
    public var eventLoopThreads: Int?
    /// Closes connections that sit idle (keep-alive) or send a request too slowly.
    public var requestTimeout: Duration = .seconds(30)
    /// A connection must send a request head this soon after connecting or after the previous
    /// response (the keep-alive idle timeout too).
    public var headTimeout: Duration = .seconds(10)
    /// Open connections at most; nil: the file-handle limit minus room for the collector's own files.
    public var maxConnections: Int?

    /// `maxConnections`, or the soft `RLIMIT_NOFILE` less 128 handles for segments, the data
    /// directory, event loops and the listener (at least 64).
    public var connectionCap: Int {
        if let maxConnections { return maxConnections }
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 896 }
        let soft = Int(min(limit.rlim_cur, 1_048_576))  // RLIM_INFINITY is the largest value
        return max(64, soft - 128)
    }

    /// The receive-time clock (Unix ms). Replaceable so replay tests can simulate hours.
    public var clock: @Sendable () -> Int64 = { SystemTime.nowMillis() }

    public init() {}

    /// The segment directory under the data directory.
    public var segmentDirectory: String { dataDirectory + "/segments" }

    var secureCookies: Bool { cookieSecure ?? publicURL.lowercased().hasPrefix("https://") }

    public var eventLogConfiguration: EventLog.Configuration {
        var c = EventLog.Configuration(directory: segmentDirectory, node: node)
        c.commitInterval = commitInterval
        c.flushBytes = flushBytes
        c.segmentMaxBytes = segmentMaxBytes
        c.segmentMaxAge = segmentMaxAge
        c.queueMaxBytes = queueMaxBytes
        return c
    }
}
