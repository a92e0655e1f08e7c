/// Lead ids from a recipients CSV (RFC 4180: quoted fields, `""` escapes, CRLF or LF).
public enum RecipientList {
    /// Reads the `column` of every row; errors name the file and line.
    public static func leads(csv text: String, column: String, file: String) throws(SpurError) -> [String] {
        let rows = try parse(text, file: file)
        guard let header = rows.first else { throw SpurError.invalidRecipients("\(file): the file is empty") }
        guard let index = header.fields.firstIndex(where: { $0.trimmingWhitespace().lowercased() == column.lowercased() }) else {
            throw SpurError.invalidRecipients("\(file):1: no column '\(column)' in the header (\(header.fields.joined(separator: ", ")))")
        }
        var leads: [String] = []
        var seen = Set<String>()
        for row in rows.dropFirst() {
            if row.fields.count == 1 && row.fields[0].isEmpty { continue }
            guard row.fields.count == header.fields.count else {
                throw SpurError.invalidRecipients("\(file):\(row.line): \(row.fields.count) fields, the header has \(header.fields.count)")
            }
            let lead = row.fields[index].trimmingWhitespace()
            if let problem = Identifier.problem(lead, what: "lead") { throw SpurError.invalidRecipients("\(file):\(row.line): \(problem)") }
            guard lead != "." && lead != ".." && !lead.hasPrefix(".") else {
                throw SpurError.invalidRecipients("\(file):\(row.line): lead id '\(lead)' cannot be used as a file name")
            }
            guard seen.insert(lead).inserted else { throw SpurError.invalidRecipients("\(file):\(row.line): lead '\(lead)' appears twice") }
            leads.append(lead)
        }
        if leads.isEmpty { throw SpurError.invalidRecipients("\(file): no recipients after the header") }
        return leads
    }

    struct Row {
        var fields: [String]
        var line: Int
    }

    static func parse(_ text: String, file: String) throws(SpurError) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var line = 1, rowLine = 1
        var inQuotes = false, wasQuoted = false
        var chars = text.makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let p = pending {
                pending = nil
                return p
            }
            return chars.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !wasQuoted:
                inQuotes = true
                wasQuoted = true
            case ",":
                fields.append(field)
                field = ""
                wasQuoted = false
            case "\n", "\r\n", "\r":
                fields.append(field)
                rows.append(Row(fields: fields, line: rowLine))
                fields = []
                field = ""
                wasQuoted = false
                line += 1
                rowLine = line
            default:
                if wasQuoted { throw SpurError.invalidRecipients("\(file):\(line): text after a closing quote") }
                field.append(c)
            }
        }
        if inQuotes { throw SpurError.invalidRecipients("\(file):\(rowLine): a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append(Row(fields: fields, line: rowLine))
        }
        return rows
    }
}
