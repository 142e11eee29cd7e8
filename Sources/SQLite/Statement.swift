import CSQLite

/// A value bound to a statement parameter. Values are always bound, never spliced into SQL.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// Text given as UTF-8 bytes (an encoded document), bound without building a String.
    case utf8([UInt8])
}

extension SQLiteValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }

    public init(_ text: String?) { self = text.map(SQLiteValue.text) ?? .null }
}

// SQLITE_TRANSIENT is a C macro that Swift cannot import: SQLite copies the bytes at once.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement. It finalizes itself when the last reference goes away.
public final class Statement {
    let handle: OpaquePointer
    let database: OpaquePointer
    public let sql: String

    init(database: OpaquePointer, sql: String) throws {
        var handle: OpaquePointer?
        try check(sqlite3_prepare_v2(database, sql, -1, &handle, nil), database, sql: sql)
        guard let handle else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "empty statement", sql: sql)
        }
        self.handle = handle
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    private var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// Binds UTF-8 text, which SQLite copies at once (SQLITE_TRANSIENT).
    private func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) -> Int32 {
        guard let base = bytes.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, transient) }
        return sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
    }

    /// Resets the statement and binds `values` to its parameters in order.
    public func bind(_ values: [SQLiteValue]) throws {
        sqlite3_reset(handle)
        // Every parameter is bound anew on the hot paths; clearing is for a shorter list.
        if values.count != parameterCount { sqlite3_clear_bindings(handle) }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .real(let number): code = sqlite3_bind_double(handle, index, number)
            case .text(var text):
                // The String's own UTF-8 bytes: passing it as a C string would copy it first.
                code = text.withUTF8 { bindText($0, at: index) }
            case .utf8(let bytes):
                code = bytes.withUnsafeBufferPointer { bindText($0, at: index) }
            }
            try check(code, database, sql: sql)
        }
    }

    /// Runs a statement that returns no rows.
    public func run(_ values: [SQLiteValue] = []) throws {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try check(sqlite3_step(handle), database, sql: sql) == SQLITE_ROW {}
    }

    /// Runs a query and calls `body` for each row; the row is valid only inside the call.
    public func forEachRow(_ values: [SQLiteValue] = [], _ body: (Row) throws -> Void) throws {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try check(sqlite3_step(handle), database, sql: sql) == SQLITE_ROW {
            try body(Row(handle: handle))
        }
    }

    /// Maps every row of a query.
    public func rows<T>(_ values: [SQLiteValue] = [], _ transform: (Row) throws -> T) throws -> [T] {
        var result: [T] = []
        try forEachRow(values) { result.append(try transform($0)) }
        return result
    }

    /// The first row of a query, if any.
    public func firstRow<T>(_ values: [SQLiteValue] = [], _ transform: (Row) throws -> T) throws -> T? {
        try bind(values)
        defer { sqlite3_reset(handle) }
        guard try check(sqlite3_step(handle), database, sql: sql) == SQLITE_ROW else { return nil }
        return try transform(Row(handle: handle))
    }
}

/// One result row, read by column index.
public struct Row {
    let handle: OpaquePointer

    public func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The raw bytes of a text column, without building a String.
    public func withBytes<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let count = Int(sqlite3_column_bytes(handle, column))
        let bytes = sqlite3_column_text(handle, column)
        return try body(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : count))
    }
}
