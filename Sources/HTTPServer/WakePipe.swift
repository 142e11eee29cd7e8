#if canImport(Glibc)
import Glibc
#endif

/// A pipe that every waiting thread polls beside its socket: writing one byte (never read back)
/// makes it readable for good, so a stop wakes every connection at once instead of each one
/// polling a flag on a timer.
struct WakePipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var ends: [Int32] = [0, 0]
        try systemCall("pipe") { pipe(&ends) }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }
}
