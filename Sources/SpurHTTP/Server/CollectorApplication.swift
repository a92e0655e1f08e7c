import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import SpurCore
import SpurHTTP1

/// Builds the collector: routes, middleware, the event log service and the HTTP server.
public enum CollectorApplication {
    /// - Parameters:
    ///   - eventLog: the opened event log; its service is added to the application, so it
    ///     starts before the server and is shut down (drained, sealed) after it.
    public static func build(
        configuration: CollectorConfiguration,
        keyring: Keyring,
        eventLog: EventLog,
        metrics: CollectorMetrics,
        logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var app = application(
            configuration: configuration,
            ingest: Ingestor(configuration: configuration, eventLog: eventLog, keyring: keyring, metrics: metrics),
            logger: logger, onServerRunning: onServerRunning)
        app.addServices(EventLogService(eventLog: eventLog))
        return app
    }

    /// The HTTP server with the router and the tracking fast path, without the event log's service.
    static func application(
        configuration: CollectorConfiguration,
        ingest: Ingestor,
        logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> Application<RouterResponder<CollectorContext>> {
        let router = buildRouter(configuration: configuration, ingest: ingest)
        let tracker = Tracker(ingest: ingest)
        let timeout = TimeAmount(configuration.requestTimeout)
        let headTimeout = TimeAmount(configuration.headTimeout)
        let registry = ConnectionRegistry(cap: configuration.connectionCap, metrics: ingest.metrics)
        var http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                RequestTimeoutHandler(timeout: timeout, headTimeout: headTimeout, registry: registry, waitsForHandOff: true)
            ],
            idleTimeout: nil)
        let fastPath = TrackingScannerHandler.Configuration(
            tracker: tracker,
            scanner: RequestScanner(maxTargetBytes: configuration.maxURIBytes, maxHeadBytes: configuration.maxHeaderBytes * 2),
            maxHeaderBytes: configuration.maxHeaderBytes, headTimeout: headTimeout, registry: registry)
        // Above our own 414/431 answers, NIO's parser refuses outright.
        http1.httpDecoder = .init(
            maxHeaderFieldSize: max(configuration.maxHeaderBytes, configuration.maxURIBytes) * 4,
            maxHeaderListSize: configuration.maxHeaderBytes * 4, maxHeaderFieldCount: 200)
        let configured = http1
        let server = HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                inner: HTTP1Channel(responder: responder, configuration: configured), registry: registry, fastPath: fastPath)
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(configuration.hostname, port: configuration.port), serverName: nil),
            onServerRunning: onServerRunning,
            eventLoopGroupProvider: configuration.eventLoopThreads.map {
                .shared(MultiThreadedEventLoopGroup(numberOfThreads: $0))
            } ?? .singleton,
            logger: logger)
    }

    /// The router alone, without the event-loop fast path (route tests use it directly).
    public static func buildRouter(
        configuration: CollectorConfiguration,
        keyring: Keyring,
        eventLog: EventLog,
        metrics: CollectorMetrics
    ) -> Router<CollectorContext> {
        buildRouter(
            configuration: configuration,
            ingest: Ingestor(configuration: configuration, eventLog: eventLog, keyring: keyring, metrics: metrics))
    }

    static func buildRouter(configuration: CollectorConfiguration, ingest: Ingestor) -> Router<CollectorContext> {
        let router = Router(context: CollectorContext.self)
        let (eventLog, metrics) = (ingest.eventLog, ingest.metrics)
        router.middlewares.add(MetricsMiddleware(metrics: metrics))
        router.middlewares.add(
            LimitsMiddleware(maxURIBytes: configuration.maxURIBytes, maxHeaderBytes: configuration.maxHeaderBytes))
        TrackingController(tracker: Tracker(ingest: ingest)).register(on: router)
        BeaconController(ingest: ingest).register(on: router)
        SiteController(siteOrigins: Set(configuration.siteOrigins)).register(on: router)
        IdentifyController(
            ingest: ingest, keys: APIKeyring(store: configuration.apiKeyStore.map(APIKeyStore.init(path:)), fixed: configuration.apiKeys)
        ).register(on: router)
        PrivacyController(cookies: ingest.cookies).register(on: router)
        ConsentController(ingest: ingest).register(on: router)
        OperationsController(
            eventLog: eventLog, metrics: metrics, segmentDirectory: configuration.segmentDirectory, allow: configuration.metricsAllow,
            resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies)
        ).register(on: router)
        return router
    }
}
