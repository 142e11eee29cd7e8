/// Where and how the server listens, with the documented limits.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 lets the kernel pick a free port; `HTTPServer.port` tells which.
    public var port: Int
    /// Connections served at once; one more is answered 503 and closed.
    public var maxConnections: Int
    public var limits: HTTPLimits
    /// A request must arrive whole within this many seconds of its first byte, or it gets 408.
    public var requestTimeoutSeconds: Double
    /// A keep-alive connection with no request for this long is closed.
    public var idleTimeoutSeconds: Double
    /// A response that cannot be written for this long closes the connection.
    public var sendTimeoutSeconds: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 4580,
        maxConnections: Int = 1024,
        limits: HTTPLimits = HTTPLimits(),
        requestTimeoutSeconds: Double = 30,
        idleTimeoutSeconds: Double = 60,
        sendTimeoutSeconds: Int = 30
    ) {
        self.host = host
        self.port = port
        self.maxConnections = maxConnections
        self.limits = limits
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.sendTimeoutSeconds = sendTimeoutSeconds
    }
}
