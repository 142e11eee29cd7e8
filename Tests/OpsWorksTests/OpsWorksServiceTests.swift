import Foundation
import Synchronization
import Testing
@testable import AWSJSON
@testable import OpsWorks
import SQLite

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let now = Mutex(Timestamp(seconds: 1_700_000_000))
    func read() -> Timestamp { now.withLock { $0 } }
    func advance(_ seconds: Double) { now.withLock { $0 = $0.adding(seconds) } }
}

/// Calls operations the way the AWS layer does, without a socket.
struct Harness {
    let service: OpsWorksService
    let operations: [String: AWSOperation]
    let clock: ManualClock
    let context = RequestContext(requestId: "test")

    static func make(path: String = ":memory:", durations: LifecycleDurations = LifecycleDurations()) throws -> Harness {
        let clock = ManualClock()
        let service = OpsWorksService(store: try Store(path: path), durations: durations, clock: { clock.read() })
        return Harness(service: service, operations: service.operations, clock: clock)
    }

    @discardableResult
    func call(_ operation: String, _ input: JSON) throws -> JSONObject {
        let validated = try ShapeValidator(model: .opsWorks).validate(input.objectValue ?? JSONObject(), shape: "\(operation)Request")
        // Through the wire form, as a client reads it.
        let output = try operations[operation]!(context, validated)
        return try #require(try JSONParser.parse(output.serialized()).objectValue)
    }

    func error(_ operation: String, _ input: JSON) -> AWSError? {
        do {
            try call(operation, input)
            return nil
        } catch {
            return error as? AWSError
        }
    }

    func stack(_ name: String = "demo") throws -> String {
        try call("CreateStack", ["Name": .string(name), "Region": "us-east-1", "ServiceRoleArn": "arn:aws:iam::000000000000:role/r", "DefaultInstanceProfileArn": "arn:aws:iam::000000000000:instance-profile/p"]).string("StackId")!
    }

    func layer(_ stack: String, _ shortname: String = "web") throws -> String {
        try call("CreateLayer", ["StackId": .string(stack), "Type": "custom", "Name": .string(shortname), "Shortname": .string(shortname)]).string("LayerId")!
    }

    func instance(_ stack: String, _ layer: String, start: Bool = true) throws -> String {
        let id = try call("CreateInstance", ["StackId": .string(stack), "LayerIds": [.string(layer)], "InstanceType": "t3.small"]).string("InstanceId")!
        if start { try call("StartInstance", ["InstanceId": .string(id)]) }
        return id
    }

    func app(_ stack: String) throws -> String {
        try call("CreateApp", ["StackId": .string(stack), "Name": "Shop", "Type": "php"]).string("AppId")!
    }
}

@Suite struct OpsWorksServiceTests {
    @Test func aDeploymentTargetsTheOnlineInstancesWithOneCommandEach() throws {
        let h = try Harness.make()
        let stack = try h.stack()
        let layer = try h.layer(stack)
        let online = try h.instance(stack, layer)
        _ = try h.instance(stack, layer, start: false)
        let app = try h.app(stack)
        let id = try h.call("CreateDeployment", ["StackId": .string(stack), "AppId": .string(app), "Command": ["Name": "deploy"]]).string("DeploymentId")!
        let deployment = try #require(h.call("DescribeDeployments", ["DeploymentIds": [.string(id)]])["Deployments"]?.arrayValue?.first?.objectValue)
        #expect(deployment.string("Status") == "successful")
        #expect(deployment.strings("InstanceIds") == [online])
        let commands = try #require(h.call("DescribeCommands", ["DeploymentId": .string(id)])["Commands"]?.arrayValue)
        #expect(commands.count == 1)
        #expect(commands.first?.objectValue?.string("Status") == "successful")
    }

