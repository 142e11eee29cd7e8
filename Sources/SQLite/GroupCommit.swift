import CSQLite
import Threads
#if canImport(Glibc)
import Glibc
#endif

/// One write connection shared by many threads, committing their writes together.
///
/// A thread that wants to write queues its work and sleeps. The writer's own thread takes every
/// queued write, runs them one after another in one transaction, commits once and wakes their
/// owners; each write returns only after the commit that holds it. Why: a commit writes every
/// page the transaction changed to the WAL, and the pages a deployment changes (the ends of its
/// tables and indexes) are mostly the pages the next one changes, so sixteen writes in one
/// commit cost far less than sixteen commits. One thread owns the connection, so each waiting
/// connection is woken exactly once, when its write is done.
///
/// Writes see each other in order, as if run one by one. When one of a batch throws, the batch
/// is rolled back and each of its writes runs again in a transaction of its own, so that one
/// failing write neither fails nor takes effect for its neighbours. Bodies must therefore touch
/// only the database (they may run twice; only the last run counts).
public final class GroupCommitWriter: @unchecked Sendable {
    private let database: Database
    private let lock = Monitor()
    // Guarded by `lock`.
    private var queued: [PendingWrite] = []
    private var stopping = false
    private var threadRunning = false

    /// The writer thread's nice value (request threads have 0).
    static let niceness: Int32 = -5

    public init(_ database: Database) throws {
        self.database = database
        threadRunning = true
        // Every write waits on this thread's commits: it goes first when the CPU is short (with
        // 50 event streams open, CreateDeployment at 16 connections kept 91% of its rate without
        // this and 95% with it: bench/streams.py).
        guard spawnThread({ [self] in setCurrentThreadNiceness(Self.niceness); runBatches() }) else {
            threadRunning = false
            throw SQLiteError(code: SQLITE_ERROR, message: "cannot start the database writer's thread")
        }
    }

    /// Runs what is queued, then stops the thread. Writes after this wait forever: stop last.
    public func stop() {
        lock.withLock {
            stopping = true
            lock.broadcast()
            while threadRunning { lock.wait() }
        }
    }

    /// Runs `body` in a write transaction and returns once that transaction has committed.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try perform(body, inTransaction: true)
    }

    /// Runs `body` on the connection between two batches, outside any transaction (maintenance
    /// such as hooks and checkpoints).
    public func betweenBatches<T>(_ body: (Database) throws -> T) throws -> T {
        try perform(body, inTransaction: false)
    }

    private func perform<T>(_ body: (Database) throws -> T, inTransaction: Bool) throws -> T {
        try withoutActuallyEscaping(body) { body in
            // The body runs on the writer's thread while this one sleeps until it has.
            let write = PendingWrite(body, inTransaction: inTransaction)
            lock.withLock {
                queued.append(write)
                lock.broadcast()
            }
            write.waitUntilDone()
            return try write.result(as: T.self)
        }
    }

    private func runBatches() {
        var batch: [PendingWrite] = []
        lock.lock()
        while true {
            while queued.isEmpty && !stopping { lock.wait() }
            if queued.isEmpty { break }
            swap(&batch, &queued)
            lock.unlock()
            run(batch)
            for write in batch { write.finish() }
            batch.removeAll(keepingCapacity: true)
            lock.lock()
        }
        threadRunning = false
        lock.broadcast()
        lock.unlock()
    }

    /// Runs writes in order: maintenance alone, consecutive writes in one transaction.
    private func run(_ batch: [PendingWrite]) {
        var start = 0
        while start < batch.count {
            guard batch[start].inTransaction else {
                batch[start].runOutsideTransaction(database)
                start += 1
                continue
            }
            var end = start
            while end < batch.count && batch[end].inTransaction { end += 1 }
            runInOneTransaction(batch[start..<end])
            start = end
        }
    }

    private func runInOneTransaction(_ writes: ArraySlice<PendingWrite>) {
        if writes.count == 1 {
            writes.first!.runAlone(database)
            return
        }
        do {
            try database.statement("BEGIN IMMEDIATE").run()
        } catch {
            for write in writes { write.fail(error) }
            return
        }
        var allSucceeded = true
        for write in writes where allSucceeded {
            allSucceeded = write.run(database)
        }
        if allSucceeded, (try? database.statement("COMMIT").run()) != nil { return }
        try? database.statement("ROLLBACK").run()
        for write in writes { write.runAlone(database) }
    }
}

/// One queued write: its body, and once run, its outcome.
private final class PendingWrite {
    /// Dropped before the owner wakes: the owner's closure must not outlive its call.
    private var body: ((Database) throws -> Any)?
    let inTransaction: Bool
    private var outcome: Result<Any, any Error>?
    private let done = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init<T>(_ body: @escaping (Database) throws -> T, inTransaction: Bool) {
        self.body = { try body($0) }
        self.inTransaction = inTransaction
        sem_init(done, 0, 0)
    }

    deinit {
        sem_destroy(done)
        done.deallocate()
    }

    /// Runs the body inside the batch's transaction; false when it threw.
    func run(_ database: Database) -> Bool {
        outcome = Result { try body!(database) }
        if case .failure = outcome { return false }
        return true
    }

    /// Runs the body in a transaction of its own.
    func runAlone(_ database: Database) {
        outcome = Result { try database.transaction { try body!(database) } }
    }

    func runOutsideTransaction(_ database: Database) {
        outcome = Result { try body!(database) }
    }

    func fail(_ error: any Error) { outcome = .failure(error) }

    /// Wakes the owner; the outcome is set before and read after (the semaphore orders them).
    func finish() {
        body = nil
        sem_post(done)
    }

    func waitUntilDone() {
        while sem_wait(done) != 0 {}  // EINTR
    }

    func result<T>(as: T.Type) throws -> T {
        try outcome!.get() as! T
    }
}
