import Foundation
import Testing

@testable import SpurCore

/// Power cuts at random points of the writer's I/O, then recovery: every event whose durable
/// append returned before the cut is there exactly once, and every segment is readable.
/// `SPUR_POWERLOSS_ROUNDS` sets the rounds (scripts/reliability.sh runs many more);
/// `SPUR_RELIABILITY_REPORT` names a file that gets a summary line.
@Suite struct PowerLossTests {
    static var rounds: Int { ProcessInfo.processInfo.environment["SPUR_POWERLOSS_ROUNDS"].flatMap(Int.init) ?? 12 }

    @Test func acknowledgedEventsSurviveAPowerCutAtAnyPoint() async throws {
        var rng = SystemRandomNumberGenerator()
        var totals = (rounds: 0, acknowledged: 0, lost: 0, duplicated: 0, damagedSealed: 0, openLeft: 0, written: 0)
        for round in 0..<Self.rounds {
            let torn = round % 2 == 1
            let result = try await withTemporaryDirectory { dir in
                try await Self.round(dir: dir, torn: torn, rng: &rng)
            }
            totals.rounds += 1
            totals.acknowledged += result.acknowledged
            totals.lost += result.lost
            totals.duplicated += result.duplicated
            totals.damagedSealed += result.damagedSealed
            totals.openLeft += result.openLeft
            totals.written += result.recovered
        }
        #expect(totals.lost == 0)
        #expect(totals.duplicated == 0)
        #expect(totals.damagedSealed == 0)
        #expect(totals.openLeft == 0)
        #expect(totals.acknowledged > 0)
        if let report = ProcessInfo.processInfo.environment["SPUR_RELIABILITY_REPORT"] {
            let line =
                "powerloss rounds=\(totals.rounds) acknowledged=\(totals.acknowledged) lost=\(totals.lost) "
                + "duplicated=\(totals.duplicated) recovered_events=\(totals.written) damaged_sealed=\(totals.damagedSealed) open_left=\(totals.openLeft)\n"
            FileManager.default.createFile(atPath: report, contents: Data(line.utf8))
        }
    }

    struct RoundResult {
        var acknowledged = 0, lost = 0, duplicated = 0, damagedSealed = 0, openLeft = 0, recovered = 0
    }

    static func round(dir: String, torn: Bool, rng: inout SystemRandomNumberGenerator) async throws -> RoundResult {
        var c = EventLog.Configuration(directory: dir, node: "n1")
        c.commitInterval = .milliseconds(2)
        c.segmentMaxBytes = 4096  // many rotations: seal, rename and directory syncs in every round
        let fs = PowerLossFileSystem(directory: dir)
        // Somewhere in the first few hundred operations (creates, writes, syncs, renames).
        fs.cutPower(atOperation: Int.random(in: 1...400, using: &rng))
        let log = try EventLog(configuration: c, fileSystem: fs, logger: quietLogger)
        let running = Task { try await log.run() }
        let acknowledged = AcknowledgedIDs()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for n in 0..<400 {
                        if fs.powerIsCut { return }
                        var event = sampleEvent(writer * 10_000 + n)
                        event.id = "d\(writer)-\(n)"
                        try await log.appendDurably(EventBatch(event))
                        // Only an answer given before the cut was seen by a real client.
                        if !fs.powerIsCut { acknowledged.insert(event.id) }
                    }
                }
            }
            group.addTask {
                for n in 0..<2000 where !fs.powerIsCut { log.append(EventBatch(sampleEvent(100_000 + n))) }
            }
            try await group.waitForAll()
        }
        log.stop()
        _ = try? await running.value
        var g = SystemRandomNumberGenerator()
        try fs.applyPowerLoss(torn: torn, using: &g)

        // The next start recovers; then a clean stop seals.
        let restarted = try EventLog(configuration: c, logger: quietLogger)
        let again = Task { try await restarted.run() }
        restarted.stop()
        try await again.value

        var result = RoundResult()
        result.acknowledged = acknowledged.count
        var seen: [String: Int] = [:]
        for entry in try SegmentDirectory.list(dir) {
            if entry.state == .open { result.openLeft += 1 }
            let scan = try SegmentScanner.scan(path: entry.path) { _, payload in
                for line in payload.split(separator: 0x0A) {
                    if let e = Event(jsonLine: line) { seen[e.id, default: 0] += 1 }
                }
            }
            if entry.state == .sealed && !scan.isClean { result.damagedSealed += 1 }
        }
        result.recovered = seen.count
        for id in acknowledged.all {
            switch seen[id] ?? 0 {
            case 0: result.lost += 1
            case 1: break
            default: result.duplicated += 1
            }
        }
        return result
    }
}

final class AcknowledgedIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String] = []
    func insert(_ id: String) { lock.withLock { ids.append(id) } }
    var all: [String] { lock.withLock { ids } }
    var count: Int { lock.withLock { ids.count } }
}
