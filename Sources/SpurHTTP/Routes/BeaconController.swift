import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SpurCore

/// `POST /e`: JSON events from the site script. Answers 202 only once they are durable.
struct BeaconController: Sendable {
    let ingest: Ingestor

    func register(on router: Router<CollectorContext>) {
        router.post("/e") { request, context in try await self.receive(request, context) }
    }

    func receive(_ request: Request, _ context: CollectorContext) async throws -> Response {
        var response = try await handle(request, context)
        SiteController.allowOrigin(request, &response, origins: Set(ingest.configuration.siteOrigins))
        return response
    }

    private func handle(_ request: Request, _ context: CollectorContext) async throws -> Response {
        let limit = ingest.configuration.maxBodyBytes
        if let type = request.headers[.contentType]?.lowercased(),
            !(type.hasPrefix("text/plain") || type.hasPrefix("application/json"))
        {
            return Responses.text(.unsupportedMediaType, "Send events as application/json or text/plain JSON.")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            return Responses.text(.contentTooLarge, "The body is larger than \(limit) bytes.")
        }
        let body: ByteBuffer
        switch await RequestBodyReader.collect(request, limit: limit) {
        case .success(let b): body = b
        case .failure(let problem): return problem.response
        }
        let inputs: [BeaconEvent]
        do {
            inputs = try BeaconEvent.parse(Array(buffer: body), maxEvents: ingest.configuration.maxEventsPerRequest)
        } catch {
            return Responses.text(.badRequest, error.description)
        }
        let facts = RequestFacts(request, context: context, configuration: ingest.configuration, resolver: ingest.resolver)
        if facts.isNotAHit { return Response(status: .accepted) }
        if facts.doesNotWantTracking && ingest.configuration.doNotTrack == .drop {
            ingest.metrics.notRecorded("dnt", count: inputs.count)
            return Response(status: .accepted)
        }
        if let refusal = ingest.refusal(network: facts.network, events: inputs.count, what: "Events") { return refusal }
        let visitor = ingest.visitor(for: facts)
        let bot = ingest.classifier.isBot(userAgent: facts.userAgent)
        let events = inputs.compactMap { input -> Event? in
            var event = ingest.event(input.type, facts)
            event.url = input.url
            event.referrer = input.referrer
            event.title = input.title
            event.name = input.name
            event.props = input.props
            event.visitor = visitor?.id
            if facts.doesNotWantTracking { event.flags.insert(.dnt) }
            if bot { event.flags.insert(.bot) }
            return facts.mayIdentify ? event : ingest.withoutConsent(event)
        }
        if events.isEmpty { return Response(status: .accepted, headers: [.cacheControl: "no-store"]) }
        do {
            try await ingest.recordDurably(events)
        } catch {
            return Responses.retryLater(.serviceUnavailable, "Events cannot be stored right now; retry later.", after: 5)
        }
        var headers = HTTPFields()
        if let cookie = visitor?.setCookie { headers[.setCookie] = cookie }
        headers[.cacheControl] = "no-store"
        return Response(status: .accepted, headers: headers)
    }
}
