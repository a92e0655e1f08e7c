import Foundation
import SpurCore
import Testing

@testable import SpurAggregate

@Suite struct TouchTests {
    @Test func utmParametersBecomeTheFirstAndLastTouch() async throws {
        let dir = DataDir()
        try await dir.write([
            ev(
                .pageview, day: 1, visitor: "v-1",
                url: "https://shop.example/produkte/farben/acryl?utm_source=google&utm_medium=cpc&utm_campaign=herbst"),
            ev(.pageview, day: 2, visitor: "v-1", url: "https://shop.example/produkte/farben/oel"),
            ev(.identify, day: 2, minute: 5, lead: "anna@example.org", visitor: "v-1"),
            ev(
                .click, day: 3, lead: "anna@example.org", campaign: "nl-47",
                url: "https://shop.example/malbedarf?utm_source=newsletter&utm_medium=email&utm_campaign=nl-47#top"),
            // A bot's click says nothing about where the person came from.
            ev(.click, day: 4, lead: "anna@example.org", campaign: "nl-48", url: "https://shop.example/x?utm_source=scanner", flags: [.bot]),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 5))
        let p = try #require(try dir.profile("anna@example.org"))
        #expect(p.firstTouch?.source == "google" && p.firstTouch?.medium == "cpc" && p.firstTouch?.campaign == "herbst")
        #expect(p.firstTouch?.at == ISO8601.string(at(day: 1)))
        #expect(p.lastTouch?.source == "newsletter" && p.lastTouch?.campaign == "nl-47" && p.lastTouch?.url.hasSuffix("#top") == true)
        let json = String(decoding: try LeadProfile.encoder.encode(p), as: UTF8.self)
        #expect(json.contains(#""first_touch":{"at":"#) && json.contains(#""last_touch":"#))
        // As of day 2 only the first visit had happened: it is both.
        _ = try dir.aggregate(asOf: endOf(day: 2))
        let earlier = try #require(try dir.profile("anna@example.org"))
        #expect(earlier.firstTouch == earlier.lastTouch && earlier.firstTouch?.source == "google")
    }
}
