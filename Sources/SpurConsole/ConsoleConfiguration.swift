import SpurAggregate
import SpurCore

/// Everything `spur console` is configured with (flags and `SPUR_CONSOLE_*`, docs/configuration.md).
public struct ConsoleConfiguration: Sendable {
    public var hostname = "127.0.0.1"
    public var port = 8081
    /// The collectors' data directories (the health page lists their segments; erasure rewrites them).
    public var dataDirectories: [String] = ["./spur-data"]
    public var database = "./spur-data/spur.sqlite"
    public var usersFile = "./spur-data/console-users"
    /// The rules the aggregator scores with: the lead page's score history uses them.
    public var rules: ScoringRules
    /// A session ends after this long without a request.
    public var sessionIdle: Duration = .seconds(30 * 60)
    /// Session cookies only over HTTPS; nil: when the request came through a TLS proxy
    /// (`X-Forwarded-Proto: https` from a trusted proxy).
    public var secureCookies: Bool?
    /// Proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    public var trustedProxies: [IPNetwork] = []
    /// Host names of the public tracking host: the console refuses requests addressed to them.
    public var trackingHosts: Set<String> = []
    var loginLimits = LoginThrottle.Limits()
    /// The API keys `spur keys` writes; the read API accepts those with scope `read`.
    public var apiKeyStore = "./spur-data/api-keys"
    /// API requests a minute per key (a minute's worth may come at once).
    public var apiRequestsPerMinute = 600

    public init(rules: ScoringRules) { self.rules = rules }

    public mutating func setLoginLimits(perUser: Int, perAddress: Int, window: Duration) {
        loginLimits = .init(perUser: perUser, perAddress: perAddress, window: window)
    }
}
