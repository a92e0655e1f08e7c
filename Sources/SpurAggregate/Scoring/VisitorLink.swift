/// One link of a visitor id to a lead: an event that carried both (a click on a signed link,
/// an identify call). A visitor belongs to the lead of its newest link up to a given time
/// (docs/scoring.md, "Identity stitching").
public struct VisitorLink: Sendable, Equatable {
    public var visitor: String
    public var lead: String
    public var ts: Int64
    public var event: String
    /// Made by `/api/identify` (the site's backend knows who is signed in), not by a click on a
    /// signed link (which anyone the newsletter was forwarded to can make).
    public var identified: Bool

    public init(visitor: String, lead: String, ts: Int64, event: String, identified: Bool = false) {
        self.visitor = visitor
        self.lead = lead
        self.ts = ts
        self.event = event
        self.identified = identified
    }

    /// Later in time; at the same millisecond, the later event id. Ids end in a counter, so a
    /// longer id of the same collector run is the later one (`…-10` after `…-9`).
    func isAfter(_ other: VisitorLink) -> Bool {
        if ts != other.ts { return ts > other.ts }
        if event.utf8.count != other.event.utf8.count { return event.utf8.count > other.event.utf8.count }
        return event > other.event
    }

    /// Who each visitor belongs to as of `asOf` (docs/scoring.md, "Identity stitching"): the lead
    /// of its newest identify link at or before then; without one, of its newest click link. A
    /// click on someone else's forwarded newsletter does not move an identified browser.
    static func owners(_ links: [VisitorLink], asOf: Int64) -> [String: String] {
        var newest: [String: VisitorLink] = [:]
        for link in links where link.ts <= asOf {
            if let current = newest[link.visitor] {
                if current.identified && !link.identified { continue }
                if current.identified == link.identified && !link.isAfter(current) { continue }
            }
            newest[link.visitor] = link
        }
        return newest.mapValues(\.lead)
    }
}
