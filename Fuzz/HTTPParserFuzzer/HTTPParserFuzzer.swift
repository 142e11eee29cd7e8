import Foundation
import FuzzSupport
import HTTPServer

/// libFuzzer entry: arbitrary bytes through the HTTP/1.1 parser, which must never crash, must
/// consume only bytes it was given, and must make progress on every complete request.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))[...]
    let limits = HTTPLimits(maxHeaderBytes: 4096, maxBodyBytes: 65536)
    // Bounded: each round consumes at least one byte or stops.
    for _ in 0..<64 {
        guard case .complete(let request, let consumed) = HTTPParser.parse(bytes, limits: limits) else { break }
        precondition(consumed > 0 && consumed <= bytes.count, "consumed \(consumed) of \(bytes.count)")
        precondition(request.body.count <= limits.maxBodyBytes)
        _ = request.keepAlive
        bytes = bytes.dropFirst(consumed)
    }
    return 0
}

#if FUZZING
@main
struct HTTPParserFuzzer {
    static func main() {
        exit(runLibFuzzer(fuzzHTTPParser))
    }
}
#else
/// Without libFuzzer this replays inputs given as files or folders: `swift test` runs the corpus.
@main
struct HTTPParserReplay {
    static func main() {
        replay(CommandLine.arguments.dropFirst(), through: fuzzHTTPParser)
    }
}
#endif
