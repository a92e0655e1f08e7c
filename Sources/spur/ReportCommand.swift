import ArgumentParser
import Foundation
import SpurAggregate
import SpurCore

/// `spur report campaign ID`, `spur report campaigns` and `spur report pages`.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reports.", subcommands: [CampaignCommand.self, CampaignsCommand.self, PagesCommand.self])

    struct CampaignCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "campaign", abstract: "Opens and clicks of a campaign, split into human, proxy and bot.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "Campaign id.") var campaign: String

        func run() throws {
            let reader = try store.reader()
            guard let report = try reader.campaignReport(campaign) else {
                throw CommandFailure("no events for campaign '\(campaign)' in \(reader.path)", status: ExitStatus.notFound)
            }
            if json {
                print(try CampaignOutput.json(report, pretty: true))
                return
            }
            print(CampaignOutput.detail(report))
        }
    }

    struct CampaignsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "campaigns", abstract: "Every campaign with its opens, clicks and click-to-open (human figures first).")
        @OptionGroup var store: StoreOptions
        @Flag var format: OutputFormat = .table

        func run() throws {
            let reports = try store.reader().campaignReports()
            switch format {
            case .table: print(CampaignOutput.table(reports))
            case .json: print("[" + (try reports.map { try CampaignOutput.json($0, pretty: false) }).joined(separator: ",") + "]")
            case .jsonl: for r in reports { print(try CampaignOutput.json(r, pretty: false)) }
            case .csv: print(CampaignOutput.csv(reports))
            }
        }
    }
}

/// `spur report pages`: page views per page, with consent and anonymous (docs/consent.md).
struct PagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pages", abstract: "Page views per page over the last days: with consent, anonymous (no consent) and bots.")
    @OptionGroup var store: StoreOptions
    @Option(help: "Days back from the last aggregation's as-of date (UTC), that day included.") var days = 30
    @Option(help: "Pages at most, most viewed first.") var limit = 50
    @Flag var format: OutputFormat = .table

    func validate() throws {
        guard (1...3660).contains(days) else { throw ValidationError("--days must be between 1 and 3660") }
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
    }

    func run() throws {
        let pages = try store.reader().pageTotals(days: days, limit: limit)
        switch format {
        case .table:
            func pad(_ s: String, _ n: Int, _ right: Bool = false) -> String { LeadOutput.pad(s, n, right: right) }
            var lines = [pad("PEOPLE", 9, true) + pad("CONSENT", 9, true) + pad("ANONYMOUS", 11, true) + pad("BOTS", 8, true) + "  PAGE"]
            for p in pages {
                lines.append(
                    pad(String(p.human), 9, true) + pad(String(p.withConsent), 9, true) + pad(String(p.anonymous), 11, true)
                        + pad(String(p.bot), 8, true) + "  " + Terminal.safe(p.page))
            }
            if pages.isEmpty { lines.append("(no page views in the \(days) days up to the last aggregation)") }
            print(lines.joined(separator: "\n"))
        case .json, .jsonl:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let rows = try pages.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            print(format == .json ? "[" + rows.joined(separator: ",") + "]" : rows.joined(separator: "\n"))
        case .csv:
            print(
                (["page,with_consent,anonymous,bot"] + pages.map { "\(LeadCSV.field($0.page)),\($0.withConsent),\($0.anonymous),\($0.bot)" })
                    .joined(separator: "\n"))
        }
    }
}

/// Renders campaign reports for people (every figure labelled) and programs.
enum CampaignOutput {
    static func json(_ report: CampaignReport, pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    static func percent(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "-" }

    static func detail(_ report: CampaignReport) -> String {
        func pad(_ s: String, _ n: Int, _ right: Bool = false) -> String { LeadOutput.pad(s, n, right: right) }
        func row(_ name: String, _ s: CampaignReport.Split) -> String {
            pad(name, 16) + [s.total, s.human, s.proxy, s.bot].map { pad(String($0), 8, true) }.joined()
        }
        var lines = ["campaign \(Terminal.safe(report.campaign))"]
        lines.append(pad("", 16) + ["total", "human", "proxy", "bot"].map { pad($0, 8, true) }.joined())
        lines += [
            row("opens", report.opens), row("unique opens", report.uniqueOpens), row("clicks", report.clicks),
            row("unique clicks", report.uniqueClicks), "click-to-open   " + percent(report.clickToOpen) + "  (human)",
        ]
        let site = report.site
        if site.pageViews > 0 {
            lines.append(
                "site page views \(site.pageViews) with utm_campaign: \(site.withConsent) with consent, \(site.anonymous) anonymous, \(site.bot) bot")
        }
        for (what, total) in [("opens", report.opens.total), ("clicks", report.clicks.total)] {
            guard let reasons = report.excluded[what], total > 0 else { continue }
            let parts = reasons.sorted { $0.key < $1.key }.map {
                String(format: "%@ %d (%.1f %%)", $0.key, $0.value, Double($0.value) * 100 / Double(total))
            }
            lines.append("flagged \(what): " + parts.joined(separator: ", "))
        }
        lines.append("")
        lines.append(pad("CLICKS", 8, true) + pad("HUMAN", 8, true) + pad("UNIQUE HUMAN", 14, true) + "  LINK")
        for link in report.links {
            lines.append(
                pad(String(link.clicks.total), 8, true) + pad(String(link.clicks.human), 8, true)
                    + pad(String(link.uniqueClicks.human), 14, true) + "  " + Terminal.safe(link.url))
        }
        return lines.joined(separator: "\n")
    }

    static func table(_ reports: [CampaignReport]) -> String {
        func pad(_ s: String, _ n: Int, _ right: Bool = false) -> String { LeadOutput.pad(s, n, right: right) }
        var lines = [
            pad("CAMPAIGN", 24) + ["OPENS", "HUMAN", "UNIQUE", "CLICKS", "HUMAN", "UNIQUE"].map { pad($0, 8, true) }.joined()
                + pad("CTO", 9, true) + pad("FLAGGED", 9, true)
        ]
        for r in reports {
            let flagged = r.opens.total + r.clicks.total - r.opens.human - r.clicks.human
            let share = r.opens.total + r.clicks.total > 0 ? Double(flagged) / Double(r.opens.total + r.clicks.total) : nil
            lines.append(
                pad(Terminal.safe(r.campaign), 24)
                    + [r.opens.total, r.opens.human, r.uniqueOpens.human, r.clicks.total, r.clicks.human, r.uniqueClicks.human]
                    .map { pad(String($0), 8, true) }.joined() + pad(percent(r.clickToOpen), 9, true) + pad(percent(share), 9, true))
        }
        lines.append("(UNIQUE: distinct human leads; CTO: human click-to-open; FLAGGED: share of opens and clicks not counted as human)")
        return lines.joined(separator: "\n")
    }

    static func csv(_ reports: [CampaignReport]) -> String {
        var lines = [
            "campaign,opens,human_opens,unique_human_opens,clicks,human_clicks,unique_human_clicks,click_to_open,site_views_with_consent,site_views_anonymous"
        ]
        for r in reports {
            let fields = [
                LeadCSV.field(r.campaign), String(r.opens.total), String(r.opens.human), String(r.uniqueOpens.human),
                String(r.clicks.total), String(r.clicks.human), String(r.uniqueClicks.human), r.clickToOpen.map { String($0) } ?? "",
                String(r.site.withConsent), String(r.site.anonymous),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }
}
