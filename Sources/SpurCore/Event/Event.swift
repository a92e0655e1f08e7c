/// The kinds of event Spur records (docs/events.md).
public enum EventType: String, Sendable, CaseIterable, Codable {
    case open, click, download, pageview, identify, form, custom
    /// A visitor granted or withdrew consent to site tracking (`props.consent`, `props.banner`):
    /// the proof GDPR Art. 7(1) asks for (docs/consent.md).
    case consent
}

/// Ingest-time classification flags, written in this fixed order.
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bot = EventFlags(rawValue: 1 << 0)
    public static let proxyOpen = EventFlags(rawValue: 1 << 1)
    public static let scannerSuspect = EventFlags(rawValue: 1 << 2)
    public static let honeypot = EventFlags(rawValue: 1 << 3)
    public static let dnt = EventFlags(rawValue: 1 << 4)
    public static let truncated = EventFlags(rawValue: 1 << 5)
    /// The lead came from a template link's `?l=` parameter: not signed, anyone can write it.
    public static let unsignedLead = EventFlags(rawValue: 1 << 6)
    /// A site hit without consent: no visitor, IP, user agent or props; the URL without its
    /// query except `utm_*` (docs/consent.md). It only counts pages.
    public static let anonymous = EventFlags(rawValue: 1 << 7)

    static let names: [(EventFlags, String)] = [
        (.bot, "bot"), (.proxyOpen, "proxy_open"), (.scannerSuspect, "scanner_suspect"), (.honeypot, "honeypot"),
        (.dnt, "dnt"), (.truncated, "truncated"), (.unsignedLead, "unsigned_lead"),
        (.anonymous, "anonymous"),
    ]

    public var names: [String] { Self.names.filter { contains($0.0) }.map(\.1) }

    /// Every flag's name.
    public static var allNames: [String] { names.map(\.1) }

    public init(names: [String]) {
        var flags = EventFlags()
        for (flag, name) in Self.names where names.contains(name) { flags.insert(flag) }
        self = flags
    }
}

/// One event record: a line of a segment (docs/events.md). Absent fields are nil and not written.
public struct Event: Sendable, Equatable {
    public var id: String
    public var ts: Int64
    public var type: EventType
    public var campaign: String?
    public var lead: String?
    public var visitor: String?
    public var url: String?
    public var referrer: String?
    public var title: String?
    /// A custom event's name (`store_locator_search`); its props stay the caller's own.
    public var name: String?
    public var ua: String?
    public var ip: String?
    public var flags: EventFlags
    /// Small string map; written with keys sorted.
    public var props: [String: String]
    public var node: String?

    public init(
        id: String, ts: Int64, type: EventType, campaign: String? = nil, lead: String? = nil, visitor: String? = nil,
        url: String? = nil, referrer: String? = nil, title: String? = nil, name: String? = nil, ua: String? = nil, ip: String? = nil,
        flags: EventFlags = [], props: [String: String] = [:], node: String? = nil
    ) {
        self.id = id
        self.ts = ts
        self.type = type
        self.campaign = campaign
        self.lead = lead
        self.visitor = visitor
        self.url = url
        self.referrer = referrer
        self.title = title
        self.name = name
        self.ua = ua
        self.ip = ip
        self.flags = flags
        self.props = props
        self.node = node
    }
}
