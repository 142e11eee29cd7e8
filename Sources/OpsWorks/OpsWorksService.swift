import AWSJSON

/// How long the simulated lifecycles take. Zero (the default) finishes every transition at once,
/// so a botocore waiter passes on its first poll.
public struct LifecycleDurations: Sendable {
    /// Seconds between two instance statuses (requested -> pending -> ... -> online).
    public var instanceStepSeconds: Double
    /// Seconds a deployment stays `running` (and its commands `pending`).
    public var deploymentSeconds: Double

    public init(instanceStepSeconds: Double = 0, deploymentSeconds: Double = 0) {
        self.instanceStepSeconds = instanceStepSeconds
        self.deploymentSeconds = deploymentSeconds
    }
}

/// A status a resource enters at a later time, decided by a write now (an instance's next
/// lifecycle step, a deployment's end): the event stream announces it when the clock gets there.
public struct ScheduledStatus: Sendable {
    public let account: String
    public let region: String
    /// `stack`, `instance`, `deployment`, `command`.
    public let kind: String
    public let id: String
    public let status: String
    public let at: Timestamp
}

/// The OpsWorks Stacks domain: every implemented operation, over the SQLite store.
/// Operations know nothing of sockets or HTTP; they take validated input and return output.
public final class OpsWorksService: Sendable {
    let store: Store
    let durations: LifecycleDurations
    let clock: @Sendable () -> Timestamp
    /// The outcome rules of `/_opsworks-local/faults` (failed commands, failed starts).
    public let faults: FaultInjector
    /// Told of every status a resource will enter later than the write that decided it.
    let transitions: (@Sendable ([ScheduledStatus]) -> Void)?

    /// Where the state is kept (the file's path, or `:memory:`).
    public var databasePath: String { store.path }

