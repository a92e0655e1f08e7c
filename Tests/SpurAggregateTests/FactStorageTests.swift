import Foundation
import SpurCore
import Testing

@testable import SpurAggregate

/// The compact per-owner event lists of schema 7 (docs/decisions.md, "Events as per-lead facts").
@Suite struct FactStorageTests {
    /// Events with every field, odd ids and addresses, unicode and a zero byte.
    func oddEvents() -> [Event] {
        var all: [Event] = []
        let ids = [
            "n1-r2-0", "n1-r2-17", "n1-r2-007", "plain", "-5", "x-", "a-b-18446744073709551615", "ü-1", "", "n1-3k9x7q-1a2z",
            "n1-b-zzzzzzzzzzzz", "n1-b-1zzzzzzzzzzzz", "n1-b-A1", "n1-b-0a",
        ]
        let ips = ["198.51.100.0", "2001:db8::", "01.2.3.4", "256.1.1.1", "1.2.3", "", "0.0.0.0"]
        for (i, id) in ids.enumerated() {
            all.append(
                Event(
                    id: id, ts: 1_790_000_000_000 + Int64(i * 1000), type: EventType.allCases[i % EventType.allCases.count],
                    campaign: i % 2 == 0 ? "nl-\(i)" : nil, lead: i % 3 == 0 ? "lead-\(i)" : nil, visitor: i % 4 == 0 ? "v\(i)" : nil,
                    url: ["https://shop.example/a?utm_source=x#f", "https://shop.example/ä/b", "/rel#x?y", "", "?only"][i % 5],
                    referrer: i % 2 == 1 ? "https://ref.example/?q=\(i)" : nil, title: i % 3 == 1 ? "Seite \u{0} \(i) – ü" : nil,
                    name: i % 3 == 2 ? "store_locator_search" : nil, ua: "Mozilla/5.0 (\(i % 2))", ip: ips[i % ips.count],
                    flags: EventFlags(rawValue: UInt8(i * 37 % 256)), props: i % 2 == 0 ? ["form": "news", "zz": "", "Ä": "\u{1F600}"] : [:],
                    node: i % 5 == 0 ? nil : "n1"))
        }
        return all
    }

    @Test func listsGiveBackExactlyTheEventsTheyWereMadeOf() throws {
        for owner in [FactOwner.lead, .visitor, .anonymous, .campaignDay] {
            let dictionary = StringDictionary(limit: owner == .visitor ? 3 : 1000)  // a full dictionary stores inline
            for e in oddEvents() {
                var e = e
                if owner == .lead { e.lead = "the-lead" }
                if owner == .visitor { (e.lead, e.visitor) = (nil, "the-visitor") }
                let key = owner == .lead ? "the-lead" : owner == .visitor ? "the-visitor" : "k"
                let blob = FactCodec.list([e], owner: owner, dictionary: dictionary)
                let back = FactCodec.events(blob, owner: owner, key: key, dictionary: dictionary)
                #expect(back.unreadable == 0 && back.events == [e], "\(owner) \(e.id)")
                #expect(FactCodec.entries(blob, dictionary: dictionary)?.map(\.id) == [e.id])
            }
        }
    }

    @Test func aListWithANumberTheDictionaryLacksSaysSo() {
        let dictionary = StringDictionary()
        let blob = FactCodec.list(oddEvents(), owner: .anonymous, dictionary: dictionary)
        let empty = StringDictionary()
        #expect(FactCodec.events(blob, owner: .anonymous, key: "k", dictionary: empty).unreadable > 0)
        #expect(FactCodec.events(Array(blob.prefix(blob.count / 2)), owner: .anonymous, key: "k", dictionary: dictionary).unreadable > 0)
    }

    /// What makes `updated_at` move: anything in the profile but its as-of time.
    @Test func theProfileDigestIgnoresOnlyTheAsOfTime() {
        let a = #"{"as_of":"2026-11-02T10:00:00Z","attributes":{"as_of":"x"},"score":5}"#
        let b = #"{"as_of":"2026-12-24T23:59:59Z","attributes":{"as_of":"x"},"score":5}"#
        let c = #"{"as_of":"2026-11-02T10:00:00Z","attributes":{"as_of":"y"},"score":5}"#
        let d = #"{"as_of":"2026-11-02T10:00:00Z","attributes":{"as_of":"x"},"score":6}"#
        #expect(LeadProfile.digest(json: a) == LeadProfile.digest(json: b))
        #expect(Set([a, c, d].map(LeadProfile.digest)).count == 3 && LeadProfile.digest(json: a) != 0)
    }

