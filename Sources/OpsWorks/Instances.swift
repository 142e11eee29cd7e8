import AWSJSON

extension OpsWorksService {
    func createInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        Self.output("InstanceId", try store.write(scope) { try createInstance($0, input, id: nil) })
    }

    func createInstance(_ records: Records, _ input: JSONObject, id fixedId: String?) throws -> String {
        let stackId = input.string("StackId") ?? ""
        let stack = try records.require(.stack, stackId)
        let layerIds = input.strings("LayerIds") ?? []
        guard !layerIds.isEmpty else { throw AWSError.validation("LayerIds must name at least one layer") }
        let layers = try layerIds.map { try Self.requireInStack(records, .layer, $0, stackId: stackId) }
        guard let instanceType = input.string("InstanceType"), !instanceType.isEmpty else {
            throw AWSError.validation("InstanceType must not be empty")
        }
        let siblings = try records.list(.instance, where: .stackId, equals: stackId)
        let takenHostnames = Set(siblings.compactMap { $0.string("Hostname") })
        let hostname: String
        if let requested = input.string("Hostname") {
            guard Self.isHostname(requested) else {
                throw AWSError.validation("Hostname \(requested) must be 1 to 63 letters, digits and inner hyphens")
            }
            guard !takenHostnames.contains(requested) else {
                throw AWSError.validation("There is already an instance with the hostname \(requested) in stack \(stackId)")
            }
            hostname = requested
        } else {
            let prefix = stack.string("HostnameTheme") == "Layer_Dependent" || stack.string("HostnameTheme") == nil
                ? layers[0].string("Shortname") ?? "instance"
                : (stack.string("HostnameTheme") ?? "instance").lowercased().replacingUnderscores()
            hostname = (1...).lazy.map { "\(prefix)\($0)" }.first { !takenHostnames.contains($0) }!
        }
        let id = fixedId ?? makeTimeOrderedUUID()
        let now = clock()
        let defaults = JSONObject([
            ("AgentVersion", .string(stack.string("AgentVersion") ?? "INHERIT")),
            ("Architecture", "x86_64"),
            ("Arn", .string(Self.arn(records.scope, .instance, id))),
            ("AvailabilityZone", JSON(stack.string("DefaultAvailabilityZone"))),
            ("CreatedAt", .string(now.iso8601)),
            ("EbsOptimized", false),
            ("Hostname", .string(hostname)),
            ("InfrastructureClass", "ec2"),
            ("InstallUpdatesOnBoot", true),
            ("InstanceId", .string(id)),
            ("InstanceProfileArn", JSON(stack.string("DefaultInstanceProfileArn"))),
            ("InstanceType", .string(instanceType)),
            ("LayerIds", JSON(strings: layerIds)),
            ("Os", JSON(stack.string("DefaultOs"))),
            ("RootDeviceType", JSON(stack.string("DefaultRootDeviceType"))),
            ("SecurityGroupIds", []),
            ("SshKeyName", JSON(stack.string("DefaultSshKeyName"))),
            ("StackId", .string(stackId)),
            ("SubnetId", JSON(stack.string("DefaultSubnetId"))),
            ("VirtualizationType", "hvm"),
        ])
        var instance = Self.withoutNulls(Self.document(defaults: defaults, input: input))
        instance["Hostname"] = .string(hostname)
        let timeline = Timeline(["stopped"], from: now, stepSeconds: 0)
        try records.insert(.instance, id: id, columns: ["stack_id": stackId, "timeline": timeline.text], document: instance)
        for layerId in layerIds { try records.linkInstance(id, toLayer: layerId) }
        return id
    }

    /// Accepted in any status, as the API did (Terraform updates an online instance before it
    /// stops it); the changes take hold at the next start. What is fixed at creation cannot
    /// change: the AMI ("You cannot apply a new AMI"), EBS optimisation, the scaling type
    /// [Model, UG workinginstances-properties].
    func updateInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let instanceId = input.string("InstanceId") ?? ""
        try store.write(scope) { records in
            let current = try records.require(.instance, instanceId)
            let stackId = current.string("StackId") ?? ""
            for (member, rule) in [("AmiId", "You cannot apply a new AMI to an instance"),
                                   ("EbsOptimized", "EBS optimisation is set when an instance is created and cannot be updated"),
                                   ("AutoScalingType", "An instance's scaling type is set when it is created and cannot be modified")] {
                if let value = input[member], value != current[member] ?? (member == "EbsOptimized" ? .bool(false) : .null) {
                    throw AWSError.validation("\(member): \(rule)")
                }
            }
            if let layerIds = input.strings("LayerIds") {
                guard !layerIds.isEmpty else { throw AWSError.validation("LayerIds: an instance must stay in at least one layer") }
                for layerId in layerIds { _ = try Self.requireInStack(records, .layer, layerId, stackId: stackId) }
                try records.deleteRows("instance_layers", where: "instance_id", equals: instanceId)
                for layerId in layerIds { try records.linkInstance(instanceId, toLayer: layerId) }
            }
            if let hostname = input.string("Hostname"), hostname != current.string("Hostname") {
                guard Self.isHostname(hostname) else {
                    throw AWSError.validation("Hostname \(hostname) must be 1 to 63 letters, digits and inner hyphens")
                }
                let siblings = try records.list(.instance, where: .stackId, equals: stackId)
                guard !siblings.contains(where: { $0.string("Hostname") == hostname }) else {
                    throw AWSError.validation("There is already an instance with the hostname \(hostname) in stack \(stackId)")
                }
            }
            if let os = input.string("Os"), Self.isWindows(os) != Self.isWindows(current.string("Os") ?? "") {
                throw AWSError.validation("Os: an instance cannot switch between Linux and Windows")
            }
            var changes = input
            changes["InstanceId"] = nil
            try records.update(.instance, id: instanceId, document: Self.document(defaults: current, input: changes))
        }
        return JSONObject()
    }

    func describeInstances(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let now = clock()
        let instances = try describe(scope, .instance, input, ids: "InstanceIds", parents: [
            .by("StackId", .stack, children: .instance, column: .stackId),
            ParentFilter(member: "LayerId", kind: .layer) { try $0.storedInstances(inLayer: $1) },
        ])
        return Self.list("Instances", instances.map { Self.presentInstance($0, at: now) })
    }

    /// Starts a stopped instance: requested -> pending -> booting -> running_setup -> online.
    /// An instance already on its way up or online is left as it is, as the service does.
    func startInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try transition(scope, input, to: InstanceLifecycle.start, from: InstanceLifecycle.startable)
    }

    /// Stops an instance: stopping -> stopped. A stopped instance stays stopped.
    func stopInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try transition(scope, input, to: InstanceLifecycle.stop, unless: ["stopped", "stopping"])
    }

    private func transition(_ scope: Scope, _ input: JSONObject, to statuses: [String], from allowed: Set<String>? = nil, unless settled: Set<String> = []) throws -> JSONObject {
        try store.write(scope) { records in
            let instanceId = input.string("InstanceId") ?? ""
            guard let instance = try records.instanceStates(where: .id, equals: instanceId).first else {
                throw AWSError.notFound("instance", instanceId)
            }
            let now = clock()
            let current = instance.status(at: now)
            if let allowed, !allowed.contains(current) { return }
            if settled.contains(current) { return }
            try records.setTimeline(.instance, id: instanceId, Timeline(statuses, from: now, stepSeconds: durations.instanceStepSeconds))
        }
        return JSONObject()
    }

    /// Moves an instance straight to `online`, for fixtures that describe a running stack.
    func markOnline(_ records: Records, instanceId: String) throws {
        try records.setTimeline(.instance, id: instanceId, Timeline(InstanceLifecycle.start, from: clock(), stepSeconds: 0))
    }

    /// The instance as DescribeInstances returns it: its status read off its timeline, and the
    /// EC2 identity and addresses that a running instance has.
    static func presentInstance(_ stored: Stored, at time: Timestamp) -> JSON {
        var instance = JSONObject()
        let status = stored.timeline?.status(at: time) ?? "stopped"
        instance["Status"] = .string(status)
        if InstanceLifecycle.running.contains(status) {
            // Stable per instance: derived from its ID, so repeated calls agree.
            let seed = fnv1a(stored.id)
            let privateIp = "10.\(seed >> 8 & 0xff).\(seed >> 16 & 0xff).\(seed >> 24 & 0xfe | 1)"
            let publicIp = "198.51.100.\(seed & 0xfe | 1)"
            instance["Ec2InstanceId"] = .string(Self.ec2InstanceId(of: stored.id))
            instance["PrivateIp"] = .string(privateIp)
            instance["PrivateDns"] = .string("ip-\(privateIp.replacing(".", with: "-")).ec2.internal")
            instance["PublicIp"] = .string(publicIp)
            instance["PublicDns"] = .string("ec2-\(publicIp.replacing(".", with: "-")).compute-1.amazonaws.com")
            instance["ReportedAgentVersion"] = "4.0.0"
            instance["ReportedOs"] = ["Family": "amazon", "Name": "Amazon Linux", "Version": "2"]
        } else {
            // Present before the agent reports, as on AWS: Terraform reads ReportedOs.Family on
            // every read of an instance, a stopped one too (fidelity audit, finding 1).
            instance["ReportedOs"] = .object(JSONObject())
        }
        return stored.with(instance)
    }

    /// The EC2 instance ID a running instance has: stable, derived from its OpsWorks ID.
    static func ec2InstanceId(of instanceId: String) -> String {
        "i-" + String(fnv1a(instanceId), radix: 16).leftPadded(to: 17)
    }

    /// RFC 1123 host labels: letters, digits, inner hyphens, 1 to 63 characters.
    static func isHostname(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == UInt8(ascii: "-") }
    }

    /// Only a stopped instance is deleted ("You must stop an instance before you can delete it").
    /// Its commands stay visible by ID and by deployment. With no Elastic IPs or volumes here
    /// yet, DeleteElasticIp and DeleteVolumes have nothing to release.
    func deleteInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let instanceId = input.string("InstanceId") ?? ""
        let now = clock()
        try store.write(scope) { records in
            let stored = try records.requireStored(.instance, instanceId)
            let status = stored.timeline?.status(at: now) ?? "stopped"
            guard status == "stopped" else {
                throw AWSError.validation("Instance \(instanceId) is \(status). You must stop an instance before you can delete it.")
            }
            try records.deleteRows("instance_layers", where: "instance_id", equals: instanceId)
            try records.delete(.instance, instanceId)
        }
        return JSONObject()
    }
}

/// FNV-1a, for stable made-up values derived from an ID.
func fnv1a(_ text: String) -> UInt64 {
    text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? String(suffix(width)) : String(repeating: "0", count: width - count) + self
    }

    func replacingUnderscores() -> String { replacing("_", with: "-") }
}
