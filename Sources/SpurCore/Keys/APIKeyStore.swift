import Crypto
import Foundation

/// What an API key may do: `read` the console's API (`/api/v1`), or `identify` visitors at the
/// collector (`POST /api/identify`). A key has exactly one scope, so a leaked read key cannot
/// write and a site backend's identify key cannot export leads.
public enum APIScope: String, Sendable, CaseIterable, Codable {
    case read, identify
}

/// One stored key: its name, scope and the SHA-256 of the key (the key itself is shown once,
/// when it is made, and never stored).
public struct APIKey: Sendable, Equatable {
    public var name: String
    public var scope: APIScope
    /// Lower-case hex SHA-256 of the key text.
    public var hash: String
    public var created: String
}

/// The API keys of a data directory: `DATA/api-keys` (mode 0600), one
/// `NAME SCOPE SHA256-HEX CREATED` per line, written atomically. `spur keys` manages it; the
/// collector and the console reread it when it changes (`APIKeyring`).
public struct APIKeyStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public static func defaultPath(dataDirectory: String) -> String { dataDirectory + "/api-keys" }

    public func keys() throws(SpurError) -> [APIKey] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            if FileManager.default.fileExists(atPath: path) { throw .io(operation: "read", path: path, errno: EACCES) }
            return []
        }
        var out: [APIKey] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let f = trimmed.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard f.count == 4, Self.isValidName(f[0]), let scope = APIScope(rawValue: f[1]), f[2].count == 64,
                f[2].allSatisfy(\.isHexDigit)
            else {
                throw .invalidInput("\(path), line \(i + 1): expected NAME SCOPE SHA256 CREATED (the file is written by 'spur keys')")
            }
            out.append(APIKey(name: f[0], scope: scope, hash: f[2].lowercased(), created: f[3]))
        }
        return out
    }

    /// Makes a key, stores its hash and returns the key: the only time it is ever shown.
    public func add(_ name: String, scope: APIScope, now: Date = Date()) throws(SpurError) -> String {
        guard Self.isValidName(name) else {
            throw .invalidInput("'\(name)' is not a key name: use 1–64 letters, digits, '.', '_' or '-'")
        }
        var all = try keys()
        guard !all.contains(where: { $0.name == name }) else {
            throw .invalidInput("there is already a key named '\(name)': revoke it first or choose another name")
        }
        let key = Self.generate()
        all.append(APIKey(name: name, scope: scope, hash: Self.hash(key), created: ISO8601DateFormatter().string(from: now)))
        try write(all)
        return key
    }

    public func revoke(_ name: String) throws(SpurError) {
        var all = try keys()
        guard all.contains(where: { $0.name == name }) else { throw .invalidInput("there is no key named '\(name)' (see 'spur keys list')") }
        all.removeAll { $0.name == name }
        try write(all)
    }

    /// `spur_` and 32 random bytes in base64url: 256 bits, recognisable in a secret scanner.
    static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return "spur_" + Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-".unicodeScalars.contains($0)
            }
    }

    private func write(_ keys: [APIKey]) throws(SpurError) {
        let text =
            "# Spur API keys: NAME SCOPE SHA256-OF-KEY CREATED. Managed by 'spur keys'; the keys themselves are not stored.\n"
            + keys.map { "\($0.name) \($0.scope.rawValue) \($0.hash) \($0.created)\n" }.joined()
        try PosixFileSystem().writeAtomically(Array(text.utf8), to: path)
    }
}

/// The keys a running server accepts: the store's (reread when the file changes, so
/// `spur keys revoke` acts at once) plus fixed keys from the environment (`SPUR_API_KEYS`).
/// A presented key is hashed and compared with every stored hash without an early exit.
public final class APIKeyring: @unchecked Sendable {
    private let store: APIKeyStore?
    private let fixed: [(hash: [UInt8], scope: APIScope)]
    private let lock = NSLock()
    private var cached: [(hash: [UInt8], name: String, scope: APIScope)] = []
    private var stamp: [Double] = []

    /// `fixed` keys are given in clear text (the environment, `--api-keys-file`) with the scope they get.
    public init(store: APIKeyStore?, fixed: [String] = [], fixedScope: APIScope = .identify) {
        self.store = store
        self.fixed = fixed.map { (Array(SHA256.hash(data: Array($0.utf8))), fixedScope) }
    }

    /// Whether any key could ever be accepted for `scope` right now.
    public func hasKeys(for scope: APIScope) -> Bool {
        fixed.contains { $0.scope == scope } || ((try? current()) ?? []).contains { $0.scope == scope }
    }

    /// The name of the key (`"environment"` for a fixed one) if `key` is valid for `scope`.
    public func authorize(_ key: String, scope: APIScope) throws(SpurError) -> String? {
        let digest = Array(SHA256.hash(data: Array(key.utf8)))
        var found: String?
        for entry in try current() where Self.equal(entry.hash, digest) && entry.scope == scope { found = entry.name }
        for entry in fixed where Self.equal(entry.hash, digest) && entry.scope == scope { found = found ?? "environment" }
        return found
    }

    /// Whether `key` is a known key of another scope (a 403 rather than a 401).
    public func isKnown(_ key: String) -> Bool {
        let digest = Array(SHA256.hash(data: Array(key.utf8)))
        return ((try? current()) ?? []).contains { Self.equal($0.hash, digest) } || fixed.contains { Self.equal($0.hash, digest) }
    }

    private func current() throws(SpurError) -> [(hash: [UInt8], name: String, scope: APIScope)] {
        guard let store else { return [] }
        let attributes = try? FileManager.default.attributesOfItem(atPath: store.path)
        let now: [Double] =
            attributes.map {
                [(($0[.modificationDate] as? Date) ?? .distantPast).timeIntervalSince1970, Double(($0[.size] as? Int) ?? -1)]
            } ?? []
        lock.lock()
        defer { lock.unlock() }
        if now != stamp {
            cached = try store.keys().map { (Self.bytes(hex: $0.hash), $0.name, $0.scope) }
            stamp = now
        }
        return cached
    }

    private static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex, let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex) {
            out.append(UInt8(hex[i..<j], radix: 16) ?? 0)
            i = j
        }
        return out
    }

    /// Constant time for equal lengths (digests always are).
    private static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
