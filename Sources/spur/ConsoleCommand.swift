import ArgumentParser
import Foundation
import Logging
import SpurAggregate
import SpurConsole
import SpurCore

/// `spur console`: the web console (and `spur console user` to manage who may sign in).
struct Console: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the web console for marketing and sales (leads, campaigns, health), or manage its users.",
        discussion:
            "Serves on 127.0.0.1:8081 by default; put it behind a TLS proxy on its own host name, never on the tracking host (docs/console.md).",
        subcommands: [ConsoleServe.self, ConsoleUsers.self], defaultSubcommand: ConsoleServe.self)
}

struct ConsoleServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the web console (the default).")

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on. [env: SPUR_CONSOLE_HOST] (default: 127.0.0.1)") var host: String?
    @Option(help: "Port to listen on. [env: SPUR_CONSOLE_PORT] (default: 8081)") var port: Int?
    @Option(help: "Users file. [env: SPUR_CONSOLE_USERS_FILE] (default: DATA/console-users of the first --data)") var usersFile: String?
    @Option(name: .long, help: "Scoring rules (YAML) the aggregator uses, for the score history. [env: SPUR_RULES] (default: the built-in rules)")
    var rules: String?
    @Option(help: "Sign out after this long without a request, e.g. 30m. [env: SPUR_CONSOLE_SESSION_IDLE] (default: 30m)")
    var sessionIdle: DurationArgument?
    @Option(help: "Secure cookies: auto (when a trusted proxy says https), on, off. [env: SPUR_CONSOLE_SECURE_COOKIES] (default: auto)")
    var secureCookies: Serve.CookieSecurity?
    @Option(help: "Trusted reverse proxy address or CIDR (repeatable). [env: SPUR_CONSOLE_TRUSTED_PROXIES, comma-separated]")
    var trustedProxy: [String] = []
    @Option(help: "Read API requests a minute per key. [env: SPUR_CONSOLE_API_RATE_LIMIT] (default: 600)") var apiRateLimit: Int?
    @Option(help: "Log level. [env: SPUR_LOG_LEVEL] (default: info)") var logLevel: Logger.Level?

    func validate() throws { _ = try consoleConfiguration() }

    func run() async throws {
        try Environment.bootstrapLogging(logLevel)
        let logger = Logger(label: "spur.console")
        let configuration = try consoleConfiguration()
        let users = try UserStore(path: configuration.usersFile).users()
        if users.isEmpty {
            logger.warning(
                "No console users yet: nobody can sign in. Add one with 'spur console user add NAME --role admin'",
                metadata: ["users_file": "\(configuration.usersFile)"])
        }
        logger.info(
            "Spur console starting",
            metadata: ["address": "\(configuration.hostname):\(configuration.port)", "database": "\(configuration.database)"])
        try await ConsoleApplication.run(configuration: configuration, logger: logger)
    }

    func consoleConfiguration() throws -> ConsoleConfiguration {
        var c = ConsoleConfiguration(rules: try ScoringRules.load(path: rules ?? Environment.value("SPUR_RULES")))
        c.hostname = host ?? Environment.value("SPUR_CONSOLE_HOST") ?? c.hostname
        if let p = try Environment.fallback(port, "SPUR_CONSOLE_PORT", flag: "--port") {
            guard (0...65535).contains(p) else { throw ValidationError("--port must be 0–65535") }
            c.port = p
        }
        c.dataDirectories = store.directories
        c.database = store.databasePath
        c.usersFile = usersFile ?? Environment.value("SPUR_CONSOLE_USERS_FILE") ?? UserStore.defaultPath(dataDirectory: store.directories[0])
        c.apiKeyStore = APIKeyStore.defaultPath(dataDirectory: store.directories[0])
        if let n = try Environment.fallback(apiRateLimit, "SPUR_CONSOLE_API_RATE_LIMIT", flag: "--api-rate-limit") {
            guard (1...1_000_000).contains(n) else { throw ValidationError("--api-rate-limit must be 1–1000000 requests a minute") }
            c.apiRequestsPerMinute = n
        }
        if let d = try Environment.fallback(sessionIdle, "SPUR_CONSOLE_SESSION_IDLE", flag: "--session-idle")?.value {
            guard d >= .seconds(60), d <= .seconds(7 * 86400) else { throw ValidationError("--session-idle must be between 1m and 168h") }
            c.sessionIdle = d
        }
        switch try Environment.fallback(secureCookies, "SPUR_CONSOLE_SECURE_COOKIES", flag: "--secure-cookies") ?? .auto {
        case .auto: c.secureCookies = nil
        case .on: c.secureCookies = true
        case .off: c.secureCookies = false
        }
        c.trustedProxies = try Environment.list(trustedProxy, "SPUR_CONSOLE_TRUSTED_PROXIES").map { text in
            guard let net = IPNetwork(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--trusted-proxy '\(text)' is not an IP address or CIDR range")
            }
            return net
        }
        // The console refuses requests addressed to the tracking host the collectors announce.
        c.trackingHosts = Set(
            store.directories.compactMap { PublicURLRecord.read(dataDirectory: $0) }.compactMap { URL(string: $0)?.host?.lowercased() }
        )
        return c
    }
}

