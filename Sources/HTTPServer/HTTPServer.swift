#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import Threads

/// An HTTP/1.1 server on blocking POSIX sockets: one accept loop, one thread per connection
/// (bounded by `maxConnections`). Blocking calls never touch Swift's cooperative thread pool.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    private let handler: any HTTPHandler
    private let logger: Logger
    private let listener: HTTPListener
    /// The port actually bound (the kernel's pick when the configuration said 0).
    public var port: Int { listener.port }

    private let stopping = Atomic<Bool>(false)
    private let wakePipe: WakePipe
    private let activeConnections = Atomic<Int>(0)

    /// Binds and listens at once, so a bad address or a taken port fails here, before `run()`.
    public convenience init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) throws {
        let listener = try HTTPListener(host: configuration.host, port: configuration.port)
        do {
            try self.init(listener: listener, configuration: configuration, handler: handler, logger: logger)
        } catch {
            listener.close()
            throw error
        }
    }

    /// Serves on a listener bound earlier; `configuration`'s host and port are the listener's.
    public init(listener: HTTPListener, configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) throws {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.wakePipe = try WakePipe()
        self.listener = listener
    }

    /// Accepts connections until `stop()`; then waits (up to `drainSeconds`) for requests in flight.
    public func run(drainSeconds: Double = 10) {
        while !stopping.load(ordering: .relaxed) {
            do {
                guard try listener.socket.waitReadable(milliseconds: 1000, orWake: wakePipe.readEnd) else { continue }
                let client = try listener.socket.accept()
                admit(client)
            } catch let error as SocketError where error.code == EMFILE || error.code == ENFILE {
                // Out of descriptors: back off instead of spinning; the clients wait in the backlog.
                logger.warning("accept: out of file descriptors", metadata: ["error": "\(error)"])
                usleep(50_000)
            } catch {
                if stopping.load(ordering: .relaxed) { break }
                logger.warning("accept failed", metadata: ["error": "\(error)"])
            }
        }
        listener.close()
        let deadline = monotonicSeconds() + drainSeconds
        while activeConnections.load(ordering: .acquiring) > 0 && monotonicSeconds() < deadline {
            usleep(10_000)
        }
    }

    /// Asks `run()` to stop accepting and to finish the requests in flight. Safe from any thread.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        wakePipe.wake()
    }

    private func admit(_ client: Socket) {
        let count = activeConnections.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        guard count <= configuration.maxConnections else {
            activeConnections.wrappingSubtract(1, ordering: .acquiringAndReleasing)
            client.setSendTimeout(seconds: 1)
            let error = HTTPProtocolError(.serviceUnavailable, "The server is at its limit of \(configuration.maxConnections) connections; try again later.")
            try? client.sendAll(handler.response(for: error).serialized(keepAlive: false))
            client.close()
            return
        }
        let connection = Connection(
            socket: client,
            configuration: configuration,
            handler: handler,
            isStopping: { [self] in stopping.load(ordering: .relaxed) },
            stopSignal: wakePipe.readEnd,
            logger: logger
        )
        let started = spawnThread { [self] in
            connection.run()
            activeConnections.wrappingSubtract(1, ordering: .acquiringAndReleasing)
        }
        if !started {
            activeConnections.wrappingSubtract(1, ordering: .acquiringAndReleasing)
            try? client.sendAll(handler.response(for: HTTPProtocolError(.serviceUnavailable, "The server cannot start another thread.")).serialized(keepAlive: false))
            client.close()
        }
    }
}
