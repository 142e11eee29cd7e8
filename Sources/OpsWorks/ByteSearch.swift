#if canImport(Glibc)
import Glibc
#endif

extension Array where Element == UInt8 {
    /// Where `needle` first occurs: memchr to each candidate first byte, memcmp for the rest. The
    /// generic `firstRange(of:)` was most of a DescribeApps and a DescribeInstances call in the
    /// sweep (bench/sweep.py), reading stored documents without decoding them.
    func range(of needle: [UInt8]) -> Range<Int>? {
        guard let first = needle.first, needle.count <= count else { return nil }
        return withUnsafeBytes { haystack -> Range<Int>? in
            needle.withUnsafeBytes { pattern -> Range<Int>? in
                let base = haystack.baseAddress!
                var start = 0
                while start + pattern.count <= haystack.count {
                    guard let hit = memchr(base + start, Int32(first), haystack.count - start - pattern.count + 1) else { return nil }
                    let offset = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + offset, pattern.baseAddress!, pattern.count) == 0 { return offset..<(offset + pattern.count) }
                    start = offset + 1
                }
                return nil
            }
        }
    }
}
