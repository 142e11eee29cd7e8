#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which call, and the errno it left.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let code: Int32

    public var description: String { "\(call) failed: \(String(cString: strerror(code))) (errno \(code))" }
}

/// Every libc call goes through here: retried on EINTR, `-1` turned into a `SocketError`.
@discardableResult
func systemCall<T: BinaryInteger>(_ name: String, _ body: () -> T) throws(SocketError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SocketError(call: name, code: code)
    }
}

/// A blocking TCP socket, owned by whoever holds it; `close()` exactly once.
struct Socket: Sendable {
    let descriptor: Int32

    /// Binds and listens on `host:port` (`port` 0 lets the kernel pick one).
    static func listen(host: String, port: Int, backlog: Int32) throws -> Socket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let address = list else {
            throw SocketError(call: "getaddrinfo(\(host))", code: status == EAI_SYSTEM ? errno : EINVAL)
        }
        defer { freeaddrinfo(list) }
        let descriptor = try systemCall("socket") { socket(address.pointee.ai_family, address.pointee.ai_socktype, 0) }
        do {
            var on: Int32 = 1
            try systemCall("setsockopt(SO_REUSEADDR)") {
                setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            }
            try systemCall("bind") { bind(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) }
            try systemCall("listen") { Glibc.listen(descriptor, backlog) }
        } catch {
            Glibc.close(descriptor)
            throw error
        }
        return Socket(descriptor: descriptor)
    }

    /// The port the socket is bound to (the real one after binding port 0).
    func localPort() throws -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                _ = try systemCall("getsockname") { getsockname(descriptor, address, &length) }
            }
        }
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    func accept() throws -> Socket {
        let descriptor = try systemCall("accept") { Glibc.accept(self.descriptor, nil, nil) }
        return Socket(descriptor: descriptor)
    }

    /// Small responses go out at once instead of waiting for Nagle's algorithm.
    func setNoDelay() {
        var on: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// A send that blocks longer than `seconds` fails instead of hanging on a client that never reads.
    func setSendTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Waits until the socket is readable (or closed by the peer), or `wake` becomes readable;
    /// false when `milliseconds` pass first or when it was `wake`.
    func waitReadable(milliseconds: Int32, orWake wake: Int32) throws -> Bool {
        var entries = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        let ready = try systemCall("poll") { poll(&entries, 2, milliseconds) }
        return ready > 0 && entries[0].revents != 0
    }

    /// Reads what is available into `scratch`; returns the count, 0 when the peer closed its side.
    func receive(into scratch: inout [UInt8]) throws -> Int {
        try scratch.withUnsafeMutableBytes { raw in
            try systemCall("recv") { recv(descriptor, raw.baseAddress, raw.count, 0) }
        }
    }

    /// Writes every byte; MSG_NOSIGNAL so a peer that went away is an error, not a SIGPIPE.
    func sendAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try sendAll($0) }
    }

    func sendAll(_ raw: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < raw.count {
            let sent = try systemCall("send") {
                send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            offset += sent
        }
    }

    /// Ends our side of the stream (a FIN) while the peer's bytes can still be read.
    func shutdownWrite() {
        _ = shutdown(descriptor, Int32(SHUT_WR))
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
