import CSQLite
import Threads
#if canImport(Glibc)
import Glibc
#endif

/// Checkpoints a WAL database on a thread of its own, off the path of the writes.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages: that
/// commit copies the pages into the database and waits for two fsyncs of up to 4 MB, and every
/// write batched behind it waits too. Here a thread with its own connection does that copy and
/// those fsyncs beside the writer (a passive checkpoint never blocks it). The WAL can start over
/// only once every frame in it is copied, which never happens while the writer keeps adding
/// frames; so the checkpointer then takes the writer's connection between two batches and copies
/// the few frames written meanwhile, after which the next commit starts the WAL from the top.
public final class BackgroundCheckpointer: @unchecked Sendable {
    /// WAL frames (pages) that start a checkpoint: SQLite's own default.
    public static let defaultThreshold: Int32 = 1_000

    /// Frames few enough to copy between two batches; and how many passes may try to get there.
    static let shortRemainder: Int32 = 32
    static let passesBesideTheWriter = 4

    private let connection: Database
    private let writer: GroupCommitWriter
    private let threshold: Int32
    private let lock = Monitor()
    // Guarded by `lock`.
    private var walFrames: Int32 = 0
    private var stopping = false
    private var running = false

    /// Takes over checkpointing of `writer`'s database file at `path` (its automatic
    /// checkpoints stop) and starts the thread.
    public init(path: String, writer: GroupCommitWriter, threshold: Int32 = defaultThreshold) throws {
        connection = try Database(path: path)
        self.writer = writer
        self.threshold = threshold
        let context = Unmanaged.passUnretained(self).toOpaque()
        // Replacing the WAL hook turns SQLite's automatic checkpoints off for that connection.
        try writer.betweenBatches { database in
            _ = sqlite3_wal_hook(database.handle, { context, _, _, frames in
                Unmanaged<BackgroundCheckpointer>.fromOpaque(context!).takeUnretainedValue().committed(walFrames: frames)
                return SQLITE_OK
            }, context)
        }
        running = true
        if !spawnThread({ [self] in run() }) {
            running = false
            try restoreAutomaticCheckpoints()
        }
    }

    /// Stops the thread and gives checkpointing back to SQLite's automatic checkpoints.
    public func stop() {
        let wasRunning = lock.withLock {
            let wasRunning = running
            stopping = true
            lock.broadcast()
            while running { lock.wait() }
            return wasRunning
        }
        guard wasRunning else { return }
        try? restoreAutomaticCheckpoints()
    }

    /// Removes the hook and turns SQLite's automatic checkpoints back on at the same threshold.
    private func restoreAutomaticCheckpoints() throws {
        try writer.betweenBatches { database in
            _ = sqlite3_wal_hook(database.handle, nil, nil)
            try database.execute("PRAGMA wal_autocheckpoint = \(threshold)")
        }
    }

    /// The writer's WAL hook, after each commit: wakes the thread when the WAL is long enough.
    private func committed(walFrames frames: Int32) {
        lock.withLock {
            walFrames = frames
            if frames >= threshold { lock.broadcast() }
        }
    }

    private func run() {
        lock.lock()
        while !stopping {
            guard walFrames >= threshold else {
                lock.wait()
                continue
            }
            lock.unlock()
            // The bulk, beside the writer, in passes until what the writer added meanwhile is
            // short; then that remainder between two batches, where its fsyncs hold the writer
            // up: the shorter it is, the shorter the pause. A failure (the file locked by
            // another process, say) leaves the WAL longer, nothing else.
            for _ in 0..<Self.passesBesideTheWriter {
                guard let pass = try? connection.checkpoint(), pass.walFrames == pass.checkpointed,
                      lock.withLock({ walFrames }) - pass.walFrames > Self.shortRemainder else { break }
            }
            _ = try? writer.betweenBatches { database in try database.checkpoint() }
            lock.lock()
            // Until the next commit says how long the WAL is, it counts as checkpointed; a
            // checkpoint that could not finish (a reader on an old snapshot) is retried after the
            // next threshold's worth of frames.
            walFrames = 0
        }
        running = false
        lock.broadcast()
        lock.unlock()
    }
}
