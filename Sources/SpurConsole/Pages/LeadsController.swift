import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import Mustache
import SpurAggregate

/// The lead list: filters, sort, keyset paging (fast on any page at a million leads) and the
/// CSV download of exactly the filtered set.
struct LeadsController: Sendable {
    let data: ConsoleData
    let renderer: PageRenderer

    func register(on router: Router<ConsoleContext>) {
        router.get("/leads") { request, context in try await list(request, context) }
        router.get("/leads.csv") { request, context in try await csv(request, context) }
    }

    /// The query a request's parameters describe; a bad parameter is a 400 that names it.
    static func query(_ request: Request, _ context: ConsoleContext) throws -> LeadQuery {
        let p = request.uri.queryParameters
        func text(_ name: String) -> String? { p[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        var q = LeadQuery()
        if let v = text("stage") {
            guard let s = Stage(rawValue: v) else { throw HTTPError(.badRequest, message: context.text("bad_stage")) }
            q.stage = s
        }
        if let v = text("grade") {
            guard let g = Int(v).flatMap(Grade.init(rawValue:)) else { throw HTTPError(.badRequest, message: context.text("bad_grade")) }
            q.grade = g
        }
        if let v = text("letter") {
            guard let l = Letter(rawValue: v.uppercased()) else { throw HTTPError(.badRequest, message: context.text("bad_letter")) }
            q.letter = l
        }
        if let v = text("min_score") {
            guard let n = Double(v), n.isFinite else { throw HTTPError(.badRequest, message: context.text("bad_min_score")) }
            q.minScore = n
        }
        q.interest = text("interest")
        q.campaign = text("campaign")
        q.search = text("q")
        if let v = text("sort") {
            guard let s = LeadQuery.Sort(rawValue: v) else {
                throw HTTPError(.badRequest, message: context.text("bad_sort"))
            }
            q.sort = s
        }
        q.cursor = text("after")
        return q
    }

    /// The filter parameters of `q` (without the cursor), for links.
    static func parameters(_ q: LeadQuery) -> [(String, String?)] {
        [
            ("stage", q.stage?.rawValue), ("grade", q.grade.map { String($0.rawValue) }), ("letter", q.letter?.rawValue),
            ("interest", q.interest), ("campaign", q.campaign), ("min_score", q.minScore.map { Format.number($0) }), ("q", q.search),
            ("sort", q.sort == .score ? nil : q.sort.rawValue),
        ]
    }

    private func list(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let q = try Self.query(request, context)
        let page: LeadSummaryPage
        do {
            page = try await data.pool.read { try $0.leadSummaries(q) }
        } catch AggregateError.noDatabase {
            page = LeadSummaryPage(leads: [], nextCursor: nil)
        } catch let error as AggregateError {
            switch error {
            case .invalidCursor: throw HTTPError(.badRequest, message: context.text("bad_cursor"))
            case .invalidQuery: throw HTTPError(.badRequest, message: context.text("bad_query"))
            default: throw error
            }
        }
        let params = Self.parameters(q)
        let filterQuery = PageRenderer.query(params)
        let rows = page.leads.map(LeadRow.init)
        let values: [String: Any] = [
            "f": [
                "interest": q.interest ?? "", "campaign": q.campaign ?? "", "minScore": q.minScore.map { Format.number($0) } ?? "",
                "q": q.search ?? "",
            ],
            "stages": Stage.allCases.map {
                ["value": $0.rawValue, "name": $0 == .none ? context.text("none_stage") : $0.rawValue.uppercased(), "selected": q.stage == $0]
            },
            "grades": Grade.allCases.map { ["value": $0.rawValue, "selected": q.grade == $0] },
            "letters": Letter.allCases.map { ["value": $0.rawValue, "selected": q.letter == $0] },
            "sorts": LeadQuery.Sort.allCases.map { s -> [String: Any] in
                ["value": s.rawValue, "name": context.text("sort_" + s.rawValue), "selected": q.sort == s]
            },
            "leads": rows, "hasLeads": !rows.isEmpty, "csvHref": "/leads.csv" + (filterQuery.isEmpty ? "" : "?" + filterQuery),
            "nextHref": page.nextCursor.map { "/leads?" + PageRenderer.query(params + [("after", $0)]) as Any } ?? false,
            "notice": request.uri.queryParameters["erased"] == "1" ? context.text("forget_done") as Any : false,
            "isLater": q.cursor != nil, "firstHref": "/leads" + (filterQuery.isEmpty ? "" : "?" + filterQuery),
        ]
        return renderer.render("leads", title: context.text("leads_title"), section: .leads, request: request, context: context, values: values)
    }

    /// Every lead matching the filters, page by page from the database into the response, so
    /// memory stays bounded at any size.
    private func csv(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        var q = try Self.query(request, context)
        q.cursor = nil
        q.limit = LeadQuery.maximumLimit
        let pool = data.pool
        let start = q
        let body = ResponseBody { writer in
            var query = start
            try await writer.write(ByteBuffer(string: LeadCSV.header + "\n"))
            while true {
                let current = query
                let page = try await pool.read { try $0.leads(current) }
                var chunk = ""
                for p in page.leads { chunk += LeadCSV.row(p) + "\n" }
                try await writer.write(ByteBuffer(string: chunk))
                guard let next = page.nextCursor else { break }
                query.cursor = next
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"spur-leads.csv\""], body: body)
    }
}

/// One row of the lead list for the template. A final class with its own lookup: Mustache
/// resolves each of the row's fields with dynamic casts, which cost several times more on a
/// `[String: Any]` than on a class (the list renders 50 rows of 10 fields per request).
final class LeadRow: MustacheParent, @unchecked Sendable {
    let lead, href, label, score, implicit, explicit, stage, interests, lastSeen: String

    init(_ p: LeadSummary) {
        lead = p.lead
        href = "/leads/" + PageRenderer.segment(p.lead)
        label = p.label
        score = Format.number(p.score)
        implicit = Format.number(p.implicit)
        explicit = Format.number(p.explicit)
        stage = p.stage.rawValue
        interests = p.topInterests.joined(separator: ", ")
        lastSeen = Format.isoTime(p.lastSeen)
    }

    func child(named name: String) -> Any? {
        switch name {
        case "lead": lead
        case "href": href
        case "label": label
        case "score": score
        case "implicit": implicit
        case "explicit": explicit
        case "stage": stage
        case "interests": interests
        case "lastSeen": lastSeen
        default: nil
        }
    }
}
