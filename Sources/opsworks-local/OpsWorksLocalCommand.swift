import ArgumentParser
import AWSJSON
#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import Logging
import OpsWorks

/// The executable only parses options, builds the configuration and hands over to the library.
@main
struct OpsWorksLocalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opsworks-local",
        abstract: "A local emulator of the AWS OpsWorks Stacks API (OpsWorks_20130218).",
        discussion: """
            Point an AWS SDK or the AWS CLI at http://127.0.0.1:4580 (any region, any keys).
            State is kept in SQLite: ./opsworks-local.db unless --db or --in-memory say otherwise.
            GET /_opsworks-local/health reports readiness; POST /_opsworks-local/reset empties all state.
            """,
        version: OpsWorksLocalHandler.version
    )

    @Option(help: "The address to listen on. Anything but loopback exposes the emulator to the network.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one (printed at start).")
    var port = 4580

    @Option(help: "The SQLite database file that keeps the state.")
    var db = "opsworks-local.db"

    @Flag(help: "Keep the state in memory only; it is gone when the server stops.")
    var inMemory = false

    @Option(help: "A fixtures JSON file to load at start (repeatable); see fixtures/README.md.")
    var fixtures: [String] = []

    @Option(help: "Seconds between two instance statuses when starting or stopping (0: at once).")
    var instanceStepSeconds: Double = 0

    @Option(help: "Seconds a deployment stays running before it completes (0: at once).")
    var deploymentSeconds: Double = 0

    @Option(help: "Connections served at once; one more is answered 503.")
    var maxConnections = 1024

    @Option(help: "Seconds a keep-alive connection may sit idle before it is closed.")
    var idleTimeout: Double = 60

    @Option(help: "Seconds a request may take to arrive whole, from its first byte (408 after).")
    var requestTimeout: Double = 30

    @Option(help: "Cap the database at this many MiB; writes past it fail as on a full disk.")
    var maxDbMib: Int?

    @Flag(help: "Check the SigV4 signature of every request against the --credentials keys.")
    var verifySignatures = false

    @Option(help: "An access key and its secret, KEY:SECRET, accepted with --verify-signatures (repeatable).")
    var credentials: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard instanceStepSeconds >= 0, deploymentSeconds >= 0 else { throw ValidationError("durations must not be negative") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if inMemory && db != "opsworks-local.db" { throw ValidationError("--in-memory and --db exclude each other") }
        guard idleTimeout > 0, requestTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        if let maxDbMib, maxDbMib < 1 { throw ValidationError("--max-db-mib must be at least 1") }
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

        let store: Store
        do {
            store = try Store(path: inMemory ? ":memory:" : db, maxBytes: maxDbMib.map { $0 * 1024 * 1024 })
        } catch {
            throw failure("cannot open the database \(inMemory ? ":memory:" : db): \(error)")
        }
        let service = OpsWorksService(
            store: store,
            durations: LifecycleDurations(instanceStepSeconds: instanceStepSeconds, deploymentSeconds: deploymentSeconds)
        )
        for path in fixtures {
            guard let bytes = Self.readFile(path) else {
                throw failure("cannot read the fixtures file \(path)")
            }
            do {
                let summary = try service.loadFixtures(bytes, source: path)
                logger.info("loaded fixtures \(path): \(summary.created) created, \(summary.existing) already there")
            } catch {
                throw failure("\(error)")
            }
        }

        let verifier = verifySignatures ? SignatureVerifier(credentials: credentialPairs, now: { Timestamp.now().seconds }) : nil
        raiseOpenFileLimit()
        let server: HTTPServer
        do {
            server = try HTTPServer(
                configuration: HTTPServerConfiguration(
                    host: host, port: port, maxConnections: maxConnections,
                    requestTimeoutSeconds: requestTimeout, idleTimeoutSeconds: idleTimeout
                ),
                handler: OpsWorksLocalHandler(service: service, verifier: verifier, logger: logger),
                logger: logger
            )
        } catch {
            throw failure("cannot listen on \(host):\(port): \(error)")
        }
        if !["127.0.0.1", "localhost", "::1"].contains(host) {
            logger.warning("listening on \(host), beyond loopback: anyone who can reach this address can change the state")
        }
        signals.onSignal { name in
            logger.notice("\(name): finishing requests in flight, then stopping")
            server.stop()
        }
        print("opsworks-local \(OpsWorksLocalHandler.version) listening on http://\(host.contains(":") ? "[\(host)]" : host):\(server.port) (state: \(inMemory ? "in memory" : db))")
        fflush(nil)  // the line test harnesses wait for must not sit in a buffer
        server.run()
        logger.notice("stopped")
    }

    /// A whole file, or nil when it cannot be read. (Foundation would do, but the executable
    /// stays clear of it: its ICU data is most of a Foundation binary's resident memory.)
    static func readFile(_ path: String) -> [UInt8]? {
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

    private func failure(_ message: String) -> Error {
        let line = Array("opsworks-local: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        return ExitCode(2)
    }
}
