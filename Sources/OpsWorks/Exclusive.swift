import Threads

/// Owns values that are not thread-safe (SQLite connections) and lends each to one caller at a
/// time, waiting when all are lent. A `Monitor`, not Synchronization.Mutex: that one spins before
/// it sleeps, and with 16 connection threads waiting on a lock held for tens of microseconds the
/// profile showed 15% of the CPU spent spinning.
final class Exclusive<Value>: @unchecked Sendable {
    private let monitor = Monitor()
    private var free: [Value]  // guarded by `monitor`

    init(_ values: [Value]) {
        precondition(!values.isEmpty)
        free = values
    }

    convenience init(_ value: Value) { self.init([value]) }

    func withLock<T: Sendable>(_ body: (Value) throws -> T) throws -> T {
        let value = monitor.withLock {
            while free.isEmpty { monitor.wait() }
            return free.removeLast()
        }
        defer {
            monitor.withLock {
                free.append(value)
                monitor.signal()
            }
        }
        return try body(value)
    }
}
