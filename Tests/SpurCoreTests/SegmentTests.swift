import Foundation
import Testing

@testable import SpurCore

@Suite struct SegmentTests {
    func config(_ dir: String) -> EventLog.Configuration {
        var c = EventLog.Configuration(directory: dir, node: "n1")
        c.commitInterval = .milliseconds(10)
        return c
    }

    /// Writes `count` events through a running log, committing `perCommit` at a time, then stops it.
    func writeEvents(_ dir: String, count: Int, perCommit: Int = 10, configure: (inout EventLog.Configuration) -> Void = { _ in }) async throws {
        var c = config(dir)
        configure(&c)
        let log = try EventLog(configuration: c, logger: quietLogger)
        let running = Task { try await log.run() }
        var n = 0
        while n < count {
            var batch = EventBatch()
            for _ in 0..<min(perCommit, count - n) {
                batch.append(sampleEvent(n))
                n += 1
            }
            try await log.appendDurably(batch)
        }
        log.stop()
        try await running.value
    }

    @Test func sealedSegmentsAreValidGzipAndComplete() async throws {
        try await withTemporaryDirectory { dir in
            try await writeEvents(dir, count: 50)
            let entries = try SegmentDirectory.list(dir)
            #expect(entries.count == 1)
            #expect(entries[0].state == .sealed)
            #expect(entries[0].name.node == "n1" && entries[0].name.sequence == 1)
            let scan = try SegmentScanner.scan(path: entries[0].path)
            #expect(scan.isClean)
            #expect(scan.events == 50 && scan.blocks == 5)
            #expect(try run("/usr/bin/gzip", ["-t", entries[0].path]) == 0)
            // zcat sees exactly the JSON Lines.
            let out = Pipe()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
            p.arguments = ["-dc", entries[0].path]
            p.standardOutput = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(text.split(separator: "\n").count == 50)
            #expect(try allEvents(in: dir).map(\.id) == (0..<50).map { "e\($0)" })
        }
    }

