import ArgumentParser
import Foundation
import Logging
import SpurAggregate
import SpurCore
import SpurHTTP

/// Reads `SPUR_*` environment variables: the fallback for every flag (docs/configuration.md).
enum Environment {
    static func value(_ name: String) -> String? {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else { return nil }
        return v
    }

    /// The flag's value, else the variable's read the way the flag is read, else nil.
    static func fallback<T: ExpressibleByArgument>(_ flag: T?, _ variable: String, flag name: String) throws -> T? {
        if let flag { return flag }
        guard let text = value(variable) else { return nil }
        guard let parsed = T(argument: text) else {
            throw ValidationError(
                "\(variable)='\(text)' is not a valid value for \(name)"
                    + (T.allValueStrings.isEmpty ? "" : " (\(T.allValueStrings.joined(separator: ", ")))"))
        }
        return parsed
    }

    /// Logs to stderr at `--log-level`, else `SPUR_LOG_LEVEL`, else info (the long-running commands).
    static func bootstrapLogging(_ flag: Logger.Level?) throws {
        let level = try fallback(flag, "SPUR_LOG_LEVEL", flag: "--log-level") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// A comma-separated list variable, for repeatable flags.
    static func list(_ flag: [String], _ variable: String) -> [String] {
        guard flag.isEmpty else { return flag }
        return value(variable)?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
    }
}

/// The defaults, written once: help texts are derived from these.
enum Defaults {
    static let collector = CollectorConfiguration()
    static var dataDirectory: String { collector.dataDirectory }
}

/// `--data`, for the commands that use one data directory.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory: segments, secret and database live here. [env: SPUR_DATA] (default: \(Defaults.dataDirectory))")
    var data: String?

    var directory: String { data ?? Environment.value("SPUR_DATA") ?? Defaults.dataDirectory }
}

/// `--data` (repeatable, one per collector) and `--db`: where the segments and the aggregator's
/// database are. Shared by `aggregate`, `forget`, `segments prune`, `leads` and `report`.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Data directory with a segments/ folder (repeatable, one per collector). [env: SPUR_DATA] (default: \(Defaults.dataDirectory))")
    var data: [String] = []
    @Option(name: .long, help: "SQLite database. [env: SPUR_DB] (default: DATA/spur.sqlite of the first --data)")
    var db: String?

    var directories: [String] { data.isEmpty ? [Environment.value("SPUR_DATA") ?? Defaults.dataDirectory] : data }
    var databasePath: String { db ?? Environment.value("SPUR_DB") ?? directories[0] + "/spur.sqlite" }

    /// The database, read-only; fails with `AggregateError.noDatabase` when there is none.
    func reader() throws -> AggregateReader { try AggregateReader(database: databasePath) }
}

/// Where the signing secret comes from.
struct SecretOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "File with the signing keys (KEYID:SECRET per line). [env: SPUR_SECRET_FILE; or the keys themselves in SPUR_SECRET] (default: DATA/secret, which the first 'spur serve' creates)"
    )
    var secretFile: String?

    /// The signing keys. Only `spur serve` creates `DATA/secret`: a link signed with a secret the
    /// collector does not have is lost, so every other command fails when it finds none.
    func keyring(dataDirectory: String, create: Bool = false) throws -> (keyring: Keyring, source: String) {
        try SecretStore.load(
            file: secretFile ?? Environment.value("SPUR_SECRET_FILE"), environment: Environment.value("SPUR_SECRET"),
            dataDirectory: dataDirectory, create: create)
    }
}

/// A duration flag: `250ms`, `30s`, `5m`, `1h`; a bare number is seconds.
struct DurationArgument: ExpressibleByArgument, Sendable {
    let value: Duration

    init?(argument: String) {
        let t = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        let number: Double?
        if let (suffix, factor) = units.first(where: { t.hasSuffix($0.0) }) {
            number = Double(t.dropLast(suffix.count)).map { $0 * factor }
        } else {
            number = Double(t)
        }
        guard let number, number >= 0, number.isFinite else { return nil }
        value = .milliseconds(Int64((number * 1000).rounded()))
    }

    /// `200ms`, `30s`, `5m`: how a default reads in help texts.
    static func text(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        if ms % 60_000 == 0 && ms >= 60_000 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}

/// A size flag: `64MiB`, `1MB`, `512k`; a bare number is bytes.
struct ByteSizeArgument: ExpressibleByArgument, Sendable {
    let value: Int

    init?(argument: String) {
        let t = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [
            ("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824), ("kb", 1000), ("mb", 1e6), ("gb", 1e9),
            ("k", 1024), ("m", 1_048_576), ("g", 1_073_741_824), ("b", 1),
        ]
        if let (suffix, factor) = units.first(where: { t.hasSuffix($0.0) }) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else { return nil }
            value = Int(v * factor)
        } else {
            guard let v = Int(t), v >= 0 else { return nil }
            value = v
        }
    }

    /// `64MiB`, `1MiB`, `4096`: how a default reads in help texts.
    static func text(_ n: Int) -> String {
        if n >= 1 << 30 && n % (1 << 30) == 0 { return "\(n >> 30)GiB" }
        if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20)MiB" }
        if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10)KiB" }
        return "\(n)"
    }
}

#if hasFeature(RetroactiveAttribute)
extension Logger.Level: @retroactive ExpressibleByArgument {}
#else
extension Logger.Level: ExpressibleByArgument {}
#endif
extension IPStorage: ExpressibleByArgument {}
extension CollectorConfiguration.DoNotTrackMode: ExpressibleByArgument {}
extension CollectorConfiguration.ConsentMode: ExpressibleByArgument {}
extension Stage: ExpressibleByArgument {}
extension Grade: ExpressibleByArgument {}
extension Letter: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
