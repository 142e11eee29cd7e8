import AWSJSON
import OpsWorks
import Threads

/// Announces the statuses lifecycles enter as the clock reaches them. Statuses are read off
/// timelines when asked for, so nothing in the server changes when an instance goes from
/// `booting` to `running_setup`; the writes that decide a timeline hand its later steps here,
/// and one thread publishes each when its time comes: every tenth of a second on the system
/// clock, and at once when a manual clock is moved.
final class StatusTicker: Sendable {
    /// Steps waiting beyond this many are dropped, the oldest decided first (the dashboard reloads
    /// on an overflow of the stream anyway).
    static let capacity = 100_000

    private let monitor = Monitor()
    private nonisolated(unsafe) var pending: [ScheduledStatus] = []  // by time, guarded by `monitor`
    private nonisolated(unsafe) var stopped = false
    private let clock: SimulatedClock
    private let publish: @Sendable ([ScheduledStatus]) -> Void

    init(clock: SimulatedClock, publish: @escaping @Sendable ([ScheduledStatus]) -> Void) {
        self.clock = clock
        self.publish = publish
        clock.onChange { [weak self] _ in self?.wake() }
    }

    func add(_ statuses: [ScheduledStatus]) {
        monitor.withLock {
            for status in statuses {
                // Insert in order of time; most arrive later than everything waiting.
                var index = pending.count
                while index > 0 && pending[index - 1].at > status.at { index -= 1 }
                pending.insert(status, at: index)
            }
            if pending.count > Self.capacity { pending.removeFirst(pending.count - Self.capacity) }
        }
    }

    /// Runs the publishing thread until `stop()`.
    func start() -> Bool {
        spawnThread { [self] in
            while true {
                let due: [ScheduledStatus] = monitor.withLock {
                    monitor.wait(seconds: 0.1)
                    let now = clock.now()
                    let count = pending.prefix { $0.at <= now }.count
                    defer { pending.removeFirst(count) }
                    return Array(pending.prefix(count))
                }
                if !due.isEmpty { publish(due) }
                if monitor.withLock({ stopped }) { return }
            }
        }
    }

    /// Forgets every step waiting (a reset replaced the state they belonged to).
    func clear() {
        monitor.withLock { pending.removeAll() }
    }

    func stop() {
        monitor.withLock {
            stopped = true
            monitor.broadcast()
        }
    }

    private func wake() {
        monitor.withLock { monitor.broadcast() }
    }
}
