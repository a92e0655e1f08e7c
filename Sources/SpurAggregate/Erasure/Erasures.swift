import Crypto
import Foundation
import SpurCore

/// Salted hashes of erased lead and visitor ids, with the time of the erasure. Kept in the
/// database so that events of an erased person are dropped again when segments are refolded
/// (`--rebuild`) or restored from a backup — without keeping the ids themselves. Events after
/// the erasure count: a person who subscribes again starts afresh (docs/privacy.md).
struct Erasures {
    /// Nil until the first erasure: a store without one has nothing to cover.
    private(set) var salt: String?
    /// Hash → erasure time (Unix ms).
    private(set) var hashes: [String: Int64]

    /// Reads salt and hashes; never writes (a dry run must not change the database).
    init(store: AggregateStore) throws {
        salt = try store.erasureSalt()
        hashes = Dictionary(try store.erasureHashes().map { ($0.hash, $0.erasedAt) }) { max($0, $1) }
    }

    func hash(_ id: String, salt: String) -> String {
        SHA256.hash(data: Array((salt + "\u{0}" + id).utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Whether the event belongs to an erased lead or visitor and happened before the erasure.
    func covers(_ e: Event) -> Bool {
        guard let salt, !hashes.isEmpty else { return false }
        if let lead = e.lead, let at = hashes[hash(lead, salt: salt)], e.ts <= at { return true }
        if let visitor = e.visitor, let at = hashes[hash(visitor, salt: salt)], e.ts <= at { return true }
        return false
    }

    /// Records the ids' hashes, making the salt on the first erasure.
    mutating func add(_ ids: [String], store: AggregateStore) throws {
        let salt =
            try self.salt
            ?? {
                var rng = SystemRandomNumberGenerator()
                let made = (0..<4).map { _ in String(rng.next() as UInt64, radix: 16) }.joined()
                try store.setErasureSalt(made)
                return made
            }()
        self.salt = salt
        let now = SystemTime.nowMillis()
        for id in ids {
            let h = hash(id, salt: salt)
            hashes[h] = hashes[h] ?? now  // a rerun keeps the first erasure's time
            try store.addErasureHash(h, erasedAt: now)
        }
    }

    /// Copies salt and hashes into a fresh database (rebuild).
    static func copy(from old: AggregateStore, to fresh: AggregateStore) throws {
        guard let salt = try old.erasureSalt() else { return }
        try fresh.setErasureSalt(salt)
        for (hash, erasedAt) in try old.erasureHashes() { try fresh.addErasureHash(hash, erasedAt: erasedAt) }
    }
}
