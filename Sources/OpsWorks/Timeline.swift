/// The statuses a resource goes through and when it enters each, decided when the transition
/// starts. The status at any moment is read off the clock, so nothing runs in the background,
/// a zero duration finishes at once, and a restart picks up exactly where the clock is.
struct Timeline: Sendable, Equatable {
    struct Step: Sendable, Equatable {
        var status: String
        var at: Timestamp
    }

    var steps: [Step]

    init(steps: [Step]) { self.steps = steps }

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

    /// The column text: each step as `status@microseconds since the epoch`, joined by `|`
    /// (`running@1700000000000000|successful@1700000030000000`). Read on every deployment for
    /// every target instance, so it is a format that parses without a JSON parser or strtod.
    var text: String {
        // Appended as bytes: mapping interpolated strings and joining them was a tenth of the
        // work of a CreateDeployment outside its write.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(steps.count * 32)
        for (offset, step) in steps.enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: "|")) }
            bytes.append(contentsOf: step.status.utf8)
            bytes.append(UInt8(ascii: "@"))
            Self.appendDecimal(Int64((step.at.seconds * 1_000_000).rounded()), to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The decimal digits of `value` (String(value) then its UTF-8 cost ten times as much).
    private static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[position...])
        }
    }

    /// The status at `time` read straight off the column text without building the steps (every
    /// target instance of every deployment is read so); nil when the text is not a timeline.
    static func status(ofText text: String, at time: Timestamp) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var current: Range<Int>?
            var first: Range<Int>?
            var index = 0
            while index < bytes.count {
                let statusStart = index
                while index < bytes.count && bytes[index] != UInt8(ascii: "@") { index += 1 }
                guard index > statusStart, index < bytes.count else { return nil }
                let status = statusStart..<index
                index += 1
                guard let (micros, end) = Self.parseMicros(bytes, from: index) else { return nil }
                index = end + 1  // past the "|"
                if first == nil { first = status }
                if Timestamp(seconds: Double(micros) / 1_000_000) <= time { current = status }
            }
            guard let chosen = current ?? first else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[chosen]), as: UTF8.self)
        }
    }

    /// The digits of a step's time from `start` up to the next "|" or the end: the microseconds
    /// and where they end; nil when there are none, a non-digit or too many.
    private static func parseMicros(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int64, Int)? {
        var micros: Int64 = 0
        var index = start
        while index < bytes.count && bytes[index] != UInt8(ascii: "|") {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit <= 9, index - start < 18 else { return nil }
            micros = micros * 10 + Int64(digit)
            index += 1
        }
        return index > start ? (micros, index) : nil
    }

    init?(text: String?) {
        guard var text, !text.isEmpty else { return nil }
        let parsed: [Step]? = text.withUTF8 { bytes in
            var steps: [Step] = []
            var index = 0
            while index < bytes.count {
                let statusStart = index
                while index < bytes.count && bytes[index] != UInt8(ascii: "@") { index += 1 }
                guard index > statusStart, index < bytes.count else { return nil }
                let status = String(decoding: UnsafeBufferPointer(rebasing: bytes[statusStart..<index]), as: UTF8.self)
                guard let (micros, end) = Self.parseMicros(bytes, from: index + 1) else { return nil }
                steps.append(Step(status: status, at: Timestamp(seconds: Double(micros) / 1_000_000)))
                index = end + 1  // past the "|"
            }
            return steps
        }
        guard let parsed, !parsed.isEmpty else { return nil }
        steps = parsed
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
