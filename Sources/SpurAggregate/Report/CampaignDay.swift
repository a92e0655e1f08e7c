import SpurCore

/// A campaign's opens and clicks of one day (UTC), split like the report.
public struct CampaignDay: Codable, Sendable, Equatable {
    /// `YYYY-MM-DD`.
    public var day: String
    public var opens = CampaignReport.Split()
    public var clicks = CampaignReport.Split()

    /// One entry per day from the first event (the send) to the last, at most `maxDays` days;
    /// `events` are the campaign's classified events by time (`AggregateReader.classifiedEvents`).
    public static func series(_ events: [Event], maxDays: Int = 90) -> [CampaignDay] {
        guard let firstTs = events.first?.ts else { return [] }
        let dayMillis: Int64 = 86_400_000
        let first = firstTs / dayMillis
        let last = min(max(first, (events.last?.ts ?? firstTs) / dayMillis), first + Int64(maxDays) - 1)
        var days = (first...last).map { CampaignDay(day: String(ISO8601.string($0 * dayMillis).prefix(10))) }
        for event in events {
            let i = Int(event.ts / dayMillis - first)
            guard days.indices.contains(i) else { continue }
            let kind = TrafficKind(flags: event.flags)
            if event.type == .open { days[i].opens.add(kind) } else { days[i].clicks.add(kind) }
        }
        return days
    }
}

extension CampaignReport.Split {
    mutating func add(_ kind: TrafficKind) {
        total += 1
        switch kind {
        case .human: human += 1
        case .proxy: proxy += 1
        case .bot: bot += 1
        }
    }
}
