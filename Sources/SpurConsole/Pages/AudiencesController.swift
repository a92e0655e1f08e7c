import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import SpurAggregate
import SpurCore

/// Audiences (docs/audiences.md): the list with sizes, and one audience with its size over time,
/// its members, who entered and left lately, and the members as CSV for a mail tool's import.
struct AudiencesController: Sendable {
    let data: ConsoleData
    let renderer: PageRenderer
    static let membersShown = 500

    func register(on router: Router<ConsoleContext>) {
        router.get("/audiences") { request, context in try await list(request, context) }
        router.get("/audiences/{id}") { request, context in try await show(request, context) }
        router.get("/audiences/{id}/members.csv") { request, context in try await csv(request, context) }
    }

    private func list(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let sizes: [String: Int]
        do { sizes = try await data.pool.read { try $0.audienceSizes() } } catch AggregateError.noDatabase { sizes = [:] }
        let rows: [[String: Any]] = sizes.sorted { $0.key < $1.key }.map {
            ["name": $0.key, "members": $0.value, "href": "/audiences/" + PageRenderer.segment($0.key)]
        }
        return renderer.render(
            "audiences", title: context.text("audiences_title"), section: .audiences, request: request, context: context,
            values: ["audiences": rows, "hasAudiences": !rows.isEmpty])
    }

    private struct AudienceData: Sendable {
        var size: Int
        var days: [(day: Int64, size: Int)]
        var members: [(lead: String, since: Int64)]
        var changes: [AudienceChange]
    }

    private func show(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let name = try context.pathParameter()
        let found: AudienceData?
        do {
            found = try await data.pool.read { r in
                guard let size = try r.audienceSizes()[name] else { return nil }
                return AudienceData(
                    size: size, days: try r.audienceSizes(of: name, maxDays: 90),
                    members: try r.audienceMembers(name, limit: Self.membersShown), changes: try r.audienceHistory(name, limit: 50))
            }
        } catch AggregateError.noDatabase {
            found = nil
        }
        guard let d = found else {
            return renderer.message(context.text("not_found"), context.text("not_found_text"), request: request, context: context, status: .notFound)
        }
        let labels = d.days.map { Format.day($0.day) }
        let chart = Chart.line(
            id: "audience-chart", title: context.text("audience_size"),
            description: "\(context.text("audience_size")): \(labels.first ?? "") – \(labels.last ?? "")",
            axes: (context.text("axis_day"), context.text("members")), labels: labels,
            series: [.init(name: context.text("members"), style: "s-opens", values: d.days.map { Double($0.size) })], unit: "")
        let values: [String: Any] = [
            "name": name, "size": d.size, "sizeChart": chart,
            "csvHref": "/audiences/" + PageRenderer.segment(name) + "/members.csv",
            "members": d.members.map {
                ["lead": $0.lead, "since": Format.isoTime(ISO8601.string($0.since)), "href": "/leads/" + PageRenderer.segment($0.lead)]
            },
            "membersMore": d.size > Self.membersShown ? "\(d.size - Self.membersShown)" as Any : false,
            "changes": d.changes.map {
                [
                    "lead": $0.lead, "href": "/leads/" + PageRenderer.segment($0.lead), "time": Format.isoTime(ISO8601.string($0.at)),
                    "what": context.text($0.entered ? "entered" : "left"),
                ]
            },
        ]
        return renderer.render(
            "audience", title: "\(context.text("audience")) \(name)", section: .audiences, request: request, context: context, values: values)
    }

    /// Every member as `lead,since` (the columns of `spur audiences export --csv`).
    private func csv(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let name = try context.pathParameter()
        let text: String? = try await data.pool.read { r in
            guard try r.audienceSizes()[name] != nil else { return nil }
            var out = "lead,since\n"
            var cursor: String?
            repeat {
                let page = try r.audienceMembers(name, after: cursor, limit: 1000)
                for m in page { out += LeadCSV.field(m.lead) + "," + ISO8601.string(m.since) + "\n" }
                cursor = page.count == 1000 ? page.last?.lead : nil
            } while cursor != nil
            return out
        }
        guard let text else { throw HTTPError(.notFound, message: context.text("not_found_text")) }
        let file = name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"audience-\(file).csv\""],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
