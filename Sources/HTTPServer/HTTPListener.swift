/// A listening socket, bound before anything else starts: whoever composes a server can bind
/// first and do what must happen only once the address is theirs (open a database, load
/// fixtures) after, so a taken port changes nothing.
public struct HTTPListener: Sendable {
    let socket: Socket
    /// The port actually bound (the kernel's pick when asked for 0).
    public let port: Int

    /// Binds and listens on `host:port`; a bad address or a taken port fails here.
    public init(host: String, port: Int, backlog: Int32 = 1024) throws {
        socket = try Socket.listen(host: host, port: port, backlog: backlog)
        do {
            self.port = try socket.localPort()
        } catch {
            socket.close()
            throw error
        }
    }

    /// For a listener that never gets a server (a start that failed after binding).
    public func close() { socket.close() }
}
