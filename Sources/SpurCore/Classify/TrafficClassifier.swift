import Synchronization

/// Ingest-time classification of opens and clicks (docs/honest-numbers.md): cheap, per request,
/// with a small bounded in-memory window of recent opens and clicks per (campaign, lead).
/// It only adds flags; nothing is dropped, and a flagged click still redirects.
public final class TrafficClassifier: Sendable {
    public struct Configuration: Sendable {
        /// Clicks on this many different links of one message within `burstSeconds` are a scanner.
        public var burstLinks = 3
        public var burstSeconds = 5.0
        /// A click this soon after the message's first open, when that open came through a proxy.
        public var afterProxyOpenSeconds = 10.0
        /// A GET this soon after a HEAD of the same link from the same network.
        public var headThenGetSeconds = 10.0
        /// How many messages the window remembers, and at most how many bytes it holds (keys
        /// are attacker-chosen in template mode: random `?l=` values).
        public var maxEntries = 100_000
        public var maxBytes = 16 << 20
        /// Distinct unsigned (template-link) leads one network may bring into one campaign per
        /// hour; past it, events are recorded without a lead. 0: no cap.
        public var unsignedLeadsPerNetwork = 50
        public var extraBotPatterns: [String] = []
        public init() {}
    }

    private struct Recent {
        var firstOpenMillis: Int64?
        var firstOpenViaProxy = false
        // Hashes, not URLs: a 4 KB target costs 8 bytes here.
        var clicks: [(ts: Int64, url: Int)] = []
        var heads: [(ts: Int64, url: Int, ip: Int)] = []
        var touched: Int64 = 0

        /// What the entry costs, roughly, with its key.
        func bytes(keyBytes: Int) -> Int { 96 + keyBytes + clicks.count * 16 + heads.count * 24 }
    }

    /// Distinct unsigned leads (hashes) per campaign and network, for the current hour.
    private struct UnsignedLeads {
        var hour: Int64 = 0
        var leads: [String: Set<Int>] = [:]
    }

    private let config: Configuration
    private let bots: BotMatcher
    private let window = Mutex<(entries: [String: Recent], bytes: Int)>(([:], 0))
    private let unsigned = Mutex(UnsignedLeads())

    public init(configuration: Configuration = .init()) {
        config = configuration
        bots = BotMatcher(extraPatterns: configuration.extraBotPatterns)
    }

