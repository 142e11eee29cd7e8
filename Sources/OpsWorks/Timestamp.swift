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

extension Timestamp {
    /// Parses `2026-01-01T00:00:00Z`, with optional fractional seconds and a `Z` or `±HH:MM`
    /// offset; nil for anything else.
    public init?(iso8601 text: String) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int32? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int32 = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, is character: Character) -> Bool { index < bytes.count && bytes[index] == character.asciiValue }
        guard let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"), let day = number(8..<10),
              byte(10, is: "T"), let hour = number(11..<13), byte(13, is: ":"), let minute = number(14..<16), byte(16, is: ":"),
              let second = number(17..<19), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if byte(index, is: ".") {
            var scale = 0.1
            index += 1
            let start = index
            while index < bytes.count, let digit = number(index..<(index + 1)) {
                fraction += Double(digit) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if byte(index, is: "Z") && index + 1 == bytes.count {
            offset = 0
        } else if (byte(index, is: "+") || byte(index, is: "-")), index + 6 == bytes.count,
                  let hours = number((index + 1)..<(index + 3)), byte(index + 3, is: ":"), let minutes = number((index + 4)..<(index + 6)) {
            offset = (byte(index, is: "-") ? -1 : 1) * Int(hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        self.init(seconds: Double(timegm(&parts) - offset) + fraction)
    }
}
