import Foundation
import Logging

/// What start-up recovery did with one `.open` file left behind by a crash.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    public enum Outcome: Sendable {
        /// Cut back to its last complete frame (if needed) and sealed.
        case sealed
        /// Held no complete frame; nothing in it was ever acknowledged.
        case discarded
    }

    public let file: String
    public let outcome: Outcome
    public let eventsKept: Int
    public let bytesCut: Int
    public let damage: [SegmentScan.Damage]
    /// Where the original bytes were kept because valid frames followed the damage.
    public let preservedCopy: String?

    public var description: String {
        switch outcome {
        case .sealed:
            "\(file): sealed with \(eventsKept) events, \(bytesCut) bytes cut"
                + (damage.isEmpty ? "" : " (\(damage.map(\.description).joined(separator: "; ")))")
        case .discarded:
            "\(file): no complete frame, discarded"
        }
    }
}

/// Start-up recovery of a node's `.open` segments: cut to the last valid frame, seal, report.
public enum SegmentRecovery {
    public static func recover(
        directory: String,
        node: String,
        fileSystem fs: any SegmentFileSystem = PosixFileSystem(),
        logger: Logger
    ) throws -> [RecoveryReport] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(SegmentName.openSuffix) }
            .compactMap { file -> SegmentName? in SegmentName(fileName: file).flatMap { $0.node == node ? $0 : nil } }
            .sorted()
        var reports: [RecoveryReport] = []
        for name in files {
            let report = try recover(name, directory: directory, fileSystem: fs)
            logger.warning("Recovered segment left open by a crash", metadata: ["report": "\(report)"])
            reports.append(report)
        }
        return reports
    }

    static func recover(_ name: SegmentName, directory: String, fileSystem fs: any SegmentFileSystem) throws -> RecoveryReport {
        let path = directory + "/" + name.openFileName
        let bytes = try FileBytes.read(path)
        let scan = try SegmentScanner.scan(bytes)
        guard scan.node != nil else {
            // The header frame is written with the first block and synced with it; a torn header
            // means that first commit never completed, so no event in the file was acknowledged.
            var preserved: String?
            if !bytes.isEmpty {
                preserved = directory + "/" + name.sealedFileName + ".damaged"
                try fs.rename(path, preserved!)
            } else {
                try fs.remove(path)
            }
            try fs.syncDirectory(directory)
            return RecoveryReport(
                file: name.openFileName, outcome: .discarded, eventsKept: 0, bytesCut: bytes.count, damage: scan.damage,
                preservedCopy: preserved)
        }
        if scan.isClean {
            try SegmentPublisher.publish(name, directory: directory, fileSystem: fs)
            return RecoveryReport(
                file: name.openFileName, outcome: .sealed, eventsKept: scan.events, bytesCut: 0, damage: [],
                preservedCopy: nil)
        }
        var preserved: String?
        if scan.blocks > scan.prefixBlocks {
            // Valid frames after the damage: this is not a simple torn tail. Keep the original.
            preserved = directory + "/" + name.sealedFileName + ".damaged"
            guard FileManager.default.createFile(atPath: preserved!, contents: Data(bytes)) else {
                throw SpurError.io(operation: "create", path: preserved!, errno: errno)
            }
        }
        let footer = FooterFields(
            blockCount: UInt32(scan.prefixBlocks), eventCount: UInt64(scan.prefixEvents), dataEnd: UInt64(scan.validEnd),
            dataCRC: Zlib.crc32(bytes[0..<scan.validEnd]), minMillis: scan.prefixMinMillis,
            maxMillis: scan.prefixMaxMillis)
        let tag = bytes[...].readLE(UInt32.self, at: 24)
        let fd = try fs.openForAppend(path)
        do {
            try fs.truncate(fd, to: scan.validEnd, path: path)
            try fs.write(fd, Frame.encode(type: .footer, tag: tag, fields: footer.encoded(), payload: []), path: path)
            try fs.sync(fd, path: path)
        } catch {
            fs.close(fd)
            throw error
        }
        fs.close(fd)
        try SegmentPublisher.publish(name, directory: directory, fileSystem: fs)
        return RecoveryReport(
            file: name.openFileName, outcome: .sealed, eventsKept: scan.prefixEvents,
            bytesCut: bytes.count - scan.validEnd, damage: scan.damage, preservedCopy: preserved)
    }
}
