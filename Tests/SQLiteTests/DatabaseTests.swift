import Testing
import Foundation
@testable import SQLite

@Suite struct DatabaseTests {
    @Test func bindsValuesAndReadsRowsBack() throws {
        let database = try Database(path: Database.inMemory)
        try database.execute("CREATE TABLE t (name TEXT, number INTEGER)")
        let insert = try database.prepare("INSERT INTO t VALUES (?, ?)")
        try insert.run(["it's; DROP TABLE t; --", 42])
        try insert.run([nil, 7])
        let rows = try database.prepare("SELECT name, number FROM t ORDER BY number").rows { ($0.text(0), $0.int(1)) }
        #expect(rows.map(\.0) == [nil, "it's; DROP TABLE t; --"])
        #expect(rows.map(\.1) == [7, 42])
    }

    @Test func reportsErrorsWithCodeMessageAndSQL() throws {
        let database = try Database(path: Database.inMemory)
        let error = #expect(throws: SQLiteError.self) { try database.prepare("SELECT * FROM missing") }
        #expect(error?.message.contains("no such table") == true)
        #expect(error?.sql == "SELECT * FROM missing")
    }

    @Test func rollsBackAFailedTransaction() throws {
        let database = try Database(path: Database.inMemory)
        try database.execute("CREATE TABLE t (x INTEGER)")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try database.transaction {
                try database.statement("INSERT INTO t VALUES (1)").run()
                throw Stop()
            }
        }
        #expect(try database.prepare("SELECT count(*) FROM t").firstRow { $0.int(0) } == 0)
    }

    @Test func appliesEachNamedMigrationOnceAndKeepsDataInAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-test-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let migrations = [Migration("001-t", "CREATE TABLE t (x INTEGER)"), Migration("002-u", "CREATE TABLE u (y INTEGER)")]
        do {
            let database = try Database(path: path)
            try database.migrate(migrations)
            try database.prepare("INSERT INTO t VALUES (5)").run()
            #expect(try database.prepare("PRAGMA journal_mode").firstRow { $0.text(0) } == "wal")
        }
        let reopened = try Database(path: path)
        try reopened.migrate(migrations)
        #expect(try reopened.prepare("SELECT x FROM t").firstRow { $0.int(0) } == 5)
        #expect(try reopened.prepare("SELECT count(*) FROM schema_migrations").firstRow { $0.int(0) } == 2)
        #expect(try reopened.integrityCheck() == "ok")
    }
}
