/// Where a streaming response writes its body, on the connection's own thread.
public struct StreamOutput: Sendable {
    private let socket: Socket
    private let isStopping: @Sendable () -> Bool

    init(socket: Socket, isStopping: @escaping @Sendable () -> Bool) {
        self.socket = socket
        self.isStopping = isStopping
    }

    /// Sends `bytes`; false once the client has gone (the stream should end then).
    public func write(_ bytes: [UInt8]) -> Bool {
        (try? socket.sendAll(bytes)) != nil
    }

    /// Sends a part of a buffer without copying it.
    public func write(_ bytes: ArraySlice<UInt8>) -> Bool {
        (try? bytes.withUnsafeBytes { try socket.sendAll($0) }) != nil
    }

    /// False once the server is stopping or the client has closed its side; looks without waiting.
    public var isOpen: Bool {
        if isStopping() { return false }
        // A client of an event stream sends nothing: readable means it closed (or misbehaves).
        guard let readable = try? socket.waitReadable(milliseconds: 0, orWake: -1) else { return false }
        return !readable
    }
}
