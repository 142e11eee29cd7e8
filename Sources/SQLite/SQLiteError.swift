import CSQLite

/// A failed SQLite call: the result code, SQLite's own message and the statement it ran.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (`SQLITE_FULL`, `SQLITE_BUSY` ...) without the extended bits.
    public var primaryCode: Int32 { code & 0xff }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (in \(sql))" }
        return text
    }
}

/// Turns every non-success return code into an error; the one place SQLite results are judged.
@discardableResult
func check(_ code: Int32, _ db: OpaquePointer?, sql: String? = nil) throws -> Int32 {
    switch code {
    case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
        return code
    default:
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
        throw SQLiteError(code: code, message: message, sql: sql)
    }
}
