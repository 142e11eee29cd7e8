import Foundation
import AWSJSON
import FuzzSupport
import HTTPServer
import Logging
import OpsWorks
import OpsWorksLocal

/// One in-memory emulator for the whole fuzzing run, as a server keeps one for its life.
private let handler: OpsWorksLocalHandler = {
    let store = try! Store(path: ":memory:")
    return OpsWorksLocalHandler(service: OpsWorksService(store: store), logger: Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() })
}()

/// libFuzzer entry: bytes -> HTTP -> AWS JSON -> operation on an in-memory store -> response.
/// Every answer must be a well-formed AWS response: a known status and a JSON object body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestPath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))[...]
    for _ in 0..<16 {
        let response: HTTPResponse
        switch HTTPParser.parse(bytes) {
        case .incomplete:
            return 0
        case .failed(let error):
            response = handler.response(for: error)
            check(response)
            return 0
        case .complete(let request, let consumed):
            response = handler.handle(request)
            bytes = bytes.dropFirst(consumed)
        }
        check(response)
    }
    return 0
}

private func check(_ response: HTTPResponse) {
    precondition([200, 400, 403, 404, 405, 408, 413, 431, 500, 501, 503, 505].contains(response.status.code), "status \(response.status.code)")
    guard case .object(let body)? = try? JSONParser.parse(response.body) else {
        preconditionFailure("the body is not a JSON object: \(String(decoding: response.body, as: UTF8.self))")
    }
    if response.status.code >= 400 {
        precondition(body.string("__type") != nil && body.string("message") != nil, "an error without __type/message")
    }
    // A server fault here means an input reached a path that should have been a client error.
    precondition(response.status.code != 500, "500 for a client's input: \(String(decoding: response.body, as: UTF8.self))")
}

#if FUZZING
@main
struct RequestPathFuzzer {
    static func main() {
        exit(runLibFuzzer(fuzzRequestPath))
    }
}
#else
/// Without libFuzzer this replays inputs given as files or folders: `swift test` runs the corpus.
@main
struct RequestPathReplay {
    static func main() {
        replay(CommandLine.arguments.dropFirst(), through: fuzzRequestPath)
    }
}
#endif
