#if canImport(Glibc)
import Glibc
#endif

/// A random (version 4) UUID in the lowercase form AWS uses for IDs and request ids.
/// arc4random_buf (glibc's per-thread ChaCha20, seeded from the kernel) instead of a getrandom
/// system call for each one: the profile showed the kernel's random state in every request.
public func makeUUID() -> String {
    var words: (UInt64, UInt64) = (0, 0)
    withUnsafeMutableBytes(of: &words) { arc4random_buf($0.baseAddress!, $0.count) }
    let high = (words.0 & ~0xF000) | 0x4000  // version 4
    return format(high: high, low: words.1)
}

/// A time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix milliseconds, then 74 random bits.
/// The same 36-character form as a random one, and as opaque to clients, but IDs made later sort
/// later: a new row's key lands on the last page of its index instead of a random one, so a
/// commit writes a few hot pages to the WAL rather than one page per index per row.
public func makeTimeOrderedUUID() -> String {
    var words: (UInt64, UInt64) = (0, 0)
    withUnsafeMutableBytes(of: &words) { arc4random_buf($0.baseAddress!, $0.count) }
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let milliseconds = UInt64(now.tv_sec) &* 1000 &+ UInt64(now.tv_nsec / 1_000_000)
    let high = (milliseconds << 16) | 0x7000 | (words.0 & 0x0FFF)  // version 7
    return format(high: high, low: words.1)
}

private let hexDigits = Array("0123456789abcdef".utf8)

/// The 8-4-4-4-12 text of a UUID, with the RFC 9562 variant bits set in `low`.
private func format(high: UInt64, low: UInt64) -> String {
    let low = (low & ~(0xC << 60)) | (0x8 << 60)
    return String(unsafeUninitializedCapacity: 36) { buffer in
        var position = 0
        func append(_ word: UInt64, dashesAt dashes: (Int, Int)) {
            for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
                if index == dashes.0 || index == dashes.1 {
                    buffer[position] = UInt8(ascii: "-")
                    position += 1
                }
                buffer[position] = hexDigits[Int((word >> UInt64(shift)) & 0xF)]
                position += 1
            }
        }
        append(high, dashesAt: (8, 12))
        append(low, dashesAt: (0, 4))
        return position
    }
}
