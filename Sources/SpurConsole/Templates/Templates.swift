import Mustache

/// The console's templates by name, compiled once at start. Pages inherit `layout`.
enum Templates {
    static var all: [String: String] {
        [
            "layout": layout, "login": login, "message": message, "chart-line": chartLine, "chart-bars": chartBars, "chart-top": chartTop,
            "chart-numbers": chartNumbers,
            "overview-body": overviewBody, "prerendered": prerendered, "health": health, "leads": leads, "lead": lead, "campaigns": campaigns,
            "campaign": campaign, "audiences": audiences, "audience": audience, "pages": pages,
        ]
    }

    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in all { try library.register(text, named: name) }
        return library
    }
}
