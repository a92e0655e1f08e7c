import Foundation
import SpurAggregate
import SpurCore
import Testing

/// Scoring as of a past date sees exactly what had happened by then (docs/scoring.md).
@Suite struct AsOfTests {
    /// Visitor `v` browses on days 1–3 (15 points of product pages, 20 of the store locator).
    func browsing(_ visitor: String = "v") -> [Event] {
        [
            ev(.pageview, day: 1, visitor: visitor, url: "https://shop.example/produkte/farben/1"),
            ev(.pageview, day: 2, visitor: visitor, url: "https://shop.example/produkte/farben/2"),
            ev(.pageview, day: 3, visitor: visitor, url: "https://shop.example/produkte/pinsel/3"),
            ev(.pageview, day: 3, minute: 5, visitor: visitor, url: "https://shop.example/filialen"),
        ]
    }

    @Test func aVisitorLinkCountsOnlyFromItsOwnTimeOn() async throws {
        let dir = DataDir()
        try await dir.write(browsing() + [ev(.identify, day: 5, lead: "L", visitor: "v")])
        _ = try dir.aggregate(asOf: endOf(day: 3))
        let before = try #require(try dir.profile("L"))
        #expect(before.implicit == 0 && before.visitors == [] && before.counts.isEmpty)
        // From the link on, the earlier browsing counts for the lead (retroactively).
        _ = try dir.aggregate(asOf: endOf(day: 5))
        let after = try #require(try dir.profile("L"))
        #expect(after.implicit == 35 && after.visitors == ["v"])
    }

    @Test func aVisitorMovesToAnotherLeadOnlyAsOfTheNewLink() async throws {
        let dir = DataDir()
        try await dir.write(
            [ev(.identify, day: 1, lead: "A", visitor: "v")] + browsing()
                + [ev(.identify, day: 6, lead: "B", visitor: "v")])
        _ = try dir.aggregate(asOf: endOf(day: 3))
        #expect(try dir.profile("A")?.implicit == 35 && dir.profile("B")?.implicit == 0)
        #expect(try dir.profile("A")?.visitors == ["v"] && dir.profile("B")?.visitors == [])
        _ = try dir.aggregate(asOf: endOf(day: 6))
        #expect(try dir.profile("A")?.implicit == 0 && dir.profile("B")?.implicit == 35)
    }

    @Test func linksAtTheSameMillisecondAreOrderedByTheirCounterNotAsText() async throws {
        let dir = DataDir()
        // Same collector run, same millisecond: event 10 came after event 9.
        try await dir.write(
            browsing() + [
                ev(.identify, day: 5, lead: "A", visitor: "v", id: "n1-000000000001-9"),
                ev(.identify, day: 5, lead: "B", visitor: "v", id: "n1-000000000001-10"),
            ])
        _ = try dir.aggregate(asOf: endOf(day: 5))
        #expect(try dir.profile("B")?.implicit == 35 && dir.profile("A")?.implicit == 0)
    }

    @Test func theStageIsCheckedAtTheStartOfEachActiveDay() async throws {
        let dir = DataDir()
        // 60 points at noon of day 1 (MQL); at 00:00 of day 26 they have decayed to 40.05, still
        // at least mql.exit (40); by 20:00 that day they would be 39.3.
        let opens = (0..<12).map { ev(.open, day: 1, minute: 120 + $0, lead: "L", campaign: "nl-\($0)") }
        try await dir.write(opens + [ev(.open, day: 26, minute: 600, lead: "L", campaign: "nl-late")])
        _ = try dir.aggregate(asOf: at(day: 27, minute: 120))
        let p = try #require(try dir.profile("L"))
        #expect(p.stage == .mql, "score \(p.score)")
        #expect(p.stageSince == ISO8601.string(at(day: 1, minute: 131)))  // after the day's last event
    }

    @Test func clicksExactlyTheBurstGapApartAreNoBurst() {
        func clicks(gap: Int64) -> [Event] {
            (0..<3).map { i in
                var e = ev(.click, day: 1, lead: "L", campaign: "nl", url: "https://shop.example/\(i)")
                e.ts += Int64(i) * gap
                return e
            }
        }
        let apart = BurstClassifier.reclassify(clicks(gap: BurstClassifier.burstGapMillis))
        #expect(apart.allSatisfy { !$0.flags.contains(.scannerSuspect) })
        let close = BurstClassifier.reclassify(clicks(gap: BurstClassifier.burstGapMillis - 1))
        #expect(close.allSatisfy { $0.flags.contains(.scannerSuspect) })
    }

