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

    /// ISO-8601 with an offset, as OpsWorks sends dates: `2013-07-25T18:57:34+00:00`. Written
    /// digit by digit: every Describe call renders several.
    public var iso8601: String {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(unsafeUninitializedCapacity: 25) { buffer in
            var position = 0
            func digits(_ value: Int32, _ width: Int, then separator: UInt8?) {
                var value = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[position + offset] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                position += width
                if let separator {
                    buffer[position] = separator
                    position += 1
                }
            }
            digits(parts.tm_year + 1900, 4, then: UInt8(ascii: "-"))
            digits(parts.tm_mon + 1, 2, then: UInt8(ascii: "-"))
            digits(parts.tm_mday, 2, then: UInt8(ascii: "T"))
            digits(parts.tm_hour, 2, then: UInt8(ascii: ":"))
            digits(parts.tm_min, 2, then: UInt8(ascii: ":"))
            digits(parts.tm_sec, 2, then: nil)
            for byte in "+00:00".utf8 {
                buffer[position] = byte
                position += 1
            }
            return position
        }
    }
}
