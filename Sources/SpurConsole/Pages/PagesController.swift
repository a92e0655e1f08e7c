import Foundation
import HTTPTypes
import Hummingbird
import SpurAggregate
import SpurCore

/// The content report (docs/consent.md): page views per page over the last days, split into
/// people with consent, people counted anonymously and bots; as a chart, a table and CSV.
struct PagesController: Sendable {
    let data: ConsoleData
    let renderer: PageRenderer
    static let periods = [7, 30, 90, 365]
    static let shown = 100
    static let charted = 10

    func register(on router: Router<ConsoleContext>) {
        router.get("/pages") { request, context in try await list(request, context) }
        router.get("/pages.csv") { request, context in try await csv(request, context) }
    }

    /// `?days=` as one of the offered periods; anything else is a 400 that says which.
    private func days(_ request: Request, _ context: ConsoleContext) throws -> Int {
        guard let text = request.uri.queryParameters["days"].map(String.init), !text.isEmpty else { return 30 }
        guard let days = Int(text), Self.periods.contains(days) else {
            throw HTTPError(.badRequest, message: context.text("pages_bad_days") + " " + Self.periods.map(String.init).joined(separator: ", "))
        }
        return days
    }

    private func totals(days: Int, limit: Int) async throws -> [PageTotal] {
        do {
            return try await data.pool.read { try $0.pageTotals(days: days, limit: limit) }
        } catch AggregateError.noDatabase {
            return []
        }
    }

    private func list(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let days = try days(request, context)
        let pages = try await totals(days: days, limit: Self.shown)
        let top = pages.prefix(Self.charted)
        // Bars are numbered by rank, as the table's first column: page addresses do not fit under a bar.
        let labels = top.indices.map { String($0 + 1) }
        let chart = Chart.bars(
            id: "pages-chart", title: context.text("pages_chart"),
            description: "\(context.text("pages_chart")): " + top.enumerated().map { "\($0.offset + 1) \($0.element.page)" }.joined(separator: ", "),
            axes: (context.text("rank"), context.text("views")), labels: labels,
            series: [
                .init(name: context.text("with_consent"), style: "s-opens", values: top.map { Double($0.withConsent) }),
                .init(name: context.text("anonymous"), style: "s-clicks", values: top.map { Double($0.anonymous) }),
            ])
        let values: [String: Any] = [
            "pagesChart": pages.isEmpty ? false as Any : chart, "hasPages": !pages.isEmpty, "days": days,
            "periods": Self.periods.map { ["value": $0, "selected": $0 == days] },
            "csvHref": "/pages.csv?days=\(days)",
            "pages": pages.enumerated().map { i, p -> [String: Any] in
                [
                    "rank": i + 1, "page": p.page, "linkable": Format.isLinkable(p.page), "human": p.human, "withConsent": p.withConsent,
                    "anonymous": p.anonymous, "bot": p.bot,
                ]
            },
        ]
        return renderer.render("pages", title: context.text("pages_title"), section: .pages, request: request, context: context, values: values)
    }

    /// Every page of the period as `page,with_consent,anonymous,bot` (the columns of `spur report pages --csv`).
    private func csv(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let days = try days(request, context)
        var out = "page,with_consent,anonymous,bot\n"
        for p in try await totals(days: days, limit: 100_000) {
            out += "\(LeadCSV.field(p.page)),\(p.withConsent),\(p.anonymous),\(p.bot)\n"
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"pages-\(days)d.csv\""],
            body: .init(byteBuffer: ByteBuffer(string: out)))
    }
}
