import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SpurAggregate
import SpurCore

/// The read API (`/api/v1`, docs/api.md): leads with the console's filters and cursor paging, a
/// lead's profile, events and score history, campaign reports with their days, and health.
/// JSON bodies carry an `ETag`; a matching `If-None-Match` gets 304.
struct APIController: Sendable {
    let data: ConsoleData
    let rules: ScoringRules

    static let defaultEventLimit = 100
    static let maximumEventLimit = 1000

    func register(on group: RouterGroup<ConsoleContext>) {
        group.get("leads") { request, _ in try await leads(request) }
        group.get("leads/{id}") { request, context in try await lead(request, context) }
        group.get("leads/{id}/events") { request, context in try await events(request, context) }
        group.get("leads/{id}/score-history") { request, context in try await scoreHistory(request, context) }
        group.get("leads/{id}/consent") { request, context in try await consent(request, context) }
        group.get("campaigns") { request, _ in try await campaigns(request) }
        group.get("campaigns/{id}") { request, context in try await campaign(request, context) }
        group.get("pages") { request, _ in try await pages(request) }
        group.get("audiences") { request, _ in try await audiences(request) }
        group.get("audiences/{id}/members") { request, context in try await audienceMembers(request, context) }
        group.get("health") { request, _ in try await health(request) }
        group.get("openapi.json") { request, _ in
            Self.json(request, Data((OpenAPIDocument.json + "\n").utf8), cache: "public, max-age=300")
        }
    }

    // MARK: Leads

    private func leads(_ request: Request) async throws -> Response {
        let q = try Self.leadQuery(request.uri.queryParameters)
        let page = try await read { try $0.leadSummaries(q) }
        return try Self.json(request, APIModels.LeadList(leads: page.leads.map(APIModels.LeadRow.init), next_cursor: .init(text: page.nextCursor)))
    }

    private func lead(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = try Self.id(context)
        guard let profile = try await read({ try $0.profile(lead: id) }) else { throw Self.noLead(id) }
        return Self.json(request, try LeadProfile.encoder.encode(profile))
    }

