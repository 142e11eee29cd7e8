import AWSJSON
import Synchronization

/// Fault rules a test sets through `/_opsworks-local/faults`: what should go wrong, for which
/// calls, how often. Two kinds:
///
/// - Request rules act at the AWS JSON edge, before the operation runs: answer an error
///   (`"status"`, `"type"`, `"message"`), wait first (`"latencyMs"`), or close the connection
///   without an answer (`"closeConnection": true`). They match an `"operation"` (or `"*"`) and
///   optionally an `"accessKey"`.
/// - Outcome rules decide how simulated work ends: `{"deployment": {...}, "outcome": "failed"}`
///   makes matching commands fail; `{"instanceStart": {...}, "outcome": "setup_failed"}` makes a
///   matching start end `setup_failed`, `start_failed` or `connection_lost`.
///
/// `"count": N` stops a rule after N hits; `"probability": p` hits a matching call with that
/// chance, drawn from a generator seeded with `--seed` when it is given.
public final class FaultInjector: Sendable {
    public struct RuleError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// What a request rule does to a call.
    public enum RequestFault: Sendable, Equatable {
        case error(status: Int, type: String, message: String)
        case latency(milliseconds: Int)
        case closeConnection
    }

    enum Match: Sendable {
        case request(operation: String, accessKey: String?, fault: RequestFault)
        case deployment(command: String?, appId: String?, instanceIds: [String]?)
        case instanceStart(instanceIds: [String]?, outcome: String)
    }

    struct Rule: Sendable {
        let id: String
        let match: Match
        var remaining: Int?
        let probability: Double?
        var hits = 0
        /// The rule as it was given, with its id, for GET.
        let definition: JSONObject
    }

    private let rules = Mutex<[Rule]>([])
    /// Read without the lock on every call: with no rules (the normal case) a call costs a load.
    private let active = Atomic<Bool>(false)
    private let random: IdentifierSource

    public init(random: IdentifierSource = IdentifierSource()) {
        self.random = random
    }

    static let startOutcomes: [String: [String]] = [
        "setup_failed": ["requested", "pending", "booting", "running_setup", "setup_failed"],
        "start_failed": ["requested", "pending", "start_failed"],
        "connection_lost": ["requested", "pending", "booting", "connection_lost"],
    ]

    // MARK: - The endpoint's side

    /// Adds the rule `definition` describes; returns it with the id it was given.
    public func add(_ definition: JSONObject) throws(RuleError) -> JSON {
        let match = try Self.parse(definition)
        let count = try Self.optionalNumber(definition, "count")
        if let count, count < 1 || count != count.rounded() { throw RuleError(description: "count must be a whole number, 1 or more, not \(count)") }
        let probability = try Self.optionalNumber(definition, "probability")
        if let probability, !(0...1).contains(probability) { throw RuleError(description: "probability must be between 0 and 1, not \(probability)") }
        let id = IdentifierSource.harness.uuid()
        var described = JSONObject([("id", .string(id))])
        for (key, value) in definition { described.append(key, value) }
        let rule = Rule(id: id, match: match, remaining: count.map { Int($0) }, probability: probability, definition: described)
        rules.withLock {
            $0.append(rule)
            active.store(true, ordering: .releasing)
        }
        return .object(described)
    }

    /// Every rule with how often it hit and how many hits it has left.
    public func list() -> JSON {
        .array(rules.withLock { rules in
            rules.map { rule in
                var described = rule.definition
                described["hits"] = .int(Int64(rule.hits))
                if let remaining = rule.remaining { described["remaining"] = .int(Int64(remaining)) }
                return .object(described)
            }
        })
    }

    /// Removes every rule; returns how many there were.
    @discardableResult
    public func removeAll() -> Int {
        rules.withLock { rules in
            let count = rules.count
            rules.removeAll()
            active.store(false, ordering: .releasing)
            return count
        }
    }

    // MARK: - Where faults strike

    /// The faults of the request rules that hit this call, in the order the rules were added.
    public func requestFaults(operation: String, accessKey: String) -> [RequestFault] {
        guard active.load(ordering: .acquiring) else { return [] }
        return hits { match in
            guard case .request(let ruleOperation, let ruleKey, let fault) = match,
                  ruleOperation == "*" || ruleOperation == operation,
                  ruleKey == nil || ruleKey == accessKey else { return nil }
            return fault
        }
    }

    /// Whether a command of this deployment on `instanceId` is to fail.
    func commandFails(command: String, appId: String?, instanceId: String) -> Bool {
        guard active.load(ordering: .acquiring) else { return false }
        return !hits { match -> Bool? in
            guard case .deployment(let ruleCommand, let ruleApp, let ruleInstances) = match,
                  ruleCommand == nil || ruleCommand == command,
                  ruleApp == nil || ruleApp == appId,
                  ruleInstances == nil || ruleInstances!.contains(instanceId) else { return nil }
            return true
        }.isEmpty
    }

    /// The statuses a start of `instanceId` walks through when a rule makes it fail.
    func failedStart(instanceId: String) -> [String]? {
        guard active.load(ordering: .acquiring) else { return nil }
        return hits { match -> [String]? in
            guard case .instanceStart(let ruleInstances, let outcome) = match,
                  ruleInstances == nil || ruleInstances!.contains(instanceId) else { return nil }
            return Self.startOutcomes[outcome]
        }.first
    }

