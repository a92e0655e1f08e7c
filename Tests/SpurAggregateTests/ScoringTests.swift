import Foundation
import SpurAggregate
import SpurCore
import Testing

@Suite struct ScoringTests {
    @Test func theReferenceLeadScores53Grade1MQL() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents())
        let summary = try dir.aggregate(asOf: endOf(day: 7))
        #expect(summary.exitCode == 0 && summary.leads == 1)
        let p = try #require(try dir.profile("lead-1"))
        #expect(p.score == 53 && p.implicit == 43 && p.explicit == 10)
        #expect(p.grade == .one && p.letter == .c && p.label == "C1")
        #expect(p.stage == .mql && p.mqlAt == ISO8601.string(at(day: 7)) && p.sqlAt == nil)
        let rules = Dictionary(grouping: p.explain.filter { $0.excluded == nil }, by: \.rule).mapValues { $0[0] }
        #expect(rules["newsletter_signup"]?.points == 3)
        #expect(rules["newsletter_open"]?.points == 5 && rules["newsletter_open"]?.events == 1)
        #expect(rules["painting_supplies_click"]?.points == 5)
        #expect(rules["birthday"]?.points == 10)
        #expect(rules["product_browsing"]?.points == 10 && rules["product_browsing"]?.events == 2)
        #expect(rules["store_locator"]?.points == 20)
        #expect(p.explain.contains { $0.rule == "newsletter_open" && $0.excluded == "repeat" && $0.events == 1 })
        #expect(p.explain.contains { $0.rule == "product_browsing" && $0.excluded == "repeat" && $0.events == 1 })
        #expect(p.interests.map(\.category).contains("malbedarf"))
        #expect(Set(p.interests.map(\.category)) == ["malbedarf", "farben", "pinsel"])
        #expect(p.counts["pageview"] == 4 && p.counts["open"] == 2)
        #expect(p.visitors == ["v-1"] && p.campaignsOpened == ["nl-47"] && p.campaignsClicked == ["nl-47"])
        #expect(p.attributes == ["birthday": "1980-05-01"])
        #expect(p.firstSeen == ISO8601.string(at(day: 1)) && p.lastSeen == ISO8601.string(at(day: 7)))
    }

    @Test func jobAdsScoreNegative() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents() + [ev(.pageview, day: 7, minute: 9, visitor: "v-1", url: "https://shop.example/jobs/verkauf")])
        _ = try dir.aggregate(asOf: endOf(day: 7))
        #expect(try dir.profile("lead-1")?.score == 43)
    }

    /// δ(Δ) = 1 for Δ ≤ 7 days, else 2^(−(Δ − 7)/30); each award decays from its own time.
    @Test(arguments: [30, 90]) func decayFollowsTheDocumentedFormula(daysIdle: Int) async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents())
        let asOf = at(day: 7) + Int64(daysIdle) * 86_400_000
        _ = try dir.aggregate(asOf: asOf)
        let p = try #require(try dir.profile("lead-1"))
        let awards: [(Int64, Double)] = [
            (at(day: 1), 3), (at(day: 2), 5), (at(day: 2, minute: 1), 5), (at(day: 4), 5), (at(day: 6), 5), (at(day: 7), 20),
        ]
        let expected = awards.reduce(0.0) { sum, a in
            let days = Double(asOf - a.0) / 86_400_000
            return sum + a.1 * (days <= 7 ? 1 : pow(2, -(days - 7) / 30))
        }
        #expect(abs(p.implicit - expected) < 0.01, "implicit \(p.implicit) expected \(expected)")
        #expect(p.explicit == 10)  // explicit points never decay
        #expect(abs(p.score - (expected + 10)) < 0.01)
        // The worked example in docs/scoring.md: 34.1 after 30 idle days, 16.0 after 90.
        #expect(String(format: "%.1f", p.score) == (daysIdle == 30 ? "34.1" : "16.0"))
        #expect(p.stage == .none && p.mqlAt != nil)  // left mql below 40 (hysteresis)
    }

    @Test func repeatPoliciesAndDailyCap() async throws {
        let rules = try ScoringRules(
            yaml: """
                daily_cap: 12
                rules:
                  - { id: once, type: custom, props: { name: signup }, points: 1, repeat: once }
                  - { id: camp, type: open, points: 2, repeat: per_campaign }
                  - { id: link, type: click, points: 3, repeat: per_link }
                  - { id: day, type: pageview, path: "/day/*", points: 1, repeat: per_day }
                  - { id: window, type: pageview, path: "/win", points: 1, repeat: 3d }
                  - { id: every, type: pageview, path: "/every", points: 1 }
                  - { id: big, type: download, points: 10 }
                """)
        let dir = DataDir()
        let l = "lead-r"
        try await dir.write([
            ev(.custom, day: 1, lead: l, props: ["name": "signup"]), ev(.custom, day: 5, lead: l, props: ["name": "signup"]),
            ev(.open, day: 1, lead: l, campaign: "a"), ev(.open, day: 1, lead: l, campaign: "a"), ev(.open, day: 2, lead: l, campaign: "b"),
            ev(.click, day: 1, lead: l, campaign: "a", url: "https://x/1"), ev(.click, day: 2, lead: l, campaign: "a", url: "https://x/1"),
            ev(.click, day: 2, lead: l, campaign: "a", url: "https://x/2"),
            ev(.pageview, day: 3, lead: l, url: "https://x/day/1"), ev(.pageview, day: 3, lead: l, url: "https://x/day/2"),
            ev(.pageview, day: 4, lead: l, url: "https://x/day/1"),
            ev(.pageview, day: 3, lead: l, url: "https://x/win"), ev(.pageview, day: 5, lead: l, url: "https://x/win"),
            ev(.pageview, day: 6, lead: l, url: "https://x/win"),
            ev(.pageview, day: 4, lead: l, url: "https://x/every"), ev(.pageview, day: 4, lead: l, url: "https://x/every"),
            // Day 6: 10 + 10 would be 20, the daily cap (with the window point) cuts it to 12.
            ev(.download, day: 6, minute: 1, lead: l, url: "https://x/a.pdf"), ev(.download, day: 6, minute: 2, lead: l, url: "https://x/b.pdf"),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 6), rules: rules)
        let p = try #require(try dir.profile(l))
        func points(_ rule: String) -> Double? { p.explain.first { $0.rule == rule && $0.excluded == nil }?.points }
        func excluded(_ rule: String, _ reason: String) -> Int? { p.explain.first { $0.rule == rule && $0.excluded == reason }?.events }
        #expect(points("once") == 1 && excluded("once", "repeat") == 1)
        #expect(points("camp") == 4 && excluded("camp", "repeat") == 1)
        #expect(points("link") == 6 && excluded("link", "repeat") == 1)
        #expect(points("day") == 2 && excluded("day", "repeat") == 1)
        #expect(points("window") == 2 && excluded("window", "repeat") == 1)  // days 3 and 6; day 5 is within 3 days
        #expect(points("every") == 2)
        #expect(points("big") == 11 && excluded("big", "daily_cap") == 1)
        #expect(p.implicit == 1 + 4 + 6 + 2 + 2 + 2 + 11)
    }

    @Test func flaggedEventsAreWeightedAndExplained() async throws {
        let dir = DataDir()
        try await dir.write([
            ev(.click, day: 1, lead: "l", campaign: "c", url: "https://shop.example/malbedarf/a", flags: [.scannerSuspect]),
            ev(.click, day: 1, lead: "l", campaign: "c", url: "https://shop.example/x", flags: [.bot]),
            ev(.open, day: 1, lead: "l", campaign: "c", flags: [.proxyOpen]),
            ev(.click, day: 1, minute: 5, lead: "l", campaign: "c", url: "https://shop.example/malbedarf/a"),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 1))
        let p = try #require(try dir.profile("l"))
        #expect(p.implicit == 5 + 2.5)  // the human click still counts after the scanner's
        #expect(p.explain.contains { $0.rule == "painting_supplies_click" && $0.excluded == "scanner_suspect" })
        #expect(p.explain.contains { $0.rule == "newsletter_click" && $0.excluded == "bot" })
        #expect(p.explain.contains { $0.rule == "newsletter_open" && $0.excluded == "proxy_open (weight 0.5)" })
    }

    @Test func templateLinkLeadsCountFullyOrAsTheRulesWeighThem() async throws {
        let dir = DataDir()
        try await dir.write([ev(.click, day: 1, lead: "l", campaign: "c", url: "https://shop.example/malbedarf/a", flags: [.unsignedLead])])
        _ = try dir.aggregate(asOf: endOf(day: 1))
        #expect(try dir.profile("l")?.implicit == 5)
        var rules = try ScoringRules.defaults()
        rules.flagWeights["unsigned_lead"] = 0.2
        _ = try dir.aggregate(asOf: endOf(day: 1), rules: rules)
        let p = try #require(try dir.profile("l"))
        #expect(p.implicit == 1 && p.explain.contains { $0.excluded == "unsigned_lead (weight 0.2)" })
        #expect(try ScoringRules(yaml: "flags: { unsigned_lead: 0 }").flagWeights["unsigned_lead"] == 0)
    }

    @Test func bantQualificationGivesExplicitPoints() async throws {
        let dir = DataDir()
        try await dir.write([
            ev(
                .identify, day: 1, lead: "l",
                props: ["budget": "approved", "authority": "decision-maker", "need": "high", "timeframe": "within-3-months", "project": "yes"]),
            ev(
                .identify, day: 1, lead: "m",
                props: ["budget": "planned", "authority": "influencer", "need": "low", "timeframe": "later", "project": "no"]),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 1))
        let p = try #require(try dir.profile("l"))
        #expect(p.explicit == 45 && p.letter == .a)
        #expect(
            ["budget_approved", "decision_maker", "high_need", "buying_soon", "project"].allSatisfy { rule in p.explain.contains { $0.rule == rule } }
        )
        #expect(try dir.profile("m")?.explicit == 0)
    }

    @Test func explicitPointsFollowTheCurrentAttributeValues() async throws {
        let dir = DataDir()
        try await dir.write([ev(.identify, day: 1, lead: "l", props: ["company_size": "10-49", "role": "owner"])])
        _ = try dir.aggregate(asOf: endOf(day: 1))
        #expect(try dir.profile("l")?.explicit == 15)
        try await dir.write([ev(.identify, day: 2, lead: "l", props: ["company_size": "250-999"])])
        _ = try dir.aggregate(asOf: endOf(day: 2))
        let p = try #require(try dir.profile("l"))
        #expect(p.explicit == 30 && p.letter == .b)
        #expect(p.attributes == ["company_size": "250-999", "role": "owner"])
        try await dir.write([ev(.identify, day: 3, lead: "l", props: ["role": "intern"])])
        _ = try dir.aggregate(asOf: endOf(day: 3))
        #expect(try dir.profile("l")?.explicit == 15)
    }

    @Test func stitchingCountsAnonymousVisitsBeforeAndAfterTheLink() async throws {
        let dir = DataDir()
        // Anonymous browsing first, folded before the lead is known.
        try await dir.write([ev(.pageview, day: 1, visitor: "v", url: "https://shop.example/filialen")])
        _ = try dir.aggregate(asOf: endOf(day: 1))
        #expect(try dir.profile("l") == nil)
        // Then the click from the newsletter links visitor and lead; then more browsing.
        try await dir.write([
            ev(.click, day: 2, lead: "l", visitor: "v", campaign: "c", url: "https://shop.example/x"),
            ev(.pageview, day: 3, visitor: "v", url: "https://shop.example/produkte/a/b"),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 3))
        let p = try #require(try dir.profile("l"))
        #expect(p.implicit == 20 + 2 + 5 && p.visitors == ["v"])
        // The visitor later clicks another lead's link: the newest link wins from then on.
        try await dir.write([ev(.click, day: 4, lead: "m", visitor: "v", campaign: "c", url: "https://shop.example/y")])
        _ = try dir.aggregate(asOf: endOf(day: 4))
        #expect(try dir.profile("l")?.implicit == 2)
        #expect(try dir.profile("m")?.implicit == 20 + 5 + 2)
        #expect(try dir.profile("m")?.visitors == ["v"] && dir.profile("l")?.visitors == [])
    }

    /// Issue 17, attack 5: a forwarded newsletter must not move an identified browser's history.
    @Test func anIdentifiedVisitorStaysWithItsLeadWhenItClicksAForwardedLink() async throws {
        let dir = DataDir()
        try await dir.write([
            ev(.identify, day: 1, lead: "anna", visitor: "v"),
            ev(.pageview, day: 1, minute: 5, visitor: "v", url: "https://shop.example/filialen"),
            // Bob forwarded his newsletter; Anna's browser clicks Bob's signed link.
            ev(.click, day: 2, lead: "bob", visitor: "v", campaign: "c", url: "https://shop.example/x"),
            ev(.pageview, day: 3, visitor: "v", url: "https://shop.example/jobs/ausbildung"),
            ev(.pageview, day: 3, minute: 5, visitor: "v", url: "https://shop.example/produkte/a/b"),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 3))
        // Anna keeps her browser: the store locator, the job ad (-10) and the product page are hers.
        #expect(try dir.profile("anna")?.implicit == 20 - 10 + 5 && dir.profile("anna")?.visitors == ["v"])
        // Bob gets his click and nothing else: he cannot push Anna's points around.
        #expect(try dir.profile("bob")?.implicit == 2 && dir.profile("bob")?.visitors == [])
        // Someone else signs in on that browser: a newer identify moves it.
        try await dir.write([ev(.identify, day: 4, lead: "carl", visitor: "v")])
        _ = try dir.aggregate(asOf: endOf(day: 4))
        #expect(try dir.profile("carl")?.visitors == ["v"] && dir.profile("anna")?.visitors == [])
    }

    @Test func stagesUseHysteresisAndReachSQL() async throws {
        let rules = try ScoringRules(
            yaml: """
                decay: { half_life_days: 10, grace_days: 0 }
                stages: { mql: { enter: 50, exit: 40 }, sql: { enter: 80, exit: 65 } }
                rules:
                  - { id: big, type: custom, points: 45 }
                """)
        let dir = DataDir()
        try await dir.write([ev(.custom, day: 1, lead: "l", props: ["name": "a"]), ev(.custom, day: 1, minute: 1, lead: "l", props: ["name": "b"])])
        _ = try dir.aggregate(asOf: endOf(day: 1), rules: rules)
        let p = try #require(try dir.profile("l"))
        #expect(p.stage == .sql && p.sqlAt == ISO8601.string(at(day: 1, minute: 1)) && p.mqlAt != nil)
        // 90 → 45 after 10 days: below sql's exit (65), above mql's exit (40): back to mql.
        _ = try dir.aggregate(asOf: at(day: 1, minute: 1) + 10 * 86_400_000, rules: rules)
        #expect(try dir.profile("l")?.stage == .mql)
        _ = try dir.aggregate(asOf: at(day: 1, minute: 1) + 20 * 86_400_000, rules: rules)
        #expect(try dir.profile("l")?.stage == Stage.none)
    }

    @Test func customEventsMatchByNameAlsoWhenRecordedBeforeNamesHadTheirOwnField() async throws {
        let rules = try ScoringRules(
            yaml: """
                rules:
                  - { id: by_name, type: custom, name: "store_*", points: 7, repeat: every }
                  - { id: by_prop, type: custom, props: { name: newsletter_ok }, points: 3, repeat: every }
                """)
        let dir = DataDir()
        var new = ev(.custom, day: 1, lead: "l", props: ["name": "Anna"])
        new.name = "store_locator_search"
        let old = ev(.custom, day: 1, minute: 1, lead: "l", props: ["name": "store_finder"])  // before the name field
        var legacyRule = ev(.custom, day: 1, minute: 2, lead: "l")
        legacyRule.name = "newsletter_ok"  // a rules file that still says props.name
        try await dir.write([new, old, legacyRule])
        _ = try dir.aggregate(asOf: endOf(day: 1), rules: rules)
        let p = try #require(try dir.profile("l"))
        #expect(p.explain.map(\.rule) == ["by_name", "by_prop"] && p.explain[0].events == 2 && p.implicit == 17)
    }

    @Test func rulesFilesAreValidatedWithClearErrors() {
        #expect(throws: AggregateError.self) { try ScoringRules(yaml: "rules: [{ id: a, type: nope, points: 1 }]") }
        #expect(throws: AggregateError.self) { try ScoringRules(yaml: "rules: [{ id: a, type: open }]") }
        #expect(throws: AggregateError.self) { try ScoringRules(yaml: "rules: [{ id: a, type: open, points: 1, repeat: sometimes }]") }
        #expect(throws: AggregateError.self) { try ScoringRules(yaml: "decay: { half_life: 3 }") }
        #expect(throws: AggregateError.self) { try ScoringRules(yaml: "grades: [1, 2, 3, 4, 5]") }
        #expect(throws: AggregateError.self) {
            try ScoringRules(yaml: "rules: [{ id: a, type: open, points: 1 }, { id: a, type: click, points: 1 }]")
        }
        #expect(throws: AggregateError.self) { try ScoringRules(yaml: "rules: [") }
        do {
            _ = try ScoringRules(yaml: "rules: [{ id: a, type: open, points: x }]")
        } catch {
            #expect("\(error)".contains("rules[0].points"))
        }
        #expect(throws: Never.self) { try ScoringRules.defaults() }
    }

    @Test func theEmbeddedDefaultsEqualTheShippedFile() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/SpurAggregate/default-rules.yaml")
        #expect(try String(contentsOf: file, encoding: .utf8) == ScoringRules.defaultYAML)
    }

    @Test func globsMatchPaths() {
        #expect(Glob("/malbedarf/*").matches("/malbedarf/pinsel/rund"))
        #expect(Glob("/malbedarf/*").matches("/malbedarf/"))
        #expect(!Glob("/malbedarf/*").matches("/malbedarfx"))
        #expect(Glob("/filialen*").matches("/filialen") && Glob("nl-?").matches("nl-1") && !Glob("nl-?").matches("nl-12"))
    }
}

