#if canImport(Glibc)
import Glibc
#endif

/// A point in time as seconds since the Unix epoch; rendered the way OpsWorks sends dates.
public struct Timestamp: Sendable, Comparable, Hashable {
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }

    public static func now() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(seconds: Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
    }

    public func adding(_ seconds: Double) -> Timestamp { Timestamp(seconds: self.seconds + seconds) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }

    /// ISO-8601 with an offset, as OpsWorks sends dates: `2013-07-25T18:57:34+00:00`.
    public var iso8601: String {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))+00:00"
    }
}