    @Test func createDeploymentChecksExistenceOwnershipAndArguments() throws {
        let h = try Harness.make()
        let stack = try h.stack()
        let other = try h.stack("other")
        let otherLayer = try h.layer(other)
        #expect(h.error("CreateDeployment", ["StackId": "nope", "Command": ["Name": "configure"]]) == .notFound("stack", "nope"))
        #expect(h.error("CreateDeployment", ["StackId": .string(stack), "Command": ["Name": "deploy"]])?.code == .validation)
        #expect(h.error("CreateDeployment", ["StackId": .string(stack), "AppId": "a", "Command": ["Name": "deploy"]]) == .notFound("app", "a"))
        #expect(h.error("CreateDeployment", ["StackId": .string(stack), "LayerIds": [.string(otherLayer)], "Command": ["Name": "setup"]])?.code == .validation)
        #expect(h.error("CreateDeployment", ["StackId": .string(stack), "Command": ["Name": "execute_recipes", "Args": ["recipe": ["a"]]]])?.code == .validation)
        #expect(h.error("CreateDeployment", ["StackId": .string(stack), "Command": ["Name": "configure"], "CustomJson": "[]"])?.code == .validation)
        #expect(h.error("CreateDeployment", ["StackId": .string(stack), "Command": ["Name": "launch"]])?.code == .validation)
    }

    @Test func aDeploymentRunsForItsDurationOnTheClock() throws {
        let h = try Harness.make(durations: LifecycleDurations(instanceStepSeconds: 10, deploymentSeconds: 30))
        let stack = try h.stack()
        let layer = try h.layer(stack)
        let instance = try h.instance(stack, layer)
        func status() throws -> String? {
            try h.call("DescribeInstances", ["InstanceIds": [.string(instance)]])["Instances"]?.arrayValue?.first?.objectValue?.string("Status")
        }
        #expect(try status() == "requested")
        h.clock.advance(25)
        #expect(try status() == "booting")
        h.clock.advance(15)
        #expect(try status() == "online")
        let id = try h.call("CreateDeployment", ["StackId": .string(stack), "Command": ["Name": "configure"]]).string("DeploymentId")!
        func deployment() throws -> JSONObject? {
            try h.call("DescribeDeployments", ["DeploymentIds": [.string(id)]])["Deployments"]?.arrayValue?.first?.objectValue
        }
        #expect(try deployment()?.string("Status") == "running")
        #expect(try deployment()?["CompletedAt"] == nil)
        h.clock.advance(30)
        #expect(try deployment()?.string("Status") == "successful")
        #expect(try deployment()?["Duration"] == .int(30))
    }

    @Test func aRollbackPastTheKeptReleasesFailsAndLeavesTheAppAsItIs() throws {
        let h = try Harness.make()
        let stack = try h.stack()
        let app = try h.app(stack)
        let rollback: JSON = ["StackId": .string(stack), "AppId": .string(app), "Command": ["Name": "rollback"]]
        func status(_ deployment: JSONObject) throws -> String? {
            try h.call("DescribeDeployments", ["DeploymentIds": [deployment["DeploymentId"] ?? .null]])["Deployments"]?.arrayValue?.first?.objectValue?.string("Status")
        }
        #expect(try status(h.call("CreateDeployment", rollback)) == "failed")
        try h.call("UpdateApp", ["AppId": .string(app), "Name": "Shop 2"])
        #expect(try status(h.call("CreateDeployment", rollback)) == "successful")
        #expect(try h.call("DescribeApps", ["AppIds": [.string(app)]])["Apps"]?.arrayValue?.first?.objectValue?.string("Name") == "Shop 2")
    }

    @Test func namesAndQuotesAreStoredAsPlainText() throws {
        let h = try Harness.make()
        let name = "x'); DROP TABLE stacks; -- \"quoted\""
        let stack = try h.stack(name)
        #expect(try h.call("DescribeStacks", ["StackIds": [.string(stack)]])["Stacks"]?.arrayValue?.first?.objectValue?.string("Name") == name)
        #expect(h.error("DescribeStacks", ["StackIds": ["' OR 1=1 --"]]) == .notFound("stack", "' OR 1=1 --"))
    }