/// `spur console user add|remove|passwd|list`.
struct ConsoleUsers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage who may sign in to the console (passwords are read from the terminal or stdin, never from arguments).",
        subcommands: [Add.self, Remove.self, Passwd.self, List.self])

    struct FileOptions: ParsableArguments {
        @Option(name: .long, help: "Data directory. [env: SPUR_DATA] (default: \(Defaults.dataDirectory))") var data: String?
        @Option(help: "Users file. [env: SPUR_CONSOLE_USERS_FILE] (default: DATA/console-users)") var usersFile: String?

        var userStore: UserStore {
            UserStore(
                path: usersFile ?? Environment.value("SPUR_CONSOLE_USERS_FILE")
                    ?? UserStore.defaultPath(dataDirectory: data ?? Environment.value("SPUR_DATA") ?? Defaults.dataDirectory))
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; the password is asked for (or read from stdin).")
        @OptionGroup var file: FileOptions
        @Option(help: "viewer (reads) or admin (also erases leads).") var role: ConsoleRole = .viewer
        @Argument(help: "User name.") var name: String

        func run() throws {
            let store = file.userStore
            try FileManager.default.createDirectory(atPath: (store.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try store.add(name, role: role, password: try Password.read(confirm: true))
            print("added \(name) (\(role.rawValue)) to \(store.path)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user (signed out at the next request).")
        @OptionGroup var file: FileOptions
        @Argument(help: "User name.") var name: String

        func run() throws {
            try file.userStore.remove(name)
            print("removed \(name)")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (and optionally the role).")
        @OptionGroup var file: FileOptions
        @Option(help: "New role: viewer or admin.") var role: ConsoleRole?
        @Argument(help: "User name.") var name: String

        func run() throws {
            try file.userStore.update(name, password: try Password.read(confirm: true), role: role)
            print("updated \(name)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their roles.")
        @OptionGroup var file: FileOptions

        func run() throws {
            for user in try file.userStore.users() { print("\(Terminal.safe(user.name))\t\(user.role.rawValue)") }
        }
    }
}

extension ConsoleRole: ExpressibleByArgument {}

/// Reads a password without echo from the terminal, or one line from stdin when it is not a terminal.
enum Password {
    static func read(confirm: Bool) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CommandFailure("no password on stdin", status: ExitStatus.usage)
            }
            return line
        }
        let first = try prompt("Password: ")
        if confirm, try prompt("Again: ") != first { throw CommandFailure("the passwords differ", status: ExitStatus.usage) }
        return first
    }

    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var old = termios()
        tcgetattr(STDIN_FILENO, &old)
        var silent = old
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw CommandFailure("no password given", status: ExitStatus.usage) }
        return line
    }
}