    public init(
        store: Store, durations: LifecycleDurations = LifecycleDurations(),
        clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() },
        faults: FaultInjector = FaultInjector(),
        transitions: (@Sendable ([ScheduledStatus]) -> Void)? = nil
    ) {
        self.store = store
        self.durations = durations
        self.clock = clock
        self.faults = faults
        self.transitions = transitions
    }

    /// Reports the steps of `timeline` after `now` (none when the lifecycle is instant).
    func schedule(_ scope: Scope, _ kind: ResourceKind, _ id: String, _ timeline: Timeline, after now: Timestamp) {
        guard let transitions, timeline.end > now else { return }
        transitions(timeline.steps.filter { $0.at > now }.map {
            ScheduledStatus(account: scope.account, region: scope.region, kind: kind.rawValue, id: id, status: $0.status, at: $0.at)
        })
    }

    /// Every operation of the model, by name.
    public var operations: [String: AWSOperation] {
        [
            "CreateStack": { [self] in try createStack(Scope($0), $1) },
            "DescribeStacks": { [self] in try describeStacks(Scope($0), $1) },
            "CreateLayer": { [self] in try createLayer(Scope($0), $1) },
            "DescribeLayers": { [self] in try describeLayers(Scope($0), $1) },
            "CreateApp": { [self] in try createApp(Scope($0), $1) },
            "DescribeApps": { [self] in try describeApps(Scope($0), $1) },
            "UpdateApp": { [self] in try updateApp(Scope($0), $1) },
            "CreateInstance": { [self] in try createInstance(Scope($0), $1) },
            "DescribeInstances": { [self] in try describeInstances(Scope($0), $1) },
            "StartInstance": { [self] in try startInstance(Scope($0), $1) },
            "StopInstance": { [self] in try stopInstance(Scope($0), $1) },
            "CreateDeployment": { [self] in try createDeployment(Scope($0), $1) },
            "DescribeDeployments": { [self] in try describeDeployments(Scope($0), $1) },
            "DescribeCommands": { [self] in try describeCommands(Scope($0), $1, host: $0.host) },
            "TagResource": { [self] in try tagResource(Scope($0), $1) },
            "UntagResource": { [self] in try untagResource(Scope($0), $1) },
            "ListTags": { [self] in try listTags(Scope($0), $1) },
            "AttachElasticLoadBalancer": { [self] in try attachElasticLoadBalancer(Scope($0), $1) },
            "DetachElasticLoadBalancer": { [self] in try detachElasticLoadBalancer(Scope($0), $1) },
            "DescribeElasticLoadBalancers": { [self] in try describeElasticLoadBalancers(Scope($0), $1) },
            "DescribeLoadBasedAutoScaling": { [self] in try describeLoadBasedAutoScaling(Scope($0), $1) },
            "SetLoadBasedAutoScaling": { [self] in try setLoadBasedAutoScaling(Scope($0), $1) },
            "UpdateStack": { [self] in try updateStack(Scope($0), $1) },
            "UpdateLayer": { [self] in try updateLayer(Scope($0), $1) },
            "UpdateInstance": { [self] in try updateInstance(Scope($0), $1) },
            "StartStack": { [self] in try startStack(Scope($0), $1) },
            "StopStack": { [self] in try stopStack(Scope($0), $1) },
            "RebootInstance": { [self] in try rebootInstance(Scope($0), $1) },
            "SetTimeBasedAutoScaling": { [self] in try setTimeBasedAutoScaling(Scope($0), $1) },
            "DescribeTimeBasedAutoScaling": { [self] in try describeTimeBasedAutoScaling(Scope($0), $1) },
            "CloneStack": { [self] in try cloneStack(Scope($0), $1) },
            "DescribeStackSummary": { [self] in try describeStackSummary(Scope($0), $1) },
            "DescribeStackProvisioningParameters": { [self] in try describeStackProvisioningParameters(Scope($0), $1) },
            "GetHostnameSuggestion": { [self] in try getHostnameSuggestion(Scope($0), $1) },
            "DescribeAgentVersions": { [self] in try describeAgentVersions(Scope($0), $1) },
            "DescribeOperatingSystems": { [self] in try describeOperatingSystems(Scope($0), $1) },
            "DescribeServiceErrors": { [self] in try describeServiceErrors(Scope($0), $1) },
            "DescribeRaidArrays": { [self] in try describeRaidArrays(Scope($0), $1) },
            "DeleteStack": { [self] in try deleteStack(Scope($0), $1) },
            "DeleteLayer": { [self] in try deleteLayer(Scope($0), $1) },
            "DeleteApp": { [self] in try deleteApp(Scope($0), $1) },
            "DeleteInstance": { [self] in try deleteInstance(Scope($0), $1) },
            "CreateUserProfile": { [self] in try createUserProfile(Scope($0), $1) },
            "UpdateUserProfile": { [self] in try updateUserProfile(Scope($0), $1) },
            "DeleteUserProfile": { [self] in try deleteUserProfile(Scope($0), $1) },
            "DescribeUserProfiles": { [self] in try describeUserProfiles(Scope($0), $1) },
            "DescribeMyUserProfile": { [self] in try describeMyUserProfile(Scope($0), $1) },
            "UpdateMyUserProfile": { [self] in try updateMyUserProfile(Scope($0), $1) },
            "SetPermission": { [self] in try setPermission(Scope($0), $1) },
            "DescribePermissions": { [self] in try describePermissions(Scope($0), $1) },
            "GrantAccess": { [self] in try grantAccess(Scope($0), $1) },
            "RegisterElasticIp": { [self] in try registerElasticIp(Scope($0), $1) },
            "DeregisterElasticIp": { [self] in try deregisterElasticIp(Scope($0), $1) },
            "AssociateElasticIp": { [self] in try associateElasticIp(Scope($0), $1) },
            "DisassociateElasticIp": { [self] in try disassociateElasticIp(Scope($0), $1) },
            "UpdateElasticIp": { [self] in try updateElasticIp(Scope($0), $1) },
            "DescribeElasticIps": { [self] in try describeElasticIps(Scope($0), $1) },
            "RegisterVolume": { [self] in try registerVolume(Scope($0), $1) },
            "DeregisterVolume": { [self] in try deregisterVolume(Scope($0), $1) },
            "AssignVolume": { [self] in try assignVolume(Scope($0), $1) },
            "UnassignVolume": { [self] in try unassignVolume(Scope($0), $1) },
            "UpdateVolume": { [self] in try updateVolume(Scope($0), $1) },
            "DescribeVolumes": { [self] in try describeVolumes(Scope($0), $1) },
            "RegisterRdsDbInstance": { [self] in try registerRdsDbInstance(Scope($0), $1) },
            "DeregisterRdsDbInstance": { [self] in try deregisterRdsDbInstance(Scope($0), $1) },
            "UpdateRdsDbInstance": { [self] in try updateRdsDbInstance(Scope($0), $1) },
            "DescribeRdsDbInstances": { [self] in try describeRdsDbInstances(Scope($0), $1) },
            "RegisterEcsCluster": { [self] in try registerEcsCluster(Scope($0), $1) },
            "DeregisterEcsCluster": { [self] in try deregisterEcsCluster(Scope($0), $1) },
            "DescribeEcsClusters": { [self] in try describeEcsClusters(Scope($0), $1) },
            "RegisterInstance": { [self] in try registerInstance(Scope($0), $1) },
            "DeregisterInstance": { [self] in try deregisterInstance(Scope($0), $1) },
            "AssignInstance": { [self] in try assignInstance(Scope($0), $1) },
            "UnassignInstance": { [self] in try unassignInstance(Scope($0), $1) },
        ]
    }

    /// The AWS JSON service over these operations and the OpsWorks model.
    public func awsService(verifier: SignatureVerifier? = nil, hooks: AWSJSONHooks = AWSJSONHooks(), logger: Logger) -> AWSJSONService {
        AWSJSONService(model: .opsWorks, operations: operations, verifier: verifier, hooks: hooks, logger: logger)
    }
}

import Logging

