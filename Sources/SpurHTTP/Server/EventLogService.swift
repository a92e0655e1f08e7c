import ServiceLifecycle
import SpurCore

/// Runs the event log's commit loop as a service. Registered before the HTTP server, so on
/// shutdown the server drains first and the log then writes everything and seals.
public struct EventLogService: Service {
    public let eventLog: EventLog

    public init(eventLog: EventLog) {
        self.eventLog = eventLog
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await eventLog.run()
        } onGracefulShutdown: {
            eventLog.stop()
        }
    }
}
