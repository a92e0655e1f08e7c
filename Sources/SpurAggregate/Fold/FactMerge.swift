import SpurCore

/// Writes a fold's sorted records into the store: each owner's new events merged into its stored
/// list by (ts, id), an id it already holds dropped as a duplicate; links as rows. Counts what
/// was new per segment, per day and per page.
struct FactMerge {
    struct Counts {
        var events: [Int]
        var duplicates: [Int]
        var perDay: [Int64: [TrafficKind: Int]] = [:]
        var pages = PageCounts()
    }

    let store: AggregateStore
    let dictionary: StringDictionary
    /// The store holds no lists yet: nothing to read back or merge with.
    let bulk: Bool

    private static let pageview = UInt8(EventType.allCases.firstIndex(of: .pageview)!)

    func run(_ sorter: FactSorter, segments: Int) throws -> Counts {
        var counts = Counts(events: Array(repeating: 0, count: segments), duplicates: Array(repeating: 0, count: segments))
        var group: [FactRecord] = []
        try sorter.finish { r in
            if let first = group.first, first.owner != r.owner || first.key != r.key {
                try write(group, &counts)
                group.removeAll(keepingCapacity: true)
            }
            group.append(r)
        }
        if !group.isEmpty { try write(group, &counts) }
        return counts
    }

    private func write(_ group: [FactRecord], _ counts: inout Counts) throws {
        let owner = group[0].owner, key = group[0].keyString
        if owner == .link {
            for r in group {
                try store.addLink(visitor: key, ts: r.ts, event: r.idString, lead: String(decoding: r.body, as: UTF8.self), identified: r.type == 1)
            }
            return
        }
        var existing: [FactCodec.Entry] = []
        if !bulk, let blob = try store.factList(owner, key) {
            guard let entries = FactCodec.entries(blob, dictionary: dictionary) else {
                throw AggregateError.database(
                    path: store.path, code: 0,
                    message: "the stored events of \(owner) '\(key.prefix(80))' do not decode: run 'spur aggregate --rebuild'")
            }
            existing = entries
        }
        let counted = owner != .campaignDay
        var seen = Set(existing.map(\.id))
        var fresh: [FactCodec.Entry] = []
        fresh.reserveCapacity(group.count)
        for r in group {
            let id = r.idString
            guard seen.insert(id).inserted else {
                if counted { counts.duplicates[r.segment] += 1 }
                continue
            }
            if counted {
                counts.events[r.segment] += 1
                counts.perDay[r.ts / LeadScorer.dayMillis, default: [:]][TrafficKind(flags: r.flags), default: 0] += 1
                if r.type == Self.pageview, let e = FactCodec.event(body: r.body, ts: r.ts, owner: owner, key: key, dictionary: dictionary) {
                    counts.pages.add(e)
                }
            }
            fresh.append(FactCodec.Entry(ts: r.ts, id: id, body: r.body))
        }
        guard !fresh.isEmpty else { return }
        let merged =
            existing.isEmpty
            ? fresh : (existing + fresh).sorted { $0.ts != $1.ts ? $0.ts < $1.ts : $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        try store.setFactList(owner, key, events: merged.count, data: FactCodec.list(merged))
    }
}

extension FactSorter {
    /// The records of one event: under its owner, and for an open, click or download also under
    /// its campaign and day; an event with both a lead and a visitor is also a link.
    func add(_ e: Event, segment: Int, dictionary: StringDictionary) throws {
        let type = UInt8(EventType.allCases.firstIndex(of: e.type) ?? 0)
        let day = e.ts / LeadScorer.dayMillis
        let owner: FactOwner, key: String
        if let lead = e.lead {
            (owner, key) = (.lead, lead)
        } else if let visitor = e.visitor {
            (owner, key) = (.visitor, visitor)
        } else {
            (owner, key) = (.anonymous, FactOwner.dayKey(e.campaign ?? "", day: day))
        }
        var body: [UInt8] = []
        body.reserveCapacity(256)
        FactCodec.body(e, owner: owner, dictionary: dictionary, into: &body)
        try add(owner: owner, type: type, flags: e.flags, segment: segment, ts: e.ts, key: key, id: e.id, body: body)
        if let campaign = e.campaign, e.type == .open || e.type == .click || e.type == .download {
            body.removeAll(keepingCapacity: true)
            FactCodec.body(e, owner: .campaignDay, dictionary: dictionary, into: &body)
            try add(
                owner: .campaignDay, type: type, flags: e.flags, segment: segment, ts: e.ts, key: FactOwner.dayKey(campaign, day: day), id: e.id,
                body: body)
        }
        if let lead = e.lead, let visitor = e.visitor {
            try add(
                owner: .link, type: e.type == .identify ? 1 : 0, flags: [], segment: segment, ts: e.ts, key: visitor, id: e.id,
                body: Array(lead.utf8))
        }
    }
}
