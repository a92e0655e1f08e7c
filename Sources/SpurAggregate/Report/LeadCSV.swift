import Foundation

/// Leads as CSV, one row per profile: `spur leads top --csv`, `spur leads export` and the
/// console's download write the same columns.
public enum LeadCSV {
    public static let header = "lead,score,implicit,explicit,grade,letter,label,stage,stage_since,first_seen,last_seen,interests,visitors"

    public static func row(_ p: LeadProfile) -> String {
        let fields = [
            p.lead, number(p.score), number(p.implicit), number(p.explicit), String(p.grade.rawValue), p.letter.rawValue, p.label,
            p.stage.rawValue, p.stageSince ?? "", p.firstSeen, p.lastSeen,
            p.interests.map { "\($0.category):\(number($0.weight))" }.joined(separator: " "), p.visitors.joined(separator: " "),
        ]
        return fields.map(field).joined(separator: ",")
    }

    /// Quotes where CSV needs it, and neutralises spreadsheet formulas in lead-controlled text.
    public static func field(_ s: String) -> String {
        let formula = s.first.map({ "=+-@".contains($0) }) == true
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || formula else { return s }
        let safe = formula && Double(s) == nil ? "'" + s : s
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ v: Double) -> String { String(format: "%.1f", v) }
}
