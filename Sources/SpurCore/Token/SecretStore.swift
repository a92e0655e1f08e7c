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
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 {
                let text = Array(Keyring.generate().utf8)
                let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                let synced = fsync(fd)
                close(fd)
                guard written == text.count, synced == 0 else {
                    unlink(path)
                    throw SpurError.secret("cannot write \(path): \(String(cString: strerror(errno)))")
                }
            } else if errno != EEXIST {
                throw SpurError.secret("cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
        return (try Keyring(parsing: try read(path)), path)
    }

    private static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpurError.secret("cannot read secret file \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
