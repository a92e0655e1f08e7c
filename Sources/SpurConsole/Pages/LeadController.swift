import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import NIOPosix
import SpurAggregate
import SpurCore

/// One lead: score, label, stage and its history, the score chart, the rules, the events; and
/// for admins "forget this person", the same erasure as `spur forget`.
struct LeadController: Sendable {
    let data: ConsoleData
    let renderer: PageRenderer
    let configuration: ConsoleConfiguration

    /// Events shown on the page, newest first; the rest are counted.
    static let eventsShown = 500

    func register(on router: Router<ConsoleContext>) {
        router.get("/leads/{id}") { request, context in try await show(request, context) }
        router.post("/leads/{id}/forget") { request, context in try await forget(request, context) }
    }

    private struct LeadData: Sendable {
        var profile: LeadProfile
        var events: [Event]
        var history: [ScorePoint]
    }

    private func show(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = try context.pathParameter()
        let rules = configuration.rules
        let found: LeadData?
        do {
            found = try await data.pool.read { r in
                guard let profile = try r.profile(lead: id) else { return nil }
                let events = try r.events(ofLead: id)
                return LeadData(profile: profile, events: events, history: try r.scoreHistory(of: profile, events: events, rules: rules))
            }
        } catch AggregateError.noDatabase {
            found = nil
        }
        guard let d = found else {
            return renderer.message(context.text("not_found"), context.text("not_found_text"), request: request, context: context, status: .notFound)
        }
        let p = d.profile
        var stageHistory: [[String: Any]] = []
        var previous: Stage?
        for point in d.history where point.stage != previous {
            stageHistory.append(["day": point.day, "stage": point.stage == .none ? context.text("none_stage") : point.stage.rawValue.uppercased()])
            previous = point.stage
        }
        let labels = d.history.map(\.day)
        let chart = Chart.line(
            id: "score-chart", title: context.text("score_over_time"),
            description:
                "\(context.text("score_chart_alt")): \(labels.first ?? "") – \(labels.last ?? ""), \(d.history.count) \(context.text("chart_days")); \(Format.number(p.score))",
            axes: (context.text("axis_day"), context.text("points")), labels: labels,
            series: [
                .init(name: context.text("score"), style: "s-score", values: d.history.map(\.score)),
                .init(name: context.text("implicit"), style: "s-implicit", values: d.history.map(\.implicit)),
            ], unit: context.text("points"))
        let shown = d.events.suffix(Self.eventsShown).reversed()
        let events: [[String: Any]] = shown.map { e in
            let url = e.url ?? ""
            var flags = e.flags.names
            if e.lead == nil { flags.append("visitor") }
            return [
                "time": Format.time(ms: e.ts), "type": e.type.rawValue, "name": e.name.map { $0 as Any } ?? false, "campaign": e.campaign ?? "",
                "url": url, "linkable": Format.isLinkable(url), "title": e.title ?? "", "flags": flags.joined(separator: ", "),
                "props": e.props.isEmpty ? false : e.props.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") as Any,
            ]
        }
        let values: [String: Any] = [
            "lead": p.lead, "asOf": Format.isoTime(p.asOf), "score": Format.number(p.score), "implicit": Format.number(p.implicit),
            "explicit": Format.number(p.explicit), "label": p.label, "grade": p.grade.rawValue, "letter": p.letter.rawValue,
            "stage": p.stage == .none ? context.text("none_stage") : p.stage.rawValue.uppercased(),
            "stageSince": p.stageSince.map { Format.isoTime($0) as Any } ?? false,
            "mqlAt": p.mqlAt.map { Format.isoTime($0) as Any } ?? false, "sqlAt": p.sqlAt.map { Format.isoTime($0) as Any } ?? false,
            "stageHistory": stageHistory, "scoreChart": chart,
            "rules": p.explain.map { e -> [String: Any] in
                [
                    "rule": e.rule, "points": Format.number(e.points), "awarded": Format.number(e.awarded), "events": e.events,
                    "excluded": e.excluded ?? "",
                ]
            },
            "interests": p.interests.map {
                ["name": $0.category, "weight": Format.number($0.weight), "href": "/leads?" + PageRenderer.query([("interest", $0.category)])]
            },
            "attributes": p.attributes.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] },
            "touches": [(context.text("first_touch"), p.firstTouch), (context.text("last_touch"), p.lastTouch)].compactMap { name, t in
                t.map {
                    [
                        "name": name, "source": $0.source ?? "–", "medium": $0.medium ?? "–", "campaign": $0.campaign ?? "–",
                        "time": Format.isoTime($0.at), "url": $0.url,
                    ]
                }
            },
            "consents": ConsentRecord.of(d.events).map { c -> [String: Any] in
                [
                    "time": Format.isoTime(c.at), "state": context.text(c.granted ? "consent_granted" : "consent_withdrawn"),
                    "source": c.source == .site ? context.text("consent_site") : "/api/identify", "banner": c.banner.map { $0 as Any } ?? false,
                ]
            },
            "visitors": p.visitors, "firstSeen": Format.isoTime(p.firstSeen), "lastSeen": Format.isoTime(p.lastSeen), "events": events,
            "eventsMore": d.events.count > Self.eventsShown ? "\(d.events.count - Self.eventsShown)" as Any : false,
            "isAdmin": context.user?.role == .admin, "forgetAction": "/leads/" + PageRenderer.segment(p.lead) + "/forget",
        ]
        return renderer.render(
            "lead", title: "\(context.text("lead_title")) \(p.lead)", section: .leads, request: request, context: context, values: values)
    }

    /// Admins only (checked here, on the server), with the session's CSRF token and the lead id
    /// typed again as confirmation.
    private func forget(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let id = try context.pathParameter()
        let form = try await LoginController.form(TokenForm.self, request, context)
        guard CSRF.matches(form.csrf, context.sessions.session?.csrf) else { throw HTTPError(.forbidden, message: context.text("bad_token")) }
        guard context.user?.role == .admin else {
            return renderer.message(context.text("forbidden"), context.text("admins_only"), request: request, context: context, status: .forbidden)
        }
        guard form.confirm?.trimmingCharacters(in: .whitespaces) == id else {
            return renderer.message(
                context.text("forbidden"), context.text("forget_mismatch"), request: request, context: context, status: .badRequest)
        }
        let dirs = data.dataDirectories, db = configuration.database
        var logger = context.logger
        logger[metadataKey: "user"] = "\(context.user?.name ?? "")"
        let erasureLogger = logger
        let report = try await NIOThreadPool.singleton.runIfActive {
            try Eraser(dataDirectories: dirs, database: db, logger: erasureLogger).forget(lead: id, dryRun: false) { _, _, _ in }
        }
        guard report.found else {
            return renderer.message(context.text("not_found"), context.text("not_found_text"), request: request, context: context, status: .notFound)
        }
        // Who erased whom is kept in the log; what was erased is not.
        logger.notice("Lead erased from the console", metadata: ["segments_rewritten": "\(report.segmentsRewritten.count)"])
        return .redirect(to: "/leads?erased=1", type: .normal)
    }
}
