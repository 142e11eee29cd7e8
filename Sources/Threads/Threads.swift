#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex with one condition: plain blocking, no spinning (Synchronization.Mutex spins
/// before it sleeps, which cost 15% of the CPU with sixteen threads waiting on one lock).
public final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
    /// Sleeps until `broadcast`, with the mutex released meanwhile; call with it held.
    public func wait() { pthread_cond_wait(condition, mutex) }
    public func broadcast() { pthread_cond_broadcast(condition) }
    /// `wait()` for at most `seconds`; false when the time ran out first.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanoseconds = Int(deadline.tv_nsec) + Int((seconds.truncatingRemainder(dividingBy: 1)) * 1e9)
        deadline.tv_sec += Int(seconds) + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        return pthread_cond_timedwait(condition, mutex, &deadline) == 0
    }
    /// Wakes one waiter, for when any one of them can take what became available.
    public func signal() { pthread_cond_signal(condition) }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Starts a detached POSIX thread running `body` with a stack of `stackBytes`; false when the
/// system refuses one.
public func spawnThread(stackBytes: Int = 512 * 1024, _ body: @escaping @Sendable () -> Void) -> Bool {
    final class Box: @unchecked Sendable {  // handed to exactly one new thread
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    pthread_attr_setstacksize(&attributes, stackBytes)
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, &attributes, { pointer in
        Unmanaged<Box>.fromOpaque(pointer!).takeRetainedValue().body()
        return nil
    }, box)
    if result != 0 {
        Unmanaged<Box>.fromOpaque(box).release()
        return false
    }
    return true
}

/// Sets the calling thread's nice value (on Linux a thread has one of its own): above 0 for
/// background work that must yield the CPU to request threads, below 0 for the thread every
/// request waits on. Going below 0 needs root or CAP_SYS_NICE; without it the call does nothing.
public func setCurrentThreadNiceness(_ niceness: Int32) {
    #if os(Linux)
    // Who 0 is the calling task: on Linux that is the thread, not the whole process (setpriority(2)).
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
    #endif
}
