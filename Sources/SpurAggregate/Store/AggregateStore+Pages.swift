import Foundation
import SpurCore

/// Page views per page and day (`page_days`): the content report and a campaign's site visits.
/// They count every page view, with consent (a visitor id) or anonymous (docs/consent.md), and
/// hold no visitor or lead, so they survive erasures as counts.
extension AggregateStore {
    func createPageTables() throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS page_days(
                day INTEGER NOT NULL, page TEXT NOT NULL, campaign TEXT NOT NULL, kind TEXT NOT NULL,
                consented INTEGER NOT NULL, anonymous INTEGER NOT NULL,
                PRIMARY KEY(day, page, campaign, kind)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS page_days_campaign ON page_days(campaign) WHERE campaign != '';
            """)
    }

    /// Adds folded page views to the counts (in the fold's transaction).
    func addPageCounts(_ counts: PageCounts) throws {
        let statement = try db.prepare(
            """
            INSERT INTO page_days VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(day, page, campaign, kind)
            DO UPDATE SET consented = consented + excluded.consented, anonymous = anonymous + excluded.anonymous
            """)
        for (key, n) in counts.rows {
            try statement.run(key.day, key.page, key.campaign, key.kind.rawValue, n.consented, n.anonymous)
        }
    }

    /// Schema 6: counts of the page views already folded.
    func pageCountsFromEvents() throws {
        var counts = PageCounts()
        try db.prepare("SELECT ts, url, flags FROM events WHERE type = 'pageview' AND url IS NOT NULL").query { row in
            counts.add(ts: row.int(0), url: row.string(1)!, flags: EventFlags(rawValue: UInt8(truncatingIfNeeded: row.int(2))))
        }
        try addPageCounts(counts)
    }

    /// Per page over the days `[firstDay, lastDay]`, most viewed first.
    func pageTotals(firstDay: Int64, lastDay: Int64, limit: Int) throws -> [PageTotal] {
        var out: [PageTotal] = []
        try db.prepare(
            """
            SELECT page, sum(CASE WHEN kind != 'bot' THEN consented ELSE 0 END), sum(CASE WHEN kind != 'bot' THEN anonymous ELSE 0 END),
                sum(CASE WHEN kind = 'bot' THEN consented + anonymous ELSE 0 END) AS bots
            FROM page_days WHERE day BETWEEN ? AND ? GROUP BY page
            ORDER BY sum(CASE WHEN kind != 'bot' THEN consented + anonymous ELSE 0 END) DESC, page LIMIT ?
            """
        ).query(firstDay, lastDay, limit) { r in
            out.append(PageTotal(page: r.string(0) ?? "", withConsent: Int(r.int(1)), anonymous: Int(r.int(2)), bot: Int(r.int(3))))
        }
        return out
    }

    /// Page views of the site whose URL named `utm_campaign` = `campaign`.
    func siteVisits(campaign: String) throws -> SiteVisits {
        var visits = SiteVisits()
        try db.prepare("SELECT kind, sum(consented), sum(anonymous) FROM page_days WHERE campaign = ? GROUP BY kind").query(campaign) { r in
            let (consented, anonymous) = (Int(r.int(1)), Int(r.int(2)))
            if r.string(0) == TrafficKind.bot.rawValue {
                visits.bot += consented + anonymous
            } else {
                visits.withConsent += consented
                visits.anonymous += anonymous
            }
        }
        visits.pageViews = visits.withConsent + visits.anonymous + visits.bot
        return visits
    }
}

/// Page views of one fold, keyed like `page_days`.
struct PageCounts {
    struct Key: Hashable {
        var day: Int64
        var page: String
        var campaign: String
        var kind: TrafficKind
    }
    var rows: [Key: (consented: Int, anonymous: Int)] = [:]

    mutating func add(_ event: Event) {
        guard event.type == .pageview, let url = event.url else { return }
        add(ts: event.ts, url: url, flags: event.flags)
    }

    mutating func add(ts: Int64, url: String, flags: EventFlags) {
        let key = Key(
            day: ts / LeadScorer.dayMillis, page: AnonymousURL.path(url), campaign: AnonymousURL.campaign(url) ?? "",
            kind: TrafficKind(flags: flags))
        if flags.contains(.anonymous) {
            rows[key, default: (0, 0)].anonymous += 1
        } else {
            rows[key, default: (0, 0)].consented += 1
        }
    }
}