    @Test func anOpenLessThanTheGapBeforeAScannedBurstIsTheScannersOwn() {
        var events = (0..<3).map { i in ev(.click, day: 1, minute: 1, lead: "L", campaign: "nl", url: "https://shop.example/\(i)") }
        var open = ev(.open, day: 1, minute: 1, lead: "L", campaign: "nl")
        open.ts -= BurstClassifier.burstGapMillis - 1
        var earlier = ev(.open, day: 1, minute: 1, lead: "L", campaign: "nl")
        earlier.ts -= BurstClassifier.burstGapMillis
        events = [earlier, open] + events
        let out = BurstClassifier.reclassify(events)
        #expect(!out[0].flags.contains(.scannerSuspect) && out[1].flags.contains(.scannerSuspect))
    }

    @Test func interestsFromPathsAreLowerCased() async throws {
        let dir = DataDir()
        try await dir.write([ev(.pageview, day: 1, lead: "L", url: "https://shop.example/produkte/Farben/1")])
        _ = try dir.aggregate(asOf: endOf(day: 1))
        #expect(try dir.profile("L")?.interests.map(\.category) == ["farben"])
    }

    /// A month of browsing, clicks, identifies and re-links for 40 leads, the same on every run.
    static func history() -> [Event] {
        var rng = MixedSequence()
        var events: [Event] = []
        let pages = ["/produkte/farben/1", "/produkte/pinsel/2", "/filialen", "/jobs/3", "/newsletter", "/malbedarf/x"]
        for i in 0..<1500 {
            let day = 1 + rng.next(30)
            let minute = rng.next(1440)
            let lead = "lead-\(rng.next(40))"
            let visitor = "v\(rng.next(60))"
            let id = "n1-000000000001-\(String(i, radix: 36))"
            switch rng.next(10) {
            case 0..<5:
                events.append(
                    ev(.pageview, day: day, minute: minute, visitor: visitor, url: "https://shop.example" + pages[rng.next(pages.count)], id: id))
            case 5:
                events.append(ev(.identify, day: day, minute: minute, lead: lead, visitor: visitor, props: ["birthday": "1980-01-01"], id: id))
            case 6, 7:
                events.append(
                    ev(
                        .click, day: day, minute: minute, lead: lead, visitor: visitor, campaign: "nl-\(rng.next(4))",
                        url: "https://shop.example" + pages[rng.next(pages.count)], id: id))
            case 8:
                events.append(ev(.open, day: day, minute: minute, lead: lead, campaign: "nl-\(rng.next(4))", id: id))
            default:
                events.append(
                    ev(
                        .form, day: day, minute: minute, visitor: visitor, url: "https://shop.example/newsletter",
                        props: ["form": "newsletter"], id: id))
            }
        }
        return events
    }

    @Test(arguments: [5, 12, 20, 31])
    func scoringAsOfAPastDateEqualsScoringOnlyWhatHadHappened(day: Int) async throws {
        let events = Self.history()
        let full = DataDir()
        try await full.write(events)
        _ = try full.aggregate(asOf: endOf(day: day))
        let past = DataDir()
        try await past.write(events.filter { $0.ts <= endOf(day: day) })
        _ = try past.aggregate(asOf: endOf(day: day))
        var compared = 0
        try full.reader().eachProfile { p in
            if let expected = try past.profile(p.lead) {
                #expect(p == expected, "lead \(p.lead) as of day \(day)")
                compared += 1
            } else {
                // A lead whose every event came later: nothing counts yet.
                #expect(p.score == 0 && p.counts.isEmpty && p.visitors.isEmpty, "lead \(p.lead) as of day \(day)")
            }
        }
        #expect(compared > 0)
    }
}

/// Deterministic, well-spread numbers for test data (Fibonacci hashing of a counter).
struct MixedSequence {
    private var n: UInt64 = 0
    mutating func next(_ below: Int) -> Int {
        n += 1
        return Int((n &* 0x9E37_79B9_7F4A_7C15) >> 33) % below
    }
}
