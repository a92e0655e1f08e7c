import Foundation
import Hummingbird
import NIOCore

/// What can stop the collector from serving; `spur serve` maps it to its exit status.
public enum CollectorError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The listen address cannot be bound (in use, not on this machine, no permission).
    case cannotListen(address: String, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let address, let reason): "cannot listen on \(address): \(reason)"
        }
    }
}

extension CollectorApplication {
    /// Runs the collector until a graceful shutdown. A failure to bind ends it at once with
    /// `CollectorError.cannotListen` (the event log, already running, stops and seals).
    public static func run(_ app: some ApplicationProtocol, configuration: CollectorConfiguration) async throws {
        do {
            try await app.runService()
        } catch let error as IOError {
            throw CollectorError.cannotListen(
                address: "\(configuration.hostname):\(configuration.port)", reason: String(cString: strerror(error.errnoCode)))
        }
    }
}
