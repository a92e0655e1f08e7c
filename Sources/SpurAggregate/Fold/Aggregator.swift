import Foundation
import Logging
import SpurCore

/// `spur aggregate`: folds sealed segments exactly once into the database, then rescores every
/// lead as of the scoring date and hands off leads that newly reached the hand-off stage.
public struct Aggregator {
    public struct Options: Sendable {
        public var dataDirectories: [String]
        public var database: String
        public var rules: ScoringRules
        public var asOfMillis: Int64
        public var rebuild = false
        /// Append leads that newly reached the hand-off stage to this JSON Lines file.
        public var handoffFile: String?
        /// Run this command (via /bin/sh -c) with those leads as JSON Lines on stdin.
        public var handoffCommand: String?
        /// Endpoints to queue stage changes and score crossings for (delivered by `spur deliver`).
        public var webhooks: WebhookConfiguration?
        /// Audiences whose members are computed on each run (docs/audiences.md).
        public var audiences: Audiences?
        /// From this many leads on, a run drops the lead list's indexes and builds them afterwards
        /// (`AggregateStore.beginProfileRewrite`); tests set it low to run that path on little data.
        var profileRewriteAtLeast = 10_000

        public init(dataDirectories: [String], database: String, rules: ScoringRules, asOfMillis: Int64) {
            self.dataDirectories = dataDirectories
            self.database = database
            self.rules = rules
            self.asOfMillis = asOfMillis
        }
    }

    /// What a run did. `exitCode`: 0 clean, 1 damage found, 2 a segment was refused, 3 hand-off failed.
    public struct Summary: Sendable, CustomStringConvertible {
        public var segmentsFolded = 0
        public var segmentsSkipped = 0
        public var segmentsDamaged = 0
        public var segmentsRefused: [String] = []
        public var events = 0
        public var duplicates = 0
        public var unreadableLines = 0
        /// Events of erased leads or visitors dropped while folding (restored or not yet rewritten segments).
        public var erasedSkipped = 0
        public var leads = 0
        public var handedOff = 0
        /// Leads that reached the hand-off stage and wait in the outbox for a destination
        /// (`--handoff-file`/`--handoff-command`) or for a failed delivery to be retried.
        public var handoffsWaiting = 0
        public var handoffError: String?
        /// Webhook deliveries queued by this run.
        public var webhooksQueued = 0
        /// Leads that entered and left audiences in this run.
        public var audienceEntered = 0
        public var audienceLeft = 0
        public var damage: [(segment: String, damage: SegmentScan.Damage)] = []
        /// Seconds spent folding segments and scoring leads.
        public var foldSeconds = 0.0
        public var scoreSeconds = 0.0

        public var exitCode: Int32 {
            if handoffError != nil { return 3 }
            if !segmentsRefused.isEmpty { return 2 }
            if segmentsDamaged > 0 { return 1 }
            return 0
        }

        public var description: String {
            var s = "folded \(segmentsFolded) segments (\(events) events, \(duplicates) duplicates), "
            s += "skipped \(segmentsSkipped) already folded"
            if segmentsDamaged > 0 { s += ", \(segmentsDamaged) damaged" }
            if !segmentsRefused.isEmpty { s += ", \(segmentsRefused.count) REFUSED" }
            if erasedSkipped > 0 { s += ", \(erasedSkipped) events of erased people dropped" }
            s += "; scored \(leads) leads; \(handedOff) handed off"
            if audienceEntered + audienceLeft > 0 { s += "; audiences: \(audienceEntered) entered, \(audienceLeft) left" }
            if webhooksQueued > 0 { s += ", \(webhooksQueued) webhook deliveries queued" }
            if handoffsWaiting > 0 && handoffError == nil {
                s += ", \(handoffsWaiting) waiting for a hand-off destination (--handoff-file or --handoff-command)"
            }
            if let handoffError { s += " (hand-off FAILED: \(handoffError))" }
            s += String(format: " (fold %.1f s, scoring %.1f s)", foldSeconds, scoreSeconds)
            return s
        }
    }

    /// Progress: (segments done, segments total, events so far).
    public typealias Progress = (Int, Int, Int) -> Void