@Suite struct HonestNumbersTests {
    @Test func aBurstWithAHoneypotClickMarksAllItsClicksAndTheyScoreNothing() async throws {
        let dir = DataDir()
        try await dir.write([
            ev(.open, day: 1, lead: "l", campaign: "nl", flags: [.proxyOpen]),
            ev(.click, day: 1, minute: 0, lead: "l", campaign: "nl", url: "https://shop.example/malbedarf/a"),
            ev(.click, day: 1, minute: 0, lead: "l", campaign: "nl", url: "https://t.example.com/robots.txt", flags: [.honeypot]),
            // The human comes back an hour later: counted.
            ev(.click, day: 1, minute: 60, lead: "l", campaign: "nl", url: "https://shop.example/x"),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 1))
        let p = try #require(try dir.profile("l"))
        // The proxied open right before the scanner's burst is the scanner's; only the later human click counts.
        #expect(p.implicit == 2)
        #expect(p.explain.contains { $0.rule == "newsletter_open" && $0.excluded == "scanner_suspect" })
        #expect(p.explain.contains { $0.rule == "painting_supplies_click" && $0.excluded == "scanner_suspect" })
        let r = try #require(try AggregateReader(database: dir.db).campaignReport("nl"))
        #expect(r.clicks == .init(total: 3, human: 1, proxy: 0, bot: 2))
        #expect(r.excluded["clicks"]?["scanner_suspect"] == 2 && r.excluded["clicks"]?["honeypot"] == 1)
        #expect(r.excluded["opens"]?["proxy_open"] == 1)
    }

    @Test func oneNetworkClickingForManyRecipientsIsAGateway() async throws {
        let dir = DataDir()
        var events: [Event] = []
        for lead in ["a", "b", "c"] {
            var e = ev(.click, day: 1, lead: lead, campaign: "nl", url: "https://shop.example/x")
            e.ip = "203.0.113.0"
            events.append(e)
        }
        var human = ev(.click, day: 1, minute: 30, lead: "d", campaign: "nl", url: "https://shop.example/x")
        human.ip = "203.0.113.0"
        events.append(human)
        try await dir.write(events)
        _ = try dir.aggregate(asOf: endOf(day: 1))
        let r = try #require(try AggregateReader(database: dir.db).campaignReport("nl"))
        #expect(r.clicks.bot == 3 && r.clicks.human == 1)
    }
}
