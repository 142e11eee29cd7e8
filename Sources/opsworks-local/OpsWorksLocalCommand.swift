import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Logging
import OpsWorks
import OpsWorksLocal

/// The executable only parses options, builds the configuration and hands over to the library.
@main
struct OpsWorksLocalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opsworks-local",
        abstract: "A local emulator of the AWS OpsWorks Stacks API (OpsWorks_20130218).",
        discussion: """
            Point an AWS SDK or the AWS CLI at http://127.0.0.1:4580 (any region, any keys).
            State is kept in SQLite: ./opsworks-local.db unless --db or --in-memory say otherwise.
            Open http://127.0.0.1:4580/ in a browser for the live dashboard.
            Test control under /_opsworks-local/ (JSON; the README has curl examples):
              GET health · POST reset (back to the --fixtures) · GET state (a snapshot, loadable with --fixtures)
              GET|POST clock (with --clock manual: {"advanceSeconds": N} or {"set": "<ISO time>"})
              GET|POST|DELETE faults (error, latency and outcome rules) · GET events (Server-Sent Events)
              GET logs/<CommandId> (a command's log)
            """,
        version: OpsWorksLocalServer.version
    )

    @Option(help: "The address to listen on. Anything but loopback exposes the emulator to the network.")
    var host = "127.0.0.1"

    @Option(parsing: .unconditional, help: "The port to listen on; 0 picks a free one (printed at start).")
    var port = 4580

    @Option(help: "The SQLite database file that keeps the state.")
    var db = "opsworks-local.db"

    @Flag(help: "Keep the state in memory only; it is gone when the server stops.")
    var inMemory = false

    @Option(help: "A fixtures JSON file to load at start (repeatable); see fixtures/README.md.")
    var fixtures: [String] = []

    @Option(parsing: .unconditional, help: "Seconds between two instance statuses when starting or stopping (0: at once).")
    var instanceStepSeconds: Double = 0

    @Option(parsing: .unconditional, help: "Seconds a deployment stays running before it completes (0: at once).")
    var deploymentSeconds: Double = 0

    @Option(help: "system: the wall clock; manual: time stands still (from 2026-01-01T00:00:00Z) until POST /_opsworks-local/clock moves it.")
    var clock = "system"

    @Option(parsing: .unconditional, help: "Seed every generated ID (resources, request IDs) and fault probability: the same calls on a fresh state give the same IDs.")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Connections served at once; one more is answered 503.")
    var maxConnections = 1024

    @Option(parsing: .unconditional, help: "Seconds a keep-alive connection may sit idle before it is closed.")
    var idleTimeout: Double = 60

    @Option(parsing: .unconditional, help: "Seconds a request may take to arrive whole, from its first byte (408 after).")
    var requestTimeout: Double = 30

    @Option(parsing: .unconditional, help: "Cap the database at this many MiB; writes past it fail as on a full disk.")
    var maxDbMib: Int?

    @Flag(help: "Check the SigV4 signature of every request against the --credentials keys.")
    var verifySignatures = false

    @Option(help: "An access key and its secret, KEY:SECRET, accepted with --verify-signatures (repeatable).")
    var credentials: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, not \(port)") }
        for (name, seconds) in [("--instance-step-seconds", instanceStepSeconds), ("--deployment-seconds", deploymentSeconds)] {
            guard seconds.isFinite, seconds >= 0 else { throw ValidationError("\(name) must be a number of seconds, 0 or more, not \(seconds)") }
        }
        guard SimulatedClock.Mode(rawValue: clock) != nil else { throw ValidationError("--clock must be system or manual, not \(clock)") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1, not \(maxConnections)") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if inMemory && db != "opsworks-local.db" { throw ValidationError("--in-memory and --db exclude each other") }
        for (name, seconds) in [("--idle-timeout", idleTimeout), ("--request-timeout", requestTimeout)] {
            guard seconds.isFinite, seconds > 0 else { throw ValidationError("\(name) must be a positive number of seconds, not \(seconds)") }
        }
        if let maxDbMib, maxDbMib < 1 { throw ValidationError("--max-db-mib must be at least 1, not \(maxDbMib)") }
        if verifySignatures && credentials.isEmpty { throw ValidationError("--verify-signatures needs at least one --credentials KEY:SECRET") }
        for pair in credentials where !pair.contains(":") { throw ValidationError("--credentials takes KEY:SECRET, not \(pair)") }
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "opsworks-local")
        // Signals are taken by one thread with sigwait, so they must be blocked before any other starts.
        let signals = SignalWaiter.blockTerminationSignals()
        raiseOpenFileLimit()

        let server: OpsWorksLocalServer
        do {
            server = try OpsWorksLocalServer(configuration, logger: logger)
        } catch {
            let line = Array("opsworks-local: \(error)\n".utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            throw ExitCode(2)
        }
        if !["127.0.0.1", "localhost", "::1"].contains(host) {
            logger.warning("listening on \(host), beyond loopback: anyone who can reach this address can change the state")
        }
        signals.onSignal { name in
            logger.notice("\(name): finishing requests in flight, then stopping")
            server.stop()
        }
        print("opsworks-local \(OpsWorksLocalServer.version) listening on \(server.endpointURL) (state: \(inMemory ? "in memory" : db))")
        fflush(nil)  // the line test harnesses wait for must not sit in a buffer
        server.run()
        logger.notice("stopped")
    }

    private var configuration: OpsWorksLocalConfiguration {
        OpsWorksLocalConfiguration(
            host: host, port: port,
            databasePath: inMemory ? OpsWorksLocalConfiguration.inMemory : db,
            fixturePaths: fixtures,
            durations: LifecycleDurations(instanceStepSeconds: instanceStepSeconds, deploymentSeconds: deploymentSeconds),
            maxConnections: maxConnections, idleTimeoutSeconds: idleTimeout, requestTimeoutSeconds: requestTimeout,
            maxDatabaseBytes: maxDbMib.map { $0 * 1024 * 1024 },
            verifiedCredentials: verifySignatures ? credentialPairs : nil,
            clock: SimulatedClock.Mode(rawValue: clock) ?? .system,
            seed: seed
        )
    }

    private var credentialPairs: [String: String] {
        Dictionary(credentials.map { pair in
            let parts = pair.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { $1 })
    }

    /// One descriptor per connection: lift the soft limit to the hard one so the connection cap,
    /// not the default of 1024 descriptors, is what limits clients.
    private func raiseOpenFileLimit() {
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}
