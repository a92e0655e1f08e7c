import Foundation
import SpurAggregate
import SpurCore
import Testing

/// The typed read interface: every filter, every sort and cursor paging.
@Suite struct LeadQueryTests {
    /// Lead `lead-N` (N = 1…24) scores 10·N points from N custom events; even leads are
    /// interested in `farben`, odd ones in `pinsel`; every third opened `nl-3`; lead-5 clicked
    /// `nl-5`; leads 1–4 have a company size worth 40 explicit points (letter A).
    static let rules = """
        decay: { half_life_days: 30, grace_days: 1000 }
        daily_cap: 10000
        grades: [51, 41, 31, 21, 11]
        letters: { A: 40, B: 25, C: 10 }
        stages: { mql: { enter: 50, exit: 40 }, sql: { enter: 80, exit: 65 } }
        rules:
          - { id: even, type: custom, props: { name: even }, points: 10, repeat: every, categories: [farben] }
          - { id: odd, type: custom, props: { name: odd }, points: 10, repeat: every, categories: [pinsel] }
          - { id: open, type: open, points: 0, repeat: per_campaign }
          - { id: click, type: click, points: 0, repeat: per_link }
        explicit:
          - { id: big_company, attribute: company_size, points: 40 }
        """

    /// `rewriteAtLeast` 0: every run takes the path that drops and rebuilds the list's indexes.
    static func fixture(rewriteAtLeast: Int? = nil) async throws -> DataDir {
        let dir = DataDir()
        var events: [Event] = []
        for n in 1...24 {
            let lead = "lead-\(n)"
            for i in 0..<n {
                events.append(ev(.custom, day: 1 + i % 5, minute: n, lead: lead, props: ["name": n % 2 == 0 ? "even" : "odd"]))
            }
            if n % 3 == 0 { events.append(ev(.open, day: 6, minute: n, lead: lead, campaign: "nl-3")) }
            if n <= 4 { events.append(ev(.identify, day: 6, lead: lead, visitor: "v-\(n)", props: ["company_size": "250-999"])) }
        }
        events.append(ev(.click, day: 7, lead: "lead-5", campaign: "nl-5", url: "https://shop.example/x"))
        try await dir.write(events)
        _ = try dir.aggregate(asOf: endOf(day: 7), rules: try ScoringRules(yaml: rules), rewriteAtLeast: rewriteAtLeast)
        return dir
    }

    private func leads(_ dir: DataDir, _ change: (inout LeadQuery) -> Void) throws -> [String] {
        var q = LeadQuery()
        q.limit = LeadQuery.maximumLimit
        change(&q)
        return try dir.reader().leads(q).leads.map(\.lead)
    }

