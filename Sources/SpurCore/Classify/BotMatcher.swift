import Foundation
import Synchronization

/// Whether a user agent is a bot's: isbot's patterns (`BotPatternList`, generated from the
/// public list by scripts/generate-bot-patterns.py) as one case-insensitive regular expression,
/// plus Spur's own substrings (`BotUserAgents`) and the operator's (`--bot-patterns-file`).
/// This runs for every hit: the answer is cached per user agent (browsers send few distinct
/// ones), in a cache of bounded size that starts over when full; on a miss the substrings are
/// checked in one pass before the regular expression.
final class BotMatcher: Sendable {
    private let substringsByFirstByte: [[[UInt8]]]
    private let expression: NSRegularExpression?
    private let cache = Mutex<[String: Bool]>([:])
    static let cacheSize = 8192

    init(extraPatterns: [String]) {
        let substrings = (BotUserAgents.patterns + extraPatterns.map { $0.lowercased() }).filter { !$0.isEmpty }.map { Array($0.utf8) }
        var byFirst = [[[UInt8]]](repeating: [], count: 256)
        for s in substrings { byFirst[Int(s[0])].append(s) }
        substringsByFirstByte = byFirst
        // A pattern the regular-expression engine refused would be a generator bug; the substrings still work.
        expression = try? NSRegularExpression(pattern: BotPatternList.isbot.joined(separator: "|"), options: [.caseInsensitive])
    }

    func isBot(_ userAgent: String) -> Bool {
        if let known = cache.withLock({ $0[userAgent] }) { return known }
        let range = NSRange(userAgent.startIndex..., in: userAgent)
        let bot = containsSubstring(userAgent) || expression?.firstMatch(in: userAgent, range: range) != nil
        cache.withLock { c in
            if c.count >= Self.cacheSize { c.removeAll(keepingCapacity: true) }
            c[userAgent] = bot
        }
        return bot
    }

    /// Byte-level search on an ASCII-lowercased copy.
    private func containsSubstring(_ userAgent: String) -> Bool {
        let ua = userAgent.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        for start in ua.indices {
            for pattern in substringsByFirstByte[Int(ua[start])] where ua.count - start >= pattern.count {
                var j = 1
                while j < pattern.count && ua[start + j] == pattern[j] { j += 1 }
                if j == pattern.count { return true }
            }
        }
        return false
    }
}
