#if canImport(Glibc)
import Glibc
#endif

/// A random (version 4) UUID in the lowercase form AWS uses for IDs and request ids.
/// arc4random_buf (glibc's per-thread ChaCha20, seeded from the kernel) instead of a getrandom
/// system call for each one: the profile showed the kernel's random state in every request.
public func makeUUID() -> String {
    var words: (UInt64, UInt64) = (0, 0)
    withUnsafeMutableBytes(of: &words) { arc4random_buf($0.baseAddress!, $0.count) }
    var high = words.0
    var low = words.1
    high = (high & ~0xF000) | 0x4000  // version 4
    low = (low & ~(0xC << 60)) | (0x8 << 60)  // RFC 4122 variant
    let hex = Array("0123456789abcdef".utf8)
    var bytes = [UInt8]()
    bytes.reserveCapacity(36)
    for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
        if index == 8 || index == 12 { bytes.append(UInt8(ascii: "-")) }
        bytes.append(hex[Int((high >> UInt64(shift)) & 0xF)])
    }
    for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
        if index == 0 || index == 4 { bytes.append(UInt8(ascii: "-")) }
        bytes.append(hex[Int((low >> UInt64(shift)) & 0xF)])
    }
    return String(decoding: bytes, as: UTF8.self)
}
