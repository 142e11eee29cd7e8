#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The random bits of IDs: SplitMix64 over one shared counter, seeded from the kernel once.
/// glibc's arc4random_buf is a getrandom system call each time (the profile showed the kernel's
/// random state in every request, three times inside the write batch of a deployment); this is
/// a fetch-add and a few multiplies, and as the mix is a bijection of the counter, no two draws
/// of the process are equal. IDs need to be unique and unguessable enough for a local emulator,
/// not secret.
private enum RandomBits {
    static let seed: UInt64 = {
        var seed: UInt64 = 0
        withUnsafeMutableBytes(of: &seed) { arc4random_buf($0.baseAddress!, $0.count) }
        return seed
    }()
    static let counter = Atomic<UInt64>(0)

    static func next() -> UInt64 {
        let step: UInt64 = 0x9E37_79B9_7F4A_7C15
        var z = seed &+ counter.wrappingAdd(1, ordering: .relaxed).newValue &* step
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random (version 4) UUID in the lowercase form AWS uses for IDs and request ids.
public func makeUUID() -> String {
    let high = (RandomBits.next() & ~0xF000) | 0x4000  // version 4
    return format(high: high, low: RandomBits.next())
}

/// A time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix milliseconds, then 74 random bits.
/// The same 36-character form as a random one, and as opaque to clients, but IDs made later sort
/// later: a new row's key lands on the last page of its index instead of a random one, so a
/// commit writes a few hot pages to the WAL rather than one page per index per row.
public func makeTimeOrderedUUID() -> String {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let milliseconds = UInt64(now.tv_sec) &* 1000 &+ UInt64(now.tv_nsec / 1_000_000)
    let high = (milliseconds << 16) | 0x7000 | (RandomBits.next() & 0x0FFF)  // version 7
    return format(high: high, low: RandomBits.next())
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
