import Foundation
import SwiftCSV

/// Lead ids from a recipients CSV as spreadsheets and mail tools export it: `,`, `;` or tab
/// (detected from the header), UTF-8 with or without a byte-order mark, quoted fields with
/// delimiters and line breaks inside, CRLF or LF. Parsing is SwiftCSV's; the checks are Spur's.
public enum RecipientList {
    /// One row: the lead and whether the recipient agreed to tracking (docs/consent.md).
    public struct Recipient: Sendable, Equatable {
        public var lead: String
        public var tracking: Bool
    }

    /// Reads the `column` of every row; errors name the file and line.
    public static func leads(csv raw: String, column: String, file: String) throws(SpurError) -> [String] {
        try recipients(csv: raw, column: column, file: file).map(\.lead)
    }

    /// The values a `tracking` column may hold, German ones too; an empty cell is no consent.
    static let trackingValues: [String: Bool] = [
        "yes": true, "true": true, "1": true, "ja": true, "y": true, "no": false, "false": false, "0": false, "nein": false, "n": false,
        "": false,
    ]

    /// Reads the lead `column` of every row and, when the header has one, the `trackingColumn`
    /// (yes/no); without that column every recipient counts as agreeing. Errors name the file and line.
    public static func recipients(csv raw: String, column: String, trackingColumn: String = "tracking", file: String) throws(SpurError)
        -> [Recipient]
    {
        let text = raw.hasPrefix("\u{FEFF}") ? String(raw.dropFirst()) : raw
        // A quote that is never closed would swallow the rest of the file into one field.
        if text.utf8.count(where: { $0 == UInt8(ascii: "\"") }) % 2 == 1 {
            throw SpurError.invalidRecipients("\(file): a quoted field is not closed (an odd number of \" in the file)")
        }
        let delimiter = CSVDelimiter.guessed(string: text)
        var rows: [[String]] = []
        do {
            let csv = try EnumeratedCSV(string: text, delimiter: delimiter, loadColumns: false, rowLimit: 0)
            try csv.enumerateAsArray(startAt: 0, rowLimit: nil) { rows.append($0) }
        } catch {
            throw SpurError.invalidRecipients("\(file): not a CSV file: \(error)")
        }
        guard let header = rows.first, header.contains(where: { !$0.isEmpty }) else {
            throw SpurError.invalidRecipients("\(file): the file is empty")
        }
        let names = header.map { $0.trimmingWhitespace() }
        guard let index = names.firstIndex(where: { $0.lowercased() == column.lowercased() }) else {
            let shown = names.map { "'\($0)'" }.joined(separator: ", ")
            throw SpurError.invalidRecipients(
                "\(file):1: no column '\(column)' in the header (columns: \(shown); delimiter '\(delimiter.name)'): give the column with --lead-column"
            )
        }
        let trackingIndex = names.firstIndex { $0.lowercased() == trackingColumn.lowercased() }
        var leads: [Recipient] = []
        var seen = Set<String>()
        // Physical line of each row: one more than the last, plus the line breaks inside its quoted fields.
        var line = 1 + lineBreaks(header)
        for row in rows.dropFirst() {
            let rowLine = line + 1
            line = rowLine + lineBreaks(row)
            if row.allSatisfy({ $0.trimmingWhitespace().isEmpty }) { continue }
            guard row.count == header.count else {
                throw SpurError.invalidRecipients("\(file):\(rowLine): \(row.count) fields, the header has \(header.count)")
            }
            let lead = row[index].trimmingWhitespace()
            if let problem = Identifier.problem(lead, what: "lead") { throw SpurError.invalidRecipients("\(file):\(rowLine): \(problem)") }
            guard lead != "." && lead != ".." && !lead.hasPrefix(".") else {
                throw SpurError.invalidRecipients("\(file):\(rowLine): lead id '\(lead)' cannot be used as a file name")
            }
            guard seen.insert(lead).inserted else { throw SpurError.invalidRecipients("\(file):\(rowLine): lead '\(lead)' appears twice") }
            var tracking = true
            if let trackingIndex {
                let cell = row[trackingIndex].trimmingWhitespace().lowercased()
                guard let value = trackingValues[cell] else {
                    throw SpurError.invalidRecipients(
                        "\(file):\(rowLine): column '\(names[trackingIndex])' must be yes or no (or empty for no), not '\(cell.prefix(20))'")
                }
                tracking = value
            }
            leads.append(Recipient(lead: lead, tracking: tracking))
        }
        if leads.isEmpty { throw SpurError.invalidRecipients("\(file): no recipients after the header") }
        return leads
    }

    private static func lineBreaks(_ fields: [String]) -> Int {
        fields.reduce(0) { $0 + $1.reduce(0) { n, c in c == "\n" || c == "\r\n" || c == "\r" ? n + 1 : n } }
    }
}

extension CSVDelimiter {
    var name: String {
        switch rawValue {
        case "\t": "tab"
        default: String(rawValue)
        }
    }
}
