import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OpsWorksLocal
import Testing

/// The emulator as a user's Swift test runs it: in-process, on a free port, stopped at the end.
/// Only the library product is imported, as a package that depends on opsworks-local would.
@Suite struct EmbeddedEmulatorTests {
    /// One API call, as any HTTP client sends it: the status and the JSON object that came back.
    func call(_ endpoint: String, _ operation: String, _ body: String) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: endpoint)!)
        request.httpMethod = "POST"
        request.setValue("OpsWorks_20130218.\(operation)", forHTTPHeaderField: "X-Amz-Target")
        request.setValue("application/x-amz-json-1.1", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    @Test func aTestStartsTheEmulatorCallsItAndStopsIt() async throws {
        let emulator = try OpsWorksLocalServer()
        emulator.start()
        defer { emulator.stop() }
        #expect(emulator.endpointURL == "http://127.0.0.1:\(emulator.port)" && emulator.port > 0)

        let (created, stack) = try await call(emulator.endpointURL, "CreateStack",
            #"{"Name":"embedded","Region":"us-east-1","ServiceRoleArn":"arn:aws:iam::000000000000:role/r","DefaultInstanceProfileArn":"arn:aws:iam::000000000000:instance-profile/p"}"#)
        let stackId = try #require(stack["StackId"] as? String)
        #expect(created == 200)
        let (status, described) = try await call(emulator.endpointURL, "DescribeStacks", #"{"StackIds":["\#(stackId)"]}"#)
        #expect(status == 200)
        #expect((described["Stacks"] as? [[String: Any]])?.first?["Name"] as? String == "embedded")
        let (missing, error) = try await call(emulator.endpointURL, "DescribeStacks", #"{"StackIds":["nope"]}"#)
        #expect(missing == 400 && error["__type"] as? String == "ResourceNotFoundException")
    }

    @Test func twoEmulatorsInOneProcessKeepTheirOwnState() async throws {
        let first = try OpsWorksLocalServer(), second = try OpsWorksLocalServer()
        first.start()
        second.start()
        defer { first.stop(); second.stop() }
        _ = try await call(first.endpointURL, "CreateStack",
            #"{"Name":"one","Region":"us-east-1","ServiceRoleArn":"arn:aws:iam::000000000000:role/r","DefaultInstanceProfileArn":"arn:aws:iam::000000000000:instance-profile/p"}"#)
        let (_, inSecond) = try await call(second.endpointURL, "DescribeStacks", "{}")
        #expect((inSecond["Stacks"] as? [Any])?.isEmpty == true)
    }

    @Test func aStoppedEmulatorNoLongerAnswers() async throws {
        let emulator = try OpsWorksLocalServer()
        emulator.start()
        let endpoint = emulator.endpointURL
        emulator.stop()
        emulator.stop()  // twice is harmless
        await #expect(throws: (any Error).self) { _ = try await call(endpoint, "DescribeStacks", "{}") }
    }

    @Test func aTakenPortIsAStartError() throws {
        let emulator = try OpsWorksLocalServer()
        defer { emulator.stop() }
        #expect(throws: OpsWorksLocalStartError.self) {
            _ = try OpsWorksLocalServer(OpsWorksLocalConfiguration(port: emulator.port))
        }
    }
}
