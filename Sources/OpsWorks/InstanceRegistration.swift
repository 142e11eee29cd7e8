import AWSJSON

/// Machines OpsWorks did not create: registered by the agent (`aws opsworks register` installs it
/// and the agent calls RegisterInstance), assigned to layers and unassigned, deregistered. A
/// registered instance goes registering -> running_setup -> registered; assigned, assigning ->
/// running_setup -> online; unassigned, unassigning -> registered [UG registered-instances-lifecycle].
extension OpsWorksService {
    static let registerSteps = ["registering", "running_setup", "registered"]
    static let assignSteps = ["assigning", "running_setup", "online"]
    static let unassignSteps = ["unassigning", "registered"]

    func registerInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        for member in ["PublicIp", "PrivateIp"] {
            if let address = input.string(member), !Self.isIPv4(address) { throw AWSError.validation("\(member): \(address) is not an IPv4 address") }
        }
        let id = makeTimeOrderedUUID()
        let (timeline, now) = try store.write(scope) { records -> (Timeline, Timestamp) in
            let stack = try records.require(.stack, stackId)
            guard !Self.isWindows(stack.string("DefaultOs") ?? "") else {
                throw AWSError.validation("Stack \(stackId) is a Windows stack; instances can be registered only with Linux stacks")
            }
            let taken = Set(try records.hostnames(inStack: stackId).map { $0.lowercased() })
            let hostname: String
            if let requested = input.string("Hostname") {
                guard Self.isHostname(requested) else { throw AWSError.validation("Hostname \(requested) must be 1 to 63 letters, digits and inner hyphens") }
                guard !taken.contains(requested.lowercased()) else {
                    throw AWSError.validation("There is already an instance with the hostname \(requested) in stack \(stackId)")
                }
                hostname = requested
            } else {
                // As the sample shows (`ip-192-0-2-0`): the machine's address names it.
                let address = input.string("PrivateIp") ?? input.string("PublicIp") ?? "10.0.\(fnv1a(id) & 0xff).\(fnv1a(id) >> 8 & 0xfe | 1)"
                let base = "ip-" + Self.dashed(address)
                hostname = ([base] + (2...99).map { "\(base)-\($0)" }).first { !taken.contains($0) } ?? base + "-" + id.prefix(8)
            }
            let now = clock()
            let identity = input.object("InstanceIdentity")
            let onEC2 = identity?.string("Document") != nil
            var instance = JSONObject([
                ("AgentVersion", "INHERIT"),
                ("Architecture", "x86_64"),
                ("Arn", .string(Self.arn(records.scope, .instance, id, stackRegion: stack.string("Region") ?? records.scope.region))),
                ("CreatedAt", .string(now.iso8601)),
                ("Hostname", .string(hostname)),
                ("InfrastructureClass", .string(onEC2 ? "ec2" : "on-premises")),
                ("InstanceId", .string(id)),
                ("LayerIds", []),
                ("Os", "Custom"),
                ("RegisteredBy", .string(records.scope.caller)),
                ("ReportedOs", .object(JSONObject())),
                ("StackId", .string(stackId)),
            ])
            if onEC2 { instance["Ec2InstanceId"] = .string(Self.ec2InstanceId(fromIdentity: identity?.string("Document") ?? "") ?? Self.ec2InstanceId(of: id)) }
            for member in ["PrivateIp", "PublicIp"] { if let value = input[member] { instance[member] = value } }
            if let fingerprint = input.string("RsaPublicKeyFingerprint") { instance["SshHostRsaKeyFingerprint"] = .string(fingerprint) }
            let timeline = Timeline(Self.registerSteps, from: now, stepSeconds: durations.instanceStepSeconds)
            try records.insert(.instance, id: id, columns: ["stack_id": stackId, "timeline": timeline.text], document: instance)
            return (timeline, now)
        }
        schedule(scope, .instance, id, timeline, after: now)
        return Self.output("InstanceId", id)
    }

    /// Any instance, registered or created by OpsWorks: it "removes the instance from the stack
    /// and returns it to your control" [Model]; its layers, Elastic IPs and volumes leave the
    /// stack with it [UG registered-instances-deregister].
    func deregisterInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let instanceId = input.string("InstanceId") ?? ""
        try store.write(scope) { records in
            _ = try records.requireStored(.instance, instanceId)
            try deleteInstance(records, instanceId, releasing: .all)
        }
        return JSONObject()
    }

    /// A registered instance joins layers of its stack: a registered EC2 instance custom layers
    /// only, an on-premises one any layer [Model].
    func assignInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let instanceId = input.string("InstanceId") ?? ""
        let layerIds = input.strings("LayerIds") ?? []
        let (timeline, now) = try registeredInstanceWrite(scope, instanceId, expecting: "registered", steps: Self.assignSteps) { records, instance in
            guard !layerIds.isEmpty else { throw AWSError.validation("LayerIds must name at least one layer") }
            let stackId = instance.string("StackId") ?? ""
            for layerId in layerIds {
                let layer = try Self.requireInStack(records, .layer, layerId, stackId: stackId)
                if instance.string("InfrastructureClass") == "ec2" && layer.string("Type") != "custom" {
                    throw AWSError.validation("A registered EC2 instance can be assigned only to custom layers; \(layerId) is a \(layer.string("Type") ?? "") layer")
                }
                try records.linkInstance(instanceId, toLayer: layerId)
            }
            var updated = instance
            updated["LayerIds"] = JSON(strings: layerIds)
            return updated
        }
        schedule(scope, .instance, instanceId, timeline, after: now)
        return JSONObject()
    }

    /// From every layer at once: no subset is possible [Model]; the instance stays in the stack.
    func unassignInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let instanceId = input.string("InstanceId") ?? ""
        let (timeline, now) = try registeredInstanceWrite(scope, instanceId, expecting: "online", steps: Self.unassignSteps) { records, instance in
            try records.deleteRows("instance_layers", where: "instance_id", equals: instanceId)
            var updated = instance
            updated["LayerIds"] = []
            return updated
        }
        schedule(scope, .instance, instanceId, timeline, after: now)
        return JSONObject()
    }

    /// The shape of AssignInstance and UnassignInstance: only registered instances ("You cannot
    /// use this action with instances that were created with OpsWorks Stacks" [Model]), in the
    /// status the move starts from; `change` gives the instance's new document.
    private func registeredInstanceWrite(_ scope: Scope, _ instanceId: String, expecting status: String, steps: [String],
                                         change: (Records, JSONObject) throws -> JSONObject) throws -> (Timeline, Timestamp) {
        try store.write(scope) { records in
            let stored = try records.requireStored(.instance, instanceId)
            let instance = try stored.decoded()
            guard instance["RegisteredBy"] != nil else {
                throw AWSError.validation("Instance \(instanceId) was created by OpsWorks Stacks; only registered instances can be assigned and unassigned")
            }
            let now = clock()
            let current = stored.timeline?.status(at: now) ?? "registered"
            guard current == status else {
                throw AWSError.validation("Instance \(instanceId) is \(current); it must be \(status) for this")
            }
            try records.update(.instance, id: instanceId, document: change(records, instance))
            let timeline = Timeline(steps, from: now, stepSeconds: durations.instanceStepSeconds)
            try records.setTimeline(.instance, id: instanceId, timeline)
            return (timeline, now)
        }
    }

    /// The `instanceId` of an EC2 instance identity document, when it is one.
    static func ec2InstanceId(fromIdentity document: String) -> String? {
        guard case .object(let identity)? = try? JSONParser.parse(Array(document.utf8)),
              let id = identity.string("instanceId"), isEC2Id(id, prefix: "i") else { return nil }
        return id
    }
}
