#if canImport(Glibc)
import Glibc
#endif

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
        final class Box: @unchecked Sendable {  // handed to the one signal thread
            let handler: @Sendable (String) -> Void
            init(_ handler: @escaping @Sendable (String) -> Void) { self.handler = handler }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(handler)).toOpaque()
        let started = pthread_create(&thread, nil, { pointer in
            let handler = Unmanaged<Box>.fromOpaque(pointer!).takeRetainedValue().handler
            var set = sigset_t()
            sigemptyset(&set)
            for signal in SignalWaiter.watched { sigaddset(&set, signal) }
            var received: Int32 = 0
            sigwait(&set, &received)
            handler(received == SIGINT ? "SIGINT" : "SIGTERM")
            sigwait(&set, &received)
            exit(130)
        }, box)
        if started == 0 { pthread_detach(thread) } else { Unmanaged<Box>.fromOpaque(box).release() }
    }
}
