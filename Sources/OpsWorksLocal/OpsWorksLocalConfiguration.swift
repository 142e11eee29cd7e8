import OpsWorks

/// Everything a running emulator is made of: where it listens, where it keeps its state, what it
/// loads at start, how fast its lifecycles run, its limits, and whose signatures it checks.
public struct OpsWorksLocalConfiguration: Sendable {
    public static let inMemory = ":memory:"

    public var host: String
    /// 0 lets the kernel pick a free port; `OpsWorksLocalServer.port` tells which.
    public var port: Int
    /// The SQLite file that keeps the state, or `OpsWorksLocalConfiguration.inMemory`.
    public var databasePath: String
    /// Fixtures files loaded at start, and again by every reset.
    public var fixturePaths: [String]
    public var durations: LifecycleDurations
    public var maxConnections: Int
    public var idleTimeoutSeconds: Double
    public var requestTimeoutSeconds: Double
    /// Caps the database file; writes past it fail as on a full disk.
    public var maxDatabaseBytes: Int?
    /// Access key to secret. When set, every request must carry a valid SigV4 signature of one
    /// of these keys, and the endpoints that change state under `/_opsworks-local/` too.
    public var verifiedCredentials: [String: String]?
    /// `.manual` stops simulated time until `POST /_opsworks-local/clock` moves it.
    public var clock: SimulatedClock.Mode
    /// Seeds every generated ID (resources and request IDs): the same calls on a fresh state
    /// give the same IDs.
    public var seed: UInt64?

    /// The defaults suit a test: loopback, a free port, state in memory, lifecycles at once.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        databasePath: String = OpsWorksLocalConfiguration.inMemory,
        fixturePaths: [String] = [],
        durations: LifecycleDurations = LifecycleDurations(),
        maxConnections: Int = 1024,
        idleTimeoutSeconds: Double = 60,
        requestTimeoutSeconds: Double = 30,
        maxDatabaseBytes: Int? = nil,
        verifiedCredentials: [String: String]? = nil,
        clock: SimulatedClock.Mode = .system,
        seed: UInt64? = nil
    ) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.fixturePaths = fixturePaths
        self.durations = durations
        self.maxConnections = maxConnections
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.maxDatabaseBytes = maxDatabaseBytes
        self.verifiedCredentials = verifiedCredentials
        self.clock = clock
        self.seed = seed
    }

    public var isInMemory: Bool { databasePath == Self.inMemory }
}