    let options: Options
    let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run(progress: Progress = { _, _, _ in }) throws -> Summary {
        let segments = try sealedSegments()
        let now = SystemTime.nowMillis()
        guard options.rebuild else {
            let store = try AggregateStore(path: options.database)
            try store.useLargeCache()
            var summary = try fold(segments, into: store, progress: progress)
            try score(store, previous: nil, now: now, summary: &summary)
            try handOff(store, summary: &summary)
            try record(summary, startedAt: now, in: store)
            return summary
        }
        // Rebuild into a fresh file next to the database, then swap its content in atomically.
        let fresh = options.database + ".rebuild"
        let fs = PosixFileSystem()
        func removeFresh() throws {
            do {
                for suffix in ["", "-journal", "-wal", "-shm"] { try fs.remove(fresh + suffix) }
            } catch { throw AggregateError(error) }
        }
        try removeFresh()
        let old = FileManager.default.fileExists(atPath: options.database) ? try AggregateStore(path: options.database) : nil
        let previous = try old?.standings() ?? [:]
        var summary: Summary
        let store = try AggregateStore(path: fresh)
        try store.useLargeCache()
        if let old {
            try Erasures.copy(from: old, to: store)
            try old.copyOutbox(to: store)
            for run in try old.runs(limit: Self.runsKept).reversed() { try store.recordRun(run) }
        }
        summary = try fold(segments, into: store, progress: progress)
        try score(store, previous: previous, now: now, summary: &summary)
        if let old {
            // Readers (the console) may hold the database and its WAL open: the content is
            // copied in one transaction instead of renaming a file over it.
            try old.replaceContent(with: store)
            store.close()
            old.close()
            try removeFresh()
        } else {
            store.close()
            do {
                try fs.rename(fresh, options.database)
                let dir = (options.database as NSString).deletingLastPathComponent
                try fs.syncDirectory(dir.isEmpty ? "." : dir)
            } catch {
                throw AggregateError(error)
            }
        }
        let final = try AggregateStore(path: options.database)
        try handOff(final, summary: &summary)
        try record(summary, startedAt: now, in: final)
        return summary
    }

    /// Runs the console shows; older ones are kept but not carried over a rebuild.
    static let runsKept = 1000

    /// Records the run for the console's health page.
    private func record(_ summary: Summary, startedAt: Int64, in store: AggregateStore) throws {
        try store.recordRun(
            AggregationRun(
                id: 0, startedAt: startedAt, finishedAt: SystemTime.nowMillis(), asOf: ISO8601.string(options.asOfMillis),
                segmentsFolded: summary.segmentsFolded, events: summary.events, leads: summary.leads, exitCode: Int(summary.exitCode),
                summary: summary.description))
        try store.checkpoint()
    }

    private func sealedSegments() throws -> [SegmentDirectory.Entry] {
        var all: [SegmentDirectory.Entry] = []
        for dir in options.dataDirectories {
            let segments = dir + "/segments"
            guard FileManager.default.fileExists(atPath: segments) else {
                throw AggregateError.noSegmentDirectory(segments)
            }
            all += try SegmentDirectory.list(segments).filter { $0.state == .sealed }
        }
        return all.sorted { $0.name < $1.name }
    }

