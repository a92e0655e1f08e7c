import ArgumentParser

@main
struct Spur: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spur",
        abstract: "Self-hosted tracking pixel and click-redirect collector with lead scoring.",
        version: "0.1.0",
        subcommands: [Serve.self, Link.self, Pixel.self, Wrap.self, Segments.self, Aggregate.self, Leads.self, Report.self, Forget.self]
    )
}
