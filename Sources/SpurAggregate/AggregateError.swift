import Foundation
import SpurCore

/// Everything that can go wrong in the aggregator, its store and its readers. The edge maps the
/// cases to exit codes (`spur`, docs/cli.md) or HTTP statuses; the descriptions are one line
/// that names the file or value and, where there is one, what to do.
public enum AggregateError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A rules file (or rules text) that is not valid; the problem names the path inside it.
    case invalidRules(String)
    /// No `segments/` folder in a data directory.
    case noSegmentDirectory(String)
    /// No database at the path (nothing aggregated yet, or a wrong `--db`/`--data`).
    case noDatabase(String)
    /// SQLite refused: its result code and message.
    case database(path: String, code: Int32, message: String)
    /// A file operation failed with `errno`.
    case fileSystem(operation: String, path: String, errno: Int32)
    /// Delivering queued hand-offs failed; they stay queued.
    case handoffFailed(String)
    /// A paging cursor that this store did not hand out (or that belongs to another sort).
    case invalidCursor(String)
    /// A query parameter out of range.
    case invalidQuery(String)
    /// A webhooks file that is not valid; the problem names the endpoint and key.
    case invalidWebhooks(String)
    /// An audiences file that is not valid; the problem names the path inside it.
    case invalidAudiences(String)
    /// No outbox delivery with this id (or none in a state the command applies to).
    case noDelivery(String)

    public var description: String {
        switch self {
        case .invalidRules(let problem): return "invalid scoring rules: \(problem)"
        case .noSegmentDirectory(let path):
            return "no segment directory at \(path): point --data (or SPUR_DATA) at the collector's data directory"
        case .noDatabase(let path): return "no database at \(path): run 'spur aggregate' first (or pass --db / --data)"
        case .database(let path, let code, let message): return "database \(path): \(message) (SQLite error \(code))"
        case .fileSystem(let operation, let path, let code): return "cannot \(operation) \(path): \(String(cString: strerror(code)))"
        case .handoffFailed(let problem): return "hand-off failed: \(problem)"
        case .invalidCursor(let cursor): return "the cursor '\(cursor.prefix(40))' is not one this query handed out: start again without it"
        case .invalidQuery(let problem): return problem
        case .invalidWebhooks(let problem): return "invalid webhooks: \(problem)"
        case .invalidAudiences(let problem): return "invalid audiences: \(problem)"
        case .noDelivery(let id): return "no delivery '\(id)' that can be retried: see 'spur webhooks list'"
        }
    }
}

extension AggregateError {
    /// A file-system failure of SpurCore's layer, as this module reports it.
    init(_ core: SpurError) {
        if case .io(let operation, let path, let code) = core {
            self = .fileSystem(operation: operation, path: path, errno: code)
        } else {
            self = .handoffFailed(core.description)
        }
    }
}
