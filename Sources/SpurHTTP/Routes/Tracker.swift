import HTTPTypes
import NIOCore
import SpurCore
import SpurHTTP1

/// The tracking endpoints' logic: email opens (`/o/{token}.gif`), click/download redirects
/// (`/c/{token}`) and the no-JS site pixel (`/p.gif`). Pixels are always pixels; a redirect
/// happens only for a valid signed token.
///
/// It works on the bare request head, so the router and the event-loop fast path
/// (`TrackingScannerHandler`) answer exactly alike.
struct Tracker: Sendable {
    /// The three tracking routes.
    enum Route {
        case open(file: Substring)
        case click(token: Substring)
        case pageview

        /// The route of a request target (path plus query), or nil if it is not a tracking one.
        init?(target: Substring) {
            // On the contiguous UTF-8 bytes: per request, Character and even UTF8View indexing
            // cost more than the answer's bytes.
            var text = target
            guard let (kind, end) = text.withUTF8({ Self.scan($0) }) else { return nil }
            if kind == 0 {
                self = .pageview
                return
            }
            let bytes = target.utf8
            let rest = Substring(bytes[bytes.index(bytes.startIndex, offsetBy: 3)..<bytes.index(bytes.startIndex, offsetBy: end)])
            self = kind == UInt8(ascii: "o") ? .open(file: rest) : .click(token: rest)
        }

        /// 0 for `/p.gif`, `o` or `c` for `/o/…` and `/c/…` with no further `/`, and where the
        /// path ends (at `?` or the end).
        private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (kind: UInt8, pathEnd: Int)? {
            let end = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
            let path = bytes[..<end]
            if path.elementsEqual("/p.gif".utf8) { return (0, end) }
            guard end > 3, path[0] == UInt8(ascii: "/"), path[2] == UInt8(ascii: "/"),
                path[1] == UInt8(ascii: "o") || path[1] == UInt8(ascii: "c"), !path[3...].contains(UInt8(ascii: "/"))
            else { return nil }
            return (path[1], end)
        }

        /// The metrics route name.
        var name: String {
            switch self {
            case .open: "open"
            case .click: "click"
            case .pageview: "pixel"
            }
        }
    }

    let ingest: Ingestor

    func answer(_ route: Route, _ head: some TrackingHead, peer: Peer) -> PlainResponse {
        let query = head.requestTarget.flatMap { target in
            target.utf8.firstIndex(of: UInt8(ascii: "?")).map { Substring(target.utf8[target.utf8.index(after: $0)...]) }
        }
        switch route {
        case .open(let file): return open(file, head, peer, query)
        case .click(let token): return click(token, head, peer, query)
        case .pageview: return pageview(head, peer, query)
        }
    }

    private func open(_ file: Substring, _ head: some TrackingHead, _ peer: Peer, _ query: Substring?) -> PlainResponse {
        guard file.utf8.count >= 4, file.utf8.suffix(4).elementsEqual(".gif".utf8) else {
            return PlainResponse(status: .notFound, headers: Self.notFoundHeaders, body: Self.notFound)
        }
        guard let token = try? ingest.keyring.verify(Substring(file.utf8.dropLast(4))), token.kind == .open else {
            ingest.metrics.notRecorded("invalid_token")
            return Responses.pixel()
        }
        let facts = facts(head, peer)
        if facts.isNotAHit {
            ingest.metrics.notRecorded(head.isHEAD ? "head" : "prefetch")
            return Responses.pixel()
        }
        guard ingest.admission.admitMail(now: ingest.configuration.clock()) else {
            ingest.metrics.notRecorded("hourly_cap")
            return Responses.pixel()
        }
        var event = ingest.event(.open, facts)
        event.campaign = token.campaign
        let (lead, leadFlags) = recordedLead(token, query, facts, at: event.ts)
        event.lead = lead
        event.flags = ingest.classifier.classifyOpen(
            campaign: token.campaign, lead: event.lead, userAgent: facts.userAgent, atMillis: event.ts)
        event.flags.formUnion(leadFlags)
        ingest.record(event)
        return Responses.pixel()
    }

