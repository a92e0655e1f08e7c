import ArgumentParser
import Foundation
import SpurAggregate
import SpurCore

/// Where the audience definitions come from: shared by `spur aggregate` and `spur audiences`.
struct AudienceOptions: ParsableArguments {
    @Option(help: "Audience definitions (YAML, docs/audiences.md). [env: SPUR_AUDIENCES]") var audiences: String?

    func definitions() throws -> Audiences? {
        try (audiences ?? Environment.value("SPUR_AUDIENCES")).map { try Audiences.load(path: $0) }
    }
}

/// `spur audiences list|show|export`: who is in which audience, as of the last `spur aggregate`.
struct AudiencesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audiences", abstract: "Audiences: the leads that meet an audience's conditions, for the next mailing.",
        subcommands: [List.self, Show.self, Export.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every audience with its number of members (and, with --audiences, its description).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var definitions: AudienceOptions

        func run() throws {
            let sizes = try store.reader().audienceSizes()
            let defined = try definitions.definitions()?.audiences ?? []
            let names = (defined.map(\.name) + sizes.keys.sorted().filter { name in !defined.contains { $0.name == name } })
            for name in names {
                let description = defined.first { $0.name == name }?.description ?? ""
                print([name, String(sizes[name] ?? 0), description].map(Terminal.safe).joined(separator: "\t"))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An audience: its size and who entered or left it lately.")
        @OptionGroup var store: StoreOptions
        @Option(help: "How many changes to show.") var limit = 20
        @Argument(help: "The audience's name.") var name: String

        func run() throws {
            let reader = try store.reader()
            print("\(Terminal.safe(name)): \(try reader.audienceSizes()[name] ?? 0) members")
            for change in try reader.audienceHistory(name, limit: limit) {
                print("\(ISO8601.string(change.at))  \(change.entered ? "entered" : "left   ")  \(Terminal.safe(change.lead))")
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every member of an audience: CSV (lead, since) or JSON Lines, for a mail tool's import.")
        @OptionGroup var store: StoreOptions
        enum Format: String, EnumerableFlag { case csv, jsonl }
        @Flag var format: Format = .csv
        @Argument(help: "The audience's name.") var name: String

        func run() throws {
            let reader = try store.reader()
            if format == .csv { print("lead,since") }
            var cursor: String?
            repeat {
                let page = try reader.audienceMembers(name, after: cursor, limit: 1000)
                for m in page {
                    if format == .csv {
                        print("\(LeadCSV.field(m.lead)),\(ISO8601.string(m.since))")
                    } else {
                        let data = try JSONSerialization.data(
                            withJSONObject: ["lead": m.lead, "since": ISO8601.string(m.since)], options: [.sortedKeys])
                        print(String(decoding: data, as: UTF8.self))
                    }
                }
                cursor = page.count == 1000 ? page.last?.lead : nil
            } while cursor != nil
        }
    }
}
