import Foundation

/// Where the signing secret comes from: a file, the environment, or `DATA/secret`, which
/// `spur serve` creates (mode 0600) on first start so that a fresh install just works. Nothing
/// else creates it: links signed with a secret the collector does not have would all be refused.
public enum SecretStore {
    public static func defaultPath(dataDirectory: String) -> String { dataDirectory + "/secret" }

    /// Loads the keyring from `file`, else from `environment` text, else from `DATA/secret`,
    /// creating that file when `create` is set and it does not exist.
    public static func load(
        file: String?, environment: String?, dataDirectory: String, create: Bool
    ) throws -> (keyring: Keyring, source: String) {
        if let file {
            return (try Keyring(parsing: try read(file)), file)
        }
        if let environment, !environment.isEmpty {
            return (try Keyring(parsing: environment), "SPUR_SECRET")
        }
        let path = defaultPath(dataDirectory: dataDirectory)
        if !FileManager.default.fileExists(atPath: path) {
            guard create else {
                throw SpurError.secret(
                    "no signing secret at \(path) (nor --secret-file, SPUR_SECRET_FILE or SPUR_SECRET): point --data (or SPUR_DATA) "
                        + "at the collector's data directory, or give its secret with --secret-file; links signed with a new secret would not work")
            }
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            try createAtomically(path)
        }
        return (try Keyring(parsing: try read(path)), path)
    }

    /// Writes a fresh secret to a private temporary file and links it into place: several
    /// collectors starting at once (spur@8081, spur@8082) agree on one secret, and none reads a
    /// half-written file.
    private static func createAtomically(_ path: String) throws {
        let tmp = path + ".new-\(getpid())"
        let fs = PosixFileSystem()
        do {
            try? fs.remove(tmp)
            let fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SpurError.io(operation: "create", path: tmp, errno: errno) }
            defer { fs.close(fd) }
            try fs.write(fd, Array(Keyring.generate().utf8), path: tmp)
            try fs.sync(fd, path: tmp)
        } catch {
            try? fs.remove(tmp)
            throw SpurError.secret("cannot write \(path): \(error)")
        }
        // link(2) fails with EEXIST when another process won the race: then its secret counts.
        let linked = link(tmp, path) == 0 ? 0 : errno
        try? fs.remove(tmp)
        guard linked == 0 || linked == EEXIST else { throw SpurError.secret("cannot create \(path): \(String(cString: strerror(linked)))") }
        try? fs.syncDirectory((path as NSString).deletingLastPathComponent)
    }

    private static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpurError.secret("cannot read secret file \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
