import Foundation
import SpurCore

/// Delivers the hand-off outbox: appends JSON Lines to a file and/or pipes them into a command.
enum HandoffDelivery {
    static func append(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw AggregateError.fileSystem(operation: "open", path: path, errno: errno) }
        let fs = PosixFileSystem()
        defer { fs.close(fd) }
        do {
            // Writes all bytes (partial writes and EINTR are retried), then makes them durable.
            try fs.write(fd, Array(text.utf8), path: path)
            try fs.sync(fd, path: path)
        } catch {
            throw AggregateError(error)
        }
    }

    static func run(_ command: String, input: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let pipe = Pipe()
        p.standardInput = pipe
        do { try p.run() } catch { throw AggregateError.handoffFailed("cannot start /bin/sh: \(error.localizedDescription)") }
        pipe.fileHandleForWriting.write(Data(input.utf8))
        try? pipe.fileHandleForWriting.close()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw AggregateError.handoffFailed("the hand-off command exited with status \(p.terminationStatus)")
        }
    }
}
