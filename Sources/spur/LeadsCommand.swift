import ArgumentParser
import Foundation
import SpurAggregate
import SpurCore

enum OutputFormat: String, EnumerableFlag {
    case table, json, csv, jsonl
}

/// `spur leads top|show|export`.
struct Leads: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show scored leads.", subcommands: [Top.self, Show.self, Export.self, ConsentCommand.self])

    struct Top: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The highest-scoring leads, or any filtered and sorted page of leads.",
            discussion: "When there are more leads than --limit, the cursor of the next page is printed on stderr.",
            aliases: ["list"])
        @OptionGroup var store: StoreOptions
        @Option(help: "How many leads (1–\(LeadQuery.maximumLimit)).") var limit = 20
        @Option(help: "Only leads in this stage.") var stage: Stage?
        @Option(help: "Only leads with this grade.") var grade: Grade?
        @Option(help: "Only leads with this letter.") var letter: Letter?
        @Option(help: "Only leads with at least this score.") var minScore: Double?
        @Option(help: "Only leads with this interest category among their top interests.") var interest: String?
        @Option(help: "Only leads that opened or clicked this campaign.") var campaign: String?
        @Option(help: "Only leads whose profile changed since this date or time, e.g. 2026-11-22T06:00:00Z.") var updatedSince: String?
        @Option(help: "Order: highest score, latest activity, latest change, or lead id.") var sort: LeadQuery.Sort = .score
        @Option(help: "Continue after the page that printed this cursor.") var cursor: String?
        @Flag var format: OutputFormat = .table

        func validate() throws {
            guard (1...LeadQuery.maximumLimit).contains(limit) else {
                throw ValidationError("--limit must be between 1 and \(LeadQuery.maximumLimit)")
            }
            if let updatedSince, ISO8601.parse(updatedSince) == nil {
                throw ValidationError("--updated-since '\(updatedSince)' is not a date like 2026-11-22 or 2026-11-22T06:00:00Z")
            }
        }

        func run() throws {
            var query = LeadQuery()
            query.stage = stage
            query.grade = grade
            query.letter = letter
            query.minScore = minScore
            query.interest = interest
            query.campaign = campaign
            query.updatedSince = updatedSince.flatMap(ISO8601.parse)
            query.sort = sort
            query.limit = limit
            query.cursor = cursor
            let page = try store.reader().leads(query)
            try LeadOutput.print(page.leads, format: format)
            if let next = page.nextCursor {
                FileHandle.standardError.write(Data("more leads: --cursor \(next)\n".utf8))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One lead's profile and score explanation.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print every stored event of the lead (and its visitor ids) as JSON Lines: the data-subject export.") var events = false
        @Argument(help: "Lead id.") var lead: String

        func run() throws {
            let reader = try store.reader()
            if events {
                let events = try reader.events(ofLead: lead)
                guard !events.isEmpty else { throw CommandFailure("no events of lead '\(lead)' in \(reader.path)", status: ExitStatus.notFound) }
                for event in events { FileHandle.standardOutput.write(Data(event.jsonLine + [0x0A])) }
                return
            }
            guard let profile = try reader.profile(lead: lead) else {
                throw CommandFailure("no lead '\(lead)' in \(reader.path)", status: ExitStatus.notFound)
            }
            if json {
                Swift.print(try LeadOutput.json(profile))
                return
            }
            Swift.print(LeadOutput.detail(profile), terminator: "")
            let consents = try reader.consentRecords(ofLead: lead)
            if consents.isEmpty {
                Swift.print("consent   none recorded")
            } else {
                for c in consents { Swift.print("consent   " + LeadOutput.consentLine(c)) }
            }
        }
    }

    /// `spur leads consent LEAD`: the proof of the lead's consent (docs/consent.md).
    struct ConsentCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "consent", abstract: "Every grant and withdrawal of a lead's consent: the proof, for people or as CSV/JSON Lines.")
        @OptionGroup var store: StoreOptions
        @Flag var format: OutputFormat = .table
        @Argument(help: "Lead id.") var lead: String

        func run() throws {
            let reader = try store.reader()
            guard try reader.profile(lead: lead) != nil else {
                throw CommandFailure("no lead '\(lead)' in \(reader.path)", status: ExitStatus.notFound)
            }
            let records = try reader.consentRecords(ofLead: lead)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            switch format {
            case .table:
                if records.isEmpty { Swift.print("no consent recorded for lead \(Terminal.safe(lead))") }
                for c in records { Swift.print(LeadOutput.consentLine(c)) }
            case .json:
                Swift.print(String(decoding: try encoder.encode(records), as: UTF8.self))
            case .jsonl:
                for c in records { Swift.print(String(decoding: try encoder.encode(c), as: UTF8.self)) }
            case .csv:
                Swift.print("at,source,state,banner,visitor,page,event")
                for c in records {
                    Swift.print(
                        [c.at, c.source.rawValue, c.granted ? "granted" : "withdrawn", c.banner ?? "", c.visitor ?? "", c.page ?? "", c.event]
                            .map(LeadCSV.field).joined(separator: ","))
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every lead, as CSV or JSON Lines.")
        @OptionGroup var store: StoreOptions
        @Flag var format: ExportFormat = .csv

        enum ExportFormat: String, EnumerableFlag { case csv, jsonl }

        func run() throws {
            let reader = try store.reader()
            if format == .csv { Swift.print(LeadOutput.csvHeader) }
            try reader.eachProfile { profile in
                Swift.print(format == .csv ? LeadOutput.csvRow(profile) : try LeadOutput.json(profile))
            }
        }
    }
}

extension LeadQuery.Sort: ExpressibleByArgument {}

/// Renders profiles for people (tables, detail) and programs (JSON, CSV).
enum LeadOutput {
    /// The profile as stored and as the API serves it: one line, sorted keys.
    static func json(_ p: LeadProfile) throws -> String {
        String(decoding: try LeadProfile.encoder.encode(p), as: UTF8.self)
    }

    static func print(_ rows: [LeadProfile], format: OutputFormat) throws {
        switch format {
        case .json: Swift.print("[" + (try rows.map(json)).joined(separator: ",") + "]")
        case .jsonl: for p in rows { Swift.print(try json(p)) }
        case .csv:
            Swift.print(csvHeader)
            for p in rows { Swift.print(csvRow(p)) }
        case .table:
            Swift.print(
                pad("LEAD", 24) + pad("SCORE", 8, right: true) + pad("IMPL", 8, right: true) + pad("EXPL", 7, right: true)
                    + "  LABEL STAGE  LAST SEEN             INTERESTS")
            for p in rows {
                Swift.print(
                    pad(Terminal.safe(p.lead), 24) + pad(fmt(p.score), 8, right: true) + pad(fmt(p.implicit), 8, right: true)
                        + pad(fmt(p.explicit), 7, right: true) + "  " + pad(p.label, 6) + pad(p.stage.rawValue, 7) + pad(p.lastSeen, 22)
                        + Terminal.safe(p.interests.map(\.category).joined(separator: ",")))
            }
        }
    }

    static let csvHeader = LeadCSV.header

    static func csvRow(_ p: LeadProfile) -> String { LeadCSV.row(p) }

    /// One consent record on one line, escaped (the banner id and page came from a browser).
    static func consentLine(_ c: ConsentRecord) -> String {
        var line = "\(c.at)  \(c.granted ? "granted  " : "withdrawn")  \(c.source == .site ? "site banner" : "/api/identify")"
        if let banner = c.banner { line += " " + Terminal.safe(banner) }
        if let visitor = c.visitor { line += ", visitor " + Terminal.safe(visitor) }
        if let page = c.page { line += ", on " + Terminal.safe(page) }
        return line
    }

    /// Lead ids, interests, campaigns, attributes and visitor ids are shown escaped (`Terminal`).
    static func detail(_ p: LeadProfile) -> String {
        let safe = Terminal.safe
        var out = "lead      \(safe(p.lead))\n"
        out +=
            "score     \(fmt(p.score))  (implicit \(fmt(p.implicit)) + explicit \(fmt(p.explicit)); lifetime \(fmt(p.lifetime)))  as of \(p.asOf)\n"
        out += "label     \(p.label)  (grade \(p.grade.rawValue), letter \(p.letter.rawValue))\n"
        out += "stage     \(p.stage.rawValue)" + (p.stageSince.map { " since \($0)" } ?? "")
        out += (p.mqlAt.map { "; mql reached \($0)" } ?? "") + (p.sqlAt.map { "; sql reached \($0)" } ?? "") + "\n"
        out += "seen      \(p.firstSeen) … \(p.lastSeen)\n"
        for (name, touch) in [("first", p.firstTouch), ("last", p.lastTouch)] {
            guard let t = touch else { continue }
            let utm = [t.source, t.medium, t.campaign].map { $0 ?? "-" }.joined(separator: " / ")
            out += "\(name) touch  " + safe("\(utm) at \(t.at) (\(t.url))") + "\n"
        }
        out += "events    " + p.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        out += "interests " + safe(p.interests.map { "\($0.category) \(fmt($0.weight))" }.joined(separator: ", ")) + "\n"
        if !p.campaignsOpened.isEmpty { out += "opened    \(safe(p.campaignsOpened.joined(separator: ", ")))\n" }
        if !p.campaignsClicked.isEmpty { out += "clicked   \(safe(p.campaignsClicked.joined(separator: ", ")))\n" }
        if !p.attributes.isEmpty {
            out += "attrs     " + safe(p.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) + "\n"
        }
        if !p.visitors.isEmpty { out += "visitors  \(safe(p.visitors.joined(separator: ", ")))\n" }
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
