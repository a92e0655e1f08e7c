import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SpurAggregate
import SpurCore

/// Sends due webhook deliveries: one endpoint after another in queue order, each POST signed,
/// with the endpoint's timeout. A 2xx marks the delivery delivered; anything else (a status,
/// a timeout, a reset connection) schedules the next attempt with back-off and jitter, and
/// after the retry period gives it up (dead). A delivery is marked only after the attempt, so a
/// crash in between sends it again with the same id: at least once.
public struct WebhookDeliverer: Sendable {
    public let configuration: WebhookConfiguration
    public let database: String
    let client: HTTPClient
    let logger: Logger
    let clock: @Sendable () -> Int64

    public init(
        configuration: WebhookConfiguration, database: String, client: HTTPClient, logger: Logger,
        clock: (@Sendable () -> Int64)? = nil
    ) {
        self.configuration = configuration
        self.database = database
        self.client = client
        self.logger = logger
        self.clock = clock ?? { SystemTime.nowMillis() }
    }

    public struct Pass: Sendable, Equatable {
        public var delivered = 0
        public var failed = 0
        public var dead = 0
        public init() {}
    }

    /// One pass over every endpoint's due deliveries. An endpoint that fails is left for this
    /// pass (it is probably down), so its later deliveries keep their order.
    public func deliverDue() async throws -> Pass {
        var pass = Pass()
        let outbox = try Outbox(database: database)
        for endpoint in configuration.endpoints {
            while !Task.isCancelled {
                let due = try outbox.due(endpoint: endpoint.name, now: clock(), limit: 50)
                if due.isEmpty { break }
                var failedOnce = false
                for delivery in due {
                    if Task.isCancelled { break }
                    let outcome = await attempt(delivery, endpoint)
                    let now = clock()
                    if outcome == nil {
                        try outbox.record(delivery.id, delivered: true, now: now)
                        pass.delivered += 1
                        continue
                    }
                    let dead = now - delivery.createdAt >= configuration.retryForMillis
                    try outbox.record(
                        delivery.id, delivered: false, error: outcome, nextAt: configuration.nextAttempt(after: delivery.attempts + 1, now: now),
                        dead: dead, now: now)
                    if dead {
                        pass.dead += 1
                        logger.error(
                            "Webhook delivery given up after its retry period; 'spur webhooks retry' sends it again",
                            metadata: ["endpoint": "\(endpoint.name)", "delivery": "\(delivery.id)", "error": "\(outcome ?? "")"])
                    } else {
                        pass.failed += 1
                        logger.warning(
                            "Webhook delivery failed; it will be retried",
                            metadata: ["endpoint": "\(endpoint.name)", "delivery": "\(delivery.id)", "error": "\(outcome ?? "")"])
                    }
                    failedOnce = true
                    break
                }
                if failedOnce { break }
            }
        }
        return pass
    }

    /// Sends one delivery; nil when the endpoint took it (2xx), else what went wrong.
    public func attempt(_ delivery: Delivery, _ endpoint: WebhookConfiguration.Endpoint) async -> String? {
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        let body = Array(delivery.body.utf8)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Spur-Webhooks/1")
        request.headers.add(name: "Spur-Delivery", value: delivery.id)
        request.headers.add(name: "Spur-Event", value: delivery.event)
        request.headers.add(name: "Spur-Signature", value: WebhookSignature.header(body: body, secret: endpoint.secret, time: clock() / 1000))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(endpoint.timeoutMillis))
            // The body is not needed; reading a little of it lets the connection be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else { return "HTTP \(response.status.code)" }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
