import SpurCore

/// Aggregate-time re-classification with the full history (docs/honest-numbers.md): marks whole
/// bursts of clicks as scanner traffic, which the collector could only flag click by click.
public enum BurstClassifier {
    /// Clicks closer than this (strictly) belong to one burst.
    public static let burstGapMillis: Int64 = 10_000
    /// A burst touching this many different links of one message is a scanner.
    public static let burstLinks = 3
    /// Clicks of one message from one network (truncated IP) by this many leads within the burst gap.
    public static let networkLeads = 3

    /// Adds `scanner_suspect` to every click of a burst (per lead and campaign) that holds a
    /// honeypot click or touches `burstLinks` different links. `events` sorted by time.
    public static func reclassify(_ events: [Event]) -> [Event] {
        var out = events
        var byMessage: [String: [Int]] = [:]
        for (i, e) in events.enumerated() where e.type == .click || e.type == .download {
            byMessage[(e.campaign ?? "") + "\u{0}" + (e.lead ?? e.visitor ?? ""), default: []].append(i)
        }
        var scannedMessages: [String: [Int64]] = [:]
        for (message, indices) in byMessage {
            for burst in bursts(indices.map { ($0, events[$0].ts) }) {
                let links = Set(burst.compactMap { events[$0].url })
                if links.count >= burstLinks || burst.contains(where: { events[$0].flags.contains(.honeypot) }) {
                    for i in burst { out[i].flags.insert(.scannerSuspect) }
                    scannedMessages[message, default: []].append(events[burst[0]].ts)
                }
            }
        }
        // The scanner's own fetch of the pixel, less than the burst gap before its first click, is
        // not a human open either (docs/honest-numbers.md).
        if !scannedMessages.isEmpty {
            for (i, e) in events.enumerated() where e.type == .open {
                let message = (e.campaign ?? "") + "\u{0}" + (e.lead ?? e.visitor ?? "")
                if let starts = scannedMessages[message], starts.contains(where: { $0 - e.ts >= 0 && $0 - e.ts < burstGapMillis }) {
                    out[i].flags.insert(.scannerSuspect)
                }
            }
        }
        return out
    }

    /// Adds `scanner_suspect` to clicks of one campaign that came from one network for several
    /// leads within seconds: a mail gateway scanning every recipient's copy.
    public static func reclassifyNetworks(_ events: [Event]) -> [Event] {
        var out = reclassify(events)
        var byNetwork: [String: [Int]] = [:]
        for (i, e) in out.enumerated() where (e.type == .click || e.type == .download) && e.ip != nil {
            byNetwork[(e.campaign ?? "") + "\u{0}" + e.ip!, default: []].append(i)
        }
        for indices in byNetwork.values {
            for burst in bursts(indices.map { ($0, out[$0].ts) }) where Set(burst.compactMap { out[$0].lead }).count >= networkLeads {
                for i in burst { out[i].flags.insert(.scannerSuspect) }
            }
        }
        return out
    }

    private static func bursts(_ items: [(index: Int, ts: Int64)]) -> [[Int]] {
        let sorted = items.sorted { $0.ts < $1.ts }
        var result: [[Int]] = []
        var current: [Int] = []
        var last: Int64?
        for item in sorted {
            if let l = last, item.ts - l >= burstGapMillis {
                result.append(current)
                current = []
            }
            current.append(item.index)
            last = item.ts
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