    /// Folds the new segments in one transaction together with their ledger rows: every event
    /// becomes records under its owner (`FactSorter`, bounded memory), which are then merged into
    /// the stored lists in key order (`FactMerge`).
    private func fold(_ segments: [SegmentDirectory.Entry], into store: AggregateStore, progress: Progress) throws -> Summary {
        var summary = Summary()
        let started = SystemTime.nowMillis()
        let erasures = try Erasures(store: store)
        struct Folded {
            var name: String
            var path: String
            var size: Int
            var crc: UInt32
            var damage: [SegmentScan.Damage]
        }
        try store.transaction {
            // Read inside the write transaction: an erasure cannot drop an entry this fold uses.
            let dictionary = try store.loadStrings()
            let bulk = try store.hasNoEvents
            let sorter = FactSorter(directory: options.database + ".sort")
            var folded: [Folded] = []
            for (i, entry) in segments.enumerated() {
                defer { progress(i + 1, segments.count, summary.events) }
                let bytes = try FileBytes.read(entry.path)
                let crc = Crc32.of(bytes)
                switch try store.ledgerState(name: entry.name.description, size: bytes.count, crc: crc) {
                case .folded:
                    summary.segmentsSkipped += 1
                    continue
                case .conflict(let size, _):
                    summary.segmentsRefused.append(entry.name.description)
                    logger.error(
                        "Segment differs from the one already folded under this name; refusing it",
                        metadata: ["segment": "\(entry.path)", "ledger_size": "\(size)", "file_size": "\(bytes.count)"])
                    continue
                case .new:
                    break
                }
                var damage: [SegmentScan.Damage] = []
                let ordinal = folded.count
                let scan = try SegmentScanner.scan(bytes) { block, payload in
                    for decoded in BlockLines.events(payload) {
                        guard let event = decoded else {
                            summary.unreadableLines += 1
                            damage.append(.init(offset: block.offset, reason: "unreadable event line"))
                            continue
                        }
                        if erasures.covers(event) {
                            summary.erasedSkipped += 1
                            continue
                        }
                        try sorter.add(event, segment: ordinal, dictionary: dictionary)
                    }
                }
                folded.append(Folded(name: entry.name.description, path: entry.path, size: bytes.count, crc: crc, damage: scan.damage + damage))
            }
            let counts = try FactMerge(store: store, dictionary: dictionary, bulk: bulk).run(sorter, segments: folded.count)
            try store.saveNewStrings()
            try store.addDailyCounts(counts.perDay)
            try store.addPageCounts(counts.pages)
            for (i, f) in folded.enumerated() {
                try store.recordSegment(
                    name: f.name, size: f.size, crc: f.crc, events: counts.events[i], duplicates: counts.duplicates[i], damage: f.damage)
                summary.events += counts.events[i]
                summary.duplicates += counts.duplicates[i]
                summary.segmentsFolded += 1
                if !f.damage.isEmpty {
                    summary.segmentsDamaged += 1
                    for d in f.damage {
                        summary.damage.append((f.name, d))
                        logger.warning("Damaged segment: folded its valid frames", metadata: ["segment": "\(f.path)", "damage": "\(d)"])
                    }
                }
            }
        }
        summary.foldSeconds = Double(SystemTime.nowMillis() - started) / 1000
        return summary
    }

    /// Rescores every lead from its events and queues hand-offs, in one transaction. SQLite
    /// reads and writes stay on this thread; scoring and encoding a chunk of leads (pure
    /// functions) run on all cores.
    private func score(_ store: AggregateStore, previous: [String: Standing]?, now: Int64, summary: inout Summary) throws {
        let scorer = LeadScorer(rules: options.rules, asOfMillis: options.asOfMillis)
        let handoffStage = options.rules.handoffStage
        let started = SystemTime.nowMillis()
        defer { summary.scoreSeconds = Double(SystemTime.nowMillis() - started) / 1000 }
        try store.transaction {
            let before = try previous ?? store.standings()
            let changes = ChangeQueue(webhooks: options.webhooks, handoffStage: handoffStage, asOf: ISO8601.string(options.asOfMillis), now: now)
            let leads = try store.leads()
            let rewriting = leads.count >= options.profileRewriteAtLeast
            if rewriting { try store.beginProfileRewrite() }
            var overview = LeadOverview()
            let audiences = options.audiences?.audiences ?? []
            // Members as positions in `leads` (4 bytes each, not a string in a set).
            var members = [[Int32]](repeating: [], count: audiences.count)
            /// Saves a scored chunk: in lead order, as SQLite's one connection must.
            func save(_ results: ScoredChunk, from start: Int) throws {
                for (offset, scored) in results.all.enumerated() {
                    let (profile, json) = (scored.profile, scored.json)
                    for a in scored.audiences { members[a].append(Int32(start + offset)) }
                    overview.add(profile)
                    try store.save(profile, json: json, digest: scored.digest, now: now, rewriting: rewriting)
                    for delivery in changes.deliveries(profile, json: json, was: before[profile.lead] ?? Standing(stage: .none, score: 0)) {
                        try store.enqueue(delivery)
                        if delivery.endpoint != Delivery.handoffEndpoint { summary.webhooksQueued += 1 }
                    }
                }
            }
            // A pipeline: while one chunk is scored on the other threads, this one saves the
            // previous chunk's profiles and reads the next chunk's events.
            var pending: (results: ScoredChunk, done: DispatchGroup, start: Int)?
            for start in stride(from: 0, to: leads.count, by: Self.scoringChunk) {
                let chunk = leads[start..<min(start + Self.scoringChunk, leads.count)]
                let inputs = try chunk.map { lead in
                    let input = try store.scoringInput(lead)
                    return ScoringInput(lead: lead, events: input.events, links: input.links)
                }
                let previous = pending
                previous?.done.wait()
                let results = ScoredChunk(count: inputs.count)
                let done = DispatchGroup()
                DispatchQueue.global().async(group: done) {
                    DispatchQueue.concurrentPerform(iterations: inputs.count) { i in
                        let input = inputs[i]
                        let profile = scorer.score(lead: input.lead, events: input.events, links: input.links)
                        let json = profile.json
                        let matched = audiences.indices.filter {
                            audiences[$0].condition.matches(profile, events: input.events, asOf: scorer.asOfMillis)
                        }
                        results.set(i, Scored(profile: profile, json: json, digest: LeadProfile.digest(json: json), audiences: matched))
                    }
                }
                pending = (results, done, start)
                if let previous { try save(previous.results, from: previous.start) }
            }
            if let p = pending {
                p.done.wait()
                try save(p.results, from: p.start)
            }
            if rewriting { try store.endProfileRewrite() }
            try recordAudiences(audiences, &members, leads: leads, in: store, changes: changes, now: now, summary: &summary)
            try store.pruneDelivered(before: now - Self.deliveredKeptMillis)
            try store.setMeta("as_of", ISO8601.string(options.asOfMillis))
            try store.setMeta("overview", String(decoding: try JSONEncoder().encode(overview), as: UTF8.self))
            summary.leads = leads.count
        }
    }