// MARK: - Shared shapes of the operations

extension OpsWorksService {
    /// `arn:aws:opsworks:<region>:<account>:<kind>/<id>` (stacks end with a slash, as AWS's do).
    /// The region is the stack's `Region`, which at the us-east-1 endpoint may be another one
    /// (fidelity audit, finding 5): Terraform builds a stack's ARN from it.
    static func arn(_ scope: Scope, _ kind: ResourceKind, _ id: String, stackRegion: String) -> String {
        "arn:aws:opsworks:\(stackRegion):\(scope.account):\(kind.rawValue)/\(id)\(kind == .stack ? "/" : "")"
    }

    /// The one identifying member a Describe call was given. The real service takes exactly one
    /// (an empty ID list counts as none); anything else is a ValidationException.
    static func identifyingMember(_ input: JSONObject, _ names: [String], refusal: String? = nil) throws -> (name: String, value: JSON) {
        let given = names.compactMap { name -> (name: String, value: JSON)? in
            guard let value = input[name] else { return nil }
            if case .array(let items) = value, items.isEmpty { return nil }
            return (name, value)
        }
        guard given.count == 1, let only = given.first else {
            let list = names.dropLast().joined(separator: ", ") + " or " + names.last!
            throw AWSError.validation(refusal ?? "Please provide exactly one of \(list).")
        }
        return only
    }

    /// The service's own words where a Describe call named none or several of its identifying
    /// members (fidelity audit §2: a real DescribeLayers answer, and moto's copies of the others).
    static let identifyingRefusals: [ResourceKind: String] = [
        .layer: "Please provide one or more layer IDs or a stack ID",
        .app: "Please provide one or more app IDs or a stack ID",
        .instance: "Please provide either one or more instance IDs or one stack ID or one layer ID",
    ]

    /// A parent a Describe call can name instead of IDs: it lists that parent's resources.
    struct ParentFilter {
        let member: String
        let kind: ResourceKind
        let list: (Records, String) throws -> [Stored]

        /// The children of `kind` whose `column` holds the parent's ID, oldest first.
        static func by(_ member: String, _ kind: ResourceKind, children: ResourceKind, column: Column) -> ParentFilter {
            ParentFilter(member: member, kind: kind) { try $0.stored(children, where: column, equals: $1) }
        }
    }

    /// What a Describe call asks for, by exactly one of its parent filters or its list of IDs.
    func describe(_ scope: Scope, _ kind: ResourceKind, _ input: JSONObject, ids idsMember: String, parents: [ParentFilter]) throws -> [Stored] {
        try store.read(scope) { records in
            let given = try Self.identifyingMember(input, parents.map(\.member) + [idsMember], refusal: Self.identifyingRefusals[kind])
            if let parent = parents.first(where: { $0.member == given.name }) {
                let id = given.value.stringValue ?? ""
                _ = try records.require(parent.kind, id)
                return try parent.list(records, id)
            }
            // By IDs: in the client's order; the first unknown ID is ResourceNotFound.
            return try (given.value.stringArray ?? []).map { try records.requireStored(kind, $0) }
        }
    }

    /// Checks that a resource exists and belongs to `stackId`'s stack, from its key column alone.
    static func requireOwned(_ records: Records, _ kind: ResourceKind, _ id: String, stackId: String) throws {
        guard let owner = try records.stackId(of: kind, id) else { throw AWSError.notFound(kind.rawValue, id) }
        guard owner == stackId else { throw AWSError.validation("The \(kind.rawValue) \(id) does not belong to stack \(stackId)") }
    }

    /// A member that names a resource of `stackId`'s stack: it must exist and belong to that stack.
    static func requireInStack(_ records: Records, _ kind: ResourceKind, _ id: String, stackId: String) throws -> JSONObject {
        let document = try records.require(kind, id)
        guard document.string("StackId") == stackId else {
            throw AWSError.validation("The \(kind.rawValue) \(id) does not belong to stack \(stackId)")
        }
        return document
    }

    /// Lays the client's members over the server's defaults; a map member named in `mergedMaps`
    /// is merged key by key instead of replaced.
    static func document(defaults: JSONObject, input: JSONObject, mergedMaps: [String] = []) -> JSONObject {
        var document = defaults
        for (key, value) in input {
            if mergedMaps.contains(key), let base = defaults.object(key), let overlay = value.objectValue {
                document[key] = .object(base.merging(overlay))
            } else {
                document[key] = value
            }
        }
        return document
    }

    /// Drops members that are null, so optional members the client never set are absent.
    static func withoutNulls(_ document: JSONObject) -> JSONObject {
        JSONObject(document.members.filter { $0.value != .null }.map { ($0.key, $0.value) })
    }

    static func output(_ key: String, _ id: String) -> JSONObject {
        JSONObject([(key, .string(id))])
    }

    static func list(_ key: String, _ items: [JSON]) -> JSONObject {
        JSONObject([(key, .array(items))])
    }
}
