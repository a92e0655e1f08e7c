import Foundation
import SpurAggregate
import SpurCore
import Testing

/// What the aggregator makes of consent (docs/consent.md): proofs per lead, anonymous page
/// counts that reach reports but no lead, and a lead's withdrawn tracking consent.
@Suite struct ConsentAggregateTests {
    func consent(_ state: String, day: Int, visitor: String, banner: String) -> Event {
        ev(.consent, day: day, visitor: visitor, url: "https://shop.example/", props: ["consent": state, "banner": banner])
    }

    @Test func consentRecordsBelongToTheLeadOfTheirVisitor() async throws {
        let dir = DataDir()
        try await dir.write([
            consent("granted", day: 1, visitor: "v-9", banner: "cookiebot-v12"),
            ev(.pageview, day: 1, minute: 1, visitor: "v-9", url: "https://shop.example/farbe"),
            ev(.identify, day: 1, minute: 2, lead: "lead-9", visitor: "v-9"),
            consent("denied", day: 3, visitor: "v-9", banner: "cookiebot-v12"),
            ev(.identify, day: 4, lead: "lead-9", props: ["tracking": "no"]),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 5))
        let records = try dir.reader().consentRecords(ofLead: "lead-9")
        #expect(records.map(\.granted) == [true, false, false])
        #expect(records.map(\.source) == [.site, .site, .identify])
        #expect(records[0].banner == "cookiebot-v12" && records[0].visitor == "v-9" && records[0].page == "https://shop.example/")
        #expect(records[0].at == ISO8601.string(at(day: 1)))
        #expect(try dir.reader().consentRecords(ofLead: "someone-else").isEmpty)
    }

    @Test func anonymousPageViewsReachTheCampaignAndPageReportsButNoLead() async throws {
        let dir = DataDir()
        let landing = "https://shop.example/fruehling?utm_source=nl&utm_campaign=spring"
        try await dir.write([
            ev(.open, day: 1, lead: "l-1", campaign: "spring"),
            ev(.click, day: 1, minute: 1, lead: "l-1", visitor: "v-1", campaign: "spring", url: landing),
            ev(.pageview, day: 1, minute: 2, visitor: "v-1", url: landing + "&x=1"),
            ev(.pageview, day: 1, minute: 3, url: landing, flags: .anonymous),
            ev(.pageview, day: 2, url: landing, flags: .anonymous),
            ev(.pageview, day: 2, url: landing, flags: [.anonymous, .bot]),
            ev(.pageview, day: 2, url: "https://shop.example/impressum", flags: .anonymous),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 3))
        let reader = try dir.reader()
        let report = try #require(try reader.campaignReport("spring"))
        #expect(report.site.pageViews == 4 && report.site.withConsent == 1 && report.site.anonymous == 2 && report.site.bot == 1)
        #expect(report.opens.total == 1 && report.clicks.total == 1)
        let pages = try reader.pageTotals(firstDay: at(day: 1) / 86_400_000, lastDay: at(day: 3) / 86_400_000)
        #expect(pages.map(\.page) == ["https://shop.example/fruehling", "https://shop.example/impressum"])
        #expect(pages[0].withConsent == 1 && pages[0].anonymous == 2 && pages[0].bot == 1)
        // Day 1 only.
        let first = try reader.pageTotals(firstDay: at(day: 1) / 86_400_000, lastDay: at(day: 1) / 86_400_000)
        #expect(first.map(\.anonymous) == [1])
        // The lead sees its own visit, never an anonymous one.
        let profile = try #require(try dir.profile("l-1"))
        #expect(profile.counts["pageview"] == 1)
        #expect(try reader.events(ofLead: "l-1").allSatisfy { !$0.flags.contains(.anonymous) })
        // Folding again counts nothing twice; a rebuild counts the same.
        _ = try dir.aggregate(asOf: endOf(day: 3))
        #expect(try dir.reader().campaignReport("spring")?.site == report.site)
        _ = try dir.aggregate(asOf: endOf(day: 3), rebuild: true)
        #expect(try dir.reader().campaignReport("spring")?.site == report.site)
    }

    @Test func aLeadWhoseTrackingConsentWasWithdrawnIsNotScoredFromNewEvents() async throws {
        let dir = DataDir()
        let click = { (day: Int) in ev(.click, day: day, lead: "l", campaign: "c\(day)", url: "https://shop.example/p\(day)") }
        try await dir.write([
            click(1), ev(.identify, day: 2, lead: "l", props: ["tracking": "no"]), click(3), click(4),
            ev(.identify, day: 5, lead: "l", props: ["tracking": "yes"]), click(6),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 7))
        let withdrawn = try #require(try dir.profile("l"))
        let dirAll = DataDir()
        try await dirAll.write([click(1), click(6)])
        _ = try dirAll.aggregate(asOf: endOf(day: 7))
        let onlyConsented = try #require(try dirAll.profile("l"))
        #expect(withdrawn.lifetime == onlyConsented.lifetime && withdrawn.lifetime > 0)
        #expect(withdrawn.explain.contains { $0.rule == "tracking" && $0.excluded == "withdrawn" && $0.events == 2 })
        #expect(withdrawn.campaignsClicked == ["c1", "c6"])
    }
}

extension ErasureTests {
    @Test func consentRecordsAreErasedWithTheLead() async throws {
        let dir = DataDir()
        try await dir.write([
            ev(.consent, day: 1, visitor: "v-7", url: "https://shop.example/", props: ["consent": "granted", "banner": "klaro-banner-7"]),
            ev(.identify, day: 1, minute: 1, lead: "lead-7", visitor: "v-7"),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 2))
        #expect(try dir.reader().consentRecords(ofLead: "lead-7").count == 1)
        let report = try forget(dir, "lead-7")
        #expect(report.eventsRemovedFromDatabase == 2 && report.eventsRemovedFromSegments == 2)
        #expect(!(try everything(in: dir)).contains("klaro-banner-7"))
        #expect(try dir.reader().consentRecords(ofLead: "lead-7").isEmpty)
    }
}