    @Test func rewrittenBlocksCarryTheTimeRangeOfTheirOwnEvents() async throws {
        try await withTemporaryDirectory { dir in
            try await writeEvents(dir, count: 50)  // five blocks of ten, times base+0 … base+49
            let path = try SegmentDirectory.list(dir)[0].path
            let result = try #require(
                SegmentRewriter.rewrite(try FileBytes.read(path)) { line in Event(jsonLine: line).map { $0.ts % 3 != 0 } ?? true })
            #expect(result.removed > 0 && result.kept + result.removed == 50)
            var blocks = 0
            let scan = try SegmentScanner.scan(result.bytes) { block, payload in
                let times = payload.split(separator: 0x0A).compactMap { Event(jsonLine: $0)?.ts }
                #expect(block.minMillis == times.min() && block.maxMillis == times.max())
                blocks += 1
            }
            #expect(scan.isClean && blocks == 5)
            let kept = (0..<50).map { 1_700_000_000_000 + Int64($0) }.filter { $0 % 3 != 0 }
            #expect(scan.minMillis == kept.min() && scan.maxMillis == kept.max())
        }
    }

    @Test func rotatesBySizeAndKeepsSequenceNumbersIncreasing() async throws {
        try await withTemporaryDirectory { dir in
            try await writeEvents(dir, count: 400, perCommit: 20) { $0.segmentMaxBytes = 2048 }
            let entries = try SegmentDirectory.list(dir)
            #expect(entries.count > 3)
            #expect(entries.allSatisfy { $0.state == .sealed })
            #expect(entries.map(\.name.sequence).sorted() == Array(1...UInt64(entries.count)))
            #expect(try allEvents(in: dir).count == 400)
            // A restart continues the sequence instead of reusing numbers.
            try await writeEvents(dir, count: 1)
            #expect(try SegmentDirectory.list(dir).map(\.name.sequence).max() == UInt64(entries.count + 1))
        }
    }

    @Test func rotatesByAge() async throws {
        try await withTemporaryDirectory { dir in
            var c = config(dir)
            c.segmentMaxAge = .milliseconds(50)
            let log = try EventLog(configuration: c, logger: quietLogger)
            let running = Task { try await log.run() }
            try await log.appendDurably(EventBatch(sampleEvent(1)))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try SegmentDirectory.list(dir).map(\.state) == [.sealed])
            try await log.appendDurably(EventBatch(sampleEvent(2)))
            log.stop()
            try await running.value
            #expect(try SegmentDirectory.list(dir).map(\.state) == [.sealed, .sealed])
        }
    }

    @Test func noEventsMeansNoSegment() async throws {
        try await withTemporaryDirectory { dir in
            try await writeEvents(dir, count: 0)
            #expect(try SegmentDirectory.list(dir).isEmpty)
        }
    }

    /// Leaves an unsealed segment behind, as a crash would.
    func crashedSegment(_ dir: String, events: Int) throws -> String {
        let writer = try SegmentWriter(
            configuration: .init(directory: dir, node: "n1", maxBytes: 1 << 30, maxAgeNanos: .max, compressionLevel: 1),
            fileSystem: PosixFileSystem(), logger: quietLogger, wallMillis: { 1_700_000_000_000 })
        for i in stride(from: 0, to: events, by: 5) {
            var batch = EventBatch()
            for j in i..<min(i + 5, events) { batch.append(sampleEvent(j)) }
            try writer.write([.init(payload: batch.bytes, count: batch.count, minMillis: batch.minMillis, maxMillis: batch.maxMillis)], nowNanos: 0)
            try writer.sync()
        }
        return try SegmentDirectory.list(dir).first { $0.state == .open }!.path
    }

    @Test func recoveryCutsATornTailAtEveryOffsetAndSeals() async throws {
        try await withTemporaryDirectory { dir in
            let path = try crashedSegment(dir, events: 20)
            let original = try FileBytes.read(path)
            var frameEnds: [Int] = []
            _ = SegmentScanner.scan(original) { block, _ in frameEnds.append(block.offset) }
            var lastKept = -1
            for cut in Set(Array(stride(from: 0, through: original.count, by: 7)) + [original.count - 1, original.count]).sorted() {
                try await withTemporaryDirectory { trial in
                    let name = URL(fileURLWithPath: path).lastPathComponent
                    FileManager.default.createFile(atPath: trial + "/" + name, contents: Data(original.prefix(cut)))
                    let reports = try SegmentRecovery.recover(directory: trial, node: "n1", logger: quietLogger)
                    #expect(reports.count == 1)
                    let entries = try SegmentDirectory.list(trial)
                    #expect(!entries.contains { $0.state == .open }, "cut \(cut)")
                    if let sealed = entries.first(where: { $0.state == .sealed }) {
                        let scan = try SegmentScanner.scan(path: sealed.path)
                        #expect(scan.isClean, "cut \(cut): \(scan.damage)")
                        #expect(scan.events % 5 == 0 && scan.events >= lastKept)
                        #expect(try run("/usr/bin/gzip", ["-t", sealed.path]) == 0)
                        lastKept = scan.events
                        #expect(reports[0].eventsKept == scan.events)
                    } else {
                        #expect(reports[0].outcome == .discarded)
                    }
                }
            }
            #expect(lastKept == 20)
        }
    }

    @Test func recoveryIgnoresAppendedGarbage() async throws {
        try await withTemporaryDirectory { dir in
            let path = try crashedSegment(dir, events: 10)
            let handle = FileHandle(forWritingAtPath: path)!
            handle.seekToEndOfFile()
            // Garbage, then a copy of a real frame header with nothing behind it.
            handle.write(Data((0..<777).map { UInt8(truncatingIfNeeded: $0 &* 131) }))
            handle.write(Data(Frame.fixedPrefix + [0x20, 0x00, 0x45, 0x42]))
            handle.closeFile()
            let reports = try SegmentRecovery.recover(directory: dir, node: "n1", logger: quietLogger)
            #expect(reports.first?.eventsKept == 10)
            #expect(reports.first!.bytesCut > 777)
            #expect(try allEvents(in: dir).count == 10)
            #expect(try SegmentDirectory.list(dir).map(\.state) == [.sealed])
        }
    }

    @Test func recoveryLeavesOtherNodesAlone() async throws {
        try await withTemporaryDirectory { dir in
            _ = try crashedSegment(dir, events: 5)
            #expect(try SegmentRecovery.recover(directory: dir, node: "other", logger: quietLogger).isEmpty)
            #expect(try SegmentDirectory.list(dir).map(\.state) == [.open])
        }
    }

    @Test func everyBitFlipInASealedSegmentIsDetected() async throws {
        try await withTemporaryDirectory { dir in
            try await writeEvents(dir, count: 12, perCommit: 4)
            let path = try SegmentDirectory.list(dir)[0].path
            let original = try FileBytes.read(path)
            var undetected = 0
            for i in original.indices {
                for bit in [0, 3, 7] {
                    var bytes = original
                    bytes[i] ^= 1 << bit
                    var yielded = 0
                    let scan = SegmentScanner.scan(bytes) { _, payload in
                        yielded += 1
                        #expect(payload.split(separator: 0x0A).allSatisfy { Event(jsonLine: $0) != nil })
                    }
                    if scan.isClean { undetected += 1 }
                }
            }
            #expect(undetected == 0)
        }
    }

    @Test func damageInTheMiddleSkipsOnlyTheDamagedFrame() async throws {
        try await withTemporaryDirectory { dir in
            try await writeEvents(dir, count: 30, perCommit: 10)
            let path = try SegmentDirectory.list(dir)[0].path
            var bytes = try FileBytes.read(path)
            var offsets: [Int] = []
            _ = SegmentScanner.scan(bytes) { block, _ in offsets.append(block.offset) }
            bytes[offsets[1] + 60] ^= 0xFF
            var events = 0
            let scan = SegmentScanner.scan(bytes) { block, _ in events += block.eventCount }
            #expect(!scan.isClean)
            #expect(events == 20)
            #expect(!scan.damage.isEmpty)
        }
    }
}
