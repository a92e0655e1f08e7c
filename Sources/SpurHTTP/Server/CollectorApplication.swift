import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SpurCore

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
        let router = buildRouter(configuration: configuration, keyring: keyring, eventLog: eventLog, metrics: metrics)
        let timeout = TimeAmount.nanoseconds(
            configuration.requestTimeout.components.seconds * 1_000_000_000
                + configuration.requestTimeout.components.attoseconds / 1_000_000_000)
        var http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestTimeoutHandler(timeout: timeout)],
            idleTimeout: nil)
        // Above our own 414/431 answers, NIO's parser refuses outright.
        http1.httpDecoder = .init(
            maxHeaderFieldSize: max(configuration.maxHeaderBytes, configuration.maxURIBytes) * 4,
            maxHeaderListSize: configuration.maxHeaderBytes * 4, maxHeaderFieldCount: 200)
        var app = Application(
            router: router,
            server: .http1(configuration: http1),
            configuration: .init(
                address: .hostname(configuration.hostname, port: configuration.port), serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger)
        app.addServices(EventLogService(eventLog: eventLog))
        return app
    }

    public static func buildRouter(
        configuration: CollectorConfiguration,
        keyring: Keyring,
        eventLog: EventLog,
        metrics: CollectorMetrics
    ) -> Router<CollectorContext> {
        let router = Router(context: CollectorContext.self)
        router.middlewares.add(MetricsMiddleware(metrics: metrics))
        router.middlewares.add(
            LimitsMiddleware(maxURIBytes: configuration.maxURIBytes, maxHeaderBytes: configuration.maxHeaderBytes))
        let ingest = Ingestor(configuration: configuration, eventLog: eventLog, keyring: keyring, metrics: metrics)
        TrackingController(ingest: ingest).register(on: router)
        BeaconController(ingest: ingest).register(on: router)
        SiteController(siteOrigins: Set(configuration.siteOrigins)).register(on: router)
        IdentifyController(ingest: ingest, apiKeys: configuration.apiKeys.map { Array($0.utf8) }).register(on: router)
        PrivacyController(cookies: ingest.cookies).register(on: router)
        OperationsController(eventLog: eventLog, metrics: metrics, segmentDirectory: configuration.segmentDirectory)
            .register(on: router)
        return router
    }
}
