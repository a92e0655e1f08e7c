import Foundation
import Hummingbird
import Logging
import NIOCore
import SpurCore

/// Liveness, readiness, metrics and robots.txt.
struct OperationsController: Sendable {
    let eventLog: EventLog
    let metrics: CollectorMetrics
    let segmentDirectory: String
    /// Who may read `/metrics` and `/readyz` (`--metrics-allow`).
    let allow: [IPNetwork]
    let resolver: ClientAddressResolver

    func register(on router: Router<CollectorContext>) {
        router.getAndHead("/healthz") { _, _ in Responses.text(.ok, "ok") }
        router.getAndHead("/readyz") { request, context in
            guard self.isAllowed(request, context) else { return Self.refused }
            return self.readiness(logger: context.logger)
        }
        router.getAndHead("/metrics") { request, context in
            guard self.isAllowed(request, context) else { return Self.refused }
            self.metrics.update(from: self.eventLog.status)
            let buffer = self.metrics.render()
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store",
                    .xContentTypeOptions: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.getAndHead("/robots.txt") { _, _ in
            Responses.text(.ok, "User-agent: *\nDisallow: /", cache: "public, max-age=86400")
        }
    }

    static var refused: Response { Responses.text(.forbidden, "not from this address (--metrics-allow)") }

    /// The client as the collector records it (a trusted proxy's `X-Forwarded-For` believed),
    /// so a request from outside through the proxy is not taken for the proxy's own. Without an
    /// IP peer (a Unix socket) the request is local.
    func isAllowed(_ request: Request, _ context: CollectorContext) -> Bool {
        let peer = context.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        guard let client = resolver.resolve(peer: peer, forwardedFor: request.headers[values: .xForwardedFor]) else {
            return context.remoteAddress?.ipAddress == nil
        }
        return allow.contains { $0.contains(client) }
    }

    /// What is wrong, without file paths (those go to the log).
    func readiness(logger: Logger) -> Response {
        let status = eventLog.status
        var problems: [String] = []
        if !status.running { problems.append("the event log is not running") }
        if let error = status.writeError {
            problems.append("writing events fails (the log names the file)")
            logger.error("Not ready: writing events fails", metadata: ["error": "\(error)"])
        }
        if status.queuedBytes >= status.queueLimitBytes * 9 / 10 {
            problems.append("the write queue is nearly full (\(status.queuedBytes) of \(status.queueLimitBytes) bytes)")
        }
        if access(segmentDirectory, W_OK) != 0 { problems.append("the segment directory is not writable") }
        return problems.isEmpty
            ? Responses.text(.ok, "ready") : Responses.text(.serviceUnavailable, "not ready: " + problems.joined(separator: "; "))
    }
}
