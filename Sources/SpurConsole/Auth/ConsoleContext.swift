import Hummingbird
import HummingbirdAuth
import NIOCore

/// What a signed-in browser's session holds: who it is and the token its forms must send back.
public struct ConsoleSession: Codable, Sendable {
    var user: String
    /// The CSRF token of this session: every state-changing form carries it (`CSRF`).
    var csrf: String
}

/// Per-request context: Hummingbird's storage, the session, the signed-in user (looked up in the
/// users file on every request, so role changes and removals act at once), the peer address and
/// the page language.
public struct ConsoleContext: SessionRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let sessions: SessionContext<ConsoleSession>
    public let remoteAddress: SocketAddress?
    var user: ConsoleUser?
    var language: ConsoleLanguage = .en

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        sessions = .init()
        remoteAddress = source.channel.remoteAddress
    }

    /// Forms are small; nothing else is uploaded.
    public var maxUploadSize: Int { 64 * 1024 }
}
