/// The funnel stage: `mql` (marketing qualified) and `sql` (sales qualified), with hysteresis
/// (docs/scoring.md).
public enum Stage: String, Codable, Sendable, Comparable, CaseIterable {
    case none, mql, sql
    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Stage, b: Stage) -> Bool { a.rank < b.rank }
}

/// The implicit grade from the total score: 1 (hottest) to 6.
public enum Grade: Int, Codable, Sendable, Comparable, CaseIterable {
    case one = 1, two, three, four, five, six
    public static func < (a: Grade, b: Grade) -> Bool { a.rawValue < b.rawValue }
}

/// The explicit letter from profile attributes: A (best fit) to D.
public enum Letter: String, Codable, Sendable, Comparable, CaseIterable {
    case a = "A", b = "B", c = "C", d = "D"
    public static func < (x: Letter, y: Letter) -> Bool { x.rawValue < y.rawValue }
}
