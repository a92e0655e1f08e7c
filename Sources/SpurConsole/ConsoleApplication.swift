import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import NIOCore
import SpurCore

/// Builds the console: the middleware chain (security headers, sessions, sign-in) and the
/// pages. Reads the aggregator's database; writes only when an admin erases a lead.
public enum ConsoleApplication {
    public static func buildRouter(configuration: ConsoleConfiguration, logger: Logger) throws -> (
        Router<ConsoleContext>, MemoryPersistDriver<ContinuousClock>
    ) {
        let renderer = try PageRenderer()
        let users = UserDirectory(store: UserStore(path: configuration.usersFile))
        let data = ConsoleData(database: configuration.database, dataDirectories: configuration.dataDirectories)
        let sessions = MemoryPersistDriver(configuration: .init(tidyFrequency: .seconds(60)))
        let router = Router(context: ConsoleContext.self)
        router.middlewares.add(
            SecurityHeadersMiddleware(
                trackingHosts: configuration.trackingHosts, secureCookies: configuration.secureCookies,
                trustedProxies: configuration.trustedProxies, renderer: renderer))
        router.middlewares.add(
            SessionMiddleware(
                storage: sessions,
                configuration: .init(
                    sessionCookieParameters: .init(name: "spur_console_session", path: "/", sameSite: .strict), keyPrefix: "console.",
                    defaultSessionExpiration: configuration.sessionIdle)))
        router.middlewares.add(AuthenticationMiddleware(users: users, idle: configuration.sessionIdle))
        router.get("/static/console.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: ConsoleStyle.css)))
        }
        LoginController(
            users: users, throttle: LoginThrottle(limits: configuration.loginLimits), renderer: renderer, configuration: configuration,
            resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies)
        ).register(on: router)
        OverviewController(data: data, renderer: renderer).register(on: router)
        LeadsController(data: data, renderer: renderer).register(on: router)
        LeadController(data: data, renderer: renderer, configuration: configuration).register(on: router)
        CampaignsController(data: data, renderer: renderer).register(on: router)
        AudiencesController(data: data, renderer: renderer).register(on: router)
        PagesController(data: data, renderer: renderer).register(on: router)
        let api = router.group(RouterPath(APIRoutes.prefix)).add(
            middleware: APIMiddleware(
                keys: APIKeyring(store: APIKeyStore(path: configuration.apiKeyStore)),
                limiter: APIRateLimiter(perMinute: configuration.apiRequestsPerMinute)))
        APIController(data: data, rules: configuration.rules).register(on: api)
        return (router, sessions)
    }

    /// The whole application; its session store is a service (it expires idle sessions).
    public static func build(configuration: ConsoleConfiguration, logger: Logger) throws -> some ApplicationProtocol {
        let (router, sessions) = try buildRouter(configuration: configuration, logger: logger)
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.hostname, port: configuration.port), serverName: nil),
            logger: logger)
        app.addServices(sessions)
        return app
    }
}

extension ConsoleApplication {
    /// Runs the console until a graceful shutdown; a failure to bind is `ConsoleError.cannotListen`.
    public static func run(configuration: ConsoleConfiguration, logger: Logger) async throws {
        let app = try build(configuration: configuration, logger: logger)
        do {
            try await app.runService()
        } catch let error as IOError {
            throw ConsoleError.cannotListen(
                address: "\(configuration.hostname):\(configuration.port)", reason: String(cString: strerror(error.errnoCode)))
        }
    }
}
