import Hummingbird
import NIOCore

/// Per-request context: Hummingbird's core storage plus the peer address (for the client IP).
public struct CollectorContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Hummingbird's own decoding limit; the beacon route enforces the configured one.
    public var maxUploadSize: Int { 1 << 20 }
}
