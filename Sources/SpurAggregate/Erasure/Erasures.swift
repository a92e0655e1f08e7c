import Crypto
import Foundation
import SpurCore

/// Salted hashes of erased lead and visitor ids. Kept in the database so that events of an
/// erased person are dropped again when segments are refolded (`--rebuild`) or restored from a
/// backup — without keeping the ids themselves.
struct Erasures {
    let salt: String
    private(set) var hashes: Set<String>

    init(store: AggregateStore) throws {
        if let salt = try store.meta("erasure_salt") {
            self.salt = salt
        } else {
            var rng = SystemRandomNumberGenerator()
            salt = (0..<4).map { _ in String(rng.next() as UInt64, radix: 16) }.joined()
            try store.setMeta("erasure_salt", salt)
        }
        var hashes = Set<String>()
        try store.db.prepare("SELECT hash FROM erasures").query { hashes.insert($0.string(0)!) }
        self.hashes = hashes
    }

    func hash(_ id: String) -> String {
        SHA256.hash(data: Array((salt + "\u{0}" + id).utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Whether the event belongs to an erased lead or visitor.
    func covers(_ e: Event) -> Bool {
        guard !hashes.isEmpty else { return false }
        if let lead = e.lead, hashes.contains(hash(lead)) { return true }
        if let visitor = e.visitor, hashes.contains(hash(visitor)) { return true }
        return false
    }

    mutating func add(_ ids: [String], store: AggregateStore) throws {
        for id in ids {
            let h = hash(id)
            hashes.insert(h)
            try store.db.prepare("INSERT OR IGNORE INTO erasures VALUES(?, ?)").run(h, Int64(Date().timeIntervalSince1970))
        }
    }

    /// Copies salt and hashes into a fresh database (rebuild).
    static func copy(from old: AggregateStore, to fresh: AggregateStore) throws {
        guard let salt = try old.meta("erasure_salt") else { return }
        try fresh.setMeta("erasure_salt", salt)
        try old.db.prepare("SELECT hash, erased_at FROM erasures").query { row in
            try fresh.db.prepare("INSERT OR IGNORE INTO erasures VALUES(?, ?)").run(row.string(0)!, row.int(1))
        }
    }
}
