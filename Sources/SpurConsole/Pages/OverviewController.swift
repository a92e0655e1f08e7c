import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import SpurAggregate
import SpurCore

/// The overview and the health page: figures over all leads, traffic, runs and segments.
struct OverviewController: Sendable {
    let data: ConsoleData
    let renderer: PageRenderer

    func register(on router: Router<ConsoleContext>) {
        router.get("/") { request, context in try await overview(request, context) }
        router.get("/health") { request, context in try await health(request, context) }
    }

    private struct OverviewData: Sendable {
        var overview: LeadOverview?
        var asOf: String?
        var lastRun: AggregationRun?
        var traffic: [DailyTraffic]
    }

    /// The overview changes only when a run or an erasure changes the data, or a collector seals
    /// a segment: its content is rendered once per such state, language and day and shared by
    /// every user (a million leads or not, a request then costs a few small queries).
    private func overview(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let now = SystemTime.nowMillis() / 86_400_000
        let version: String
        do {
            version = try await data.pool.read { try $0.dataVersion() }
        } catch AggregateError.noDatabase {
            return page(renderer.body("overview-body", language: context.language, values: ["hasData": false]), request, context)
        }
        let waiting = try await data.segmentsWaiting()
        let key = "\(version)|\(context.language.rawValue)|\(now)|\(waiting)"
        if let html = data.cachedPage(key) { return page(html, request, context) }
        let d = try await data.pool.read { r in
            OverviewData(
                overview: try r.overview(), asOf: try r.asOf, lastRun: try r.runs(limit: 1).first,
                traffic: try r.dailyTraffic(sinceDay: min(now, (try r.asOf).flatMap(ISO8601.parse).map { $0 / 86_400_000 } ?? now) - 29))
        }
        let html = renderer.body("overview-body", language: context.language, values: values(d, waiting: waiting, now: now, context))
        data.cachePage(key, html)
        return page(html, request, context)
    }

    private func page(_ html: String, _ request: Request, _ context: ConsoleContext) -> Response {
        renderer.render(
            "prerendered", title: context.text("overview_title"), section: .overview, request: request, context: context,
            values: ["bodyHTML": html])
    }

