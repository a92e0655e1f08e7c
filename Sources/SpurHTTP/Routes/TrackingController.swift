import HTTPTypes
import Hummingbird
import SpurCore

/// Email opens (`/o/{token}.gif`), click/download redirects (`/c/{token}`) and the no-JS site
/// pixel (`/p.gif`). Pixels are always pixels; a redirect happens only for a valid signed token.
struct TrackingController: Sendable {
    let ingest: Ingestor

    func register(on router: Router<CollectorContext>) {
        for method in [HTTPRequest.Method.get, .head] {
            router.on("/o/:file", method: method) { request, context in self.open(request, context) }
            router.on("/c/:token", method: method) { request, context in self.click(request, context) }
            router.on("/p.gif", method: method) { request, context in self.pageview(request, context) }
        }
    }

    func open(_ request: Request, _ context: CollectorContext) -> Response {
        let facts = facts(request, context)
        guard let file = context.parameters.get("file"), file.hasSuffix(".gif") else {
            return Responses.text(.notFound, "Not found.")
        }
        let tokenText = file.dropLast(4)
        guard case .success(let token) = ingest.keyring.verify(tokenText), token.kind == .open else {
            ingest.metrics.notRecorded("invalid_token")
            return Responses.pixel()
        }
        if facts.isNotAHit {
            ingest.metrics.notRecorded(request.method == .head ? "head" : "prefetch")
            return Responses.pixel()
        }
        var event = ingest.event(.open, facts)
        event.campaign = token.campaign
        event.lead = lead(of: token, request)
        event.flags = ingest.classifier.classifyOpen(
            campaign: token.campaign, lead: event.lead, userAgent: facts.userAgent, atMillis: event.ts)
        ingest.record(event)
        return Responses.pixel()
    }

    func click(_ request: Request, _ context: CollectorContext) -> Response {
        guard let text = context.parameters.get("token"),
            case .success(let token) = ingest.keyring.verify(text), token.kind != .open, let target = token.url
        else {
            ingest.metrics.notRecorded("invalid_token")
            return Responses.html(
                .badRequest, title: "This link does not work",
                message: "The link is incomplete or has been altered, so it cannot be followed. "
                    + "If you copied it from an e-mail, try clicking it in the e-mail instead.")
        }
        let facts = facts(request, context)
        let visitor = ingest.visitor(for: facts)
        if facts.isNotAHit {
            ingest.metrics.notRecorded(request.method == .head ? "head" : "prefetch")
            if request.method == .head {
                ingest.classifier.noteHead(
                    campaign: token.campaign, lead: lead(of: token, request), url: target, ip: facts.ip, atMillis: ingest.configuration.clock())
            }
            return Responses.redirect(to: target)
        }
        var event = ingest.event(token.kind.eventType, facts)
        event.campaign = token.campaign
        event.lead = lead(of: token, request)
        event.visitor = visitor?.id
        event.url = target
        event.referrer = facts.referrer
        // A scanner still gets the real target: breaking links for corporate readers is worse.
        event.flags = ingest.classifier.classifyClick(
            campaign: token.campaign, lead: event.lead, url: target, ip: facts.ip, userAgent: facts.userAgent, atMillis: event.ts)
        if token.honeypot { event.flags.insert(.honeypot) }
        ingest.record(event)
        return Responses.redirect(to: target, setCookies: visitor?.setCookie.map { [$0] } ?? [])
    }

    func pageview(_ request: Request, _ context: CollectorContext) -> Response {
        let facts = facts(request, context)
        if facts.isNotAHit {
            ingest.metrics.notRecorded(request.method == .head ? "head" : "prefetch")
            return Responses.pixel()
        }
        let query = QueryString.parse(request.uri.query.map { Substring($0) })
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
        let visitor = ingest.visitor(for: facts)
        var event = ingest.event(type, facts)
        event.url = url
        event.referrer = query["ref"].flatMap { $0.isEmpty ? nil : $0 }
        event.title = query["title"].flatMap { $0.isEmpty ? nil : $0 }
        event.visitor = visitor?.id
        if facts.doesNotWantTracking { event.flags.insert(.dnt) }
        if ingest.classifier.isBot(userAgent: facts.userAgent) { event.flags.insert(.bot) }
        ingest.record(event)
        return Responses.pixel(setCookies: visitor?.setCookie.map { [$0] } ?? [])
    }

    /// The signed lead, or for template links the lead from the `l` parameter (if well-formed).
    private func lead(of token: LinkToken, _ request: Request) -> String? {
        if let lead = token.lead { return lead }
        guard token.leadInQuery, let value = QueryString.parse(request.uri.query.map { Substring($0) })["l"],
            Identifier.isValid(value)
        else { return nil }
        return value
    }

    private func facts(_ request: Request, _ context: CollectorContext) -> RequestFacts {
        RequestFacts(request, context: context, configuration: ingest.configuration, resolver: ingest.resolver)
    }
}
