#if canImport(Glibc)
import Glibc
#endif

/// One write connection shared by many threads, committing their writes together.
///
/// A thread that wants to write queues its work and waits. When no batch is running, the first
/// waiter takes every queued write, runs them one after another in one transaction, commits
/// once and wakes their owners; each write returns only after the commit that holds it. Why:
/// a commit writes every page the transaction changed to the WAL, and the pages a deployment
/// changes (the ends of its tables and indexes) are mostly the same pages the next one changes,
/// so sixteen writes in one commit cost far less than sixteen commits.
///
/// Writes see each other in order, as if run one by one. When one of a batch throws, the batch
/// is rolled back and each of its writes runs again in a transaction of its own, so that one
/// failing write neither fails nor takes effect for its neighbours. Bodies must therefore touch
/// only the database (they may run twice; only the last run counts).
public final class GroupCommitWriter: @unchecked Sendable {
    private let database: Database
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var queued: [PendingWrite] = []
    private var batchRunning = false

    public init(_ database: Database) {
        self.database = database
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(finished, nil)
    }

    deinit {
        pthread_cond_destroy(finished)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        finished.deallocate()
    }

    /// Runs `body` in a write transaction and returns once that transaction has committed.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            // The write may run on another waiting thread; this one sleeps until it has.
            let write = PendingWrite(body)
            pthread_mutex_lock(mutex)
            queued.append(write)
            while !write.isDone {
                if batchRunning {
                    pthread_cond_wait(finished, mutex)
                    continue
                }
                batchRunning = true
                let batch = queued
                queued.removeAll(keepingCapacity: true)
                pthread_mutex_unlock(mutex)
                run(batch)
                pthread_mutex_lock(mutex)
                for write in batch { write.isDone = true }
                batchRunning = false
                pthread_cond_broadcast(finished)
            }
            pthread_mutex_unlock(mutex)
            return try write.result(as: T.self)
        }
    }

    /// Runs `body` on the connection while no batch runs, outside any transaction (maintenance
    /// such as hooks and checkpoints). Writes queued meanwhile wait for it.
    public func betweenBatches<T>(_ body: (Database) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        while batchRunning { pthread_cond_wait(finished, mutex) }
        batchRunning = true
        pthread_mutex_unlock(mutex)
        defer {
            pthread_mutex_lock(mutex)
            batchRunning = false
            pthread_cond_broadcast(finished)
            pthread_mutex_unlock(mutex)
        }
        return try body(database)
    }

    private func run(_ batch: [PendingWrite]) {
        if batch.count == 1 {
            batch[0].runAlone(database)
            return
        }
        do {
            try database.statement("BEGIN IMMEDIATE").run()
        } catch {
            for write in batch { write.fail(error) }
            return
        }
        var allSucceeded = true
        for write in batch where allSucceeded {
            allSucceeded = write.run(database)
        }
        if allSucceeded, (try? database.statement("COMMIT").run()) != nil { return }
        try? database.statement("ROLLBACK").run()
        for write in batch { write.runAlone(database) }
    }
}

/// One queued write: its body, and once run, its outcome.
private final class PendingWrite {
    private let body: (Database) throws -> Any
    private var outcome: Result<Any, any Error>?
    var isDone = false

    init<T>(_ body: @escaping (Database) throws -> T) {
        self.body = { try body($0) }
    }

    /// Runs the body inside the batch's transaction; false when it threw.
    func run(_ database: Database) -> Bool {
        outcome = Result { try body(database) }
        if case .failure = outcome { return false }
        return true
    }

    /// Runs the body in a transaction of its own.
    func runAlone(_ database: Database) {
        outcome = Result { try database.transaction { try body(database) } }
    }

    func fail(_ error: any Error) { outcome = .failure(error) }

    func result<T>(as: T.Type) throws -> T {
        // Set by the batch before `isDone`, read after it under the same mutex.
        try outcome!.get() as! T
    }
}