    @Test(arguments: [nil, 0])
    func eachFilterSelectsExactlyTheMatchingLeads(rewriteAtLeast: Int?) async throws {
        let dir = try await Self.fixture(rewriteAtLeast: rewriteAtLeast)
        let all = (1...24).map { "lead-\($0)" }
        // Scores are 10·N (+40 for leads 1–4): by score, highest first, ties by id.
        let score = { (n: Int) in 10 * n + (n <= 4 ? 40 : 0) }
        let byScore = (1...24).sorted { (score($1), "lead-\($0)") < (score($0), "lead-\($1)") }.map { "lead-\($0)" }
        #expect(try leads(dir) { _ in } == byScore)
        #expect(try leads(dir) { $0.stage = .sql } == (9...24).reversed().map { "lead-\($0)" } + ["lead-4", "lead-8"])
        #expect(
            try leads(dir) {
                $0.stage = .mql; $0.sort = .lead
            } == ["lead-1", "lead-2", "lead-3", "lead-5", "lead-6", "lead-7"])
        #expect(try leads(dir) { $0.stage = Stage.none }.isEmpty)
        #expect(
            try leads(dir) {
                $0.letter = .a; $0.sort = .lead
            } == ["lead-1", "lead-2", "lead-3", "lead-4"])
        #expect(try leads(dir) { $0.letter = .d }.count == 20)
        #expect(try leads(dir) { $0.minScore = 200 } == ["lead-24", "lead-23", "lead-22", "lead-21", "lead-20"])
        #expect(
            try leads(dir) {
                $0.interest = "pinsel"; $0.sort = .lead
            } == all.filter { Int($0.dropFirst(5))! % 2 == 1 }.sorted())
        #expect(
            try leads(dir) {
                $0.campaign = "nl-3"; $0.sort = .lead
            } == ["lead-12", "lead-15", "lead-18", "lead-21", "lead-24", "lead-3", "lead-6", "lead-9"])
        #expect(try leads(dir) { $0.campaign = "nl-5" } == ["lead-5"])
        #expect(
            try leads(dir) {
                $0.campaign = "nl-3"; $0.interest = "farben"; $0.minScore = 150
            } == ["lead-24", "lead-18"])
        #expect(try leads(dir) { $0.interest = "nothing" }.isEmpty)
    }

    @Test func gradesComeFromTheTotalScore() async throws {
        let dir = try await Self.fixture()
        // Grade 2 is 41–50 points: lead-1 (10 + 40) and lead-5; nobody has 11–40 points.
        #expect(
            try leads(dir) {
                $0.grade = .two; $0.sort = .lead
            } == ["lead-1", "lead-5"])
        #expect(try leads(dir) { $0.grade = .one }.count == 22)
        for grade in [Grade.three, .four, .five, .six] { #expect(try leads(dir) { $0.grade = grade }.isEmpty) }
        #expect(
            try leads(dir) {
                $0.grade = .one; $0.letter = .a; $0.sort = .lead
            } == ["lead-2", "lead-3", "lead-4"])
    }

    /// Also through the tag table (an interest, a campaign, both) and as summaries.
    @Test(arguments: [nil, "interest", "campaign", "both"])
    func pagingWalksEveryLeadOnceInEverySort(filter: String?) async throws {
        let dir = try await Self.fixture()
        for sort in LeadQuery.Sort.allCases {
            var q = LeadQuery()
            q.sort = sort
            if filter == "interest" || filter == "both" { q.interest = "farben" }
            if filter == "campaign" || filter == "both" { q.campaign = "nl-3" }
            q.limit = LeadQuery.maximumLimit
            let whole = try dir.reader().leads(q).leads.map(\.lead)
            #expect(whole.count == ["interest": 12, "campaign": 8, "both": 4][filter ?? ""] ?? 24, "\(filter ?? "none")")
            #expect(try dir.reader().leadSummaries(q).leads.map(\.lead) == whole)
            for pageSize in [1, 5, 7, 24] {
                var seen: [String] = [], summarized: [String] = []
                q.limit = pageSize
                var summaryQuery = q
                q.cursor = nil
                var pages = 0
                repeat {
                    let page = try dir.reader().leads(q)
                    #expect(page.leads.count <= pageSize)
                    seen += page.leads.map(\.lead)
                    q.cursor = page.nextCursor
                    let summaries = try dir.reader().leadSummaries(summaryQuery)
                    summarized += summaries.leads.map(\.lead)
                    summaryQuery.cursor = summaries.nextCursor
                    pages += 1
                } while q.cursor != nil && pages < 100
                #expect(seen == whole, "sort \(sort.rawValue), page size \(pageSize), filter \(filter ?? "none")")
                #expect(summarized == whole, "summaries: sort \(sort.rawValue), page size \(pageSize), filter \(filter ?? "none")")
            }
        }
    }

    @Test(arguments: [nil, 0])
    func updatedSinceListsOnlyProfilesThatChanged(rewriteAtLeast: Int?) async throws {
        let dir = try await Self.fixture(rewriteAtLeast: rewriteAtLeast)
        let firstRun = try dir.reader().leads(
            {
                var q = LeadQuery(); q.sort = .updated; q.limit = 1; return q
            }()
        ).leads
        #expect(firstRun.count == 1)
        let before = SystemTime.nowMillis()
        // The same as-of again: nothing changed, so nothing is newer than `before`.
        _ = try dir.aggregate(asOf: endOf(day: 7), rules: try ScoringRules(yaml: Self.rules), rewriteAtLeast: rewriteAtLeast)
        #expect(try leads(dir) { $0.updatedSince = before }.isEmpty)
        // One new event for lead-7: only its profile changed.
        try await dir.write([ev(.custom, day: 7, minute: 30, lead: "lead-7", props: ["name": "odd"])])
        _ = try dir.aggregate(asOf: endOf(day: 7), rules: try ScoringRules(yaml: Self.rules), rewriteAtLeast: rewriteAtLeast)
        #expect(try leads(dir) { $0.updatedSince = before } == ["lead-7"])
        #expect(try leads(dir) { $0.sort = .updated }.first == "lead-7")
    }

    @Test func badCursorsAndPageSizesAreRefusedWithAClearError() async throws {
        let dir = try await Self.fixture()
        var q = LeadQuery()
        q.limit = 2
        let next = try #require(try dir.reader().leads(q).nextCursor)
        q.sort = .lastSeen
        q.cursor = next  // a score cursor used with another sort
        #expect(throws: AggregateError.invalidCursor(next)) { try dir.reader().leads(q) }
        q.cursor = "not base64!"
        #expect(throws: AggregateError.self) { try dir.reader().leads(q) }
        q.cursor = nil
        q.limit = 0
        #expect(throws: AggregateError.self) { try dir.reader().leads(q) }
        q.limit = LeadQuery.maximumLimit + 1
        #expect(throws: AggregateError.self) { try dir.reader().leads(q) }
    }

    @Test func aMissingDatabaseIsReportedAsSuchAndNotCreated() throws {
        let path = NSTemporaryDirectory() + "spur-none-" + UUID().uuidString + ".sqlite"
        #expect(throws: AggregateError.noDatabase(path)) { try AggregateReader(database: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
