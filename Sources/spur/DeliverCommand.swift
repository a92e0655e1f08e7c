import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import SpurAggregate
import SpurCore
import SpurWebhooks
import UnixSignals

/// Where webhooks and hand-offs go: shared by `spur deliver`, `spur aggregate` and `spur webhooks`.
struct DeliveryOptions: ParsableArguments {
    @Option(help: "Webhook endpoints (YAML, docs/webhooks.md). [env: SPUR_WEBHOOKS]") var webhooks: String?

    func configuration() throws -> WebhookConfiguration? {
        try (webhooks ?? Environment.value("SPUR_WEBHOOKS")).map { try WebhookConfiguration.load(path: $0) }
    }
}

/// `spur deliver`: the long-running outbox drainer (systemd: deploy/spur-deliver.service).
struct Deliver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deliver webhooks (and hand-offs) from the outbox as they come due, until stopped.",
        discussion:
            "Retries failed deliveries with back-off for the webhooks file's retry_for (24h by default), then gives them up: 'spur webhooks retry' sends them again."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var delivery: DeliveryOptions
    @Option(help: "Also hand off leads to this JSON Lines file. [env: SPUR_HANDOFF_FILE]") var handoffFile: String?
    @Option(help: "Also pipe hand-offs into this shell command. [env: SPUR_HANDOFF_COMMAND]") var handoffCommand: String?
    @Option(help: "How often to look at the outbox, e.g. 5s. [env: SPUR_DELIVER_POLL] (default: 5s)") var poll: DurationArgument?
    @Option(help: "Log level. [env: SPUR_LOG_LEVEL] (default: info)") var logLevel: Logger.Level?

    func run() async throws {
        try Environment.bootstrapLogging(logLevel)
        let webhooks = try delivery.configuration() ?? WebhookConfiguration()
        var c = DeliveryService.Configuration(database: store.databasePath, webhooks: webhooks)
        c.handoffFile = handoffFile ?? Environment.value("SPUR_HANDOFF_FILE")
        c.handoffCommand = handoffCommand ?? Environment.value("SPUR_HANDOFF_COMMAND")
        guard !webhooks.endpoints.isEmpty || c.handoffFile != nil || c.handoffCommand != nil else {
            throw ValidationError("nothing to deliver: give --webhooks FILE (or SPUR_WEBHOOKS), --handoff-file or --handoff-command")
        }
        if let d = try Environment.fallback(poll, "SPUR_DELIVER_POLL", flag: "--poll")?.value {
            guard d >= .milliseconds(100) else { throw ValidationError("--poll must be at least 100ms") }
            c.pollInterval = d
        }
        let logger = Logger(label: "spur.deliver")
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: DeliveryService(configuration: c, logger: logger))], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

/// `spur webhooks list|retry|test`.
struct Webhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look into the outbox, send given-up deliveries again, or send a test delivery.", subcommands: [List.self, Retry.self, Test.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliveries, newest first: id, state, attempts, endpoint, event, lead, last error.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this state: pending, delivered or dead.") var state: Delivery.State?
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "Print JSON Lines.") var json = false

        func run() throws {
            for d in try Outbox(database: store.databasePath).list(state: state, limit: limit) {
                if json {
                    let object: [String: Any?] = [
                        "id": d.id, "state": d.state.rawValue, "attempts": d.attempts, "endpoint": d.endpoint, "event": d.event, "lead": d.lead,
                        "created": ISO8601.string(d.createdAt), "last_error": d.lastError,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object.compactMapValues { $0 }, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print(
                        [d.id, d.state.rawValue, "\(d.attempts)", d.endpoint, d.event, Terminal.safe(d.lead), Terminal.safe(d.lastError ?? "")]
                            .joined(separator: "\t"))
                }
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue given-up deliveries again (one by id, or --all), due now.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Every dead delivery.") var all = false
        @Argument(help: "A delivery id from 'spur webhooks list'.") var id: String?

        func validate() throws {
            guard (id == nil) != !all else { throw ValidationError("give a delivery id or --all") }
        }

        func run() throws {
            let n = try Outbox(database: store.databasePath).retry(all ? nil : id, now: SystemTime.nowMillis())
            print("\(n) deliveries queued again; 'spur deliver' sends them")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a signed test delivery (event 'ping') to an endpoint now and say what came back; nothing is queued.")
        @OptionGroup var delivery: DeliveryOptions
        @Argument(help: "The endpoint's name in the webhooks file.") var endpoint: String

        func run() async throws {
            guard let configuration = try delivery.configuration() else { throw ValidationError("give the webhooks file: --webhooks FILE") }
            guard let endpoint = configuration.endpoint(named: endpoint) else {
                throw ValidationError(
                    "no endpoint '\(self.endpoint)' in the webhooks file (\(configuration.endpoints.map(\.name).joined(separator: ", ")))")
            }
            let now = SystemTime.nowMillis()
            let id = Delivery.id(endpoint: endpoint.name, event: "ping", lead: "", at: ISO8601.string(now))
            let body = #"{"created":"\#(ISO8601.string(now))","event":"ping","id":"\#(id)"}"#
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            let deliverer = WebhookDeliverer(configuration: configuration, database: "", client: client, logger: Logger(label: "spur.webhooks"))
            let problem = await deliverer.attempt(
                Delivery(id: id, endpoint: endpoint.name, event: "ping", lead: "", createdAt: now, body: body), endpoint)
            try await client.shutdown()
            if let problem { throw CommandFailure("\(endpoint.name): \(problem)", status: ExitStatus.unavailable) }
            print("\(endpoint.name): delivered \(id) (2xx)")
        }
    }
}

extension Delivery.State: ExpressibleByArgument {}
