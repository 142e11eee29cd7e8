#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The random bits of IDs: SplitMix64 over a shared counter. glibc's arc4random_buf is a
/// getrandom system call each time (the profile showed the kernel's random state in every
/// request, three times inside the write batch of a deployment); this is a fetch-add and a few
/// multiplies, and as the mix is a bijection of the counter, no two draws of one seed are equal.
/// IDs need to be unique and unguessable enough for a local emulator, not secret.
///
/// The seed comes from the kernel, unless `--seed` fixed it: then the same calls on a fresh state
/// draw the same IDs, for tests that compare whole responses with snapshots.
public final class IdentifierSource: Sendable {
    /// The IDs of resources and the request IDs of the API.
    public static let shared = IdentifierSource()
    /// The emulator's own endpoints (health polls, resets): never seeded, so that how often a
    /// harness polls does not shift the IDs a seeded test sees.
    public static let harness = IdentifierSource()

    // Atomics rather than a lock: every request draws several times, from every connection.
    private let seed: Atomic<UInt64>
    private let seeded = Atomic<Bool>(false)
    private let counter = Atomic<UInt64>(0)

    public init() {
        var seed: UInt64 = 0
        withUnsafeMutableBytes(of: &seed) { arc4random_buf($0.baseAddress!, $0.count) }
        self.seed = Atomic(seed)
    }

    /// Draws from `seed` from now on, starting the sequence again; a reset of a seeded emulator
    /// calls it so that a fresh state gets the IDs the first run got.
    public func reseed(_ seed: UInt64) {
        self.seed.store(seed, ordering: .sequentiallyConsistent)
        counter.store(0, ordering: .sequentiallyConsistent)
        seeded.store(true, ordering: .sequentiallyConsistent)
    }

    /// Whether `--seed` fixed the sequence (time-ordered IDs then leave the clock out).
    public var isSeeded: Bool { seeded.load(ordering: .relaxed) }

    func next() -> UInt64 {
        let seed = self.seed.load(ordering: .relaxed)
        let step: UInt64 = 0x9E37_79B9_7F4A_7C15
        var z = seed &+ counter.wrappingAdd(1, ordering: .relaxed).newValue &* step
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in [0, 1) from the same sequence (fault rules with a probability draw it).
    public func nextUnit() -> Double {
        Double(next() >> 11) / Double(UInt64(1) << 53)
    }

    /// A random (version 4) UUID in the lowercase form AWS uses for IDs and request ids.
    public func uuid() -> String {
        let high = (next() & ~0xF000) | 0x4000  // version 4
        return format(high: high, low: next())
    }

    /// A time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix milliseconds, then 74 random
    /// bits. The same 36-character form as a random one, and as opaque to clients, but IDs made
    /// later sort later: a new row's key lands on the last page of its index instead of a random
    /// one, so a commit writes a few hot pages to the WAL rather than one page per index per row.
    /// Seeded, it is a random one: the wall clock would make every run's IDs differ.
    public func timeOrderedUUID() -> String {
        if isSeeded { return uuid() }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let milliseconds = UInt64(now.tv_sec) &* 1000 &+ UInt64(now.tv_nsec / 1_000_000)
        let high = (milliseconds << 16) | 0x7000 | (next() & 0x0FFF)  // version 7
        return format(high: high, low: next())
    }
}

/// A random UUID from the shared source.
public func makeUUID() -> String { IdentifierSource.shared.uuid() }

/// A time-ordered UUID from the shared source.
public func makeTimeOrderedUUID() -> String { IdentifierSource.shared.timeOrderedUUID() }

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
