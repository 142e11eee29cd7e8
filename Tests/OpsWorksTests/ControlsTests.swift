import Testing
@testable import AWSJSON
@testable import OpsWorks

/// A rule as the endpoint receives it.
private func rule(_ json: JSON) -> JSONObject { json.objectValue ?? JSONObject() }

@Suite struct ControlsTests {
    @Test func iso8601TimesParseWithOffsetsAndFractionsAndRefuseTheRest() {
        #expect(Timestamp(iso8601: "2026-01-01T00:00:00Z")?.seconds == 1_767_225_600)
        #expect(Timestamp(iso8601: "2026-01-01T02:00:00+02:00")?.seconds == 1_767_225_600)
        #expect(Timestamp(iso8601: "2026-01-01T00:00:00.5Z")?.seconds == 1_767_225_600.5)
        #expect(Timestamp(iso8601: "2026-01-01T00:00:00+00:00")?.iso8601 == "2026-01-01T00:00:00+00:00")
        for bad in ["", "2026-01-01", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00Zjunk", "tomorrow"] {
            #expect(Timestamp(iso8601: bad) == nil, "\(bad)")
        }
    }

    @Test func aManualClockMovesOnlyWhenTold() throws {
        let clock = SimulatedClock(.manual)
        #expect(clock.now() == SimulatedClock.manualStart)
        #expect(try clock.advance(seconds: 30) == SimulatedClock.manualStart.adding(30))
        #expect(throws: ClockError.self) { try clock.advance(seconds: -1) }
        #expect(throws: ClockError.self) { try SimulatedClock(.system).advance(seconds: 1) }
    }

    @Test func aSeededSourceDrawsTheSameIdsAgainAfterAReseed() {
        let source = IdentifierSource()
        source.reseed(42)
        let first = (0..<5).map { _ in source.timeOrderedUUID() }
        source.reseed(42)
        #expect((0..<5).map { _ in source.timeOrderedUUID() } == first)
        source.reseed(43)
        #expect(source.uuid() != first[0])
        #expect(Set(first).count == 5 && first.allSatisfy { $0.count == 36 && Array($0)[14] == "4" })
    }

    @Test func countedRulesStrikeThatOftenAndThenGo() throws {
        let faults = FaultInjector()
        _ = try faults.add(rule(["operation": "DescribeStacks", "status": 400, "type": "ThrottlingException", "count": 2]))
        #expect(faults.requestFaults(operation: "DescribeLayers", accessKey: "k").isEmpty)
        #expect(faults.requestFaults(operation: "DescribeStacks", accessKey: "k") == [.error(status: 400, type: "ThrottlingException", message: "Injected by opsworks-local")])
        #expect(faults.requestFaults(operation: "DescribeStacks", accessKey: "k").count == 1)
        #expect(faults.requestFaults(operation: "DescribeStacks", accessKey: "k").isEmpty)
        #expect(faults.list() == .array([]))
    }

    @Test func outcomeRulesPickTheirInstances() throws {
        let faults = FaultInjector()
        _ = try faults.add(rule(["deployment": ["command": "deploy", "instanceIds": ["i-1"]], "outcome": "failed"]))
        _ = try faults.add(rule(["instanceStart": ["instanceIds": ["i-2"]], "outcome": "start_failed"]))
        #expect(faults.commandFails(command: "deploy", appId: nil, instanceId: "i-1"))
        #expect(!faults.commandFails(command: "deploy", appId: nil, instanceId: "i-2"))
        #expect(!faults.commandFails(command: "setup", appId: nil, instanceId: "i-1"))
        #expect(faults.failedStart(instanceId: "i-2")?.last == "start_failed")
        #expect(faults.failedStart(instanceId: "i-1") == nil)
        #expect(throws: FaultInjector.RuleError.self) { try faults.add(rule(["operation": "*", "latencyMs": 1, "closeConnection": true])) }
    }
}