    private func click(_ text: Substring, _ head: some TrackingHead, _ peer: Peer, _ query: Substring?) -> PlainResponse {
        guard let token = try? ingest.keyring.verify(text), token.kind != .open, let target = token.url else {
            ingest.metrics.notRecorded("invalid_token")
            let language = PageLanguage(acceptLanguage: head.field(.acceptLanguage))
            let text = PageText.brokenLink(language)
            return Responses.html(.badRequest, title: text.title, message: text.message, language: language)
        }
        let facts = facts(head, peer)
        let visitor = ingest.visitor(for: facts)
        if facts.isNotAHit {
            ingest.metrics.notRecorded(head.isHEAD ? "head" : "prefetch")
            if head.isHEAD {
                ingest.classifier.noteHead(
                    campaign: token.campaign, lead: lead(of: token, query), url: target, ip: facts.ip,
                    atMillis: ingest.configuration.clock())
            }
            return Responses.redirect(to: target)
        }
        guard ingest.admission.admitMail(now: ingest.configuration.clock()) else {
            ingest.metrics.notRecorded("hourly_cap")
            return Responses.redirect(to: target, setCookies: visitor?.setCookie.map { [$0] } ?? [])
        }
        var event = ingest.event(token.kind.eventType, facts)
        event.campaign = token.campaign
        let (lead, leadFlags) = recordedLead(token, query, facts, at: event.ts)
        event.lead = lead
        event.visitor = visitor?.id
        event.url = target
        event.referrer = facts.referrer
        // A scanner still gets the real target: breaking links for corporate readers is worse.
        event.flags = ingest.classifier.classifyClick(
            campaign: token.campaign, lead: event.lead, url: target, ip: facts.ip, userAgent: facts.userAgent,
            atMillis: event.ts)
        if token.honeypot { event.flags.insert(.honeypot) }
        event.flags.formUnion(leadFlags)
        ingest.record(event)
        return Responses.redirect(to: target, setCookies: visitor?.setCookie.map { [$0] } ?? [])
    }

    private func pageview(_ head: some TrackingHead, _ peer: Peer, _ queryText: Substring?) -> PlainResponse {
        let facts = facts(head, peer)
        if facts.isNotAHit {
            ingest.metrics.notRecorded(head.isHEAD ? "head" : "prefetch")
            return Responses.pixel()
        }
        let query = QueryString.parse(queryText)
        let type: EventType
        switch query["type"] ?? "pageview" {
        case "pageview", "": type = .pageview
        case "download": type = .download
        default:
            ingest.metrics.notRecorded("invalid_request")
            return Responses.pixel()
        }
        // Without `url`, the page that embeds the pixel is the Referer.
        guard let url = query["url"].flatMap({ $0.isEmpty ? nil : $0 }) ?? facts.referrer else {
            ingest.metrics.notRecorded("invalid_request")
            return Responses.pixel()
        }
        if facts.doesNotWantTracking && ingest.configuration.doNotTrack == .drop {
            ingest.metrics.notRecorded("dnt")
            return Responses.pixel()
        }
        // Past a limit the pixel is still a pixel, just not recorded.
        let verdict = ingest.admission.admitSite(network: facts.network, events: 1, now: ingest.configuration.clock())
        guard verdict == .admit else {
            ingest.metrics.notRecorded(verdict.reason)
            return Responses.pixel()
        }
        let visitor = ingest.visitor(for: facts)
        var event = ingest.event(type, facts)
        event.url = url
        event.referrer = query["ref"].flatMap { $0.isEmpty ? nil : $0 }
        event.title = query["title"].flatMap { $0.isEmpty ? nil : $0 }
        event.visitor = visitor?.id
        if facts.doesNotWantTracking { event.flags.insert(.dnt) }
        if ingest.classifier.isBot(userAgent: facts.userAgent) { event.flags.insert(.bot) }
        if !facts.mayIdentify {
            guard let anonymous = ingest.withoutConsent(event) else { return Responses.pixel() }
            event = anonymous
        }
        ingest.record(event)
        return Responses.pixel(setCookies: visitor?.setCookie.map { [$0] } ?? [])
    }

    /// The signed lead, or for template links the lead from the `l` parameter (if well-formed).
    private func lead(of token: LinkToken, _ query: Substring?) -> String? {
        if let lead = token.lead { return lead }
        guard token.leadInQuery, let value = QueryString.parse(query)["l"], Identifier.isValid(value) else { return nil }
        return value
    }

    /// The lead an open or click is recorded with. A template link's lead is flagged
    /// `unsigned_lead`, and past the cap of distinct unsigned leads per campaign and network it
    /// is left out (the event is recorded without it; `spur_unsigned_leads_capped_total`).
    private func recordedLead(_ token: LinkToken, _ query: Substring?, _ facts: RequestFacts, at now: Int64) -> (String?, EventFlags) {
        guard let lead = lead(of: token, query) else { return (nil, []) }
        if token.lead != nil { return (lead, []) }
        guard ingest.classifier.admitsUnsignedLead(campaign: token.campaign, lead: lead, network: facts.ip, atMillis: now) else {
            ingest.metrics.unsignedLeadCapped()
            return (nil, [])
        }
        return (lead, .unsignedLead)
    }

    private func facts(_ head: some TrackingHead, _ peer: Peer) -> RequestFacts {
        RequestFacts(head, peer: peer, configuration: ingest.configuration, resolver: ingest.resolver)
    }

    private static let notFound = ByteBuffer(string: "Not found.\n")
    private static let notFoundHeaders: HTTPFields = [
        .contentType: "text/plain; charset=utf-8", .cacheControl: "no-store", .xContentTypeOptions: "nosniff",
    ]
}
