import AWSJSON
#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import Logging
import OpsWorks
import Threads

/// Why an emulator could not start. Nothing was written when this is thrown before the
/// database was opened (a taken port, an unreadable fixtures file), and nothing but an empty
/// schema when fixtures were refused: their load is one transaction.
public struct OpsWorksLocalStartError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The emulator, whole: the OpsWorks API and the `/_opsworks-local/` endpoints on one HTTP
/// server over one store. The executable runs it; a Swift test can run it in-process:
///
/// ```swift
/// let emulator = try OpsWorksLocalServer()        // loopback, a free port, state in memory
/// emulator.start()
/// defer { emulator.stop() }
/// // point an SDK at emulator.endpointURL
/// ```
public final class OpsWorksLocalServer: @unchecked Sendable {  // its one var is guarded by `lifecycle`
    public static let version = "0.1.0"

    public let configuration: OpsWorksLocalConfiguration
    /// The port it listens on (the kernel's pick when the configuration said 0).
    public let port: Int
    /// What to give an SDK as its endpoint: `http://127.0.0.1:<port>`.
    public var endpointURL: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port)"
    }
    /// What a load of the fixtures at start created.
    public let fixturesLoaded: OpsWorksService.FixtureSummary

    /// The clock, the fault rules and the event stream of this emulator.
    public let controls: EmulatorControls

    private let http: HTTPServer
    private let store: Store
    private let logger: Logger
    private let lifecycle = Monitor()
    // Guarded by `lifecycle`.
    private var state = State.ready

    private enum State { case ready, serving, stopped }

    /// Binds first, then opens the database and loads the fixtures: a start that fails for a
    /// taken port writes nothing. It serves nothing until `run()` or `start()`. The default
    /// logger says only warnings and errors: a test's output is not the place for request lines.
    public init(_ configuration: OpsWorksLocalConfiguration = OpsWorksLocalConfiguration(), logger: Logger = OpsWorksLocalServer.warningsOnly()) throws {
        self.configuration = configuration
        self.logger = logger
        let listener: HTTPListener
        do {
            listener = try HTTPListener(host: configuration.host, port: configuration.port)
        } catch {
            throw OpsWorksLocalStartError(description: "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        do {
            let fixtures = try configuration.fixturePaths.map { path in
                guard let bytes = readWholeFile(path) else {
                    throw OpsWorksLocalStartError(description: "cannot read the fixtures file \(path)")
                }
                return FixturesFile(source: path, bytes: bytes)
            }
            do {
                store = try Store(path: configuration.databasePath, maxBytes: configuration.maxDatabaseBytes)
            } catch {
                throw OpsWorksLocalStartError(description: "cannot open the database \(configuration.databasePath): \(error)")
            }
            if let seed = configuration.seed { IdentifierSource.shared.reseed(seed) }
            let clock = SimulatedClock(configuration.clock)
            let controls = EmulatorControls(
                clock: clock,
                faults: FaultInjector(random: Self.faultRandom(seed: configuration.seed)),
                seed: configuration.seed)
            let service = OpsWorksService(
                store: store, durations: configuration.durations, clock: { clock.now() },
                faults: controls.faults, transitions: { [ticker = controls.ticker] in ticker.add($0) })
            do {
                fixturesLoaded = try service.loadFixtures(fixtures)
            } catch {
                try? store.close()
                throw OpsWorksLocalStartError(description: "\(error)")
            }
            // A state snapshot on a manual clock resumes at the moment it was taken.
            if let time = fixturesLoaded.snapshotClock, clock.mode == .manual { _ = try? clock.set(time) }
            self.controls = controls
            let verifier = configuration.verifiedCredentials.map { SignatureVerifier(credentials: $0, now: { Timestamp.now().seconds }) }
            http = try HTTPServer(
                listener: listener,
                configuration: HTTPServerConfiguration(
                    host: configuration.host, port: listener.port, maxConnections: configuration.maxConnections,
                    requestTimeoutSeconds: configuration.requestTimeoutSeconds, idleTimeoutSeconds: configuration.idleTimeoutSeconds
                ),
                handler: OpsWorksLocalHandler(service: service, fixtures: fixtures, verifier: verifier, controls: controls,
                                              durations: configuration.durations, logger: logger),
                logger: logger
            )
        } catch {
            listener.close()
            throw error
        }
        port = listener.port
        for path in configuration.fixturePaths {
            logger.info("fixtures \(path) loaded")
        }
        if !configuration.fixturePaths.isEmpty {
            logger.info("fixtures: \(fixturesLoaded.created) created, \(fixturesLoaded.existing) already there")
        }
    }

    /// Serves until `stop()`; then finishes the requests in flight and closes the store, so that
    /// the database file alone holds the whole state. Returns once all that is done.
    public func run() {
        guard beginServing() else { return }
        serveUntilStopped()
    }

    /// `run()` on a thread of its own; returns at once, serving.
    public func start() {
        guard beginServing() else { return }
        if !spawnThread({ [self] in serveUntilStopped() }) {
            logger.error("cannot start the server's thread")
            close()
        }
    }

    /// Whether this call may serve: only the first `run()` or `start()` of a server not stopped.
    private func beginServing() -> Bool {
        lifecycle.withLock {
            guard state == .ready else { return false }
            state = .serving
            return true
        }
    }

    private func serveUntilStopped() {
        if !controls.ticker.start() { logger.error("cannot start the thread that announces lifecycle steps") }
        http.run()
        controls.ticker.stop()
        close()
    }

    /// Fault probabilities draw from their own sequence: seeded beside the IDs' with `--seed`,
    /// so a probabilistic rule hits the same calls every run without shifting any ID.
    private static func faultRandom(seed: UInt64?) -> IdentifierSource {
        let random = IdentifierSource()
        if let seed { random.reseed(seed ^ 0x5EED_FA17_0000_0001) }
        return random
    }

    /// Stops serving and waits until the requests in flight are answered and the store is
    /// closed. Safe from any thread, and more than once.
    public func stop() {
        http.stop()
        // Never started: serving now returns at once, and closes the listener and the store.
        if beginServing() { serveUntilStopped() }
        lifecycle.withLock {
            while state != .stopped { lifecycle.wait() }
        }
    }

    /// A logger at `.warning`, the default of an emulator started from code.
    public static func warningsOnly() -> Logger {
        var logger = Logger(label: "opsworks-local")
        logger.logLevel = .warning
        return logger
    }

    /// Closes the store; runs once, at the end of the one serving that `beginServing` allowed.
    private func close() {
        do {
            try store.close()
        } catch {
            logger.error("closing the database failed; the last commits stay in its WAL file", metadata: ["error": "\(error)"])
        }
        lifecycle.withLock {
            state = .stopped
            lifecycle.broadcast()
        }
    }
}

/// A whole file, or nil when it cannot be read. (Foundation would do, but the server stays
/// clear of it: its ICU data is most of a Foundation binary's resident memory.)
func readWholeFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        bytes += chunk[0..<count]
        if count < chunk.count { return ferror(file) == 0 ? bytes : nil }
    }
}
