import AWSJSON
import SQLite

/// The whole state as one JSON document, `GET /_opsworks-local/state`: every row of every table,
/// in the order it was written, documents as the JSON they are. It is a fixtures file of its own
/// form (`{"OpsWorksLocalState": ...}`): loaded with `--fixtures`, it gives back the same rows in
/// the same order, so every Describe call answers as it did, deployments and commands included.
/// Rows are copied as they are rather than created again through the API, since the API cannot
/// create a finished deployment or a kept app version.
extension OpsWorksService {
    static let stateMember = "OpsWorksLocalState"
    static let stateVersion: Int64 = 1

    /// The snapshot, with the time it was taken on the emulator's clock.
    public func stateSnapshot() throws -> JSON {
        let tables = try store.read(Scope(account: "", region: "")) { records in
            try Store.tables.reversed().map { table -> (String, JSON) in
                let columns = try Self.columns(of: table, in: records.database)
                let select = "SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY rowid"
                let rows = try records.database.statement(select).rows { row -> JSON in
                    .object(JSONObject(columns.enumerated().map { index, column -> (String, JSON) in
                        guard let text = row.text(Int32(index)) else { return (column, .null) }
                        // Documents stay JSON, so a snapshot reads as what the API returns.
                        return (column, column == "doc" ? .raw(Array(text.utf8)) : .string(text))
                    }))
                }
                return (table, .array(rows))
            }
        }
        return .object(JSONObject([(Self.stateMember, .object(JSONObject([
            ("Version", .int(Self.stateVersion)),
            ("Clock", .string(clock().iso8601)),
            ("Tables", .object(JSONObject(tables))),
        ])))]))
    }

    static func columns(of table: String, in database: Database) throws -> [String] {
        try database.statement("SELECT name FROM pragma_table_info(?) ORDER BY cid").rows([.text(table)]) { $0.text(0) ?? "" }
    }
}

/// A snapshot read from a fixtures file: rows per table, each column checked against the schema
/// when it is loaded.
struct StateRows {
    /// Parents first, the order inserting needs.
    let tables: [(name: String, rows: [JSONObject])]
    let clock: Timestamp?

    init(_ value: JSON, source: String) throws {
        func fail(_ message: String) -> FixtureError { FixtureError(description: "\(source): \(OpsWorksService.stateMember): \(message)") }
        guard let state = value.objectValue else { throw fail("must be an object") }
        for key in state.keys where !["Version", "Clock", "Tables"].contains(key) {
            throw fail("unknown key \(key) (known: Version, Clock, Tables)")
        }
        guard state["Version"]?.intValue == OpsWorksService.stateVersion else {
            throw fail("Version must be \(OpsWorksService.stateVersion), the snapshot form this emulator writes")
        }
        if let text = state["Clock"] {
            guard let time = text.stringValue.flatMap(Timestamp.init(iso8601:)) else { throw fail("Clock must be a time such as 2026-01-01T00:00:00+00:00") }
            clock = time
        } else {
            clock = nil
        }
        guard let tables = state["Tables"]?.objectValue else { throw fail("Tables must be an object of table names to rows") }
        for name in tables.keys where !Store.tables.contains(name) {
            throw fail("unknown table \(name) (known: \(Store.tables.reversed().joined(separator: ", ")))")
        }
        self.tables = try Store.tables.reversed().compactMap { name in
            guard let rows = tables[name] else { return nil }
            guard let list = rows.arrayValue else { throw fail("Tables.\(name) must be a list of rows") }
            return (name, try list.enumerated().map { index, row in
                guard let object = row.objectValue else { throw fail("Tables.\(name)[\(index)] must be an object of columns") }
                return object
            })
        }
    }

    /// Inserts every row not there already; returns how many were new. A column the table does
    /// not have, or one of the wrong type, is an error naming the table, the row and the column.
    func insert(into database: Database, source: String) throws -> (created: Int, existing: Int) {
        var created = 0
        var existing = 0
        for (name, rows) in tables {
            let columns = Set(try OpsWorksService.columns(of: name, in: database))
            for (index, row) in rows.enumerated() {
                func fail(_ message: String) -> FixtureError {
                    FixtureError(description: "\(source): \(OpsWorksService.stateMember): Tables.\(name)[\(index)]: \(message)")
                }
                var names: [String] = []
                var values: [SQLiteValue] = []
                for (column, value) in row {
                    guard columns.contains(column) else { throw fail("unknown column \(column) (known: \(columns.sorted().joined(separator: ", ")))") }
                    names.append(column)
                    switch value {
                    case .null: values.append(.null)
                    case .string(let text) where column != "doc": values.append(.text(text))
                    case .object where column == "doc": values.append(.text(value.serializedString()))
                    default: throw fail("\(column) must be \(column == "doc" ? "an object" : "a string or null"), not \(value.typeName)")
                    }
                }
                do {
                    try database.statement("INSERT OR IGNORE INTO \(name) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))").run(values)
                } catch {
                    throw fail("the row cannot be inserted: \(error)")
                }
                if database.changes > 0 { created += 1 } else { existing += 1 }
            }
        }
        return (created, existing)
    }
}
