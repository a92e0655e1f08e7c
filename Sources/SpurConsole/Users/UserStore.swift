import Foundation
import HummingbirdBcrypt
import NIOConcurrencyHelpers
import SpurCore

/// What a console user may do. Viewers read; admins also erase leads.
public enum ConsoleRole: String, Codable, Sendable, CaseIterable {
    case viewer, admin
}

public struct ConsoleUser: Codable, Sendable, Equatable {
    public var name: String
    public var role: ConsoleRole
    /// The bcrypt hash of the password; the password itself is never stored.
    var hash: String
}

/// The console's users: a text file in the data directory (`console-users`, mode 0600), one
/// `NAME ROLE BCRYPT-HASH` per line, written atomically. `spur console user` manages it; the
/// console rereads it when it changes, so a removed user is signed out at the next request.
public struct UserStore: Sendable {
    public let path: String
    public static let minimumPasswordLength = 10
    /// bcrypt's work factor for new hashes (each verification uses its hash's own).
    let cost: UInt8

    public init(path: String) { self.init(path: path, cost: 12) }

    /// A lower cost only for tests: every sign-in costs 2^cost rounds.
    init(path: String, cost: UInt8) {
        self.path = path
        self.cost = cost
    }

    public static func defaultPath(dataDirectory: String) -> String { dataDirectory + "/console-users" }

    public func users() throws(ConsoleError) -> [ConsoleUser] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            if FileManager.default.fileExists(atPath: path) { throw .fileSystem(operation: "read", path: path, errno: EACCES) }
            return []
        }
        var out: [ConsoleUser] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let f = trimmed.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count == 3, Self.isValidName(String(f[0])), let role = ConsoleRole(rawValue: String(f[1])), f[2].hasPrefix("$2") else {
                throw .invalidUsersFile(path: path, line: i + 1)
            }
            out.append(ConsoleUser(name: String(f[0]), role: role, hash: String(f[2])))
        }
        return out
    }

    public func add(_ name: String, role: ConsoleRole, password: String) throws(ConsoleError) {
        guard Self.isValidName(name) else { throw .invalidUserName(name) }
        var all = try users()
        guard !all.contains(where: { $0.name == name }) else { throw .userExists(name) }
        all.append(ConsoleUser(name: name, role: role, hash: try hash(password)))
        try write(all)
    }

    public func remove(_ name: String) throws(ConsoleError) {
        var all = try users()
        guard all.contains(where: { $0.name == name }) else { throw .unknownUser(name) }
        all.removeAll { $0.name == name }
        try write(all)
    }

    /// Sets a new password and, when given, a new role.
    public func update(_ name: String, password: String?, role: ConsoleRole?) throws(ConsoleError) {
        var all = try users()
        guard let i = all.firstIndex(where: { $0.name == name }) else { throw .unknownUser(name) }
        if let password { all[i].hash = try hash(password) }
        if let role { all[i].role = role }
        try write(all)
    }

    /// The user if the password is right. Takes the same time for an unknown user as for a
    /// wrong password, so the answer does not tell which names exist.
    func verify(_ name: String, password: String, among users: [ConsoleUser]) -> ConsoleUser? {
        guard let user = users.first(where: { $0.name == name }) else {
            // As costly as the users' own hashes.
            let cost = users.first.flatMap { UInt8($0.hash.dropFirst(4).prefix(2)) } ?? cost
            _ = Bcrypt.verify(password, hash: Self.decoy(cost: cost))
            return nil
        }
        return Bcrypt.verify(password, hash: user.hash) ? user : nil
    }

    /// A hash of a random password per cost, verified against when the user is unknown.
    private static let decoys = NIOLockedValueBox<[UInt8: String]>([:])

    static func decoy(cost: UInt8) -> String {
        decoys.withLockedValue { cache in
            if let hash = cache[cost] { return hash }
            let hash = Bcrypt.hash(UUID().uuidString, cost: cost)
            cache[cost] = hash
            return hash
        }
    }

    func hash(_ password: String) throws(ConsoleError) -> String {
        guard password.count >= Self.minimumPasswordLength else { throw .weakPassword(minimum: Self.minimumPasswordLength) }
        return Bcrypt.hash(password, cost: cost)
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._@-".unicodeScalars.contains($0)
            }
    }

    private func write(_ users: [ConsoleUser]) throws(ConsoleError) {
        let text =
            "# Spur console users: NAME ROLE BCRYPT-HASH. Managed by 'spur console user'.\n"
            + users.map { "\($0.name) \($0.role.rawValue) \($0.hash)\n" }.joined()
        do {
            try PosixFileSystem().writeAtomically(Array(text.utf8), to: path)
        } catch {
            if case .io(let operation, let file, let code) = error { throw .fileSystem(operation: operation, path: file, errno: code) }
            throw .fileSystem(operation: "write", path: path, errno: EIO)
        }
    }
}
