import ArgumentParser
import Foundation
import SpurAggregate

enum OutputFormat: String, EnumerableFlag {
    case table, json, csv, jsonl
}

/// `spur leads top|show|export`.
struct Leads: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show scored leads.", subcommands: [Top.self, Show.self, Export.self])

    struct Top: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The highest-scoring leads.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "How many leads.") var limit = 20
        @Option(help: "Only leads in this stage: mql or sql.") var stage: String?
        @Flag var format: OutputFormat = .table

        func run() throws {
            var stageFilter: Stage?
            if let stage {
                guard let s = Stage(rawValue: stage), s != .none else { throw ValidationError("--stage must be mql or sql") }
                stageFilter = s
            }
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
            let rows = try Aggregator.topProfiles(database: database.existingPath(), limit: limit, stage: stageFilter)
            try LeadOutput.print(rows, format: format)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One lead's profile and score explanation.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print every stored event of the lead (and its visitor ids) as JSON Lines: the data-subject export.") var events = false
        @Argument(help: "Lead id.") var lead: String

        func run() throws {
            if events {
                let lines = try Aggregator.events(database: database.existingPath(), lead: lead)
                guard !lines.isEmpty else { throw NotFound(description: "no events of lead '\(lead)' in \(database.path)") }
                FileHandle.standardOutput.write(Data(lines.joined().utf8))
                return
            }
            guard let profile = try Aggregator.profile(database: database.existingPath(), lead: lead) else {
                throw NotFound(description: "no lead '\(lead)' in \(database.path)")
            }
            if json {
                print(profile)
            } else {
                print(try LeadOutput.detail(profile))
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every lead, as CSV or JSON Lines.")
        @OptionGroup var database: DatabaseOptions
        @Flag var format: ExportFormat = .csv

        enum ExportFormat: String, EnumerableFlag { case csv, jsonl }

        func run() throws {
            let path = try database.existingPath()
            if format == .csv { print(LeadOutput.csvHeader) }
            try Aggregator.eachProfile(database: path) { json in
                print(format == .csv ? try LeadOutput.csvRow(json) : json)
            }
        }
    }
}

/// Renders profiles (stored as JSON) for people and programs.
enum LeadOutput {
    static func decode(_ json: String) throws -> LeadProfile {
        try JSONDecoder().decode(LeadProfile.self, from: Data(json.utf8))
    }

    static func print(_ rows: [String], format: OutputFormat) throws {
        switch format {
        case .json: Swift.print("[" + rows.joined(separator: ",") + "]")
        case .jsonl: rows.forEach { Swift.print($0) }
        case .csv:
            Swift.print(csvHeader)
            for r in rows { Swift.print(try csvRow(r)) }
        case .table:
            Swift.print(pad("LEAD", 24) + pad("SCORE", 8, right: true) + pad("IMPL", 8, right: true) + pad("EXPL", 7, right: true)
                + "  LABEL STAGE  LAST SEEN             INTERESTS")
            for r in rows {
                let p = try decode(r)
                Swift.print(
                    pad(p.lead, 24) + pad(fmt(p.score), 8, right: true) + pad(fmt(p.implicit), 8, right: true)
                        + pad(fmt(p.explicit), 7, right: true) + "  " + pad(p.label, 6) + pad(p.stage, 7) + pad(p.lastSeen, 22)
                        + p.interests.map(\.category).joined(separator: ","))
            }
        }
    }

    static let csvHeader = "lead,score,implicit,explicit,grade,letter,label,stage,stage_since,first_seen,last_seen,interests,visitors"

    static func csvRow(_ json: String) throws -> String {
        let p = try decode(json)
        let fields = [
            p.lead, fmt(p.score), fmt(p.implicit), fmt(p.explicit), String(p.grade), p.letter, p.label, p.stage,
            p.stageSince ?? "", p.firstSeen, p.lastSeen, p.interests.map { "\($0.category):\(fmt($0.weight))" }.joined(separator: " "),
            p.visitors.joined(separator: " "),
        ]
        return fields.map(csvField).joined(separator: ",")
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.first.map({ "=+-@".contains($0) }) == true else {
            return s
        }
        // Quote, and neutralise spreadsheet formulas in lead-controlled text.
        let safe = s.first.map({ "=+-@".contains($0) }) == true && Double(s) == nil ? "'" + s : s
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func detail(_ json: String) throws -> String {
        let p = try decode(json)
        var out = "lead      \(p.lead)\n"
        out += "score     \(fmt(p.score))  (implicit \(fmt(p.implicit)) + explicit \(fmt(p.explicit)); lifetime \(fmt(p.lifetime)))  as of \(p.asOf)\n"
        out += "label     \(p.label)  (grade \(p.grade), letter \(p.letter))\n"
        out += "stage     \(p.stage)" + (p.stageSince.map { " since \($0)" } ?? "")
        out += (p.mqlAt.map { "; mql reached \($0)" } ?? "") + (p.sqlAt.map { "; sql reached \($0)" } ?? "") + "\n"
        out += "seen      \(p.firstSeen) … \(p.lastSeen)\n"
        out += "events    " + p.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        out += "interests " + p.interests.map { "\($0.category) \(fmt($0.weight))" }.joined(separator: ", ") + "\n"
        if !p.campaignsOpened.isEmpty { out += "opened    \(p.campaignsOpened.joined(separator: ", "))\n" }
        if !p.campaignsClicked.isEmpty { out += "clicked   \(p.campaignsClicked.joined(separator: ", "))\n" }
        if !p.attributes.isEmpty { out += "attrs     " + p.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "\n" }
        if !p.visitors.isEmpty { out += "visitors  \(p.visitors.joined(separator: ", "))\n" }
        out += "why:\n"
        for e in p.explain {
            if let reason = e.excluded {
                out += "  " + pad(e.rule, 28) + pad("0", 8, right: true) + "  \(e.events) event(s) not counted: \(reason)\n"
            } else {
                out += "  " + pad(e.rule, 28) + pad(fmt(e.points), 8, right: true) + "  from \(fmt(e.awarded)) awarded by \(e.events) event(s)\n"
            }
        }
        return out
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(1, n - s.count))
        return right ? fill + s : s + fill
    }
}

/// `spur report campaign ID`.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reports.", subcommands: [CampaignCommand.self])

    struct CampaignCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "campaign", abstract: "Opens and clicks of a campaign, split into human, proxy and bot.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "Campaign id.") var campaign: String

        func run() throws {
            guard let report = try Aggregator.campaignReport(database: database.existingPath(), campaign: campaign) else {
                throw NotFound(description: "no events for campaign '\(campaign)' in \(database.path)")
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
                return
            }
            func row(_ name: String, _ s: CampaignReport.Split) -> String {
                LeadOutput.pad(name, 16) + [s.total, s.human, s.proxy, s.bot].map { LeadOutput.pad(String($0), 8, right: true) }.joined()
            }
            print("campaign \(campaign)")
            print(LeadOutput.pad("", 16) + ["total", "human", "proxy", "bot"].map { LeadOutput.pad($0, 8, right: true) }.joined())
            print(row("opens", report.opens))
            print(row("unique opens", report.uniqueOpens))
            print(row("clicks", report.clicks))
            print(row("unique clicks", report.uniqueClicks))
            print("click-to-open   " + (report.clickToOpen.map { String(format: "%.1f %%", $0 * 100) } ?? "-") + "  (human)")
            for (what, total) in [("opens", report.opens.total), ("clicks", report.clicks.total)] {
                guard let reasons = report.excluded[what], total > 0 else { continue }
                let parts = reasons.sorted { $0.key < $1.key }.map { String(format: "%@ %d (%.1f %%)", $0.key, $0.value, Double($0.value) * 100 / Double(total)) }
                print("flagged \(what): " + parts.joined(separator: ", "))
            }
            print("\nlinks (clicks: total / human; unique human clickers)")
            for link in report.links {
                print("  \(link.clicks.total) / \(link.clicks.human); \(link.uniqueClicks.human)  \(link.url)")
            }
        }
    }
}

/// A lookup that found nothing: exit 1 with the message, no usage text.
struct NotFound: Error, CustomStringConvertible {
    let description: String
}
