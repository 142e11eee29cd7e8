#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// SIGINT and SIGTERM delivered to one dedicated thread via `sigwait`, so the handler may do
/// anything (a C signal handler may not), and no other thread is interrupted.
struct SignalWaiter: Sendable {
    private static let watched: [Int32] = [SIGINT, SIGTERM]

    /// Blocks the signals in this thread and in every thread started after it.
    static func blockTerminationSignals() -> SignalWaiter {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in watched { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        return SignalWaiter()
    }

    /// Calls `handler` with the signal's name when the first one arrives; a second one exits at once.
    func onSignal(_ handler: @escaping @Sendable (String) -> Void) {
        Thread.detachNewThread {
            var set = sigset_t()
            sigemptyset(&set)
            for signal in Self.watched { sigaddset(&set, signal) }
            var received: Int32 = 0
            sigwait(&set, &received)
            handler(received == SIGINT ? "SIGINT" : "SIGTERM")
            sigwait(&set, &received)
            exit(130)
        }
    }
}
