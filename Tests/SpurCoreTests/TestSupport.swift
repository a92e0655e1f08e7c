import Foundation
import Logging

@testable import SpurCore

/// A fresh temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let path = NSTemporaryDirectory() + "spur-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

let quietLogger: Logger = {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}()

func sampleEvent(_ n: Int, type: EventType = .pageview) -> Event {
    Event(id: "e\(n)", ts: 1_700_000_000_000 + Int64(n), type: type, visitor: "v\(n % 7)", url: "https://shop.example/p/\(n)", node: "n1")
}

/// Every event in valid frames of all segment files (sealed and open) of `directory`.
func allEvents(in directory: String) throws -> [Event] {
    var events: [Event] = []
    for entry in try SegmentDirectory.list(directory) where entry.state != .damaged {
        _ = try SegmentScanner.scan(path: entry.path) { _, payload in
            for line in payload.split(separator: 0x0A) { events.append(Event(jsonLine: line)!) }
        }
    }
    return events
}

/// Runs a command line tool, returning its exit status.
@discardableResult
func run(_ tool: String, _ args: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

/// A file system that fails on demand, to test disk-full and I/O-error handling.
final class FaultyFileSystem: SegmentFileSystem, @unchecked Sendable {
    private let lock = NSLock()
    private let base = PosixFileSystem()
    private var _writeError: Int32?
    private var _syncError: Int32?

    var writeError: Int32? {
        get { lock.withLock { _writeError } }
        set { lock.withLock { _writeError = newValue } }
    }
    var syncError: Int32? {
        get { lock.withLock { _syncError } }
        set { lock.withLock { _syncError = newValue } }
    }

    func createExclusive(_ path: String) throws(SpurError) -> Int32 {
        if let code = writeError { throw SpurError.io(operation: "create", path: path, errno: code) }
        return try base.createExclusive(path)
    }
    func openForAppend(_ path: String) throws(SpurError) -> Int32 { try base.openForAppend(path) }
    func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpurError) {
        if let code = writeError {
            // A real ENOSPC often comes after part of the data was written: simulate that.
            try? base.write(fd, Array(bytes.prefix(bytes.count / 2)), path: path)
            throw SpurError.io(operation: "write", path: path, errno: code)
        }
        try base.write(fd, bytes, path: path)
    }
    func sync(_ fd: Int32, path: String) throws(SpurError) {
        if let code = syncError { throw SpurError.io(operation: "fdatasync", path: path, errno: code) }
        try base.sync(fd, path: path)
    }
    func truncate(_ fd: Int32, to length: Int, path: String) throws(SpurError) { try base.truncate(fd, to: length, path: path) }
    func close(_ fd: Int32) { base.close(fd) }
    func rename(_ from: String, _ to: String) throws(SpurError) { try base.rename(from, to) }
    func syncDirectory(_ path: String) throws(SpurError) { try base.syncDirectory(path) }
    func remove(_ path: String) throws(SpurError) { try base.remove(path) }
}
