import AWSJSON
import HTTPServer
import OpsWorks

/// What a test or a demo steers beside the API: the clock, the fault rules, the seed of the IDs,
/// and the event stream that reports it all.
public struct EmulatorControls: Sendable {
    public let clock: SimulatedClock
    public let faults: FaultInjector
    /// `--seed`: a reset starts the ID sequence again from it.
    public let seed: UInt64?
    let events: EventHub
    let ticker: StatusTicker

    public init(clock: SimulatedClock = SimulatedClock(), faults: FaultInjector = FaultInjector(), seed: UInt64? = nil) {
        self.clock = clock
        self.faults = faults
        self.seed = seed
        let events = EventHub()
        self.events = events
        ticker = StatusTicker(clock: clock) { due in
            for status in due { events.publish { Event.status(status) } }
        }
        clock.onChange { now in events.publish { Event.clock(now, mode: clock.mode) } }
    }

    /// The AWS JSON hooks: request fault rules strike, every call is published.
    var hooks: AWSJSONHooks {
        AWSJSONHooks(
            faults: { [faults] operation, accessKey in
                faults.requestFaults(operation: operation, accessKey: accessKey).map { fault in
                    switch fault {
                    case .error(let status, let type, let message):
                        return .error(AWSError(AWSErrorCode(rawValue: type), message, status: .withCode(status)))
                    case .latency(let milliseconds): return .delay(milliseconds: milliseconds)
                    case .closeConnection: return .dropConnection
                    }
                }
            },
            onCall: { [events] call in events.publish { Event.call(call) } }
        )
    }
}

/// The events of the stream, each a JSON object with a `type`.
enum Event {
    static func isRead(_ operation: String) -> Bool {
        operation.hasPrefix("Describe") || operation.hasPrefix("List") || operation.hasPrefix("Get")
    }

    /// An API call as answered: when (wall clock), what, how it ended (with `errorType` when it
    /// failed), how long it took, who, and whether it changed the state (then with the stack it changed, when it names one). One event
    /// per call, not a call and a change: each event is written to every open stream, so the
    /// streams cost the API half as much this way.
    static func call(_ call: AWSCall) -> JSONObject {
        let changed = call.status < 400 && !isRead(call.operation)
        var members: [(String, JSON)] = [
            ("type", "call"), ("time", .string(Timestamp.now().iso8601)), ("operation", .string(call.operation)),
            ("status", .int(Int64(call.status))),
            ("durationMs", .double((call.milliseconds * 1000).rounded() / 1000)), ("accessKey", .string(call.accessKey)),
            ("account", .string(call.account)), ("region", .string(call.region)), ("requestId", .string(call.requestId)),
            ("changed", .bool(changed)),
        ]
        if let errorType = call.errorType { members.insert(("errorType", .string(errorType)), at: 4) }
        if changed, let stackId = call.stackId { members.append(("stackId", .string(stackId))) }
        return JSONObject(members)
    }

    /// A lifecycle step reached on the clock.
    static func status(_ status: ScheduledStatus) -> JSONObject {
        JSONObject([
            ("type", "status"), ("kind", .string(status.kind)), ("id", .string(status.id)), ("status", .string(status.status)),
            ("at", .string(status.at.iso8601)), ("account", .string(status.account)), ("region", .string(status.region)),
        ])
    }

    static func clock(_ now: Timestamp, mode: SimulatedClock.Mode) -> JSONObject {
        JSONObject([("type", "clock"), ("now", .string(now.iso8601)), ("mode", .string(mode.rawValue))])
    }

    /// A change of the emulator itself: a reset, a fault rule added or removed.
    static func control(_ type: String, _ members: [(String, JSON)] = []) -> JSONObject {
        JSONObject([("type", .string(type))] + members)
    }
}
