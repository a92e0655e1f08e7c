import HTTPTypes
import Hummingbird
import NIOCore
import SpurCore
import SpurHTTP1

/// What ingest needs to know about a request, read once from its headers.
struct RequestFacts {
    static let visitorCookie = "spur_vid"
    static let optOutCookie = "spur_optout"
    /// Set by `POST /consent` when the person granted consent to site tracking (docs/consent.md).
    static let consentCookie = "spur_consent"
    private static let visitorPrefix = Array((visitorCookie + "=").utf8)
    private static let optOutPair = Array((optOutCookie + "=1").utf8)
    private static let consentPair = Array((consentCookie + "=1").utf8)

    /// Answered but not recorded: HEAD and prefetch/preview requests.
    var isNotAHit: Bool
    /// DNT or GPC sent, or the opt-out cookie set.
    var doesNotWantTracking: Bool
    var optedOut: Bool
    /// The consent cookie is set.
    var consented: Bool
    /// A visitor id may be read, set and stored: consent was given or is not required.
    var mayIdentify: Bool
    var visitor: String?
    var ip: String?
    /// The client's network (IPv4 /24, IPv6 /48) whatever is stored: the unit of rate limits.
    var network: String?
    var userAgent: String?
    var referrer: String?

    init(_ request: Request, context: CollectorContext, configuration: CollectorConfiguration, resolver: ClientAddressResolver) {
        self.init(
            request.head, peer: Peer(context.remoteAddress, configuration: configuration), configuration: configuration,
            resolver: resolver)
    }

    init(_ head: some TrackingHead, peer: Peer, configuration: CollectorConfiguration, resolver: ClientAddressResolver) {
        isNotAHit = head.isHEAD || Self.isPrefetch(head)
        var visitor: String?
        var optedOut = false
        var consented = false
        for header in head.cookieFields {
            // On the contiguous UTF-8 bytes, pair by pair without splitting: this runs for every hit.
            var header = header
            header.withUTF8 { bytes in
                var start = 0
                while start <= bytes.count {
                    let end = bytes[start...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
                    // Optional whitespace around each pair (RFC 6265 clients send "a=1; b=2", some "a=1 ;b=2").
                    var pair = bytes[start..<end]
                    while let c = pair.first, c == 0x20 || c == 0x09 { pair = pair.dropFirst() }
                    while let c = pair.last, c == 0x20 || c == 0x09 { pair = pair.dropLast() }
                    if pair.starts(with: Self.visitorPrefix) {
                        let value = pair.dropFirst(Self.visitorPrefix.count)
                        if VisitorID.isValid(value) { visitor = String(decoding: value, as: UTF8.self) }
                    } else if pair.elementsEqual(Self.optOutPair) {
                        optedOut = true
                    } else if pair.elementsEqual(Self.consentPair) {
                        consented = true
                    }
                    start = end + 1
                }
            }
        }
        self.optedOut = optedOut
        self.consented = consented
        mayIdentify = consented || configuration.consent == .notRequired
        // Without consent the visitor cookie is not even read (TDDDG § 25 covers reading too).
        self.visitor = mayIdentify ? visitor : nil
        doesNotWantTracking = optedOut || head.field(.dnt) == "1" || head.field(.secGPC) == "1"
        // Swift strings are valid UTF-8 already: invalid header bytes became U+FFFD when they were read.
        userAgent = head.field(.userAgent)
        referrer = head.field(.referer)
        // Without X-Forwarded-For or trusted proxies the client is the peer (most hits): no resolving.
        let forwarded = head.forwardedForFields
        let client =
            forwarded.isEmpty || resolver.trustedProxies.isEmpty ? peer.address : resolver.resolve(peer: peer.address, forwardedFor: forwarded)
        if forwarded.isEmpty || resolver.trustedProxies.isEmpty || client == peer.address {
            ip = peer.stored
            network = peer.network
        } else {
            ip = configuration.ipStorage.stored(client)
            network = client?.truncated.description
        }
    }
}

/// The socket peer's address and the texts stored and rate-limited by, made once per
/// connection on the raw fast path (per request on the router's).
struct Peer: Sendable {
    let address: IPAddress?
    /// The address as events store it (`--ip`).
    let stored: String?
    /// Its network (IPv4 /24, IPv6 /48).
    let network: String?

    init(_ remoteAddress: SocketAddress?, configuration: CollectorConfiguration) {
        address = remoteAddress.flatMap(Self.address)
        stored = configuration.ipStorage.stored(address)
        network = address?.truncated.description
    }

    /// The peer's address bytes straight from the socket address (sockaddr_in: 4 bytes at
    /// offset 4; sockaddr_in6: 16 bytes at offset 8), without formatting and parsing text.
    private static func address(_ address: SocketAddress) -> IPAddress? {
        let (offset, count): (Int, Int)
        switch address {
        case .v4: (offset, count) = (4, 4)
        case .v6: (offset, count) = (8, 16)
        case .unixDomainSocket: return nil
        }
        return address.withSockAddr { pointer, size in
            guard Int(size) >= offset + count else { return nil }
            let raw = UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer) + offset, count: count)
            return IPAddress(networkBytes: Array(raw))
        }
    }
}

extension RequestFacts {
    private static func isPrefetch(_ head: some TrackingHead) -> Bool {
        if let purpose = head.field(.secPurpose) ?? head.field(.purpose), purpose.contains("prefetch") { return true }
        if let x = head.field(.xPurpose), x.lowercased().contains("preview") || x.lowercased().contains("prefetch") { return true }
        if let moz = head.field(.xMoz), moz.lowercased().contains("prefetch") { return true }
        return false
    }
}

/// The anonymous first-party visitor id: 128 random bits as 32 lowercase hex digits.
enum VisitorID {
    static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let a = rng.next() as UInt64
        let b = rng.next() as UInt64
        return hex(a) + hex(b)
    }

    static func isValid(_ value: some StringProtocol) -> Bool { isValid(bytes: value.utf8) }

    static func isValid(_ value: Slice<UnsafeBufferPointer<UInt8>>) -> Bool { isValid(bytes: value) }

    private static func isValid(bytes: some Collection<UInt8>) -> Bool {
        bytes.count == 32 && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

extension HTTPField.Name {
    static let dnt = Self("DNT")!
    static let pragma = Self("Pragma")!
    static let secGPC = Self("Sec-GPC")!
    static let secPurpose = Self("Sec-Purpose")!
    static let purpose = Self("Purpose")!
    static let xPurpose = Self("X-Purpose")!
    static let xMoz = Self("X-Moz")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xRobotsTag = Self("X-Robots-Tag")!
}
