#if canImport(Glibc)
import Glibc
#endif
import Logging

/// One client connection on its own thread: read, parse, answer in order, until either side closes.
struct Connection {
    let socket: Socket
    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let isStopping: @Sendable () -> Bool
    /// Readable once the server stops.
    let stopSignal: Int32
    let logger: Logger

    func run() {
        defer { socket.close() }
        socket.setNoDelay()
        socket.setSendTimeout(seconds: configuration.sendTimeoutSeconds)
        var buffer: [UInt8] = []
        // Small on purpose: a thousand idle connections each hold one.
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        var headScannedUpTo = 0
        var sentContinue = false
        var waitingSince = monotonicSeconds()
        do {
            while true {
                // Answer every whole request already buffered (pipelining), in order.
                while !buffer.isEmpty {
                    // The head is parsed only once its blank line has arrived, so a client that
                    // sends a byte at a time costs a scan of the new bytes, not of the whole buffer.
                    let headEnd = HTTPParser.endOfHead(in: buffer[...], from: max(0, headScannedUpTo - 3))
                    if headEnd == nil {
                        if let error = HTTPParser.partialHeadError(in: buffer[...], from: headScannedUpTo) {
                            refuse(error)
                            return
                        }
                        headScannedUpTo = buffer.count
                        if buffer.count > configuration.limits.maxHeaderBytes + 2 {
                            refuse(HTTPProtocolError(.headerFieldsTooLarge, "The request head is larger than \(configuration.limits.maxHeaderBytes) bytes."))
                            return
                        }
                        break
                    }
                    switch HTTPParser.parse(buffer[...], limits: configuration.limits) {
                    case .failed(let error):
                        refuse(error)
                        return
                    case .incomplete(let expectsContinue):
                        if expectsContinue && !sentContinue {
                            try socket.sendAll(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                            sentContinue = true
                        }
                    case .complete(let request, let consumed):
                        buffer.removeFirst(consumed)
                        headScannedUpTo = 0
                        sentContinue = false
                        let keepAlive = request.keepAlive && !isStopping()
                        let response = handler.handle(request)
                        if response.dropsConnection { return }
                        if let stream = response.stream {
                            try socket.sendAll(response.serialized(keepAlive: false))
                            stream(StreamOutput(socket: socket, isStopping: isStopping))
                            return
                        }
                        try socket.sendAll(response.serialized(keepAlive: keepAlive))
                        guard keepAlive else { return }
                        waitingSince = monotonicSeconds()
                        continue
                    }
                    break
                }

                // Wait for more bytes until the timeout that applies; a stop wakes us at once.
                let midRequest = !buffer.isEmpty
                if !midRequest && isStopping() { return }
                let limit = midRequest ? configuration.requestTimeoutSeconds : configuration.idleTimeoutSeconds
                let remaining = waitingSince + limit - monotonicSeconds()
                if remaining <= 0 {
                    if midRequest {
                        refuse(HTTPProtocolError(.requestTimeout, "The request did not arrive whole within \(configuration.requestTimeoutSeconds) seconds."))
                    }
                    return
                }
                // While stopping, a half-received request still gets its chance to finish.
                let milliseconds = Int32(min(remaining * 1000, 60_000).rounded(.up))
                guard try socket.waitReadable(milliseconds: milliseconds, orWake: isStopping() ? -1 : stopSignal) else { continue }
                let received = try socket.receive(into: &scratch)
                if received == 0 { return }  // The peer closed; a partial request is dropped.
                if buffer.isEmpty { waitingSince = monotonicSeconds() }
                buffer.append(contentsOf: scratch[0..<received])
            }
        } catch {
            // A failed recv or send ends this connection only; the server goes on.
            logger.debug("connection closed", metadata: ["error": "\(error)"])
        }
    }

    /// Answers a request the server will not take, then closes gracefully (RFC 9112 §9.6): the
    /// client may still be sending (a huge head, a body), and closing with its bytes unread
    /// would reset the connection and could destroy the answer before the client reads it. So
    /// our side is shut, and what still arrives is read and dropped, for a second at most.
    private func refuse(_ error: HTTPProtocolError) {
        logger.info("refused request", metadata: ["status": "\(error.status.code)", "reason": "\(error.message)"])
        guard (try? socket.sendAll(handler.response(for: error).serialized(keepAlive: false))) != nil else { return }
        socket.shutdownWrite()
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        let deadline = monotonicSeconds() + 1
        for _ in 0..<1024 {  // at most 16 MiB drained
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0,
                  (try? socket.waitReadable(milliseconds: Int32(remaining * 1000) + 1, orWake: stopSignal)) == true,
                  let received = try? socket.receive(into: &scratch), received > 0 else { return }
        }
    }
}

/// Seconds on a clock that never jumps, for timeouts.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
