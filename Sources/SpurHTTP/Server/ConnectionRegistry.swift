import Logging
import NIOCore
import Synchronization

/// The collector's open connections, capped below the process's file-handle limit (issue 17,
/// attack 1). At the cap a new connection takes the place of the connection that has waited
/// longest without a request being worked on (an idle keep-alive or a half-sent head); when
/// every connection is busy, the new one is closed at once — refused fast, never left waiting
/// in the kernel's queue. Counted in `spur_connections_refused_total` and
/// `spur_connections_evicted_total`, logged once a minute at most.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        var channel: any Channel
        var busy = false
        /// Order of the last change to idle: the smallest has waited longest.
        var idleSince: UInt64
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var clock: UInt64 = 0
        var loggedAt: ContinuousClock.Instant?
    }

    let cap: Int
    private let state = Mutex(State())
    private let metrics: CollectorMetrics
    private let logger = Logger(label: "spur.connections")

    init(cap: Int, metrics: CollectorMetrics) {
        self.cap = cap
        self.metrics = metrics
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Registers a new connection; false when it must be closed (the cap is reached and no
    /// connection is idle). An idle connection evicted for it is closed here.
    func admit(_ channel: any Channel) -> Bool {
        let (admitted, evicted): (Bool, (any Channel)?) = state.withLock { s in
            s.clock += 1
            var evicted: (any Channel)?
            if s.entries.count >= cap {
                guard let oldest = s.entries.filter({ !$0.value.busy }).min(by: { $0.value.idleSince < $1.value.idleSince }) else {
                    return (false, nil)
                }
                evicted = oldest.value.channel
                s.entries[oldest.key] = nil
            }
            s.entries[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: s.clock)
            return (true, evicted)
        }
        if let evicted {
            evicted.close(promise: nil)
            metrics.connectionEvicted()
            warn("At the connection cap: the longest idle connection was closed for a new one")
        }
        if !admitted {
            metrics.connectionRefused()
            warn("At the connection cap with every connection busy: new connections are refused")
        }
        return admitted
    }

    func remove(_ channel: any Channel) {
        state.withLock { $0.entries[ObjectIdentifier(channel)] = nil }
    }

    /// A request is being worked on (true) or was answered (false).
    func setBusy(_ channel: any Channel, _ busy: Bool) {
        state.withLock { s in
            s.clock += 1
            let clock = s.clock
            s.entries[ObjectIdentifier(channel)].map { entry in
                var entry = entry
                entry.busy = busy
                if !busy { entry.idleSince = clock }
                s.entries[ObjectIdentifier(channel)] = entry
            }
        }
    }

    private func warn(_ message: Logger.Message) {
        let due = state.withLock { s -> Bool in
            let now = ContinuousClock.now
            if let last = s.loggedAt, last.duration(to: now) < .seconds(60) { return false }
            s.loggedAt = now
            return true
        }
        if due { logger.warning(message, metadata: ["cap": "\(cap)"]) }
    }
}

/// First in every connection's pipeline: registers it with the `ConnectionRegistry` (closing it
/// at once when refused), and makes an HTTP/1.0 request without `Connection: keep-alive` close
/// after its response, as HTTP/1.0 means — by adding `Connection: close` to its head, which the
/// HTTP layer honours (the version itself does not survive into the request Spur's routes see).
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let registry: ConnectionRegistry
    private var registered = false
    private var firstBytes = true

    init(registry: ConnectionRegistry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(context.channel)
        context.fireChannelInactive()
    }

    private func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        if !registry.admit(context.channel) { context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard firstBytes else { return context.fireChannelRead(data) }
        firstBytes = false
        var buffer = unwrapInboundIn(data)
        if let rewritten = Self.closingHTTP10(buffer) { buffer = rewritten }
        context.fireChannelRead(wrapInboundOut(buffer))
    }

    /// The first request of the connection with `Connection: close` added, when it is an
    /// HTTP/1.0 request line without `Connection: keep-alive`; nil otherwise (or when the
    /// request line is not complete in these first bytes).
    static func closingHTTP10(_ buffer: ByteBuffer) -> ByteBuffer? {
        let view = buffer.readableBytesView
        guard let lineEnd = view.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = view[view.startIndex..<lineEnd]
        let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
        guard trimmed.count > 9, trimmed.suffix(9).elementsEqual(" HTTP/1.0".utf8) else { return nil }
        let lower = String(decoding: view[lineEnd...].prefix(16 * 1024), as: UTF8.self).lowercased()
        if lower.contains("\nconnection: keep-alive") || lower.contains("\nconnection:keep-alive") { return nil }
        var out = ByteBufferAllocator().buffer(capacity: buffer.readableBytes + 19)
        out.writeBytes(view[view.startIndex...lineEnd])
        out.writeString("Connection: close\r\n")
        out.writeBytes(view[(lineEnd + 1)...])
        return out
    }
}