    @Test func fixturesLoadOnceAndSurviveReopeningTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("opsworks-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let fixtures = Array("""
            {"Stacks": [{"StackId": "s1", "Name": "demo", "Region": "us-east-1", "ServiceRoleArn": "arn:aws:iam::000000000000:role/r", "DefaultInstanceProfileArn": "arn:aws:iam::000000000000:instance-profile/p",
              "Layers": [{"LayerId": "l1", "Type": "custom", "Name": "Web", "Shortname": "web"}],
              "Apps": [{"AppId": "a1", "Name": "Shop", "Type": "php"}],
              "Instances": [{"InstanceId": "i1", "LayerIds": ["l1"], "InstanceType": "t3.small", "Status": "online"}]}]}
            """.utf8)
        do {
            let h = try Harness.make(path: path)
            #expect(try h.service.loadFixtures(fixtures, source: "f.json") == .init(created: 4, existing: 0))
            #expect(try h.service.loadFixtures(fixtures, source: "f.json") == .init(created: 0, existing: 4))
        }
        let reopened = try Harness.make(path: path)
        let instance = try reopened.call("DescribeInstances", ["InstanceIds": ["i1"]])["Instances"]?.arrayValue?.first?.objectValue
        #expect(instance?.string("Status") == "online" && instance?.string("Hostname") == "web1")
        #expect(try reopened.service.store.integrityCheck() == "ok")
    }

    @Test func aDatabaseFromTheFirstSchemaKeepsItsLifecyclesAfterMigrating() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("opsworks-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            // The first schema kept each lifecycle inside its document, under "_timeline".
            let old = try Database(path: path)
            try old.migrate(Array(Store.migrations.prefix(1)))
            let scope = "000000000000/us-east-1"
            try old.prepare("INSERT INTO stacks (scope, id, doc) VALUES (?, 's1', '{\"StackId\":\"s1\"}')").run([.text(scope)])
            try old.prepare("INSERT INTO instances (scope, id, stack_id, doc) VALUES (?, 'i1', 's1', ?)").run([.text(scope),
                .text(#"{"InstanceId":"i1","StackId":"s1","_timeline":[["online",1700000000.0]]}"#)])
        }
        let h = try Harness.make(path: path)
        let instance = try #require(h.call("DescribeInstances", ["InstanceIds": ["i1"]])["Instances"]?.arrayValue?.first?.objectValue)
        #expect(instance.string("Status") == "online")
        #expect(instance["_timeline"] == nil)
    }

    @Test func aTimelineRoundTripsThroughItsColumnText() {
        let timeline = Timeline(InstanceLifecycle.start, from: Timestamp(seconds: 1_700_000_000.25), stepSeconds: 1.5)
        #expect(timeline.text.hasPrefix("requested@1700000000250000|pending@1700000001750000|"))
        #expect(Timeline(text: timeline.text) == timeline)
        #expect(Timeline(text: "online@x") == nil && Timeline(text: "") == nil)
    }

    @Test func datesAreISO8601WithAnOffset() {
        #expect(Timestamp(seconds: 1_374_778_654.9).iso8601 == "2013-07-25T18:57:34+00:00")
        #expect(Timestamp(seconds: 946_684_799).iso8601 == "1999-12-31T23:59:59+00:00")
    }

    @Test func theStatusReadOffTheColumnTextIsTheTimelines() {
        let start = 1_700_000_000.25
        let timeline = Timeline(InstanceLifecycle.start, from: Timestamp(seconds: start), stepSeconds: 1.5)
        for offset in [-1.0, 0, 0.5, 1.5, 3, 4.4, 6, 100] {
            let time = Timestamp(seconds: start + offset)
            #expect(Timeline.status(ofText: timeline.text, at: time) == timeline.status(at: time))
        }
        #expect(Timeline.status(ofText: timeline.text, at: Timestamp(seconds: start + 6)) == "online")
        #expect(Timeline.status(ofText: "online@x", at: Timestamp(seconds: start)) == nil)
        #expect(Timeline.status(ofText: "", at: Timestamp(seconds: start)) == nil)
    }

    @Test func aFixtureWithoutIDsIsRefused() throws {
        let h = try Harness.make()
        #expect(throws: FixtureError.self) {
            try h.service.loadFixtures(Array(#"{"Stacks": [{"Name": "x"}]}"#.utf8), source: "f.json")
        }
    }
}
