import Foundation
import SpurCore
import Testing

@testable import SpurAggregate

/// `LeadProfile.json` (written by hand for speed) against `JSONEncoder`, byte for byte.
@Suite struct LeadProfileJSONTests {
    struct Maker {
        var rng = SplitMix64(seed: 18)

        mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }

        mutating func string() -> String {
            let parts = [
                "a", "B", "z9", "10", "9", "_", "-", "é", "Ä", "ß", "😀", "/", "\\", "\"", "\n", "\t", "\r", "\u{8}", "\u{C}", "\u{1}",
                "\u{1F}", "\u{7F}", "\u{2028}", "<script>", " ", "%2F", "https://x.example/a?b=c&d=e#f", "",
            ]
            return (0..<Int(rng.next() % 5)).map { _ in pick(parts) }.joined()
        }

        mutating func number() -> Double {
            switch rng.next() % 8 {
            case 0: return 0
            case 1: return -0.0
            case 2: return Double(Int64(rng.next() % 2_000_001) - 1_000_000) / 100
            case 3:
                return pick([
                    1e15, 1e16, 9_999_999_999_999_998, -1e16, 1e17, 1e21, 1e22, 9_007_199_254_740_992, 9_007_199_254_740_991, -9_007_199_254_740_992,
                    123_456_789_012.34, 0.01, 0.1, 0.3, 1.0 / 3, 5e-324, 1e-7, 2.5e300, -7.25,
                ])
            default: return Double(Int64(rng.next() % 20_001) - 10_000) / 100
            }
        }

        mutating func profile() -> LeadProfile {
            var keys: [String] = []
            for _ in 0..<Int(rng.next() % 6) {
                keys.append(pick(["a10", "a9", "A9", "b", "B", "_x", "é", "Z", "budget", "a", "a_b", "ab"]) + string())
            }
            let touch = { (m: inout Maker) -> LeadProfile.Touch? in
                m.rng.next() % 2 == 0
                    ? nil
                    : LeadProfile.Touch(
                        at: m.string(), source: m.rng.next() % 2 == 0 ? m.string() : nil, medium: m.rng.next() % 2 == 0 ? m.string() : nil,
                        campaign: m.rng.next() % 2 == 0 ? m.string() : nil, url: m.string())
            }
            return LeadProfile(
                lead: string(), asOf: string(), score: number(), implicit: number(), explicit: number(), lifetime: number(),
                grade: pick(Grade.allCases), letter: pick(Letter.allCases), label: string(), stage: pick(Stage.allCases),
                stageSince: rng.next() % 2 == 0 ? string() : nil, mqlAt: rng.next() % 2 == 0 ? string() : nil,
                sqlAt: rng.next() % 2 == 0 ? string() : nil,
                interests: (0..<Int(rng.next() % 4)).map { _ in .init(category: string(), weight: number()) },
                counts: Dictionary((0..<Int(rng.next() % 5)).map { _ in (pick(EventType.allCases).rawValue, Int(rng.next() % 1000)) }) { a, _ in a },
                firstSeen: string(), lastSeen: string(), visitors: (0..<Int(rng.next() % 3)).map { _ in string() },
                campaignsOpened: (0..<Int(rng.next() % 3)).map { _ in string() }, campaignsClicked: (0..<Int(rng.next() % 3)).map { _ in string() },
                attributes: Dictionary(keys.map { ($0, string()) }) { a, _ in a },
                explain: (0..<Int(rng.next() % 4)).map { _ in
                    .init(
                        rule: string(), points: number(), awarded: number(), events: Int(rng.next() % 50),
                        excluded: rng.next() % 2 == 0 ? string() : nil)
                }, firstTouch: touch(&self), lastTouch: touch(&self))
        }
    }

    @Test func theHandWrittenJSONEqualsJSONEncoder() throws {
        var maker = Maker()
        for _ in 0..<3000 {
            let p = maker.profile()
            let expected = String(decoding: try LeadProfile.encoder.encode(p), as: UTF8.self)
            #expect(p.json == expected)
            if p.json != expected { break }
        }
    }
}
