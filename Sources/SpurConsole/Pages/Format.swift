import Foundation
import Logging
import SpurAggregate

/// How the pages write numbers, times and sizes.
enum Format {
    static func number(_ v: Double) -> String { Chart.number((v * 10).rounded() / 10) }

    static func time(ms: Int64) -> String { ISO8601.string(ms).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC") }

    static func isoTime(_ text: String) -> String { text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC") }

    static func duration(ms: Int64) -> String {
        ms < 1000 ? "\(ms) ms" : ms < 120_000 ? String(format: "%.1f s", Double(ms) / 1000) : String(format: "%.1f min", Double(ms) / 60_000)
    }

    static func bytes(_ n: Int) -> String {
        n < 1024 ? "\(n) B" : n < 1 << 20 ? String(format: "%.1f KiB", Double(n) / 1024) : String(format: "%.1f MiB", Double(n) / 1_048_576)
    }

    static func percent(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "–" }

    /// `human / proxy / bot`.
    static func split(_ s: CampaignReport.Split) -> String { "\(s.human) / \(s.proxy) / \(s.bot)" }

    /// Whether a tracked URL may become a link: only http(s), never `javascript:` or `data:`.
    static func isLinkable(_ url: String) -> Bool {
        let lower = url.lowercased()
        return (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && URL(string: url) != nil
    }

    /// `YYYY-MM-DD` of a Unix day number.
    static func day(_ day: Int64) -> String { String(ISO8601.string(day * 86_400_000).prefix(10)) }
}
