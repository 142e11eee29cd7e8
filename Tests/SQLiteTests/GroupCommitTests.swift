import Testing
import Foundation
@testable import SQLite

@Suite struct GroupCommitTests {
    struct Refused: Error, Equatable { let value: Int }

    /// Writers on many threads, every fifth of them inserting a row and then failing: whichever
    /// writes share a batch, the file holds exactly the rows of the writes that succeeded, and
    /// each writer got its own outcome.
    @Test func aFailingWriteNeitherFailsNorCommitsWithItsNeighbours() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try Database(path: path)
        try database.execute("CREATE TABLE t (value INTEGER PRIMARY KEY)")
        let writer = try GroupCommitWriter(database)
        defer { writer.stop() }
        let threads = 8, writesPerThread = 50
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<writesPerThread {
                let value = thread * writesPerThread + index
                do {
                    let written = try writer.write { database in
                        try database.statement("INSERT INTO t (value) VALUES (?)").run([.integer(Int64(value))])
                        if value % 5 == 0 { throw Refused(value: value) }
                        return value
                    }
                    outcomes.add(succeeded: written)
                } catch let refused as Refused {
                    outcomes.add(refused: refused.value)
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
        }
        let all = Set(0..<(threads * writesPerThread))
        #expect(outcomes.succeeded == all.filter { $0 % 5 != 0 })
        #expect(outcomes.refused == all.filter { $0 % 5 == 0 })
        let reader = try Database(path: path)
        let stored = Set(try reader.prepare("SELECT value FROM t").rows { Int($0.int(0)) })
        #expect(stored == outcomes.succeeded)
    }

    final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var succeeded = Set<Int>()
        private(set) var refused = Set<Int>()
        func add(succeeded value: Int) { lock.withLock { _ = succeeded.insert(value) } }
        func add(refused value: Int) { lock.withLock { _ = refused.insert(value) } }
    }
}
