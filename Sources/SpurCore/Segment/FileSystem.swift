import Foundation

/// The few file operations the segment writer needs. The default is plain POSIX; tests inject
/// failures (ENOSPC, EIO) through their own implementation.
public protocol SegmentFileSystem: Sendable {
    /// Creates a new file that must not exist yet; returns its descriptor.
    func createExclusive(_ path: String) throws(SpurError) -> Int32
    func openForAppend(_ path: String) throws(SpurError) -> Int32
    /// Writes all of `bytes` at the current offset.
    func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpurError)
    func sync(_ fd: Int32, path: String) throws(SpurError)
    func truncate(_ fd: Int32, to length: Int, path: String) throws(SpurError)
    func close(_ fd: Int32)
    func rename(_ from: String, _ to: String) throws(SpurError)
    func syncDirectory(_ path: String) throws(SpurError)
    func remove(_ path: String) throws(SpurError)
}

extension SegmentFileSystem {
    /// Replaces `path` with `bytes` atomically: temporary file, fsync, rename, directory fsync.
    /// A crash leaves the old file or the new one, never a torn one. The file is owner-only (0600).
    public func writeAtomically(_ bytes: [UInt8], to path: String) throws(SpurError) {
        let tmp = path + ".tmp"
        try? remove(tmp)
        let fd = try createExclusive(tmp)
        do {
            try write(fd, bytes, path: tmp)
            try sync(fd, path: tmp)
        } catch {
            close(fd)
            try? remove(tmp)
            throw error
        }
        close(fd)
        try rename(tmp, path)
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }
}

public struct PosixFileSystem: SegmentFileSystem {
    public init() {}

    public func createExclusive(_ path: String) throws(SpurError) -> Int32 {
        // Owner-only whatever the umask: segments hold who clicked what.
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpurError.io(operation: "create", path: path, errno: errno) }
        return fd
    }

    public func openForAppend(_ path: String) throws(SpurError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SpurError.io(operation: "open", path: path, errno: errno) }
        guard lseek(fd, 0, SEEK_END) >= 0 else {
            let code = errno
            Glibc.close(fd)
            throw SpurError.io(operation: "seek", path: path, errno: code)
        }
        return fd
    }

    public func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpurError) {
        let (done, code) = bytes.withUnsafeBytes { raw in
            Posix.transfer(count: raw.count) { Glibc.write(fd, raw.baseAddress! + $0, raw.count - $0) }
        }
        if let code { throw SpurError.io(operation: "write", path: path, errno: code) }
        if done < bytes.count { throw SpurError.io(operation: "write", path: path, errno: EIO) }
    }

    public func sync(_ fd: Int32, path: String) throws(SpurError) {
        guard fdatasync(fd) == 0 else { throw SpurError.io(operation: "fdatasync", path: path, errno: errno) }
    }

    public func truncate(_ fd: Int32, to length: Int, path: String) throws(SpurError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw SpurError.io(operation: "truncate", path: path, errno: errno) }
        guard lseek(fd, off_t(length), SEEK_SET) >= 0 else { throw SpurError.io(operation: "seek", path: path, errno: errno) }
    }

    public func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    public func rename(_ from: String, _ to: String) throws(SpurError) {
        guard Glibc.rename(from, to) == 0 else { throw SpurError.io(operation: "rename", path: from, errno: errno) }
    }

    public func syncDirectory(_ path: String) throws(SpurError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SpurError.io(operation: "open directory", path: path, errno: errno) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw SpurError.io(operation: "fsync directory", path: path, errno: errno) }
    }

    public func remove(_ path: String) throws(SpurError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw SpurError.io(operation: "unlink", path: path, errno: errno) }
    }
}

enum Posix {
    /// Calls `step(done)` until `count` bytes are transferred or it returns 0 (end of file or a
    /// device that takes nothing), retrying on EINTR. Returns the bytes done and the errno of a failure.
    static func transfer(count: Int, _ step: (Int) -> Int) -> (done: Int, errno: Int32?) {
        var done = 0
        while done < count {
            let n = step(done)
            if n < 0 {
                if errno == EINTR { continue }
                return (done, errno)
            }
            if n == 0 { break }
            done += n
        }
        return (done, nil)
    }
}

package enum FileBytes {
    /// Reads a whole file. Segments are bounded by the rotation size, so this is bounded too.
    package static func read(_ path: String) throws(SpurError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SpurError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SpurError.io(operation: "stat", path: path, errno: errno) }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        let (done, code) = out.withUnsafeMutableBytes { raw in
            Posix.transfer(count: raw.count) { Glibc.read(fd, raw.baseAddress! + $0, raw.count - $0) }
        }
        if let code { throw SpurError.io(operation: "read", path: path, errno: code) }
        if done < out.count { out.removeSubrange(done...) }
        return out
    }
}

/// CRC-32 (as in gzip) for ledgers and checks outside SpurCore.
package enum Crc32 {
    package static func of(_ bytes: [UInt8]) -> UInt32 { Zlib.crc32(bytes) }
}
