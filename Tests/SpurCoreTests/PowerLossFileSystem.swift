import Foundation

@testable import SpurCore

/// The segment writer's file system with a simulated power cut: it passes operations to disk
/// and remembers what is durable — file bytes up to the last `fdatasync`, directory entries as
/// of the last directory `fsync`. `cutPower(atOperation:)` makes the n-th operation the last
/// one that reaches the disk; later ones only pretend to succeed, like a machine that has lost
/// power without knowing. `applyPowerLoss` then rewrites the directory to what a real disk
/// could hold after the cut: unsynced bytes gone (or, `torn`, a random part of them kept) and
/// files whose directory entry was never synced gone or back under their old names.
final class PowerLossFileSystem: SegmentFileSystem, @unchecked Sendable {
    private final class Inode {
        var path: String
        var length = 0
        var synced = 0
        /// The bytes, kept once the last name is unlinked while a durable entry still points here.
        var saved: [UInt8]?
        init(path: String) { self.path = path }
    }

    private let lock = NSLock()
    private let base = PosixFileSystem()
    private let directory: String
    private var inodes: [Int32: Inode] = [:]  // by descriptor while open
    private var current: [String: Inode] = [:]  // name -> inode (files this FS made or saw)
    private var durable: [String: Inode] = [:]  // name -> inode as of the last directory fsync
    private var operations = 0
    private var cutAfter = Int.max
    private var fakeDescriptor: Int32 = 1_000_000

    /// Files already in `directory` count as durable, with all their bytes.
    init(directory: String) {
        self.directory = directory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            let inode = Inode(path: directory + "/" + name)
            let size = (try? FileManager.default.attributesOfItem(atPath: inode.path)[.size] as? Int) ?? 0
            inode.length = size
            inode.synced = size
            current[name] = inode
            durable[name] = inode
        }
    }

    func cutPower(atOperation n: Int) { lock.withLock { cutAfter = n } }
    var powerIsCut: Bool { lock.withLock { operations >= cutAfter } }
    var operationCount: Int { lock.withLock { operations } }

    /// True if this operation still reaches the disk.
    private func live() -> Bool {
        lock.withLock {
            operations += 1
            return operations <= cutAfter
        }
    }

    private func name(_ path: String) -> String { (path as NSString).lastPathComponent }

    func createExclusive(_ path: String) throws(SpurError) -> Int32 {
        guard live() else {
            return lock.withLock {
                fakeDescriptor += 1; return fakeDescriptor
            }
        }
        let fd = try base.createExclusive(path)
        lock.withLock {
            let inode = Inode(path: path)
            inodes[fd] = inode
            current[name(path)] = inode
        }
        return fd
    }

    func openForAppend(_ path: String) throws(SpurError) -> Int32 {
        guard live() else {
            return lock.withLock {
                fakeDescriptor += 1; return fakeDescriptor
            }
        }
        let fd = try base.openForAppend(path)
        lock.withLock {
            let inode = current[name(path)] ?? Inode(path: path)
            if current[name(path)] == nil {
                inode.length = Int(lseek(fd, 0, SEEK_END))
                inode.synced = inode.length
                current[name(path)] = inode
                durable[name(path)] = inode
            }
            inodes[fd] = inode
        }
        return fd
    }

    func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpurError) {
        guard live(), fd < 1_000_000 else { return }
        try base.write(fd, bytes, path: path)
        lock.withLock { inodes[fd]?.length += bytes.count }
    }

    func sync(_ fd: Int32, path: String) throws(SpurError) {
        guard live(), fd < 1_000_000 else { return }
        try base.sync(fd, path: path)
        lock.withLock {
            if let inode = inodes[fd] { inode.synced = inode.length }
        }
    }

    func truncate(_ fd: Int32, to length: Int, path: String) throws(SpurError) {
        guard live(), fd < 1_000_000 else { return }
        try base.truncate(fd, to: length, path: path)
        lock.withLock {
            if let inode = inodes[fd] {
                inode.length = length
                inode.synced = min(inode.synced, length)
            }
        }
    }

    func close(_ fd: Int32) {
        guard fd < 1_000_000 else { return }
        // Closing after the cut is harmless: the descriptor belongs to this process.
        base.close(fd)
        lock.withLock { _ = inodes.removeValue(forKey: fd) }
    }

    func rename(_ from: String, _ to: String) throws(SpurError) {
        guard live() else { return }
        try base.rename(from, to)
        lock.withLock {
            if let inode = current.removeValue(forKey: name(from)) {
                inode.path = to
                current[name(to)] = inode
            }
        }
    }

    func syncDirectory(_ path: String) throws(SpurError) {
        guard live() else { return }
        try base.syncDirectory(path)
        lock.withLock { durable = current }
    }

    func remove(_ path: String) throws(SpurError) {
        guard live() else { return }
        lock.withLock {
            if let inode = current[name(path)], durable.values.contains(where: { $0 === inode }) {
                inode.saved = (try? FileBytes.read(path)).map { Array($0.prefix(inode.synced)) }
            }
        }
        try base.remove(path)
        lock.withLock { _ = current.removeValue(forKey: name(path)) }
    }

    /// Rewrites the directory to a state the disk could be in after the cut.
    func applyPowerLoss<G: RandomNumberGenerator>(torn: Bool, using rng: inout G) throws {
        let (durableEntries, currentEntries) = lock.withLock { (durable, current) }
        // Contents first, while every inode can still be read under its current name.
        var contents: [ObjectIdentifier: [UInt8]] = [:]
        for inode in Set(durableEntries.values.map(ObjectIdentifier.init)).compactMap({ id in
            durableEntries.values.first { ObjectIdentifier($0) == id }
        }) {
            var bytes = inode.saved ?? ((try? FileBytes.read(inode.path)) ?? [])
            let keep = torn && bytes.count > inode.synced ? Int.random(in: inode.synced...bytes.count, using: &rng) : inode.synced
            bytes = Array(bytes.prefix(keep))
            contents[ObjectIdentifier(inode)] = bytes
        }
        for name in currentEntries.keys where durableEntries[name] == nil {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
        for (name, inode) in durableEntries {
            let path = directory + "/" + name
            try? FileManager.default.removeItem(atPath: path)
            FileManager.default.createFile(atPath: path, contents: Data(contents[ObjectIdentifier(inode)] ?? []))
        }
    }
}
