import Foundation

/// One collector per data directory and node: `segments/.NODE.lock`, held with flock(2) while
/// the event log is open. A second collector with the same node name (two containers with the
/// same host name, a service started twice) would take the first one's open segment for a
/// crash leftover and seal it under the writer's feet; it refuses to start instead. The kernel
/// drops the lock when the process ends, however it ends, so a crash leaves nothing to clean up.
public final class NodeLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public init(directory: String, node: String) throws(SpurError) {
        path = directory + "/." + node + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw .nodeInUse(node: node, lock: path) }
            throw .io(operation: "lock", path: path, errno: code)
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