    /// Who entered and who left each audience in this run, into the database and the outbox.
    /// One audience at a time, each one's members released when done (bounded memory).
    private func recordAudiences(
        _ audiences: [Audience], _ members: inout [[Int32]], leads: [String], in store: AggregateStore, changes: ChangeQueue, now: Int64,
        summary: inout Summary
    ) throws {
        guard !audiences.isEmpty else { return }
        for (i, audience) in audiences.enumerated() {
            let current = Set(members[i].lazy.map { leads[Int($0)] })
            members[i] = []
            let before = try store.audienceMembers(of: audience.name)
            let entered = (before.isEmpty ? current : current.subtracting(before)).sorted(), left = before.subtracting(current).sorted()
            try store.applyAudienceChanges(audience.name, entered: entered, left: left, at: options.asOfMillis)
            for (leads, event) in [(entered, WebhookEvent.audienceEntered), (left, .audienceLeft)] {
                for lead in leads {
                    for delivery in changes.audienceDeliveries(audience.name, event: event, lead: lead) {
                        try store.enqueue(delivery)
                        summary.webhooksQueued += 1
                    }
                }
            }
            summary.audienceEntered += entered.count
            summary.audienceLeft += left.count
        }
    }

    /// Leads scored together; their events are in memory at once.
    static let scoringChunk = 256

    /// Delivered messages stay in the outbox this long (for `spur webhooks list`), then go.
    static let deliveredKeptMillis: Int64 = 30 * 86_400_000

    /// Delivers queued hand-offs (at least once: they leave the outbox only after delivery).
    /// Without a destination they stay queued, and a later run with one delivers them all.
    private func handOff(_ store: AggregateStore, summary: inout Summary) throws {
        let result = try Outbox(store: store).deliverHandoffs(
            file: options.handoffFile, command: options.handoffCommand, now: SystemTime.nowMillis())
        summary.handedOff = result.delivered
        summary.handoffsWaiting = result.waiting
        if let error = result.error {
            summary.handoffError = error
            logger.error("Hand-off failed; the leads stay queued for the next run", metadata: ["error": "\(error)"])
        }
    }
}

/// What scoring one lead reads from the store.
private struct ScoringInput: Sendable {
    var lead: String
    var events: [Event]
    var links: [VisitorLink]
}

/// One lead's result: its profile, the profile's JSON and digest, the audiences it is in.
private struct Scored {
    var profile: LeadProfile
    var json: String
    var digest: Int64
    var audiences: [Int]
}

/// Results of one chunk, written by index from several threads (each index exactly once).
private final class ScoredChunk: @unchecked Sendable {
    private var slots: [Scored?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ scored: Scored) { lock.withLock { slots[i] = scored } }

    var all: [Scored] { lock.withLock { slots.map { $0! } } }
}
