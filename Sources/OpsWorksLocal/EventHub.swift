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
/// Built so that open streams cost the API little. An event is encoded once, appended to the
/// chunk being filled; a full chunk is sealed and shared, unchanged, by every stream, which
/// sends it from where it stands without copying it (a stream takes the lock only to pick up
/// the chunks' references and the open chunk's tail, never for a walk over events). A stream
/// that has written sleeps a moment before it looks again, so under load it sends many events
/// per write; its thread runs at a lower priority than the request threads. A publisher wakes
/// streams only when one is asleep waiting. A stream that falls more than `capacity` events
/// behind is told how many it missed (`{"type": "overflow"}`) and goes on from the oldest kept:
/// a dashboard then reloads its view. With no stream open, publishing is one atomic load.
final class EventHub: Sendable {
    /// At least this many of the newest events are kept for streams that are behind.
    static let capacity = 8192
    /// A chunk is sealed once it holds this many bytes.
    static let chunkBytes = 32 * 1024
    /// How long a stream waits after a write before it takes the next batch.
    static let batchSeconds = 0.5
    /// The nice value of a stream's thread (request threads have 0).
    static let niceness: Int32 = 10
    /// A comment line this often keeps proxies and idle timers from closing a quiet stream.
    static let heartbeatSeconds = 15.0

    /// Frames of consecutive events, never changed once sealed.
    private struct Chunk: Sendable {
        let first: UInt64
        let bytes: [UInt8]
        /// Where each event's frame starts in `bytes`.
        let offsets: [Int]
        var end: UInt64 { first + UInt64(offsets.count) }
    }

    private struct Ring {
        var sealed: [Chunk] = []
        var sealedEvents = 0
        var open: [UInt8] = []
        var openOffsets: [Int] = []
        /// The sequence number of the next event.
        var next: UInt64 = 0
        var someoneWaits = false

        var openFirst: UInt64 { next - UInt64(openOffsets.count) }
        var oldest: UInt64 { sealed.first?.first ?? openFirst }
    }

    private let monitor = Monitor()
    private nonisolated(unsafe) var ring = Ring()  // guarded by `monitor`
    private let subscribers = Atomic<Int>(0)

    var streamCount: Int { subscribers.load(ordering: .relaxed) }

    /// Publishes the event `make` builds, only when a stream is open to see it.
    func publish(_ make: () -> JSONObject) {
        guard subscribers.load(ordering: .relaxed) > 0 else { return }
        let data = make().serialized()
        monitor.withLock {
            // The `id:` line is the sequence number, known only here: plain digits, no formatting.
            ring.openOffsets.append(ring.open.count)
            Self.appendIdLine(ring.next, to: &ring.open)
            ring.open += Self.dataPrefix
            ring.open += data
            ring.open += [10, 10]
            ring.next += 1
            if ring.open.count >= Self.chunkBytes { sealOpenChunk() }
            if ring.someoneWaits {
                ring.someoneWaits = false
                monitor.broadcast()
            }
        }
    }

    /// Seals the chunk being filled and drops the oldest chunks the capacity no longer needs.
    private func sealOpenChunk() {
        let chunk = Chunk(first: ring.openFirst, bytes: ring.open, offsets: ring.openOffsets)
        ring.sealed.append(chunk)
        ring.sealedEvents += chunk.offsets.count
        ring.open = []
        ring.open.reserveCapacity(Self.chunkBytes + 1024)
        ring.openOffsets = []
        while let oldest = ring.sealed.first, ring.sealedEvents - oldest.offsets.count >= Self.capacity {
            ring.sealed.removeFirst()
            ring.sealedEvents -= oldest.offsets.count
        }
    }

    private static let dataPrefix = Array("data: ".utf8)

    private static func appendIdLine(_ sequence: UInt64, to bytes: inout [UInt8]) {
        bytes += [UInt8(ascii: "i"), UInt8(ascii: "d"), UInt8(ascii: ":"), UInt8(ascii: " ")]
        var digits = 1
        var scale: UInt64 = 1
        while sequence / scale >= 10 {
            scale *= 10
            digits += 1
        }
        for _ in 0..<digits {
            bytes.append(UInt8(ascii: "0") + UInt8(sequence / scale % 10))
            scale /= 10
        }
        bytes.append(10)
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

    /// What a stream sends next: parts of sealed chunks (shared) and a copy of the open tail.
    private struct Batch {
        var parts: [ArraySlice<UInt8>] = []
        var missed: UInt64 = 0
    }

    private func serve(_ output: StreamOutput, after lastEventId: UInt64?) {
        // A stream yields to the API: when the CPU is short, its thread waits and sends a larger
        // batch later, rather than slowing the calls it reports.
        setCurrentThreadNiceness(Self.niceness)
        // The browser retries after 1 s when the stream breaks; first, a line to say it is open.
        guard output.write(Array("retry: 1000\n: opsworks-local events\n\n".utf8)) else { return }
        var position = monitor.withLock { ring.next }
        if let lastEventId, lastEventId < position {
            position = max(lastEventId + 1, monitor.withLock { ring.oldest })
        }
        var quietSince = monotonicNow()
        while output.isOpen {
            let batch = monitor.withLock { () -> Batch in
                if position == ring.next {
                    ring.someoneWaits = true
                    monitor.wait(seconds: 1)  // wakes at once for an event; each second to see the client is still there
                }
                return take(from: &position)
            }
            if batch.missed > 0 {
                let overflow = JSONObject([("type", "overflow"), ("missed", .int(Int64(batch.missed)))]).serialized()
                guard output.write(Array("data: ".utf8) + overflow + [10, 10]) else { return }
            }
            if batch.parts.isEmpty {
                if monotonicNow() - quietSince >= Self.heartbeatSeconds {
                    guard output.write(Array(": heartbeat\n\n".utf8)) else { return }
                    quietSince = monotonicNow()
                }
                continue
            }
            for part in batch.parts {
                guard output.write(part) else { return }
            }
            quietSince = monotonicNow()
            usleep(useconds_t(Self.batchSeconds * 1_000_000))
        }
    }

    /// Everything from `position` on, moving `position` to the end; call with the lock held.
    private func take(from position: inout UInt64) -> Batch {
        var batch = Batch()
        if position < ring.oldest {
            batch.missed = ring.oldest - position
            position = ring.oldest
        }
        for chunk in ring.sealed where chunk.end > position {
            batch.parts.append(chunk.bytes[chunk.offsets[Int(position - chunk.first)]...])
            position = chunk.end
        }
        if position < ring.next {
            let start = ring.openOffsets[Int(position - ring.openFirst)]
            // A copy: a slice would share the open chunk and make the next publisher copy it whole.
            batch.parts.append(ArraySlice(Array(ring.open[start...])))
            position = ring.next
        }
        return batch
    }
}

func monotonicNow() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
