import Foundation

/// `DATA/public-url`: the base URL the collector serving a data directory announces, so that
/// `spur link`, `pixel` and `wrap` run against the same directory mint links that reach it.
enum PublicURLRecord {
    static func path(dataDirectory: String) -> String { dataDirectory + "/public-url" }

    static func read(dataDirectory: String) -> String? {
        guard let text = try? String(contentsOfFile: path(dataDirectory: dataDirectory), encoding: .utf8) else { return nil }
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return url.isEmpty ? nil : url
    }

    static func write(_ url: String, dataDirectory: String) throws {
        guard read(dataDirectory: dataDirectory) != url else { return }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try (url + "\n").write(toFile: path(dataDirectory: dataDirectory), atomically: true, encoding: .utf8)
    }
}