    private func events(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = try Self.id(context)
        let p = request.uri.queryParameters
        let limit = try Self.limit(p, default: Self.defaultEventLimit, maximum: Self.maximumEventLimit)
        let after = try p["cursor"].flatMap { $0.isEmpty ? nil : try EventCursor(text: String($0)) }
        let found: (Bool, [Event]) = try await read { r in
            guard try r.profile(lead: id) != nil else { return (false, []) }
            return (true, try r.events(ofLead: id))
        }
        guard found.0 else { throw Self.noLead(id) }
        let rest = found.1.drop { e in after.map { (e.ts, e.id) <= ($0.ts, $0.id) } ?? false }
        let page = rest.prefix(limit)
        let next = rest.count > limit ? page.last.map { EventCursor(ts: $0.ts, id: $0.id).text } : nil
        var body: [UInt8] = Array(#"{"events":["#.utf8)
        for (i, event) in page.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += event.jsonLine.dropLast()  // without the line feed
        }
        body += Array(#"],"next_cursor":"#.utf8) + (next.map { Array("\"\($0)\"".utf8) } ?? Array("null".utf8)) + [UInt8(ascii: "}")]
        return Self.json(request, Data(body))
    }

    private func scoreHistory(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = try Self.id(context)
        let rules = self.rules
        guard
            let points = try await read({ r -> [ScorePoint]? in
                guard try r.profile(lead: id) != nil else { return nil }
                return try r.scoreHistory(lead: id, rules: rules)
            })
        else { throw Self.noLead(id) }
        return try Self.json(request, APIModels.ScoreHistory(lead: id, points: points))
    }

    // MARK: Campaigns and health

    private func campaigns(_ request: Request) async throws -> Response {
        let reports: [CampaignReport]
        do { reports = try await data.campaignReports() } catch AggregateError.noDatabase { reports = [] }
        return try Self.json(request, APIModels.CampaignList(campaigns: reports))
    }

    private func campaign(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = try Self.id(context)
        let found: APIModels.Campaign? = try await read { r in
            let events = try r.classifiedEvents(campaign: id)
            return try r.campaignReport(id, events: events).map { APIModels.Campaign(report: $0, days: CampaignDay.series(events)) }
        }
        guard let found else { throw Problem(.notFound, "There is no campaign '\(id)' with events.") }
        return try Self.json(request, found)
    }

    /// The lead's grants and withdrawals of consent (docs/consent.md): the proof, for a CRM.
    private func consent(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = try Self.id(context)
        guard
            let records = try await read({ r -> [ConsentRecord]? in
                guard try r.profile(lead: id) != nil else { return nil }
                return try r.consentRecords(ofLead: id)
            })
        else { throw Self.noLead(id) }
        return try Self.json(request, APIModels.ConsentList(lead: id, records: records))
    }

    // MARK: Pages

    private func pages(_ request: Request) async throws -> Response {
        let p = request.uri.queryParameters
        let limit = try Self.limit(p, default: 100, maximum: 1000)
        var days = 30
        if let raw = p["days"] {
            guard let n = Int(raw), (1...3660).contains(n) else {
                throw Problem(.invalidParameter, "'days' must be a whole number from 1 to 3660, not '\(raw.prefix(40))'.")
            }
            days = n
        }
        let period = days
        let pages = try await read { try $0.pageTotals(days: period, limit: limit) }
        return try Self.json(request, APIModels.PageList(days: period, pages: pages))
    }

    // MARK: Audiences

    private func audiences(_ request: Request) async throws -> Response {
        let sizes = try await read { try $0.audienceSizes() }
        return try Self.json(
            request,
            APIModels.AudienceList(audiences: sizes.sorted { $0.key < $1.key }.map { APIModels.AudienceSize(name: $0.key, members: $0.value) }))
    }

    private func audienceMembers(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let name = try Self.id(context)
        let p = request.uri.queryParameters
        let limit = try Self.limit(p, default: 100, maximum: 1000)
        // The cursor is the last lead id of the previous page, base64url so that it travels in a URL.
        let after = try p["cursor"].flatMap { text -> String? in
            guard !text.isEmpty else { return nil }
            guard let bytes = Base64URL.decode(text.utf8) else {
                throw Problem(.invalidCursor, "The cursor is not one this endpoint handed out: start again without it.")
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let (known, page) = try await read { r in
            (try r.audienceSizes()[name] != nil, try r.audienceMembers(name, after: after, limit: limit + 1))
        }
        guard known else { throw Problem(.notFound, "There is no audience '\(name)' (it has never had a member).") }
        let members = page.prefix(limit).map { APIModels.Member(lead: $0.lead, since: ISO8601.string($0.since)) }
        let next = page.count > limit ? members.last.map { Base64URL.encode(Array($0.lead.utf8)) } : nil
        return try Self.json(request, APIModels.MemberList(audience: name, members: Array(members), next_cursor: .init(text: next)))
    }

    private func health(_ request: Request) async throws -> Response {
        var health = APIModels.Health(as_of: nil, last_run: nil, handoffs_waiting: 0, segments_waiting: 0, webhooks_pending: 0, webhooks_dead: 0)
        do {
            health = try await data.pool.read { r in
                let outbox = try r.outboxCounts()
                return APIModels.Health(
                    as_of: try r.asOf, last_run: try r.runs(limit: 1).first, handoffs_waiting: outbox.handoffsPending, segments_waiting: 0,
                    webhooks_pending: outbox.webhooksPending, webhooks_dead: outbox.webhooksDead)
            }
            health.segments_waiting = try await data.segmentsWaiting()
        } catch AggregateError.noDatabase {
            health.segments_waiting = data.segmentFolders(folded: []).reduce(0) { $0 + $1.waiting }
        }
        return try Self.json(request, health)
    }

    // MARK: Helpers

    /// Reads through the pool; no database yet reads as empty where a list is asked for, and the
    /// aggregator's query errors become problems.
    private func read<T: Sendable>(_ body: @escaping @Sendable (AggregateReader) throws -> T) async throws -> T {
        do {
            return try await data.pool.read(body)
        } catch let error as AggregateError {
            switch error {
            case .invalidCursor: throw Problem(.invalidCursor, "The cursor is not one this query handed out: start again without it.")
            case .invalidQuery(let why): throw Problem(.invalidParameter, why)
            case .noDatabase: throw Problem(.unavailable, "There is no data yet: run 'spur aggregate' first.", headers: [.retryAfter: "60"])
            default: throw Problem(.unavailable, "The database cannot be read right now; the console's log says why.", headers: [.retryAfter: "30"])
            }
        }
    }

    static func noLead(_ id: String) -> Problem { Problem(.notFound, "There is no lead '\(id)'.") }

    static func id(_ context: ConsoleContext) throws -> String {
        guard let raw = context.parameters.get("id"), let id = raw.removingPercentEncoding, !id.isEmpty else {
            throw Problem(.invalidParameter, "The id in the path is not valid percent-encoded text.")
        }
        return id
    }

    static func json(_ request: Request, _ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return json(request, try encoder.encode(value))
    }

    /// A JSON body with a strong `ETag` (its SHA-256); 304 when the client has it already.
    static func json(_ request: Request, _ body: Data, cache: String = "private, no-cache") -> Response {
        let tag = "\"" + SHA256.hash(data: body).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        var headers: HTTPFields = [.contentType: "application/json", .eTag: tag, .cacheControl: cache]
        headers[.vary] = "Authorization"
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: {
                let t = $0.trimmingCharacters(in: .whitespaces)
                return t == "*" || t == tag || t == "W/" + tag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func limit(_ p: Parameters, default value: Int, maximum: Int) throws -> Int {
        guard let raw = p["limit"] else { return value }
        guard let n = Int(raw), (1...maximum).contains(n) else {
            throw Problem(.invalidParameter, "'limit' must be a whole number from 1 to \(maximum), not '\(raw.prefix(40))'.")
        }
        return n
    }

    /// The lead query of `GET /leads`; a bad parameter is a problem that names it.
    static func leadQuery(_ p: Parameters) throws -> LeadQuery {
        var q = LeadQuery()
        func value(_ name: String) -> String? { p[Substring(name)].map(String.init) }
        func bad(_ name: String, _ expected: String) -> Problem {
            Problem(.invalidParameter, "'\(name)' must be \(expected), not '\(value(name)?.prefix(40) ?? "")'.")
        }
        if let v = value("stage") {
            guard let s = Stage(rawValue: v) else { throw bad("stage", "none, mql or sql") }
            q.stage = s
        }
        if let v = value("grade") {
            guard let g = Int(v).flatMap(Grade.init(rawValue:)) else { throw bad("grade", "1 to 6") }
            q.grade = g
        }
        if let v = value("letter") {
            guard let l = Letter(rawValue: v) else { throw bad("letter", "A, B, C or D") }
            q.letter = l
        }
        if let v = value("min_score") {
            guard let n = Double(v), n.isFinite else { throw bad("min_score", "a number") }
            q.minScore = n
        }
        if let v = value("updated_since") {
            // A date alone means the start of that UTC day.
            guard let ms = ISO8601.parse(v) else { throw bad("updated_since", "a date (2026-11-01) or time (2026-11-01T08:00:00Z)") }
            q.updatedSince = v.count == 10 ? ms - 86_400_000 + 1 : ms
        }
        q.interest = value("interest")
        q.campaign = value("campaign")
        if let v = value("sort") {
            guard let s = LeadQuery.Sort(rawValue: v) else { throw bad("sort", "score, last_seen, updated or lead") }
            q.sort = s
        }
        q.limit = try limit(p, default: 50, maximum: LeadQuery.maximumLimit)
        q.cursor = value("cursor").flatMap { $0.isEmpty ? nil : $0 }
        return q
    }
}

/// Where a page of a lead's events ended: the last event's time and id (events are ordered by both).
struct EventCursor {
    var ts: Int64
    var id: String

    var text: String { Base64URL.encode(Array("\(ts)\n\(id)".utf8)) }

    init(ts: Int64, id: String) {
        self.ts = ts
        self.id = id
    }

    init(text: String) throws {
        guard let bytes = Base64URL.decode(Substring(text).utf8) else { throw Self.invalid }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 1)
        guard parts.count == 2, let ts = Int64(parts[0]) else { throw Self.invalid }
        self.init(ts: ts, id: String(parts[1]))
    }

    static let invalid = Problem(.invalidCursor, "The cursor is not one this endpoint handed out: start again without it.")
}
