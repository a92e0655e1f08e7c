import Foundation
import SpurAggregate
import SpurCore
import Testing

@Suite struct FoldTests {
    @Test func segmentsAreFoldedOnceAndDuplicateEventsCountOnce() async throws {
        let dir = DataDir()
        let events = referenceEvents()
        try await dir.write(events)
        try await dir.write(Array(events.prefix(3)))  // a client retry or replayed segment: same ids
        let first = try dir.aggregate(asOf: endOf(day: 7))
        #expect(first.segmentsFolded == 2 && first.events == events.count && first.duplicates == 3)
        let fingerprint = try dir.fingerprint()
        let second = try dir.aggregate(asOf: endOf(day: 7))
        #expect(second.segmentsFolded == 0 && second.segmentsSkipped == 2 && second.events == 0)
        #expect(try dir.fingerprint() == fingerprint)
        #expect(try dir.profile("lead-1")?.score == 53)
    }

    /// Segments and the database hold who clicked what: owner-only, whatever the umask.
    @Test func segmentsAndTheDatabaseAreOwnerOnly() async throws {
        let old = umask(0o022)
        defer { umask(old) }
        let dir = DataDir()
        try await dir.write(referenceEvents())
        try dir.aggregate(asOf: endOf(day: 7), rebuild: false)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.segments).map { dir.segments + "/" + $0 } + [dir.db]
        for file in files where !file.hasSuffix(".lock") {
            let mode = (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? -1
            #expect(mode == 0o600, "\(file): \(String(mode, radix: 8))")
        }
    }

    /// Schema 7 keeps events as per-owner lists; a version-6 database's event rows become those
    /// lists, and the table goes.
    @Test func aVersion6DatabaseIsMigratedToPerOwnerLists() async throws {
        let dir = DataDir()
        let events = referenceEvents() + [ev(.open, day: 3, campaign: "nl-47"), ev(.pageview, day: 4, url: "https://shop.example/a?b=c")]
        try await dir.write(events)
        _ = try dir.aggregate(asOf: endOf(day: 7))
        let fingerprint = try dir.fingerprint()
        let report = try AggregateReader(database: dir.db).campaignReport("nl-47")
        try runSQL(dir.db, Self.version6(events))
        #expect(try tables(dir.db).contains("events") && !tables(dir.db).contains("facts"))
        let rerun = try dir.aggregate(asOf: endOf(day: 7))
        #expect(rerun.segmentsFolded == 0 && rerun.events == 0)
        #expect(try !tables(dir.db).contains("events") && tables(dir.db).contains("facts"))
        #expect(try dir.fingerprint() == fingerprint)
        let reader = try AggregateReader(database: dir.db)
        #expect(try reader.events(ofLead: "lead-1") == events.filter { $0.lead == "lead-1" || $0.visitor == "v-1" }.sorted { $0.ts < $1.ts })
        #expect(try reader.campaignReport("nl-47")?.opens == report?.opens)
        #expect(report?.opens.total == 3)
    }