    /// `bot` for crawler, preview, monitoring and library user agents (and no user agent).
    public func isBot(userAgent: String?) -> Bool {
        guard let userAgent, !userAgent.isEmpty else { return true }
        return bots.isBot(userAgent)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    private static let proxyMarkers: [[UInt8]] = ["GoogleImageProxy", "YahooMailProxy", "Outlook-iOS-Android"].map { Array($0.utf8) }

    /// Image proxies fetching the pixel: Gmail (GoogleImageProxy), Yahoo (YahooMailProxy), and
    /// Apple Mail Privacy Protection, which fetches with the bare user agent `Mozilla/5.0`.
    public static func isImageProxy(userAgent: String?) -> Bool {
        guard let userAgent else { return false }
        let ua = Array(userAgent.utf8)
        return userAgent == "Mozilla/5.0" || proxyMarkers.contains { contains(ua, $0) }
    }

    /// Flags for an open pixel fetch.
    public func classifyOpen(campaign: String, lead: String?, userAgent: String?, atMillis now: Int64) -> EventFlags {
        var flags: EventFlags = []
        let proxy = Self.isImageProxy(userAgent: userAgent)
        if proxy { flags.insert(.proxyOpen) } else if isBot(userAgent: userAgent) { flags.insert(.bot) }
        update(key(campaign, lead), now) { r in
            if r.firstOpenMillis == nil {
                r.firstOpenMillis = now
                r.firstOpenViaProxy = proxy
            }
        }
        return flags
    }

    /// Remembers a HEAD of a click link (answered, not recorded) for the HEAD-then-GET rule.
    public func noteHead(campaign: String, lead: String?, url: String, ip: String?, atMillis now: Int64) {
        update(key(campaign, lead), now) { $0.heads.append((now, url.hashValue, ip.hashValue)) }
    }

    /// Whether an unsigned (template-link) lead may be recorded: at most
    /// `unsignedLeadsPerNetwork` distinct ones per campaign and network (the truncated IP) per
    /// hour, so random `?l=` values from one place cannot create leads by the thousand.
    public func admitsUnsignedLead(campaign: String, lead: String, network: String?, atMillis now: Int64) -> Bool {
        guard config.unsignedLeadsPerNetwork > 0 else { return true }
        let key = campaign + "\u{0}" + (network ?? "")
        return unsigned.withLock { u in
            let hour = now / 3_600_000
            if hour != u.hour { u = UnsignedLeads(hour: hour) }
            var leads = u.leads[key] ?? []
            if leads.contains(lead.hashValue) { return true }
            guard leads.count < config.unsignedLeadsPerNetwork else { return false }
            // Bounded like the window: a flood of campaigns and networks starts the hour over.
            if u.leads.count >= config.maxEntries { u.leads.removeAll(keepingCapacity: true) }
            leads.insert(lead.hashValue)
            u.leads[key] = leads
            return true
        }
    }

    /// Flags for a click: `bot` for bot user agents, `scanner_suspect` for patterns no human makes.
    public func classifyClick(campaign: String, lead: String?, url: String, ip: String?, userAgent: String?, atMillis now: Int64) -> EventFlags {
        var flags: EventFlags = isBot(userAgent: userAgent) ? [.bot] : []
        let burst = Int64(config.burstSeconds * 1000)
        let (urlHash, ipHash) = (url.hashValue, ip.hashValue)
        update(key(campaign, lead), now) { r in
            r.clicks.removeAll { now - $0.ts > burst }
            r.clicks.append((now, urlHash))
            // Distinct links among at most a few dozen recent clicks, without building a set per click.
            if r.clicks.count >= config.burstLinks {
                let clicks = r.clicks
                let distinct = clicks.indices.filter { i in !clicks[..<i].contains { $0.url == clicks[i].url } }.count
                if distinct >= config.burstLinks { flags.insert(.scannerSuspect) }
            }
            if let open = r.firstOpenMillis, r.firstOpenViaProxy, now - open <= Int64(config.afterProxyOpenSeconds * 1000) {
                flags.insert(.scannerSuspect)
            }
            let headWindow = Int64(config.headThenGetSeconds * 1000)
            r.heads.removeAll { now - $0.ts > headWindow }
            if r.heads.contains(where: { $0.url == urlHash && $0.ip == ipHash }) { flags.insert(.scannerSuspect) }
        }
        return flags
    }

    private func key(_ campaign: String, _ lead: String?) -> String { campaign + "\u{0}" + (lead ?? "") }

    private func update(_ key: String, _ now: Int64, _ body: (inout Recent) -> Void) {
        let keyBytes = key.utf8.count
        // Room for the largest an entry gets (32 clicks, 16 heads), so the bound holds after the update.
        let room = 96 + keyBytes + 32 * 16 + 16 * 24
        window.withLock { w in
            if w.entries.count >= config.maxEntries || w.bytes + room > config.maxBytes {
                // Bounded: forget messages idle for a minute; if that is not enough, start over.
                w.entries = w.entries.filter { now - $0.value.touched < 60_000 }
                w.bytes = w.entries.reduce(0) { $0 + $1.value.bytes(keyBytes: $1.key.utf8.count) }
                if w.entries.count >= config.maxEntries || w.bytes + room > config.maxBytes { w = ([:], 0) }
            }
            // Changed in place: a copy taken out of the dictionary would copy its arrays on the
            // first append, once per hit.
            let before = w.entries[key].map { $0.bytes(keyBytes: keyBytes) } ?? 0
            func apply(_ r: inout Recent) -> Int {
                r.touched = now
                body(&r)
                if r.heads.count > 16 { r.heads.removeFirst(r.heads.count - 16) }
                if r.clicks.count > 32 { r.clicks.removeFirst(r.clicks.count - 32) }
                return r.bytes(keyBytes: keyBytes)
            }
            w.bytes += apply(&w.entries[key, default: Recent()]) - before
        }
    }

    /// The window's size, for tests and the memory bound.
    var windowBytes: Int { window.withLock { $0.bytes } }
}
