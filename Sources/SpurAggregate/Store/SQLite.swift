import CSQLite
import Foundation

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A minimal owner of one SQLite connection. Not thread-safe: one per aggregator run or reader.
/// Only the store (this folder) holds one; everything else reads typed values from it.
final class Database {
    private var handle: OpaquePointer?
    private var statements: [String: Statement] = [:]
    let path: String

    init(path: String, readOnly: Bool = false) throws {
        self.path = path
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        // A new database is created owner-only whatever the umask (SQLite would use 0644); its
        // -wal and -shm files take the database file's permissions.
        if !readOnly && !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let rc = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw AggregateError.database(path: path, code: rc, message: message)
        }
        sqlite3_busy_timeout(handle, 10_000)
        if !readOnly {
            // WAL: the console and the API read while the aggregator writes, and neither blocks the other.
            try execute("PRAGMA journal_mode = WAL")
            // A run's big transactions grow the log; after a checkpoint it shrinks back to this.
            try execute("PRAGMA journal_size_limit = 67108864")
            try execute("PRAGMA synchronous = FULL")
        }
        try execute("PRAGMA foreign_keys = ON")
        // Erased data must not linger in free pages.
        try execute("PRAGMA secure_delete = ON")
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    func close() {
        statements.removeAll()
        sqlite3_close_v2(handle)
        handle = nil
    }

    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(error)
            throw AggregateError.database(path: path, code: rc, message: message)
        }
    }

    /// A cached prepared statement for `sql`, reset and ready to bind.
    func prepare(_ sql: String) throws -> Statement {
        if let s = statements[sql] {
            s.reset()
            return s
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw lastError(rc) }
        let s = Statement(stmt, db: self)
        statements[sql] = s
        return s
    }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Copies every page of `source` into this database in one write transaction: readers see
    /// the old content or the new, never a mix, and a crash leaves the old. (Renaming a file
    /// over a database in WAL mode is unsafe while readers hold its WAL open.)
    func replaceContent(with source: Database) throws {
        guard let backup = sqlite3_backup_init(handle, "main", source.handle, "main") else { throw lastError(sqlite3_errcode(handle)) }
        var rc: Int32
        repeat {
            rc = sqlite3_backup_step(backup, -1)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { usleep(20_000) }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finish == SQLITE_OK else { throw lastError(rc == SQLITE_DONE ? finish : rc) }
    }

    fileprivate func lastError(_ rc: Int32) -> AggregateError {
        .database(path: path, code: rc, message: String(cString: sqlite3_errmsg(handle)))
    }
}

/// A prepared statement; values bind by 1-based index, columns read by 0-based index.
final class Statement {
    private let stmt: OpaquePointer
    private unowned let db: Database

    fileprivate init(_ stmt: OpaquePointer, db: Database) {
        self.stmt = stmt
        self.db = db
    }

    deinit { sqlite3_finalize(stmt) }

    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    @discardableResult
    func bind(_ values: [(any SQLValue)?]) -> Statement {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            if let value { value.bind(to: stmt, at: index) } else { sqlite3_bind_null(stmt, index) }
        }
        return self
    }

    /// Runs a statement that returns no rows.
    func run(_ values: (any SQLValue)?...) throws {
        reset()
        bind(values)
        let rc = sqlite3_step(stmt)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw db.lastError(rc) }
        sqlite3_reset(stmt)
    }

    /// Runs a query and calls `row` for each result row.
    func query(_ values: (any SQLValue)?..., row: (Row) throws -> Void) throws {
        try query(values, row: row)
    }

    /// `query` with the values as an array (for statements built from optional parts).
    func query(_ values: [(any SQLValue)?], row: (Row) throws -> Void) throws {
        reset()
        bind(values)
        defer { sqlite3_reset(stmt) }
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw db.lastError(rc) }
            try row(Row(stmt: stmt))
        }
    }

    struct Row {
        fileprivate let stmt: OpaquePointer
        func int(_ i: Int32) -> Int64 { sqlite3_column_int64(stmt, i) }
        func double(_ i: Int32) -> Double { sqlite3_column_double(stmt, i) }
        func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }
        func blob(_ i: Int32) -> [UInt8] {
            let n = Int(sqlite3_column_bytes(stmt, i))
            guard n > 0, let p = sqlite3_column_blob(stmt, i) else { return [] }
            return Array(UnsafeRawBufferPointer(start: p, count: n))
        }
        /// The text by its length, so a zero byte inside it (the key of a campaign's day) stays.
        func string(_ i: Int32) -> String? {
            guard let text = sqlite3_column_text(stmt, i) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(stmt, i))), as: UTF8.self)
        }
    }
}

/// A value a statement parameter can take; each type binds itself (no dynamic casts per value).
protocol SQLValue {
    func bind(to stmt: OpaquePointer, at index: Int32)
}

extension Int: SQLValue {
    func bind(to stmt: OpaquePointer, at index: Int32) { sqlite3_bind_int64(stmt, index, Int64(self)) }
}

extension Int64: SQLValue {
    func bind(to stmt: OpaquePointer, at index: Int32) { sqlite3_bind_int64(stmt, index, self) }
}

extension Double: SQLValue {
    func bind(to stmt: OpaquePointer, at index: Int32) { sqlite3_bind_double(stmt, index, self) }
}

extension String: SQLValue {
    func bind(to stmt: OpaquePointer, at index: Int32) {
        var copy = self
        copy.withUTF8 { bytes in
            // An empty buffer may have no address, and a null pointer would bind NULL, not "".
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                sqlite3_bind_text(stmt, index, "", 0, SQLITE_TRANSIENT)
                return
            }
            sqlite3_bind_text(stmt, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), SQLITE_TRANSIENT)
        }
    }
}

extension Array: SQLValue where Element == UInt8 {
    func bind(to stmt: OpaquePointer, at index: Int32) {
        withUnsafeBytes { bytes in
            // A zero-length blob, not NULL, for an empty array.
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                sqlite3_bind_zeroblob(stmt, index, 0)
                return
            }
            sqlite3_bind_blob(stmt, index, base, Int32(bytes.count), SQLITE_TRANSIENT)
        }
    }
}
