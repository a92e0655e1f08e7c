import Foundation

/// Everything that can go wrong in SpurCore: storage, secrets, tokens, the event log and the
/// inputs it parses. The edges map the cases: the collector to HTTP statuses, `spur` to exit
/// codes (docs/cli.md). Each description is one line naming the file or value.
public enum SpurError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A file operation failed with `errno`.
    case io(operation: String, path: String, errno: Int32)
    /// The signing keys are missing, unreadable or not valid.
    case secret(String)
    /// A link token that does not verify.
    case token(TokenProblem)
    /// The event log cannot take events: not running, failing to write, or its queue is full.
    case eventLog(EventLogProblem, String)
    /// A value a link, a beacon, an identify call or a command line may not carry.
    case invalidInput(String)
    /// A recipients CSV file that cannot be used.
    case invalidRecipients(String)
    /// A newsletter that cannot be wrapped.
    case invalidNewsletter(String)
    /// Another running collector writes segments as this node in this data directory.
    case nodeInUse(node: String, lock: String)

    /// Why a token was refused. The collector answers all of them alike (4xx, no redirect).
    public enum TokenProblem: Sendable, Equatable {
        case malformed
        case unknownKey
        case badSignature
        case invalidContent(String)
    }

    public enum EventLogProblem: Sendable, Equatable {
        case unavailable, queueFull, stopped
    }

    /// The disk (or quota) is full: a condition that goes away by itself.
    public var isNoSpace: Bool {
        if case .io(_, _, let code) = self { return code == ENOSPC || code == EDQUOT }
        return false
    }

    public var description: String {
        switch self {
        case .io(let operation, let path, let code): "\(operation) \(path): \(String(cString: strerror(code))) (errno \(code))"
        case .secret(let problem): problem
        case .token(.malformed): "the token is malformed"
        case .token(.unknownKey): "the token was signed with a key this server does not have"
        case .token(.badSignature): "the token's signature does not match"
        case .token(.invalidContent(let why)): "the token's content is invalid: \(why)"
        case .nodeInUse(let node, let lock):
            "another spur serve is running as node \(node) in this data directory (it holds \(lock)): give each collector its own --node, or stop the other one"
        case .eventLog(_, let detail): detail
        case .invalidInput(let problem), .invalidRecipients(let problem), .invalidNewsletter(let problem): problem
        }
    }
}