    /// Runs spilled to files merge into the same order as one sort in memory.
    @Test func theSorterSpillsRunsAndMergesThemInOrder() throws {
        let dir = NSTemporaryDirectory() + "spur-sort-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = SplitMix64(seed: 7)
        var records: [(UInt8, String, Int64, String)] = []
        for i in 0..<5000 {
            records.append((UInt8(rng.next() % 3), "owner-\(rng.next() % 300)", Int64(rng.next() % 1000) - 500, "id-\(i)"))
        }
        func sorted(budget: Int) throws -> [String] {
            let sorter = FactSorter(directory: dir, budget: budget)
            for (i, r) in records.enumerated() {
                try sorter.add(
                    owner: FactOwner(rawValue: r.0)!, type: 0, flags: [], segment: i, ts: r.2, key: r.1, id: r.3, body: Array(r.3.utf8))
            }
            var out: [String] = []
            try sorter.finish {
                out.append("\($0.owner.rawValue) \($0.keyString) \($0.ts) \($0.idString) \(String(decoding: $0.body, as: UTF8.self))")
            }
            return out
        }
        let inMemory = try sorted(budget: 1 << 30)
        let spilled = try sorted(budget: 4096)
        #expect(spilled == inMemory && inMemory.count == records.count)
        let expected = records.sorted { a, b in
            a.0 != b.0
                ? a.0 < b.0
                : a.1 != b.1 ? a.1.utf8.lexicographicallyPrecedes(b.1.utf8) : a.2 != b.2 ? a.2 < b.2 : a.3.utf8.lexicographicallyPrecedes(b.3.utf8)
        }.map { "\($0.0) \($0.1) \($0.2) \($0.3) \($0.3)" }
        #expect(inMemory == expected)
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    /// An erased person's page address and title leave the dictionary with their events; a page
    /// others saw too stays. Anonymous events (no lead, no visitor) are kept.
    @Test func erasureTakesTheDictionaryEntriesOnlyThePersonUsed() async throws {
        let dir = DataDir()
        var own = ev(.pageview, day: 3, visitor: "v-1", url: "https://shop.example/konto/anna-mueller?tab=1")
        own.title = "Konto von Anna Müller"
        try await dir.write(
            referenceEvents() + [
                own, ev(.pageview, day: 3, visitor: "v-2", url: "https://shop.example/filialen"),
                ev(.pageview, day: 3, url: "https://shop.example/filialen", flags: [.anonymous]),
            ])
        _ = try dir.aggregate(asOf: endOf(day: 8))
        #expect(try ErasureTests().everything(in: dir).contains("Konto von Anna M"))
        _ = try Eraser(dataDirectories: [dir.path], database: dir.db, logger: quietLogger).forget(lead: "lead-1", dryRun: false)
        // (The page counts keep paths without people, docs/consent.md; the title is nowhere.)
        #expect(!(try ErasureTests().everything(in: dir).contains("Anna M")))
        let store = try AggregateStore(path: dir.db, readOnly: true)
        let strings = try store.loadStrings().texts.compactMap { $0 }
        #expect(!strings.contains { $0.contains("anna-mueller") } && strings.contains("https://shop.example/filialen"))
        let pages = try AggregateReader(database: dir.db).pageTotals(firstDay: 0, lastDay: 100_000).map(\.page)
        #expect(pages.contains { $0.hasSuffix("/filialen") }, "\(pages)")
        #expect(try store.ownerEvents(.visitor, "v-2").map(\.url) == ["https://shop.example/filialen"])
        #expect(try store.ownerEvents(.anonymous, FactOwner.dayKey("", day: at(day: 3) / LeadScorer.dayMillis)).count == 1)
    }
}

/// The formatter-free reading of the times Spur writes agrees with the formatter.
@Suite struct ISOTimeTests {
    @Test func theFastPathReadsWhatTheFormatterReads() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<2000 {
            let ms = Int64(rng.next() % 8_000_000_000_000) / 1000 * 1000 - 1_000_000_000_000
            let text = ISO8601.string(ms)
            #expect(ISO8601.parseUTC(text) == ms, "\(text)")
            let formatter = ISO8601DateFormatter().date(from: text).map { Int64($0.timeIntervalSince1970 * 1000) }
            #expect(formatter == ms, "\(text)")
        }
        for odd in ["2026-02-29T10:00:00Z", "2026-13-01T10:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22t10:00:00Z", "2026-11-22", "x"] {
            #expect(ISO8601.parseUTC(odd) == nil, "\(odd)")
        }
        #expect(ISO8601.parseUTC("2024-02-29T23:59:59Z") == 1_709_251_199_000)
    }
}
