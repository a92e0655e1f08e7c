import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import SpurAggregate
import SpurCore

/// `spur deliver`: drains the outbox until a graceful shutdown — webhook deliveries as they come
/// due, and hand-offs when a file or command is configured. A shutdown lets the attempt in
/// flight finish and be recorded.
public struct DeliveryService: Service {
    public struct Configuration: Sendable {
        public var database: String
        public var webhooks: WebhookConfiguration
        public var handoffFile: String?
        public var handoffCommand: String?
        /// How often the outbox is looked at.
        public var pollInterval: Duration = .seconds(5)

        public init(database: String, webhooks: WebhookConfiguration) {
            self.database = database
            self.webhooks = webhooks
        }
    }

    let configuration: Configuration
    let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let deliverer = WebhookDeliverer(configuration: configuration.webhooks, database: configuration.database, client: client, logger: logger)
        logger.info(
            "Spur deliver started",
            metadata: [
                "endpoints": "\(configuration.webhooks.endpoints.map(\.name).joined(separator: ","))", "database": "\(configuration.database)",
            ])
        let stopping = NIOLockedValueBox(false)
        await withGracefulShutdownHandler {
            while !stopping.withLockedValue({ $0 }) && !Task.isCancelled {
                do {
                    let pass = try await deliverer.deliverDue()
                    if pass != .init() {
                        self.logger.info(
                            "Delivered", metadata: ["delivered": "\(pass.delivered)", "failed": "\(pass.failed)", "dead": "\(pass.dead)"])
                    }
                    if self.configuration.handoffFile != nil || self.configuration.handoffCommand != nil {
                        let result = try Outbox(database: self.configuration.database).deliverHandoffs(
                            file: self.configuration.handoffFile, command: self.configuration.handoffCommand, now: SystemTime.nowMillis())
                        if let error = result.error { self.logger.error("Hand-off failed; retried later", metadata: ["error": "\(error)"]) }
                    }
                } catch AggregateError.noDatabase {
                    // Nothing aggregated yet: wait for the first run.
                } catch {
                    self.logger.error("Delivering failed; retried at the next poll", metadata: ["error": "\(error)"])
                }
                // Short naps, so that a shutdown does not wait for the whole interval.
                let until = ContinuousClock.now + self.configuration.pollInterval
                while ContinuousClock.now < until && !stopping.withLockedValue({ $0 }) {
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
        } onGracefulShutdown: {
            stopping.withLockedValue { $0 = true }
        }
        try await client.shutdown()
        logger.info("Spur deliver stopped")
    }
}
