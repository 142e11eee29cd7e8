import AWSJSON
#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import Synchronization
import Threads

/// The event stream behind `GET /_opsworks-local/events`: every API call, every change of
/// state, every status a lifecycle enters, each one JSON object with a `type`, sent as
/// Server-Sent Events to every open stream.
///
/// Built so that open streams cost the API little: an event is encoded once, into a ring that
/// every stream reads from; a publisher wakes streams only when one is asleep waiting; a stream
/// that has written sleeps a moment before it looks again, so under load it sends many events
/// per write instead of waking per event. A stream that falls a whole ring behind is told how
/// many events it missed (`{"type": "overflow"}`) and goes on from the newest: a dashboard then
/// reloads its view. With no stream open, publishing is one atomic load.
final class EventHub: Sendable {
    static let capacity = 8192
    /// How long a stream waits after a write before it takes the next batch.
    static let batchSeconds = 0.5
    /// A comment line this often keeps proxies and idle timers from closing a quiet stream.
    static let heartbeatSeconds = 15.0

    private struct Ring {
        var events: [[UInt8]] = []
        /// The sequence number of the next event; event `n` sits at `n % capacity`.
        var next: UInt64 = 0
        var someoneWaits = false
    }

    private let monitor = Monitor()
    private nonisolated(unsafe) var ring = Ring()  // guarded by `monitor`
    private let subscribers = Atomic<Int>(0)

    var streamCount: Int { subscribers.load(ordering: .relaxed) }

    /// Publishes the event `make` builds, only when a stream is open to see it.
    func publish(_ make: () -> JSONObject) {
        guard subscribers.load(ordering: .relaxed) > 0 else { return }
        // The frame is built once, for every stream: the data before the lock, the `id:` line
        // (the sequence number, known only under it) with plain digits, no string formatting.
        let data = make().serialized()
        monitor.withLock {
            let sequence = ring.next
            var frame = Self.idLine(sequence)
            frame.reserveCapacity(frame.count + data.count + 8)
            frame += Self.dataPrefix
            frame += data
            frame += [10, 10]
            if ring.events.count < Self.capacity {
                ring.events.append(frame)
            } else {
                ring.events[Int(sequence % UInt64(Self.capacity))] = frame
            }
            ring.next += 1
            if ring.someoneWaits {
                ring.someoneWaits = false
                monitor.broadcast()
            }
        }
    }

    private static let dataPrefix = Array("data: ".utf8)

    /// `id: <sequence>\n`.
    private static func idLine(_ sequence: UInt64) -> [UInt8] {
        var digits: [UInt8] = []
        var rest = sequence
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        return Array("id: ".utf8) + digits.reversed() + [10]
    }

    /// The response of one stream. `lastEventId` (the browser's `Last-Event-ID` on a reconnect)
    /// resumes after that event, when the ring still holds it.
    func stream(resumingAfter lastEventId: String?) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/event-stream; charset=utf-8")
        headers.add("Cache-Control", "no-store")
        return .streaming(headers: headers) { [self] output in
            subscribers.wrappingAdd(1, ordering: .relaxed)
            defer { subscribers.wrappingSubtract(1, ordering: .relaxed) }
            serve(output, after: lastEventId.flatMap(UInt64.init))
        }
    }

    private func serve(_ output: StreamOutput, after lastEventId: UInt64?) {
        // The browser retries after 1 s when the stream breaks; first, a line to say it is open.
        guard output.write(Array("retry: 1000\n: opsworks-local events\n\n".utf8)) else { return }
        var position = monitor.withLock { ring.next }
        if let lastEventId, lastEventId < position, position - lastEventId <= UInt64(Self.capacity) {
            position = lastEventId + 1
        }
        var quietSince = monotonicNow()
        while output.isOpen {
            // Under the lock only the frames' references are taken (no bytes copied), so that
            // publishers (the API's request threads) never wait behind a stream's copying.
            var frames: [[UInt8]] = []
            var missed: UInt64 = 0
            monitor.withLock {
                if position == ring.next {
                    ring.someoneWaits = true
                    monitor.wait(seconds: 1)  // wakes at once for an event; each second to see the client is still there
                }
                if ring.next - position > UInt64(Self.capacity) {
                    missed = ring.next - position - UInt64(Self.capacity)
                    position = ring.next - UInt64(Self.capacity)
                }
                frames.reserveCapacity(Int(ring.next - position))
                while position < ring.next {
                    frames.append(ring.events[Int(position % UInt64(Self.capacity))])
                    position += 1
                }
            }
            var batch: [UInt8] = []
            batch.reserveCapacity(frames.reduce(0) { $0 + $1.count })
            for frame in frames { batch.append(contentsOf: frame) }
            if missed > 0 {
                let overflow = JSONObject([("type", "overflow"), ("missed", .int(Int64(missed)))]).serialized()
                guard output.write(Array("data: ".utf8) + overflow + [10, 10]) else { return }
            }
            if batch.isEmpty {
                if monotonicNow() - quietSince >= Self.heartbeatSeconds {
                    guard output.write(Array(": heartbeat\n\n".utf8)) else { return }
                    quietSince = monotonicNow()
                }
                continue
            }
            guard output.write(batch) else { return }
            quietSince = monotonicNow()
            usleep(useconds_t(Self.batchSeconds * 1_000_000))
        }
    }
}

func monotonicNow() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
