import Synchronization

/// The time the emulator lives in. On the system clock it is the wall clock. On a manual clock
/// time stands still until a test moves it (`advance`, `set`), so a deployment stays `running`
/// exactly until the test says its duration has passed, and every timestamp the API returns is
/// the same from one run to the next.
public final class SimulatedClock: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case system, manual
    }

    /// Where a manual clock starts, unless told otherwise: a fixed instant, so that two runs of
    /// the same test see the same CreatedAt.
    public static let manualStart = Timestamp(seconds: 1_767_225_600)  // 2026-01-01T00:00:00Z

    public let mode: Mode
    // For a manual clock, the current time; unused on the system clock.
    private let manualNow: Mutex<Timestamp>
    private let observers = Mutex<[@Sendable (Timestamp) -> Void]>([])

    public init(_ mode: Mode = .system, start: Timestamp = SimulatedClock.manualStart) {
        self.mode = mode
        manualNow = Mutex(start)
    }

    public func now() -> Timestamp {
        switch mode {
        case .system: Timestamp.now()
        case .manual: manualNow.withLock { $0 }
        }
    }

    /// Moves a manual clock forward; time never runs backwards through `advance`.
    public func advance(seconds: Double) throws(ClockError) -> Timestamp {
        guard mode == .manual else { throw ClockError("the clock is the system clock; start with --clock manual to move it") }
        guard seconds.isFinite, seconds >= 0 else { throw ClockError("advanceSeconds must be a number of seconds, 0 or more, not \(seconds)") }
        let now = manualNow.withLock { now in
            now = now.adding(seconds)
            return now
        }
        notify(now)
        return now
    }

    /// Sets a manual clock to `time`, earlier or later.
    public func set(_ time: Timestamp) throws(ClockError) -> Timestamp {
        guard mode == .manual else { throw ClockError("the clock is the system clock; start with --clock manual to set it") }
        manualNow.withLock { $0 = time }
        notify(time)
        return time
    }

    /// Calls `observer` after every move of a manual clock (the event stream announces them).
    public func onChange(_ observer: @escaping @Sendable (Timestamp) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    private func notify(_ time: Timestamp) {
        for observer in observers.withLock({ $0 }) { observer(time) }
    }
}

public struct ClockError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
