import Foundation
import Testing

/// The built `opsworks-local` binary, run as a user runs it.
enum Binary {
    static var url: URL {
        if let path = ProcessInfo.processInfo.environment["OPSWORKS_LOCAL_BIN"] { return URL(fileURLWithPath: path) }
        // The test bundle sits in the same build folder as the executable.
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("opsworks-local")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/opsworks-local").standardized
    }

    /// Runs the binary to completion; returns its exit status and output.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr)
    }
}

/// A server started on a free port with an in-memory database, stopped with SIGTERM.
final class RunningServer {
    let process = Process()
    let port: Int

    init() throws {
        process.executableURL = Binary.url
        process.arguments = ["--port", "0", "--in-memory", "--log-level", "warning"]
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // The first line says where it listens: "... listening on http://127.0.0.1:PORT ...".
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(text[range].split(separator: ":").last ?? "") else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no ready line: \(text)"])
        }
        self.port = port
    }

    /// Sends raw bytes, reads until the server closes, returns the reply.
    func exchange(_ request: String) throws -> String {
        let descriptor = try connectLoopback(port: port, timeoutSeconds: 5)
        defer { close(descriptor) }
        sendAll(descriptor, request)
        var reply = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            reply += buffer[0..<count]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    func stop() -> Int32 {
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        return process.terminationStatus
    }
}

@Suite(.serialized) struct ServerBinaryTests {
    @Test func answersARawRequestOverTheWireAndStopsCleanly() throws {
        let server = try RunningServer()
        let body = #"{"Name":"demo","Region":"us-east-1","ServiceRoleArn":"arn:aws:iam::000000000000:role/r","DefaultInstanceProfileArn":"arn:aws:iam::000000000000:instance-profile/p"}"#
        let reply = try server.exchange("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: OpsWorks_20130218.CreateStack\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(reply.contains("x-amzn-RequestId: "))
        #expect(reply.contains(#"{"StackId":""#))
        let unknown = #"{"StackIds":["nope"]}"#
        let missing = try server.exchange("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: OpsWorks_20130218.DescribeStacks\r\nConnection: close\r\nContent-Length: \(unknown.utf8.count)\r\n\r\n\(unknown)")
        #expect(missing.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(missing.contains(#"{"__type":"ResourceNotFoundException","message":"Unable to find stack with ID nope"}"#))
        #expect(server.stop() == 0)
    }

    @Test func refusesAMalformedRequestAndKeepsServing() throws {
        let server = try RunningServer()
        defer { _ = server.stop() }
        let reply = try server.exchange("NOT HTTP\r\n\r\n")
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n") && reply.contains("Connection: close"))
        let health = try server.exchange("GET /_opsworks-local/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(health.hasPrefix("HTTP/1.1 200 OK") && health.contains(#""status":"ok""#))
    }

    @Test func helpListsTheOptionsAndABadFlagExits64() throws {
        let help = try Binary.run(["--help"])
        #expect(help.status == 0)
        for option in ["--host", "--port", "--db", "--in-memory", "--fixtures", "--log-level"] {
            #expect(help.stdout.contains(option))
        }
        let bad = try Binary.run(["--bogus"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--bogus"))
    }
}
