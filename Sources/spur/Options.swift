import ArgumentParser
import Foundation
import Logging
import SpurCore

/// Reads `SPUR_*` environment variables: the fallback for every flag.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else { return nil }
        return v
    }
}

/// `--data`, shared by every subcommand.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory: segments, secret and database live here. [env: SPUR_DATA] (default: ./spur-data)")
    var data: String?

    var directory: String { data ?? Environment.value("SPUR_DATA") ?? "./spur-data" }
}

/// Where the signing secret comes from.
struct SecretOptions: ParsableArguments {
    @Option(name: .long, help: "File with the signing keys (KEYID:SECRET per line). [env: SPUR_SECRET_FILE; or the keys themselves in SPUR_SECRET] (default: DATA/secret, created on first use)")
    var secretFile: String?

    func keyring(dataDirectory: String) throws -> (keyring: Keyring, source: String) {
        try SecretStore.load(
            file: secretFile ?? Environment.value("SPUR_SECRET_FILE"), environment: Environment.value("SPUR_SECRET"),
            dataDirectory: dataDirectory, create: true)
    }
}

/// Parses human durations: `250ms`, `30s`, `5m`, `1h`; a bare number is seconds.
enum DurationText {
    static func parse(_ text: String) -> Duration? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v >= 0 else { return nil }
            return .milliseconds(Int64((v * factor * 1000).rounded()))
        }
        guard let v = Double(t), v >= 0 else { return nil }
        return .milliseconds(Int64((v * 1000).rounded()))
    }
}

/// Parses sizes: `64MiB`, `1MB`, `512k`, a bare number is bytes.
enum ByteSizeText {
    static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [
            ("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824), ("kb", 1000), ("mb", 1e6), ("gb", 1e9),
            ("k", 1024), ("m", 1_048_576), ("g", 1_073_741_824), ("b", 1),
        ]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v >= 0 else { return nil }
            return Int(v * factor)
        }
        return Int(t).flatMap { $0 >= 0 ? $0 : nil }
    }
}

#if hasFeature(RetroactiveAttribute)
extension Logger.Level: @retroactive ExpressibleByArgument {}
#else
extension Logger.Level: ExpressibleByArgument {}
#endif
