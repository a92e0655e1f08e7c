import Foundation
import Hummingbird
import NIOCore
import SpurCore

/// Liveness, readiness, metrics and robots.txt.
struct OperationsController: Sendable {
    let eventLog: EventLog
    let metrics: CollectorMetrics
    let segmentDirectory: String

    func register(on router: Router<CollectorContext>) {
        router.getAndHead("/healthz") { _, _ in Responses.text(.ok, "ok") }
        router.getAndHead("/readyz") { _, _ in self.readiness() }
        router.getAndHead("/metrics") { _, _ in
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

    func readiness() -> Response {
        let status = eventLog.status
        var problems: [String] = []
        if !status.running { problems.append("the event log is not running") }
        if let error = status.writeError { problems.append("writing events fails: \(error)") }
        if status.queuedBytes >= status.queueLimitBytes * 9 / 10 {
            problems.append("the write queue is nearly full (\(status.queuedBytes) of \(status.queueLimitBytes) bytes)")
        }
        if access(segmentDirectory, W_OK) != 0 { problems.append("the segment directory is not writable") }
        return problems.isEmpty
            ? Responses.text(.ok, "ready") : Responses.text(.serviceUnavailable, "not ready: " + problems.joined(separator: "; "))
    }
}
