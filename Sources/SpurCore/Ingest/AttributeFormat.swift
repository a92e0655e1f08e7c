import Foundation

/// The documented type and format of each profile attribute `/api/identify` takes
/// (docs/http.md, "Identify"). A value in another form is refused, naming the attribute, instead
/// of being stored in a shape the scoring rules would silently not match.
public enum AttributeFormat: Sendable, Equatable {
    /// `YYYY-MM-DD`, a real calendar date between 1900 and today.
    case date
    /// One of these values, exactly.
    case choice([String])
    /// ISO 3166-1 alpha-2, e.g. `DE` (lower case is accepted and upper-cased).
    case country
    /// A postal code: 3–10 letters, digits, spaces or hyphens.
    case postalCode
    /// A phone number: `+`, digits, spaces and `-()/.`, with 5 to 20 digits.
    case phone
    /// Yes or no: JSON `true`/`false` or the strings `yes`/`no`/`true`/`false`; stored as `yes`/`no`.
    case flag
    /// Any text of 1–200 characters without control characters.
    case text

    public static let companySizes = ["1-9", "10-49", "50-249", "250-999", "1000+"]

    /// BANT(P), the qualification the sales team records: budget, authority, need, timeframe, project.
    public static let bant: [String: AttributeFormat] = [
        "budget": .choice(["none", "planned", "approved"]), "authority": .choice(["none", "influencer", "decision-maker"]),
        "need": .choice(["low", "medium", "high"]), "timeframe": .choice(["later", "within-12-months", "within-3-months"]),
        "project": .flag,
    ]

    /// The built-in attributes; any other accepted attribute (`--identify-attributes`) is `text`.
    public static let builtIn: [String: AttributeFormat] = [
        "birthday": .date, "company_size": .choice(companySizes), "country": .country, "zip": .postalCode, "phone": .phone,
        "newsletter": .flag, "tracking": .flag, "role": .text, "industry": .text, "customer_type": .text, "company": .text, "job_title": .text,
    ].merging(bant) { a, _ in a }

    public static func of(_ attribute: String) -> AttributeFormat { builtIn[attribute] ?? .text }

    /// The value as stored, or `.invalidInput` naming the attribute and the expected form.
    /// `value` is what JSON parsing gave: a String, a Bool or a number.
    public func normalize(_ value: Any, attribute: String) throws(SpurError) -> String {
        if case .flag = self {
            if let b = value as? Bool, !(value is String) { return b ? "yes" : "no" }
            switch (value as? String)?.lowercased() {
            case "yes", "true": return "yes"
            case "no", "false": return "no"
            default: throw .invalidInput("Attribute '\(attribute)' must be true or false (or \"yes\"/\"no\").")
            }
        }
        guard let text = value as? String else {
            throw .invalidInput("Attribute '\(attribute)' must be a string (\(expected)).")
        }
        guard let normalized = check(text) else { throw .invalidInput("Attribute '\(attribute)' must be \(expected), not '\(text.prefix(40))'.") }
        return normalized
    }

    var expected: String {
        switch self {
        case .date: "a date like 1980-05-01"
        case .choice(let values): "one of " + values.joined(separator: ", ")
        case .country: "a two-letter country code like DE"
        case .postalCode: "a postal code of 3–10 letters, digits, spaces or hyphens"
        case .phone: "a phone number with 5–20 digits"
        case .flag: "true or false"
        case .text: "text of 1–200 characters"
        }
    }

    private func check(_ text: String) -> String? {
        switch self {
        case .date:
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard text.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
                parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, (1...12).contains(m)
            else { return nil }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            guard let date = calendar.date(from: DateComponents(year: y, month: m, day: d)),
                calendar.component(.day, from: date) == d, y >= 1900, date <= Date()
            else { return nil }
            return text
        case .choice(let values): return values.contains(text) ? text : nil
        case .country:
            let upper = text.uppercased()
            return upper.utf8.count == 2 && upper.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) ? upper : nil
        case .postalCode:
            let ok =
                (3...10).contains(text.count)
                && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == " " || $0 == "-" }
            return ok ? text : nil
        case .phone:
            let digits = text.filter(\.isASCII).filter(\.isNumber).count
            let ok = (5...20).contains(digits) && text.allSatisfy { $0.isASCII && ($0.isNumber || "+ -()/.".contains($0)) }
            return ok ? text : nil
        case .flag: return nil
        case .text:
            let ok = (1...200).contains(text.count) && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
            return ok ? text : nil
        }
    }
}
