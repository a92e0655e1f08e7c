import ArgumentParser

@main
struct Spur: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spur",
        abstract: "Self-hosted tracking pixel and click-redirect collector with lead scoring.",
        version: "0.1.0",
        subcommands: [
            Serve.self, Link.self, Pixel.self, Wrap.self, Segments.self, Aggregate.self, Leads.self, Report.self, Forget.self, Console.self,
            Keys.self, Deliver.self, Webhooks.self, Bots.self, AudiencesCommand.self,
        ]
    )

    /// Parses, runs, and maps a runtime failure to one line and a documented exit status (docs/cli.md).
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(reporting: error)
        }
    }
}
