import Foundation
import HTTPServer
import Logging
import OpsWorks
import OpsWorksLocal
import Testing

/// The server and the domain in this process, so that `swift test --sanitize=thread` watches
/// every thread that serves requests: many clients at once, one shared store.
@Suite struct InProcessServerTests {
    @Test func concurrentClientsGetExactAnswersFromOneServer() throws {
        let service = OpsWorksService(store: try Store(path: ":memory:"))
        let server = try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0),
            handler: OpsWorksLocalHandler(service: service, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        let runner = Thread { server.run() }
        runner.start()
        defer { server.stop() }

        let clients = 8, rounds = 10
        let stackBody = #"{"Name":"s","Region":"us-east-1","ServiceRoleArn":"arn:aws:iam::000000000000:role/r","DefaultInstanceProfileArn":"arn:aws:iam::000000000000:instance-profile/p"}"#
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: clients) { _ in
            do {
                let connection = try RawConnection(port: server.port)
                for _ in 0..<rounds {
                    let created = try connection.call("CreateStack", stackBody)
                    guard created.hasPrefix("HTTP/1.1 200"), let range = created.range(of: #""StackId":""#) else { failures.add(); continue }
                    let id = created[range.upperBound...].prefix(36)
                    let deployed = try connection.call("CreateDeployment", #"{"StackId":"\#(id)","Command":{"Name":"configure"}}"#)
                    let described = try connection.call("DescribeStacks", #"{"StackIds":["\#(id)"]}"#)
                    if !deployed.hasPrefix("HTTP/1.1 200") || !described.contains(String(id)) { failures.add() }
                }
            } catch {
                failures.add()
            }
        }
        #expect(failures.value == 0)
        let connection = try RawConnection(port: server.port)
        let all = try connection.call("DescribeStacks", "{}")
        #expect(all.components(separatedBy: #""StackId""#).count - 1 == clients * rounds)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// A keep-alive connection that sends one request and reads one Content-Length framed response.
final class RawConnection {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = try connectLoopback(port: port)
    }

    deinit { close(descriptor) }

    func call(_ operation: String, _ body: String) throws -> String {
        let request = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: OpsWorks_20130218.\(operation)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        sendAll(descriptor, request)
        var reply = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let text = String(decoding: reply, as: UTF8.self)
            if let headEnd = text.range(of: "\r\n\r\n"),
               let lengthLine = text[..<headEnd.lowerBound].split(separator: "\r\n").first(where: { $0.hasPrefix("Content-Length: ") }),
               let length = Int(lengthLine.dropFirst("Content-Length: ".count)),
               reply.count >= text[..<headEnd.upperBound].utf8.count + length {
                return text
            }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { throw POSIXError(.ECONNRESET) }
            reply += buffer[0..<count]
        }
    }
}