    private func values(_ d: OverviewData, waiting: Int, now: Int64, _ context: ConsoleContext) -> [String: Any] {
        let o = d.overview ?? LeadOverview()
        // "This week" and the last 30 days end at the scoring date of the last run (today for
        // nightly runs; the chosen date for a run with --as-of).
        let today = d.asOf.flatMap(ISO8601.parse).map { $0 / 86_400_000 } ?? now
        // Weeks start on Monday (ISO 8601), as German calendars do; 1970-01-01 was a Thursday.
        let weekStart = today - ((today + 3) % 7)
        let days = (0..<30).map { today - 29 + Int64($0) }
        let byDay = Dictionary(uniqueKeysWithValues: d.traffic.map { ($0.day, $0) })
        let labels = days.map(Format.day)
        let series: [Chart.Series] = [
            .init(name: context.text("human"), style: "human", values: days.map { Double(byDay[$0]?.human ?? 0) }),
            .init(name: context.text("proxy"), style: "proxy", values: days.map { Double(byDay[$0]?.proxy ?? 0) }),
            .init(name: context.text("bot"), style: "bot", values: days.map { Double(byDay[$0]?.bot ?? 0) }),
        ]
        let total = series.reduce(0) { $0 + $1.values.reduce(0, +) }
        let maxCell = max(1, o.labels.values.max() ?? 1)
        let matrix: [[String: Any]] = Grade.allCases.map { g in
            [
                "grade": g.rawValue,
                "cells": Letter.allCases.map { l -> [String: Any] in
                    let n = o.labels["\(l.rawValue)\(g.rawValue)"] ?? 0
                    let heat = n == 0 ? 0 : 1 + Int(3.0 * Double(n) / Double(maxCell))
                    return [
                        "count": n, "label": "\(l.rawValue)\(g.rawValue)", "heat": min(heat, 4),
                        "href": "/leads?" + PageRenderer.query([("grade", String(g.rawValue)), ("letter", l.rawValue)]),
                    ]
                },
            ]
        }
        let interests: [[String: Any]] = o.interests.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10).map {
            ["name": $0.key, "count": $0.value, "href": "/leads?" + PageRenderer.query([("interest", $0.key)])]
        }
        return [
            "hasData": d.overview != nil, "asOf": d.asOf.map(Format.isoTime) ?? "",
            "mqlThisWeek": o.reached(.mql, from: Format.day(weekStart), before: Format.day(weekStart + 7)),
            "mqlLastWeek": o.reached(.mql, from: Format.day(weekStart - 7), before: Format.day(weekStart)),
            "sqlThisWeek": o.reached(.sql, from: Format.day(weekStart), before: Format.day(weekStart + 7)),
            "sqlLastWeek": o.reached(.sql, from: Format.day(weekStart - 7), before: Format.day(weekStart)),
            "totalLeads": o.leads, "letters": Letter.allCases.map(\.rawValue), "matrix": matrix, "interests": interests,
            "trafficChart": Chart.bars(
                id: "traffic", title: context.text("events_per_day"),
                description:
                    "\(context.text("events_per_day")): \(Int(total)) \(context.text("events")); \(labels.first ?? "") – \(labels.last ?? "")",
                axes: (context.text("axis_day"), context.text("events")), labels: labels, series: series),
            "lastRun": d.lastRun.map { Self.run($0) as Any } ?? false, "segmentsWaiting": waiting,
        ]
    }

    static func run(_ r: AggregationRun) -> [String: Any] {
        [
            "started": Format.time(ms: r.startedAt), "duration": Format.duration(ms: r.finishedAt - r.startedAt),
            "segments": r.segmentsFolded, "events": r.events, "leads": r.leads, "exitCode": r.exitCode, "asOf": Format.isoTime(r.asOf),
            "summary": r.summary,
        ]
    }

    private struct HealthData: Sendable {
        var runs: [AggregationRun] = []
        var folded: [FoldedSegment] = []
        var outbox = OutboxCounts()
        var erasures = 0
    }

    private func health(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        var h = HealthData()
        var problem: String?
        do {
            h = try await data.pool.read { r in
                HealthData(runs: try r.runs(limit: 50), folded: try r.foldedSegments(), outbox: try r.outboxCounts(), erasures: try r.erasures())
            }
        } catch AggregateError.noDatabase {
        } catch let error as AggregateError {
            // The segments are still worth seeing when the database cannot be read.
            problem = error.description
        }
        let folders: [[String: Any]] = data.segmentFolders(folded: h.folded).map { f in
            let shown = 200
            return [
                "path": f.path, "open": f.entries.filter { $0.state == .open }.count, "sealed": f.entries.filter { $0.state == .sealed }.count,
                "folded": f.entries.filter { f.folded.contains($0.name.description) }.count, "waiting": f.waiting,
                "size": Format.bytes(f.entries.reduce(0) { $0 + $1.size }),
                "segments": f.entries.prefix(shown).map { e -> [String: Any] in
                    let state =
                        e.state == .sealed
                        ? (f.folded.contains(e.name.description) ? context.text("folded") : context.text("not_folded")) : e.state.rawValue
                    return ["name": e.name.description, "state": state, "size": Format.bytes(e.size)]
                },
                "more": f.entries.count > shown ? "\(f.entries.count - shown)" : false,
            ]
        }
        let values: [String: Any] = [
            "notice": problem.map { $0 as Any } ?? false, "directories": folders, "outbox": h.outbox.handoffsPending,
            "webhooksPending": h.outbox.webhooksPending,
            "webhooksDead": h.outbox.webhooksDead, "erasures": h.erasures,
            "runs": h.runs.map(Self.run),
        ]
        return renderer.render("health", title: context.text("health_title"), section: .health, request: request, context: context, values: values)
    }
}
