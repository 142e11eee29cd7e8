import AWSJSON

/// The statuses a resource goes through and when it enters each, decided when the transition
/// starts. The status at any moment is read off the clock, so nothing runs in the background,
/// a zero duration finishes at once, and a restart picks up exactly where the clock is.
struct Timeline: Sendable, Equatable {
    struct Step: Sendable, Equatable {
        var status: String
        var at: Timestamp
    }

    var steps: [Step]

    /// `statuses` entered one after the other, `stepSeconds` apart, from `start`.
    init(_ statuses: [String], from start: Timestamp, stepSeconds: Double) {
        steps = statuses.enumerated().map { Step(status: $0.element, at: start.adding(Double($0.offset) * stepSeconds)) }
    }

    /// The status at `time`: the last step already entered.
    func status(at time: Timestamp) -> String {
        steps.last { $0.at <= time }?.status ?? steps.first?.status ?? ""
    }

    /// When the last step is entered; the transition is over from then on.
    var end: Timestamp { steps.last?.at ?? Timestamp(seconds: 0) }

    func isFinished(at time: Timestamp) -> Bool { end <= time }

    /// The column text: `[["running", 1700000000.0], ["successful", 1700000030.0]]`.
    var text: String { json.serializedString() }

    init?(text: String?) {
        guard let text, let value = try? JSONParser.parse(text) else { return nil }
        self.init(value)
    }

    var json: JSON {
        .array(steps.map { .array([.string($0.status), .double($0.at.seconds)]) })
    }

    init?(_ json: JSON?) {
        guard let items = json?.arrayValue else { return nil }
        steps = items.compactMap { item in
            guard let pair = item.arrayValue, pair.count == 2, let status = pair[0].stringValue else { return nil }
            let seconds: Double
            switch pair[1] {
            case .double(let value): seconds = value
            case .int(let value): seconds = Double(value)
            default: return nil
            }
            return Step(status: status, at: Timestamp(seconds: seconds))
        }
    }
}

/// The instance status sequences of the OpsWorks documentation.
enum InstanceLifecycle {
    static let start = ["requested", "pending", "booting", "running_setup", "online"]
    static let stop = ["stopping", "stopped"]
    /// Statuses from which StartInstance starts the instance; otherwise it is already on its way up.
    static let startable: Set<String> = ["stopped", "stopping", "start_failed", "stop_failed", "setup_failed", "connection_lost"]
    /// Statuses in which the instance has an EC2 instance, and so addresses.
    static let running: Set<String> = ["booting", "running_setup", "online", "rebooting", "setup_failed", "stopping", "connection_lost"]
}
