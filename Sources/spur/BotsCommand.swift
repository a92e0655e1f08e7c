import ArgumentParser
import Foundation
import SpurCore

/// `spur bots check`: which user agents the collector would flag `bot` (docs/honest-numbers.md).
struct Bots: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check user agents against the bot patterns the collector uses.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read user agents, one per line, from stdin; print 'bot' or 'human' and the user agent (or, with --count, the totals).")
        @Option(help: "Extra substrings, one per line, as given to spur serve. [env: SPUR_BOT_PATTERNS_FILE]") var botPatternsFile: String?
        @Flag(help: "Only print how many were bots: 'BOTS of TOTAL'.") var count = false

        func run() throws {
            var configuration = TrafficClassifier.Configuration()
            if let file = botPatternsFile ?? Environment.value("SPUR_BOT_PATTERNS_FILE") {
                configuration.extraBotPatterns = try Serve.lines(of: file, flag: "--bot-patterns-file")
            }
            let classifier = TrafficClassifier(configuration: configuration)
            var total = 0, bots = 0
            while let line = readLine(strippingNewline: true) {
                guard !line.isEmpty else { continue }
                let bot = classifier.isBot(userAgent: line)
                total += 1
                if bot { bots += 1 }
                if !count { print((bot ? "bot\t" : "human\t") + Terminal.safe(line)) }
            }
            if count { print("\(bots) of \(total)") }
        }
    }
}
