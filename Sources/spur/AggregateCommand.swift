import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import SpurAggregate
import SpurCore
import SpurWebhooks

/// `spur aggregate`: the nightly job.
struct Aggregate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fold sealed segments into the lead database and rescore every lead.",
        discussion: """
            Exit status: 0 clean, 1 damaged segments found (their valid frames were folded), \
            2 a segment was refused (same name, different bytes than already folded), 3 the hand-off failed; webhooks that fail are retried, not an error; \
            64 usage, 66 no segment directory, 74 the database or a file could not be written, 78 invalid rules (docs/cli.md).
            """)

    @OptionGroup var store: StoreOptions
    @Option(name: .long, help: "Scoring rules (YAML). [env: SPUR_RULES] (default: the built-in rules)") var rules: String?
    @Option(name: .long, help: "Score as of this date or time (2026-11-22 means the end of that UTC day). (default: now)") var asOf: String?
    @Flag(help: "Refold every segment into a fresh database and swap it in atomically.") var rebuild = false
    @Option(help: "Append leads newly reaching the hand-off stage to this JSON Lines file. [env: SPUR_HANDOFF_FILE]") var handoffFile: String?
    @Option(help: "Run this shell command with those leads as JSON Lines on stdin. [env: SPUR_HANDOFF_COMMAND]") var handoffCommand: String?
    @OptionGroup var delivery: DeliveryOptions
    @OptionGroup var audienceDefinitions: AudienceOptions
    @Flag(help: "No progress line, only the summary.") var quiet = false

    func validate() throws {
        if let asOf, ISO8601.parse(asOf) == nil {
            throw ValidationError("--as-of '\(asOf)' is not a date like 2026-11-22 or 2026-11-22T06:00:00Z")
        }
    }

    func run() async throws {
        let asOfMillis = asOf.flatMap(ISO8601.parse) ?? SystemTime.nowMillis()
        let scoring = try ScoringRules.load(path: rules ?? Environment.value("SPUR_RULES"))
        var options = Aggregator.Options(
            dataDirectories: store.directories, database: store.databasePath, rules: scoring, asOfMillis: asOfMillis)
        options.rebuild = rebuild
        options.handoffFile = handoffFile ?? Environment.value("SPUR_HANDOFF_FILE")
        options.handoffCommand = handoffCommand ?? Environment.value("SPUR_HANDOFF_COMMAND")
        options.webhooks = try delivery.configuration()
        options.audiences = try audienceDefinitions.definitions()
        var logger = Logger(label: "spur.aggregate")
        logger.logLevel = .warning
        let progress = ProgressLine(quiet: quiet)
        let summary = try Aggregator(options: options, logger: logger).run { done, total, events in
            progress.update(done: done, total: total) {
                String(format: "%d/%d segments, %d events (%.0f events/s)", done, total, events, Double(events) / progress.seconds)
            }
        }
        progress.finish()
        for (segment, damage) in summary.damage { print("damaged: \(segment) \(damage)") }
        for name in summary.segmentsRefused { print("refused: \(name) differs from the segment already folded under this name") }
        print(summary.description + String(format: " in %.1fs", progress.seconds))
        if let webhooks = options.webhooks, !webhooks.endpoints.isEmpty {
            // One attempt now, so that installs with cron and no 'spur deliver' get their webhooks too.
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            let pass = try await WebhookDeliverer(configuration: webhooks, database: options.database, client: client, logger: logger).deliverDue()
            try await client.shutdown()
            print(
                "webhooks: \(pass.delivered) delivered, \(pass.failed) failed (retried later by 'spur deliver' or the next run), \(pass.dead) given up"
            )
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}