    /// Applies every rule that `matches` a call: counts its hit, draws its probability, spends
    /// one of its hits; a rule with none left is removed.
    private func hits<T>(_ matches: (Match) -> T?) -> [T] {
        rules.withLock { rules in
            var results: [T] = []
            for index in rules.indices {
                guard let result = matches(rules[index].match) else { continue }
                if let probability = rules[index].probability, random.nextUnit() >= probability { continue }
                rules[index].hits += 1
                if let remaining = rules[index].remaining { rules[index].remaining = remaining - 1 }
                results.append(result)
            }
            rules.removeAll { $0.remaining == 0 }
            if rules.isEmpty { active.store(false, ordering: .releasing) }
            return results
        }
    }

    // MARK: - Reading a rule

    private static let requestKeys: Set<String> = ["operation", "accessKey", "status", "type", "message", "latencyMs", "closeConnection", "count", "probability"]
    private static let outcomeKeys: Set<String> = ["deployment", "instanceStart", "outcome", "count", "probability"]

    private static func parse(_ definition: JSONObject) throws(RuleError) -> Match {
        if definition["deployment"] != nil || definition["instanceStart"] != nil {
            try onlyKeys(definition, outcomeKeys, "an outcome rule")
            let outcome = try string(definition, "outcome")
            if let deployment = definition["deployment"] {
                guard definition["instanceStart"] == nil else { throw RuleError(description: "a rule has deployment or instanceStart, not both") }
                guard let filter = deployment.objectValue else { throw RuleError(description: "deployment must be an object such as {\"command\": \"deploy\"}") }
                try onlyKeys(filter, ["command", "appId", "instanceIds"], "deployment")
                guard outcome == "failed" else { throw RuleError(description: "a deployment rule's outcome is failed, not \(outcome ?? "missing")") }
                return .deployment(command: try string(filter, "command"), appId: try string(filter, "appId"), instanceIds: try strings(filter, "instanceIds"))
            }
            guard let filter = definition["instanceStart"]?.objectValue else { throw RuleError(description: "instanceStart must be an object such as {\"instanceIds\": [\"...\"]}") }
            try onlyKeys(filter, ["instanceIds"], "instanceStart")
            guard let outcome, startOutcomes[outcome] != nil else {
                throw RuleError(description: "an instanceStart rule's outcome is one of \(startOutcomes.keys.sorted().joined(separator: ", ")), not \(outcome ?? "missing")")
            }
            return .instanceStart(instanceIds: try strings(filter, "instanceIds"), outcome: outcome)
        }
        try onlyKeys(definition, requestKeys, "a request rule")
        guard let operation = try string(definition, "operation") else {
            throw RuleError(description: "a request rule needs an operation (an OpsWorks operation name, or \"*\"), or the rule needs deployment or instanceStart")
        }
        guard operation == "*" || ServiceModel.opsWorks.operations[operation] != nil else {
            throw RuleError(description: "\(operation) is not an OpsWorks operation")
        }
        let accessKey = try string(definition, "accessKey")
        var faults: [RequestFault] = []
        if let status = try optionalNumber(definition, "status") {
            guard (400...599).contains(status), status == status.rounded() else { throw RuleError(description: "status must be an HTTP error status, 400 to 599, not \(status)") }
            guard let type = try string(definition, "type"), !type.isEmpty else {
                throw RuleError(description: "an error rule needs a type, the AWS error code, such as ThrottlingException")
            }
            faults.append(.error(status: Int(status), type: type, message: try string(definition, "message") ?? "Injected by opsworks-local"))
        } else if definition["type"] != nil || definition["message"] != nil {
            throw RuleError(description: "an error rule needs a status (400 to 599) beside its type and message")
        }
        if let latency = try optionalNumber(definition, "latencyMs") {
            guard (0...60_000).contains(latency) else { throw RuleError(description: "latencyMs must be between 0 and 60000, not \(latency)") }
            faults.append(.latency(milliseconds: Int(latency)))
        }
        if let close = definition["closeConnection"] {
            guard close == .bool(true) else { throw RuleError(description: "closeConnection takes true") }
            faults.append(.closeConnection)
        }
        guard faults.count == 1, let fault = faults.first else {
            throw RuleError(description: "a request rule does one thing: an error (status, type, message), latencyMs or closeConnection")
        }
        return .request(operation: operation, accessKey: accessKey, fault: fault)
    }

    private static func onlyKeys(_ object: JSONObject, _ allowed: Set<String>, _ what: String) throws(RuleError) {
        for key in object.keys where !allowed.contains(key) {
            throw RuleError(description: "unknown key \(key) in \(what) (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private static func string(_ object: JSONObject, _ key: String) throws(RuleError) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value.stringValue else { throw RuleError(description: "\(key) must be a string, not \(value.typeName)") }
        return text
    }

    private static func strings(_ object: JSONObject, _ key: String) throws(RuleError) -> [String]? {
        guard let value = object[key] else { return nil }
        guard let list = value.stringArray else { throw RuleError(description: "\(key) must be a list of strings") }
        return list
    }

    private static func optionalNumber(_ object: JSONObject, _ key: String) throws(RuleError) -> Double? {
        switch object[key] {
        case nil: return nil
        case .int(let value)?: return Double(value)
        case .double(let value)?: return value
        case let value?: throw RuleError(description: "\(key) must be a number, not \(value.typeName)")
        }
    }
}
