import Foundation

/// Everything that can go wrong in the console and its user file. The edge maps the cases to
/// exit codes (`spur console`, docs/cli.md) or HTTP statuses.
public enum ConsoleError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A user name that is not 1–64 letters, digits, '.', '_', '@' or '-'.
    case invalidUserName(String)
    case userExists(String)
    case unknownUser(String)
    /// A password shorter than `UserStore.minimumPasswordLength`.
    case weakPassword(minimum: Int)
    /// The users file has a line that is not `NAME ROLE BCRYPT-HASH`.
    case invalidUsersFile(path: String, line: Int)
    /// A file operation failed with `errno`.
    case fileSystem(operation: String, path: String, errno: Int32)
    /// The console could not listen on its address.
    case cannotListen(address: String, reason: String)

    public var description: String {
        switch self {
        case .invalidUserName(let name):
            return "'\(name.prefix(80))' is not a valid user name: use 1–64 letters, digits, '.', '_', '@' or '-'"
        case .userExists(let name): return "user \(name) exists already: use 'spur console user passwd \(name)' to change the password"
        case .unknownUser(let name): return "no console user named \(name): 'spur console user list' shows them"
        case .weakPassword(let minimum): return "the password must be at least \(minimum) characters long"
        case .invalidUsersFile(let path, let line):
            return "\(path) line \(line) is not 'NAME ROLE HASH': fix or remove it (the file is managed by 'spur console user')"
        case .fileSystem(let operation, let path, let code): return "cannot \(operation) \(path): \(String(cString: strerror(code)))"
        case .cannotListen(let address, let reason): return "cannot listen on \(address): \(reason)"
        }
    }
}
