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
        let takenHostnames = try records.hostnames(inStack: stackId)
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
            hostname = Self.suggestedHostname(theme: stack.string("HostnameTheme"), layerShortname: layers[0].string("Shortname") ?? "", taken: takenHostnames)
        }
        try Self.checkInstance(input, stack: stack)
        let id = fixedId ?? makeTimeOrderedUUID()
        let now = clock()
        // A layer's CustomInstanceProfileArn comes before the stack's default (finding 21).
        let profile = layers.lazy.compactMap { $0.string("CustomInstanceProfileArn") }.first ?? stack.string("DefaultInstanceProfileArn")
        let defaults = JSONObject([
            ("AgentVersion", "INHERIT"),  // the documented default (finding 11)
            ("Architecture", "x86_64"),
            ("Arn", .string(Self.arn(records.scope, .instance, id, stackRegion: stack.string("Region") ?? records.scope.region))),
            ("AvailabilityZone", JSON(stack.string("DefaultAvailabilityZone"))),
            ("CreatedAt", .string(now.iso8601)),
            ("EbsOptimized", false),
            ("Hostname", .string(hostname)),
            ("InfrastructureClass", "ec2"),
            ("InstallUpdatesOnBoot", true),
            ("InstanceId", .string(id)),
            ("InstanceProfileArn", JSON(profile)),
            ("InstanceType", .string(instanceType)),
            ("LayerIds", JSON(strings: layerIds)),
            ("Os", JSON(stack.string("DefaultOs"))),
            ("RootDeviceType", JSON(stack.string("DefaultRootDeviceType"))),
            ("SecurityGroupIds", []),
            ("SshKeyName", JSON(stack.string("DefaultSshKeyName"))),
            ("StackId", .string(stackId)),
            ("SubnetId", JSON(stack.string("DefaultSubnetId"))),
            ("Tenancy", "default"),  // finding 12
            ("VirtualizationType", "hvm"),
        ])
        var instance = Self.withoutNulls(Self.document(defaults: defaults, input: input))
        instance["Hostname"] = JSON.string(hostname)
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
                guard try !records.hostnames(inStack: stackId).contains(hostname) else {
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

    /// Instance types OpsWorks offered, by family and size (finding 9: `huge.enormous` is none).
    static let instanceFamilies: Set<String> = ["t1", "t2", "t3", "t3a", "t4g", "m1", "m2", "m3", "m4", "m5", "m5a", "m5d", "m6g", "m6i", "c1", "c3", "c4", "c5",
                                                "c5d", "c5n", "c6g", "c6i", "r3", "r4", "r5", "r5a", "r5d", "r6g", "r6i", "i2", "i3", "i3en", "d2", "g2",
                                                "g3", "g4dn", "p2", "p3", "x1", "x1e", "z1d", "hs1", "cc2", "cr1"]
    static let instanceSizes: Set<String> = ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "6xlarge",
                                             "8xlarge", "9xlarge", "10xlarge", "12xlarge", "16xlarge", "18xlarge", "24xlarge", "32xlarge", "metal"]

    /// CreateInstance's rules beyond the shapes [Model-doc CreateInstanceRequest; UG
    /// workingstacks-creating, workinginstances-os-windows] (finding 9).
    static func checkInstance(_ input: JSONObject, stack: JSONObject) throws {
        let type = input.string("InstanceType") ?? ""
        let parts = type.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, instanceFamilies.contains(String(parts[0])), instanceSizes.contains(String(parts[1])) else {
            throw AWSError.validation("Instance Type: \(type) is not a valid EC2 instance type in this region")
        }
        let stackOs = stack.string("DefaultOs") ?? ""
        let os = input.string("Os") ?? stackOs
        if isWindows(os) != isWindows(stackOs) && stackOs != "Custom" {
            throw AWSError.validation("Os: you cannot override a \(isWindows(stackOs) ? "Windows" : "Linux") stack's operating system with \(os)")
        }
        if input["Os"] != nil {
            try checkOs(os, chef: stack.object("ConfigurationManager")?.string("Version") ?? "12", member: "Os")
        }
        if os == "Custom" && input["AmiId"] == nil { throw AWSError.validation("Ami Id: a Custom operating system needs an AmiId") }
        if let ami = input.string("AmiId") {
            guard input.string("Os") == "Custom" else { throw AWSError.validation("Os: an AmiId needs Os set to Custom") }
            guard isEC2Id(ami, prefix: "ami") else { throw AWSError.validation("Ami Id: \(ami) is not an AMI ID") }
        }
        if let tenancy = input.string("Tenancy"), !["dedicated", "default", "host"].contains(tenancy) {
            throw AWSError.validation("Tenancy: \(tenancy) is not one of dedicated, default, host")
        }
        if input.string("AutoScalingType") == "load" && isWindows(os) {
            throw AWSError.validation("Auto Scaling Type: Windows stacks can use only time-based instances")
        }
        if let subnet = input.string("SubnetId"), !isEC2Id(subnet, prefix: "subnet") {
            throw AWSError.validation("Subnet Id: \(subnet) is not a subnet ID")
        }
        let region = stack.string("Region") ?? ""
        if let zone = input.string("AvailabilityZone"), !isZone(zone, of: region) {
            throw AWSError.validation("Availability Zone: \(zone) is not a zone of \(region)")
        }
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
        try transition(scope, input, .start)
    }

    /// Stops an instance: stopping -> stopped. A stopped instance stays stopped. With Force, an
    /// EBS-backed instance's OpsWorks record is deleted [Model StopInstanceRequest.Force] (finding 16).
    func stopInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        guard input["Force"] == .bool(true) else { return try transition(scope, input, .stop) }
        let instanceId = input.string("InstanceId") ?? ""
        let moved = try store.write(scope) { records -> [Move] in
            let stored = try records.requireStored(.instance, instanceId)
            if stored.stringMember("RootDeviceType") == "ebs" {
                try deleteInstance(records, instanceId)
                return []
            }
            return try move(InstanceState(id: instanceId, stackId: stored.stringMember("StackId") ?? "", timelineText: stored.timeline?.text),
                            .stop, records, at: clock())
        }
        schedule(scope, moved)
        return JSONObject()
    }

    /// A soft reboot of an online instance: rebooting -> online, no lifecycle event runs
    /// [UG workinginstances-starting]. Another status is refused.
    func rebootInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try transition(scope, input, .reboot)
    }

    /// StartStack and StopStack move a stack's 24/7 instances (those without an AutoScalingType,
    /// registered machines aside):
    /// OpsWorks itself starts and stops the load- and time-based ones [CLI-ex start-stack].
    /// One write: every instance moves, or none does.
    func startStack(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try transitionStack(scope, input, .start)
    }

    func stopStack(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try transitionStack(scope, input, .stop)
    }

    /// A move of an instance's lifecycle: the statuses it walks through, the statuses it starts
    /// from (nil: any), those in which it is already where it goes (nothing to do), and whether
    /// a status outside both is refused rather than left alone.
    struct Transition {
        let statuses: [String]
        let from: Set<String>?
        let settled: Set<String>
        let refusesOthers: Bool

        static let start = Transition(statuses: InstanceLifecycle.start, from: InstanceLifecycle.startable, settled: [], refusesOthers: false)
        static let stop = Transition(statuses: InstanceLifecycle.stop, from: nil, settled: ["stopped", "stopping"], refusesOthers: false)
        static let reboot = Transition(statuses: ["rebooting", "online"], from: ["online"], settled: [], refusesOthers: true)
    }

    private func transition(_ scope: Scope, _ input: JSONObject, _ transition: Transition) throws -> JSONObject {
        let instanceId = input.string("InstanceId") ?? ""
        let moved = try store.write(scope) { records in
            guard let instance = try records.instanceStates(where: .id, equals: instanceId).first else {
                throw AWSError.notFound("instance", instanceId)
            }
            // The clock is read in the write, where writes run one after another: a transition
            // read before a neighbour's was written would see that one's steps in its future.
            return try move(instance, transition, records, at: clock())
        }
        schedule(scope, moved)
        return JSONObject()
    }

    private func transitionStack(_ scope: Scope, _ input: JSONObject, _ transition: Transition) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        let moved = try store.write(scope) { records in
            let now = clock()
            _ = try records.require(.stack, stackId)
            let instances = try records.stored(.instance, where: .stackId, equals: stackId)
            // Registered machines are not OpsWorks' to start or stop [I: they have no 24/7 role].
            return try instances.filter { try $0.decoded()["AutoScalingType"] == nil && $0.stringMember("RegisteredBy") == nil }.flatMap { stored in
                try move(InstanceState(id: stored.id, stackId: stackId, timelineText: stored.timeline?.text), transition, records, at: now)
            }
        }
        schedule(scope, moved)
        return JSONObject()
    }

    /// An instance's new timeline, decided in a write, announced once the write has committed.
    struct Move: Sendable {
        let instanceId: String
        let timeline: Timeline
        let at: Timestamp
    }

    /// Sets the instance's timeline for `transition`: none when it is already where it goes or on
    /// its way. A start that a fault rule makes fail walks that rule's statuses instead.
    private func move(_ instance: InstanceState, _ transition: Transition, _ records: Records, at now: Timestamp) throws -> [Move] {
        let current = instance.status(at: now)
        if transition.settled.contains(current) { return [] }
        if let from = transition.from, !from.contains(current) {
            guard transition.refusesOthers else { return [] }  // already on its way
            throw AWSError.validation("Instance \(instance.id) is \(current); only an instance that is \(from.sorted().joined(separator: " or ")) can be rebooted")
        }
        let statuses = transition.statuses == InstanceLifecycle.start ? faults.failedStart(instanceId: instance.id) ?? transition.statuses : transition.statuses
        let timeline = Timeline(statuses, from: now, stepSeconds: durations.instanceStepSeconds)
        try records.setTimeline(.instance, id: instance.id, timeline)
        return [Move(instanceId: instance.id, timeline: timeline, at: now)]
    }

    private func schedule(_ scope: Scope, _ moves: [Move]) {
        for move in moves { schedule(scope, .instance, move.instanceId, move.timeline, after: move.at) }
    }

    // MARK: - Time-based scaling

    /// Replaces an instance's weekly schedule: for each day, hours "0" to "23" each "on" or
    /// "off" (off where not given). Only a time-based instance has one.
    func setTimeBasedAutoScaling(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let instanceId = input.string("InstanceId") ?? ""
        let schedule = input.object("AutoScalingSchedule") ?? JSONObject()
        for (day, hours) in schedule {
            for (hour, value) in hours.objectValue ?? JSONObject() {
                guard let number = Int(hour), (0...23).contains(number), String(number) == hour else {
                    throw AWSError.validation("AutoScalingSchedule: \(day) has the hour '\(hour)'; hours are \"0\" to \"23\"")
                }
                guard value == "on" || value == "off" else {
                    throw AWSError.validation("AutoScalingSchedule: \(day) \(hour) is '\(value.stringValue ?? "")'; each hour is \"on\" or \"off\"")
                }
            }
        }
        try store.write(scope) { records in
            let instance = try records.require(.instance, instanceId)
            guard instance.string("AutoScalingType") == "timer" else {
                throw AWSError.validation("Instance \(instanceId) is not a time-based instance (AutoScalingType timer); only those have a schedule")
            }
            try records.setTimeBasedScaling(ofInstance: instanceId, schedule)
        }
        return JSONObject()
    }

    /// The schedules of the instances that have one, in the order asked for.
    func describeTimeBasedAutoScaling(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let instanceIds = input.strings("InstanceIds") ?? []
        let configurations = try store.read(scope) { records in
            try instanceIds.compactMap { instanceId -> JSON? in
                _ = try records.require(.instance, instanceId)
                return try records.timeBasedScaling(ofInstance: instanceId).map {
                    .object(JSONObject([("InstanceId", .string(instanceId)), ("AutoScalingSchedule", .object($0))]))
                }
            }
        }
        return Self.list("TimeBasedAutoScalingConfigurations", configurations)
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
        if stored.stringMember("RegisteredBy") != nil {
            // A registered machine's addresses and report came with its registration.
        } else if InstanceLifecycle.running.contains(status) {
            // Stable per instance: derived from its ID, so repeated calls agree. The names are
            // EC2's for the instance's region (finding 17); us-east-1 has forms of its own.
            let seed = fnv1a(stored.id)
            let privateIp = "10.\(seed >> 8 & 0xff).\(seed >> 16 & 0xff).\(seed >> 24 & 0xfe | 1)"
            // An associated Elastic IP is the public address while the instance runs [UG].
            let publicIp = stored.stringMember("ElasticIp") ?? "198.51.100.\(seed & 0xfe | 1)"
            let zone = stored.stringMember("AvailabilityZone") ?? ""
            let region = zone.isEmpty ? "us-east-1" : String(zone.dropLast())
            let os = stored.stringMember("Os") ?? ""
            instance["Ec2InstanceId"] = .string(Self.ec2InstanceId(of: stored.id))
            instance["PrivateIp"] = .string(privateIp)
            instance["PrivateDns"] = .string("ip-\(Self.dashed(privateIp)).\(region == "us-east-1" ? "ec2.internal" : region + ".compute.internal")")
            instance["PublicIp"] = .string(publicIp)
            instance["PublicDns"] = .string("ec2-\(Self.dashed(publicIp)).\(region == "us-east-1" ? "compute-1" : region + ".compute").amazonaws.com")
            instance["ReportedAgentVersion"] = .string(Self.isWindows(os) ? "71400020160128114716" : "4039-20200430042739")
            instance["ReportedOs"] = Self.reportedOsByName[os] ?? Self.reportedOs(os)
        } else {
            // Present before the agent reports, as on AWS: Terraform reads ReportedOs.Family on
            // every read of an instance, a stopped one too (fidelity audit, finding 1).
            instance["ReportedOs"] = .object(JSONObject())
        }
        return stored.with(instance)
    }

    /// `10.1.2.3` -> `10-1-2-3`, for EC2's host names (`replacing(_:with:)` is generic and slow).
    static func dashed(_ address: String) -> String {
        String(decoding: address.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
    }

    /// The reports of the systems the service offers, made once: DescribeInstances shows one
    /// for every running instance.
    static let reportedOsByName: [String: JSON] = Dictionary(uniqueKeysWithValues: operatingSystems.map { ($0.name, reportedOs($0.name)) })

    /// What the agent reports of an OS, in ohai's words (`{"Family":"debian","Name":"ubuntu",
    /// "Version":"14.04"}`, the service's own sample).
    static func reportedOs(_ os: String) -> JSON {
        let version = os.split(separator: " ").first(where: { $0.first?.isNumber == true }).map(String.init) ?? ""
        let (family, name): (String, String) = switch os {
        case _ where os.hasPrefix("Ubuntu"): ("debian", "ubuntu")
        case _ where os.hasPrefix("CentOS"): ("rhel", "centos")
        case _ where os.hasPrefix("Red Hat"): ("rhel", "redhat")
        case _ where isWindows(os): ("windows", "windows")
        default: ("amazon", "amazon")
        }
        return ["Family": .string(family), "Name": .string(name), "Version": .string(isWindows(os) ? "6.3" : version)]
    }

    /// The EC2 instance ID a running instance has: stable, derived from its OpsWorks ID.
    static func ec2InstanceId(of instanceId: String) -> String {
        "i-" + String(fnv1a(instanceId), radix: 16).leftPadded(to: 17)
    }

    /// RFC 1123 host labels: letters, digits, inner hyphens, 1 to 63 characters.
    static func isHostname(_ name: String) -> Bool { isLabel(name, maxLength: 63) }

    /// Letters, digits and hyphens, no hyphen at either end, 1 to `maxLength` characters: host
    /// names and Classic Load Balancer names alike.
    static func isLabel(_ name: String, maxLength: Int) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...maxLength).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == UInt8(ascii: "-") }
    }

    /// Only a stopped instance is deleted ("You must stop an instance before you can delete it"),
    /// and not a registered on-premises machine (DeregisterInstance is for those [UG]). Its
    /// commands stay visible by ID and by deployment. DeleteElasticIp and DeleteVolumes release
    /// its address and volumes; otherwise they stay registered with the stack, unattached [UG].
    func deleteInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let instanceId = input.string("InstanceId") ?? ""
        var releasing: Releasing = []
        if input["DeleteElasticIp"] == .bool(true) { releasing.insert(.elasticIp) }
        if input["DeleteVolumes"] == .bool(true) { releasing.insert(.volumes) }
        try store.write(scope) { records in
            let stored = try records.requireStored(.instance, instanceId)
            if stored.stringMember("InfrastructureClass") == "on-premises" {
                throw AWSError.validation("Instance \(instanceId) is a registered on-premises instance; use DeregisterInstance to remove it")
            }
            let status = stored.timeline?.status(at: clock()) ?? "stopped"
            guard status == "stopped" else {
                throw AWSError.validation("Instance \(instanceId) is \(status). You must stop an instance before you can delete it.")
            }
            try deleteInstance(records, instanceId, releasing: releasing)
        }
        return JSONObject()
    }

    /// What a deleted instance takes with it: released resources are deregistered; the others
    /// stay registered with the stack, no longer attached.
    struct Releasing: OptionSet {
        let rawValue: Int
        static let elasticIp = Releasing(rawValue: 1)
        static let volumes = Releasing(rawValue: 2)
        static let all: Releasing = [.elasticIp, .volumes]
    }

    /// An instance's record and what hangs off it, in the caller's write.
    func deleteInstance(_ records: Records, _ instanceId: String, releasing: Releasing = []) throws {
        for address in try records.registrations(.elasticIp, instanceId: instanceId) {
            if releasing.contains(.elasticIp) { try records.deregister(.elasticIp, address.id) } else { try records.save(.elasticIp, address.detached()) }
        }
        for volume in try records.registrations(.volume, instanceId: instanceId) {
            if releasing.contains(.volumes) { try records.deregister(.volume, volume.id) } else { try records.save(.volume, Self.unassigned(volume)) }
        }
        try records.deleteRows("instance_layers", where: "instance_id", equals: instanceId)
        try records.deleteRows("time_based_scaling", where: "instance_id", equals: instanceId)
        try records.delete(.instance, instanceId)
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
}
