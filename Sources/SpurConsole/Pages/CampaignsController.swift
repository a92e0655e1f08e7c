import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import SpurAggregate
import SpurCore

/// Campaign reports: the list, and one campaign with its opens and clicks over time, the link
/// table and the leads who clicked.
struct CampaignsController: Sendable {
    let data: ConsoleData
    let renderer: PageRenderer

    func register(on router: Router<ConsoleContext>) {
        router.get("/campaigns") { request, context in try await list(request, context) }
        router.get("/campaigns/{id}") { request, context in try await show(request, context) }
    }

    private func list(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let reports: [CampaignReport]
        do { reports = try await data.campaignReports() } catch AggregateError.noDatabase { reports = [] }
        let rows: [[String: Any]] = reports.map { r in
            [
                "name": r.campaign, "href": "/campaigns/" + PageRenderer.segment(r.campaign), "opens": r.opens.total,
                "uniqueOpens": r.uniqueOpens.total, "clicks": r.clicks.total, "uniqueClicks": r.uniqueClicks.total,
                "cto": Format.percent(r.clickToOpen), "openSplit": Format.split(r.opens), "clickSplit": Format.split(r.clicks),
            ]
        }
        return renderer.render(
            "campaigns", title: context.text("campaigns_title"), section: .campaigns, request: request, context: context,
            values: ["campaigns": rows, "hasCampaigns": !rows.isEmpty])
    }

    private struct CampaignData: Sendable {
        var report: CampaignReport
        var events: [Event]
    }

    private func show(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = try context.pathParameter()
        let found: CampaignData?
        do {
            found = try await data.pool.read { r in
                let events = try r.classifiedEvents(campaign: id)
                return try r.campaignReport(id, events: events).map { CampaignData(report: $0, events: events) }
            }
        } catch AggregateError.noDatabase {
            found = nil
        }
        guard let d = found else {
            return renderer.message(context.text("not_found"), context.text("not_found_text"), request: request, context: context, status: .notFound)
        }
        let r = d.report
        // Human opens and clicks per day from the first event (the send) to the last.
        let series = CampaignDay.series(d.events)
        let labels = series.map(\.day)
        let chart = Chart.line(
            id: "campaign-chart", title: context.text("opens_clicks_over_time"),
            description: "\(context.text("opens_clicks_over_time")) (\(context.text("human"))): \(labels.first ?? "") – \(labels.last ?? "")",
            axes: (context.text("axis_day"), context.text("events")), labels: labels,
            series: [
                .init(name: context.text("opens"), style: "s-opens", values: series.map { Double($0.opens.human) }),
                .init(name: context.text("clicks"), style: "s-clicks", values: series.map { Double($0.clicks.human) }),
            ], unit: "")
        var reasons: [String: [String: Int]] = [:]
        for e in d.events where e.type != .open {
            for name in e.flags.names where name != "dnt" && name != "truncated" { reasons[e.url ?? "", default: [:]][name, default: 0] += 1 }
        }
        let links: [[String: Any]] = r.links.map { l in
            let flagged = l.clicks.total - l.clicks.human
            let why = (reasons[l.url] ?? [:]).sorted { $0.key < $1.key }.map {
                "\($0.key) \($0.value) (\(Format.percent(Double($0.value) / Double(max(l.clicks.total, 1)))))"
            }
            return [
                "url": l.url, "linkable": Format.isLinkable(l.url), "human": l.clicks.human, "uniqueHuman": l.uniqueClicks.human,
                "total": l.clicks.total,
                "flagged": flagged == 0
                    ? "–" : "\(flagged) (\(Format.percent(Double(flagged) / Double(l.clicks.total)))): " + why.joined(separator: ", "),
            ]
        }
        let clickers = Set(d.events.filter { $0.type != .open }.compactMap(\.lead)).sorted()
        let values: [String: Any] = [
            "name": r.campaign, "opens": r.opens.total, "uniqueOpens": r.uniqueOpens.total, "clicks": r.clicks.total,
            "uniqueClicks": r.uniqueClicks.total, "openSplit": Format.split(r.opens), "clickSplit": Format.split(r.clicks),
            "cto": Format.percent(r.clickToOpen), "timeChart": chart, "links": links,
            "siteHuman": r.site.withConsent + r.site.anonymous,
            "site": ["with_consent": r.site.withConsent, "anonymous": r.site.anonymous, "bot": r.site.bot],
            "clickers": clickers.prefix(500).map { ["lead": $0, "href": "/leads/" + PageRenderer.segment($0)] },
        ]
        return renderer.render(
            "campaign", title: "\(context.text("campaign_title")) \(r.campaign)", section: .campaigns, request: request, context: context,
            values: values)
    }
}