    /// SQL that turns a database back into version 6: `events` rows instead of lists.
    static func version6(_ events: [Event]) -> String {
        func q(_ s: String?) -> String { s.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL" }
        func props(_ p: [String: String]) -> String? {
            p.isEmpty ? nil : String(decoding: try! JSONSerialization.data(withJSONObject: p, options: [.sortedKeys]), as: UTF8.self)
        }
        var sql = """
            DROP TABLE facts; DROP TABLE campaign_facts; DROP TABLE links; DROP TABLE strings;
            UPDATE meta SET value = '6' WHERE key = 'schema';
            CREATE TABLE events(
                id TEXT PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL, campaign TEXT, lead TEXT, visitor TEXT,
                url TEXT, referrer TEXT, title TEXT, ua TEXT, ip TEXT, flags INTEGER NOT NULL, props TEXT, node TEXT, name TEXT);

            """
        for e in events {
            let values = [
                q(e.id), String(e.ts), q(e.type.rawValue), q(e.campaign), q(e.lead), q(e.visitor), q(e.url), q(e.referrer), q(e.title),
                q(e.ua), q(e.ip), String(e.flags.rawValue), q(props(e.props)), q(e.node), q(e.name),
            ]
            sql += "INSERT INTO events VALUES(\(values.joined(separator: ", ")));\n"
        }
        return sql
    }

    private func tables(_ db: String) throws -> [String] {
        let out = Pipe()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3,sys; print('\\n'.join(r[0] for r in sqlite3.connect(sys.argv[1]).execute(\"SELECT name FROM sqlite_master WHERE type='table' ORDER BY name\")))",
            db,
        ]
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func runSQL(_ db: String, _ sql: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", db, sql]
        try p.run()
        p.waitUntilExit()
    }

    @Test func incrementalRunsEqualARebuild() async throws {
        let dir = DataDir()
        let events =
            referenceEvents() + [
                ev(.click, day: 3, lead: "lead-2", visitor: "v-2", campaign: "nl-47", url: "https://shop.example/malbedarf/x"),
                ev(.pageview, day: 5, visitor: "v-2", url: "https://shop.example/jobs/a"),
                ev(.open, day: 6, lead: "lead-3", campaign: "nl-48", flags: [.proxyOpen]),
            ]
        // Fold in three nightly runs, in an order that differs from event time.
        for (i, chunk) in [Array(events[6...]), Array(events[..<3]), Array(events[3..<6])].enumerated() {
            try await dir.write(chunk)
            _ = try dir.aggregate(asOf: endOf(day: 7 + i))
        }
        _ = try dir.aggregate(asOf: endOf(day: 9))
        let incremental = try dir.fingerprint()
        let rebuilt = try dir.aggregate(asOf: endOf(day: 9), rebuild: true)
        #expect(rebuilt.segmentsFolded == 3)
        #expect(try dir.fingerprint() == incremental)
        #expect(!FileManager.default.fileExists(atPath: dir.db + ".rebuild"))
        // A separate database folded in one go agrees too.
        let other = dir.path + "/other.sqlite"
        _ = try dir.aggregate(asOf: endOf(day: 9), db: other)
        #expect(try dir.fingerprint(db: other) == incremental)
    }

    @Test func damagedSegmentsFoldTheirValidFramesAndReport() async throws {
        let dir = DataDir()
        try await dir.write(Array(referenceEvents().prefix(2)))
        try await dir.write(Array(referenceEvents().suffix(7)))
        let target = try SegmentDirectory.list(dir.segments)[1].path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: target)))
        bytes[bytes.count - 120] ^= 0x55  // inside the last block frame
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        let summary = try dir.aggregate(asOf: endOf(day: 7))
        #expect(summary.segmentsDamaged == 1 && summary.exitCode == 1 && !summary.damage.isEmpty)
        #expect(summary.segmentsFolded == 2 && summary.events == 2)
        // Re-running does not fold the damaged segment twice.
        #expect(try dir.aggregate(asOf: endOf(day: 7)).segmentsFolded == 0)
    }

    @Test func aSegmentWithTheSameNameButOtherBytesIsRefused() async throws {
        let dir = DataDir()
        try await dir.write(Array(referenceEvents().prefix(2)))
        _ = try dir.aggregate(asOf: endOf(day: 7))
        let entry = try SegmentDirectory.list(dir.segments)[0]
        let other = DataDir()
        try await other.write(Array(referenceEvents().suffix(3)))
        let replacement = try SegmentDirectory.list(other.segments)[0].path
        try FileManager.default.removeItem(atPath: entry.path)
        try FileManager.default.copyItem(atPath: replacement, toPath: entry.path)
        let summary = try dir.aggregate(asOf: endOf(day: 7))
        #expect(summary.segmentsRefused == [entry.name.description] && summary.exitCode == 2)
    }

    @Test func severalCollectorDirectoriesFoldTogether() async throws {
        let a = DataDir(), b = DataDir()
        let events = referenceEvents()
        try await a.write(Array(events.prefix(4)), node: "a")
        try await b.write(Array(events.dropFirst(4)), node: "b")
        _ = try a.aggregate(asOf: endOf(day: 7), extraDirs: [b.path])
        #expect(try a.profile("lead-1")?.score == 53)
    }

    @Test func leadsNewlyReachingTheHandoffStageAreHandedOffOnce() async throws {
        let dir = DataDir()
        let file = dir.path + "/handoff.jsonl"
        var rules = try ScoringRules.defaults()
        rules.handoffStage = .mql
        try await dir.write(referenceEvents())
        let first = try dir.aggregate(asOf: endOf(day: 7), rules: rules, handoffFile: file)
        #expect(first.handedOff == 1)
        let second = try dir.aggregate(asOf: endOf(day: 7), rules: rules, handoffFile: file)
        #expect(second.handedOff == 0)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("\"lead\":\"lead-1\""))
    }

    @Test func withoutADestinationHandOffsStayQueuedUntilOneIsGiven() async throws {
        let dir = DataDir()
        let file = dir.path + "/handoff.jsonl"
        var rules = try ScoringRules.defaults()
        rules.handoffStage = .mql
        try await dir.write(referenceEvents(lead: "lead-1", visitor: "v-1"))
        let first = try dir.aggregate(asOf: endOf(day: 7), rules: rules)
        #expect(first.handedOff == 0 && first.handoffsWaiting == 1)
        #expect(first.description.contains("1 waiting for a hand-off destination"))
        try await dir.write(referenceEvents(lead: "lead-2", visitor: "v-2"))
        let second = try dir.aggregate(asOf: endOf(day: 7), rules: rules)
        #expect(second.handedOff == 0 && second.handoffsWaiting == 2)
        // The first run with a destination delivers every lead that qualified meanwhile.
        let third = try dir.aggregate(asOf: endOf(day: 7), rules: rules, handoffFile: file)
        #expect(third.handedOff == 2 && third.handoffsWaiting == 0)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("\"lead\":\"lead-1\"") && lines[1].contains("\"lead\":\"lead-2\""))
        #expect(try dir.aggregate(asOf: endOf(day: 7), rules: rules, handoffFile: file).handedOff == 0)
    }

    @Test func aFailedHandOffCommandKeepsTheLeadsQueued() async throws {
        let dir = DataDir()
        var rules = try ScoringRules.defaults()
        rules.handoffStage = .mql
        try await dir.write(referenceEvents())
        var options = Aggregator.Options(dataDirectories: [dir.path], database: dir.db, rules: rules, asOfMillis: endOf(day: 7))
        options.handoffCommand = "cat > /dev/null; exit 7"
        let failed = try Aggregator(options: options, logger: quietLogger).run()
        #expect(failed.exitCode == 3 && failed.handedOff == 0 && failed.handoffsWaiting == 1)
        #expect(failed.handoffError?.contains("status 7") == true)
        options.handoffCommand = "cat > \(dir.path)/crm.jsonl"
        let retried = try Aggregator(options: options, logger: quietLogger).run()
        #expect(retried.exitCode == 0 && retried.handedOff == 1)
        #expect(try String(contentsOfFile: dir.path + "/crm.jsonl", encoding: .utf8).contains("\"lead\":\"lead-1\""))
    }

    @Test func anOldDatabaseIsMigratedAndItsProfilesStayReadable() async throws {
        let dir = DataDir()
        try await dir.write(referenceEvents())
        _ = try dir.aggregate(asOf: endOf(day: 7))
        // Turn it back into a version-1 database: profiles without the query columns.
        try runSQL(
            dir.db,
            """
            CREATE TABLE p1(lead TEXT PRIMARY KEY, score REAL NOT NULL, implicit REAL NOT NULL, explicit REAL NOT NULL,
                grade INTEGER NOT NULL, label TEXT NOT NULL, stage TEXT NOT NULL, json TEXT NOT NULL);
            INSERT INTO p1 SELECT lead, score, implicit, explicit, grade, label, stage, json FROM profiles;
            DROP TABLE profiles; ALTER TABLE p1 RENAME TO profiles;
            """ + Self.version6(referenceEvents()) + """
                UPDATE meta SET value = '1' WHERE key = 'schema';
                ALTER TABLE events DROP COLUMN name;
                """)
        #expect(throws: AggregateError.self) { try dir.reader() }  // a reader never migrates
        _ = try dir.aggregate(asOf: endOf(day: 7))
        var q = LeadQuery()
        q.letter = .c
        #expect(try dir.reader().leads(q).leads.map(\.lead) == ["lead-1"])
        #expect(try dir.profile("lead-1")?.score == 53)
    }

    @Test func campaignReportSplitsHumansProxiesAndBots() async throws {
        let dir = DataDir()
        try await dir.write([
            ev(.open, day: 1, lead: "a", campaign: "nl"), ev(.open, day: 1, lead: "a", campaign: "nl"),
            ev(.open, day: 1, lead: "b", campaign: "nl", flags: [.proxyOpen]),
            ev(.click, day: 1, lead: "a", campaign: "nl", url: "https://x/1"),
            ev(.click, day: 1, lead: "a", campaign: "nl", url: "https://x/1"),
            ev(.click, day: 1, lead: "c", campaign: "nl", url: "https://x/2", flags: [.scannerSuspect]),
            ev(.open, day: 1, lead: "a", campaign: "other"),
        ])
        _ = try dir.aggregate(asOf: endOf(day: 1))
        let r = try #require(try AggregateReader(database: dir.db).campaignReport("nl"))
        #expect(r.opens == .init(total: 3, human: 2, proxy: 1, bot: 0))
        #expect(r.uniqueOpens == .init(total: 2, human: 1, proxy: 1, bot: 0))
        #expect(r.clicks == .init(total: 3, human: 2, proxy: 0, bot: 1))
        #expect(r.uniqueClicks == .init(total: 2, human: 1, proxy: 0, bot: 1))
        #expect(r.clickToOpen == 0.5)
        #expect(r.links.map(\.url) == ["https://x/1", "https://x/2"])
        #expect(r.links[0].uniqueClicks.human == 1)
        #expect(try AggregateReader(database: dir.db).campaignReport("none") == nil)
    }
}
