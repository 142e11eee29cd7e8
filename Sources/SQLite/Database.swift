import CSQLite

/// One SQLite connection. Not thread-safe by itself: give it one owner (a `Mutex`, a queue).
public final class Database {
    /// The location that keeps everything in memory, for tests and `--in-memory`.
    public static let inMemory = ":memory:"

    let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: Statement] = [:]

    /// Process-wide settings, made once before the first connection opens.
    private static let configured: Void = { _ = csqlite_disable_memory_statistics() }()

    /// Opens (creating if needed) the database at `path`, with foreign keys on and, for files, WAL.
    public init(path: String) throws {
        _ = Database.configured
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw SQLiteError(code: code, message: "cannot open \(path): \(message)")
        }
        self.handle = handle
        self.path = path
        // SQLite opens a file it may not write read-only without a word; say so now, not at the first write.
        if sqlite3_db_readonly(handle, "main") == 1 {
            throw SQLiteError(code: SQLITE_READONLY, message: "\(path) is read-only")
        }
        sqlite3_extended_result_codes(handle, 1)
        // Another process holding the write lock makes us wait a little before failing with BUSY.
        sqlite3_busy_timeout(handle, 5_000)
        try execute("PRAGMA foreign_keys = ON")
        if path != Database.inMemory {
            // WAL lets readers run beside the writer; NORMAL sync keeps every commit across a
            // process crash (the WAL is written before COMMIT returns), fsyncing at checkpoints.
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA synchronous = NORMAL")
            // Checkpoints stay at SQLite's default of 1,000 pages: 10,000 made CreateDeployment 18%
            // faster but its p99 ten times worse (one long fsync inside a commit), and a passive
            // checkpoint on a thread of its own never let the WAL restart under a steady load.
        }
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters (schema, pragmas).
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(error)
            throw SQLiteError(code: code, message: message, sql: sql)
        }
    }

    /// A new prepared statement.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: handle, sql: sql)
    }

    /// A prepared statement kept for reuse; the hot paths run the same few statements all day.
    public func statement(_ sql: String) throws -> Statement {
        if let cached = statementCache[sql] { return cached }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try statement("BEGIN IMMEDIATE").run()
        do {
            let result = try body()
            try statement("COMMIT").run()
            return result
        } catch {
            try? statement("ROLLBACK").run()
            throw error
        }
    }

    /// Caps the database file at about `bytes`; writes past it fail with SQLITE_FULL, as on a full disk.
    public func limitSize(toBytes bytes: Int) throws {
        let pageSize = try prepare("PRAGMA page_size").firstRow { $0.int(0) } ?? 4096
        try execute("PRAGMA max_page_count = \(max(1, Int64(bytes) / pageSize))")
    }

    /// A passive checkpoint: copies into the database file every WAL frame that no reader still
    /// needs, without waiting for readers or the writer.
    @discardableResult
    public func checkpoint() throws -> (walFrames: Int32, checkpointed: Int32) {
        try checkpoint(mode: SQLITE_CHECKPOINT_PASSIVE)
    }

    /// Copies the whole WAL into the database file and truncates the WAL to zero bytes, so that
    /// the database file alone holds every commit (for a clean stop). Waits for readers.
    public func checkpointAndTruncate() throws {
        let (walFrames, checkpointed) = try checkpoint(mode: SQLITE_CHECKPOINT_TRUNCATE)
        guard walFrames == checkpointed else {
            throw SQLiteError(code: SQLITE_BUSY, message: "\(walFrames - checkpointed) WAL frames could not be checkpointed", sql: "checkpoint")
        }
    }

    private func checkpoint(mode: Int32) throws -> (walFrames: Int32, checkpointed: Int32) {
        var walFrames: Int32 = 0
        var checkpointed: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(handle, nil, mode, &walFrames, &checkpointed)
        guard code == SQLITE_OK else {
            throw SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: "checkpoint")
        }
        return (walFrames, checkpointed)
    }

    /// The rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Applies, in order, each migration that this database has not recorded yet.
    public func migrate(_ migrations: [Migration]) throws {
        try execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        let applied = Set(try prepare("SELECT name FROM schema_migrations").rows { $0.text(0) ?? "" })
        for migration in migrations where !applied.contains(migration.name) {
            try transaction {
                try execute(migration.sql)
                try prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, datetime('now'))")
                    .run([.text(migration.name)])
            }
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    public func integrityCheck() throws -> String {
        try prepare("PRAGMA integrity_check").rows { $0.text(0) ?? "" }.joined(separator: "\n")
    }
}

/// A named, append-only schema change. Once released, a migration is never edited: add another.
public struct Migration: Sendable {
    public let name: String
    public let sql: String

    public init(_ name: String, _ sql: String) {
        self.name = name
        self.sql = sql
    }
}
