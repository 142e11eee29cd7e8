import AWSJSON

/// EBS volumes. Two sources, one list: volumes registered with a stack (RegisterVolume; a local
/// record, the EC2 ID checked for its form, one stack at a time [Model]), and the volumes OpsWorks
/// made for an instance of a layer with VolumeConfigurations when the instance came up, which
/// are "automatically registered with that stack" [UG resources-reg]. Those are read off the
/// state like RAID arrays: present while the instance has an EC2 instance, stable per instance.
extension OpsWorksService {
    func registerVolume(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        let volumeId = try store.write(scope) { records -> String in
            let stack = try records.require(.stack, stackId)
            guard let ec2VolumeId = input.string("Ec2VolumeId") else {
                throw AWSError.validation("Ec2 Volume Id: RegisterVolume needs the EC2 ID of the volume to register")
            }
            guard Self.isEC2Id(ec2VolumeId, prefix: "vol") else { throw AWSError.validation("Ec2 Volume Id: \(ec2VolumeId) is not an EBS volume ID") }
            if let registered = try records.volume(ec2VolumeId: ec2VolumeId) {
                throw AWSError.validation("The volume \(ec2VolumeId) is already registered with stack \(registered.stackId ?? ""); deregister it first")
            }
            let region = stack.string("Region") ?? records.scope.region
            let id = makeTimeOrderedUUID()
            let document = JSONObject([
                ("VolumeId", .string(id)), ("Ec2VolumeId", .string(ec2VolumeId)), ("Status", "available"),
                ("Region", .string(region)), ("AvailabilityZone", .string(Self.defaultZone(of: stack))),
            ])
            try records.save(.volume, Registration(id: id, stackId: stackId, document: document))
            return id
        }
        return Self.output("VolumeId", volumeId)
    }

    func updateVolume(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let volumeId = input.string("VolumeId") ?? ""
        try store.write(scope) { records in
            var volume = try records.requireRegistration(.volume, volumeId)
            if let name = input.string("Name") {
                guard name.count <= 128 else { throw AWSError.validation("Name: must be at most 128 characters, not \(name.count)") }
                volume.document["Name"] = name.isEmpty ? nil : .string(name)
            }
            if let mountPoint = input.string("MountPoint") {
                guard mountPoint.isEmpty || mountPoint.hasPrefix("/") else { throw AWSError.validation("Mount Point: \(mountPoint) is not an absolute path") }
                volume.document["MountPoint"] = mountPoint.isEmpty ? nil : .string(mountPoint)
            }
            try records.save(.volume, volume)
        }
        return JSONObject()
    }

    /// The volume needs a mount point [CLI-ex assign-volume]; the instance, and the one the
    /// volume leaves, must be offline, and not Windows [UG resources-attach].
    func assignVolume(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let volumeId = input.string("VolumeId") ?? ""
        let now = clock()
        try store.write(scope) { records in
            var volume = try records.requireRegistration(.volume, volumeId)
            guard let instanceId = input.string("InstanceId") else {
                throw AWSError.validation("Instance Id: AssignVolume needs the instance to assign the volume to")
            }
            let stored = try records.requireStored(.instance, instanceId)
            guard stored.stringMember("StackId") == volume.stackId else {
                throw AWSError.validation("The instance \(instanceId) does not belong to stack \(volume.stackId ?? "")")
            }
            guard volume.document["MountPoint"] != nil else {
                throw AWSError.validation("The volume \(volumeId) has no mount point; set one with UpdateVolume first")
            }
            guard !Self.isWindows(stored.stringMember("Os") ?? "") else { throw AWSError.validation("Volumes cannot be assigned to Windows instances") }
            try Self.requireOffline(stored, at: now)
            if let previous = volume.instanceId, previous != instanceId { try Self.requireOffline(records.requireStored(.instance, previous), at: now) }
            let devices = Set(try records.registrations(.volume, instanceId: instanceId).compactMap { $0.document.string("Device") })
            let device = "ijklmnopqrstuvwxyz".lazy.map { "/dev/sd\($0)" }.first { !devices.contains($0) } ?? "/dev/sdz"
            // Assigned again where it is, a volume keeps its device.
            volume.document["Device"] = .string(volume.instanceId == instanceId ? volume.document.string("Device") ?? device : device)
            volume.document["InstanceId"] = .string(instanceId)
            volume.document["Status"] = "in-use"
            try records.save(.volume, volume)
        }
        return JSONObject()
    }

    /// The volume stays registered with the stack, `available` [UG resources-detach].
    func unassignVolume(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let volumeId = input.string("VolumeId") ?? ""
        let now = clock()
        try store.write(scope) { records in
            let volume = try records.requireRegistration(.volume, volumeId)
            guard let instanceId = volume.instanceId else { return }  // already where it goes, as DisassociateElasticIp
            try Self.requireOffline(records.requireStored(.instance, instanceId), at: now)
            try records.save(.volume, Self.unassigned(volume))
        }
        return JSONObject()
    }

    /// An assigned volume is unassigned first, as the console asks [UG resources-dereg].
    func deregisterVolume(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try deregister(scope, .volume, input.string("VolumeId") ?? "") { volume in
            if let instanceId = volume.instanceId {
                throw AWSError.validation("The volume \(volume.id) is assigned to instance \(instanceId); unassign it first")
            }
        }
    }

    func describeVolumes(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let now = clock()
        let volumes = try store.read(scope) { records -> [JSONObject] in
            let given = try Self.identifyingMember(input, ["InstanceId", "StackId", "RaidArrayId", "VolumeIds"])
            switch given.name {
            case "InstanceId":
                let stored = try records.requireStored(.instance, given.value.stringValue ?? "")
                return try configuredVolumes(of: stored, records, at: now)
                    + records.registrations(.volume, instanceId: stored.id).map(\.document)
            case "StackId":
                let stackId = given.value.stringValue ?? ""
                _ = try records.require(.stack, stackId)
                return try records.storedInstancesWithLayerVolumes(inStack: stackId).flatMap { try configuredVolumes(of: $0, records, at: now) }
                    + records.registrations(.volume, stackId: stackId).map(\.document)
            case "RaidArrayId":
                let raidArrayId = given.value.stringValue ?? ""
                let members = try records.storedInstancesWithLayerVolumes().flatMap { try configuredVolumes(of: $0, records, at: now) }
                    .filter { $0.string("RaidArrayId") == raidArrayId }
                guard !members.isEmpty else { throw AWSError.notFound("RAID array", raidArrayId) }
                return members
            default:
                var configured: [JSONObject]?
                return try (given.value.stringArray ?? []).map { volumeId in
                    if let registered = try records.registration(.volume, volumeId) { return registered.document }
                    if configured == nil { configured = try records.storedInstancesWithLayerVolumes().flatMap { try configuredVolumes(of: $0, records, at: now) } }
                    guard let volume = configured?.first(where: { $0.string("VolumeId") == volumeId }) else {
                        throw RegisteredKind.volume.notFound(volumeId)
                    }
                    return volume
                }
            }
        }
        return Self.list("Volumes", volumes.map(JSON.object))
    }

    /// The volumes OpsWorks made from the instance's layers' VolumeConfigurations: one per disk,
    /// members of the configuration's RAID array when it sets a RaidLevel.
    private func configuredVolumes(of stored: Stored, _ records: Records, at time: Timestamp) throws -> [JSONObject] {
        guard let (instance, configurations) = try Self.volumeConfigurations(of: stored, records, at: time) else { return [] }
        var volumes: [JSONObject] = []
        for configuration in configurations {
            let mountPoint = configuration.string("MountPoint") ?? ""
            let disks = max(1, Int(configuration["NumberOfDisks"]?.intValue ?? 1))
            for disk in 0..<disks {
                let key = "\(stored.id)|volume|\(mountPoint)|\(disk)"
                var volume = JSONObject([
                    ("VolumeId", .string(stableUUID(key))),
                    ("Ec2VolumeId", .string("vol-" + String(fnv1a(key), radix: 16).leftPadded(to: 17))),
                    ("InstanceId", .string(stored.id)),
                    ("Status", "in-use"),
                    ("Size", configuration["Size"] ?? .int(0)),
                    ("Device", .string("/dev/sd" + String(UnicodeScalar(UInt8(ascii: "f") + UInt8(min(volumes.count, 20)))))),
                    ("Region", .string(String((instance.string("AvailabilityZone") ?? records.scope.region + "a").dropLast()))),
                    ("AvailabilityZone", instance["AvailabilityZone"] ?? .string(records.scope.region + "a")),
                    ("VolumeType", configuration["VolumeType"] ?? "standard"),
                ])
                if configuration["RaidLevel"] != nil {
                    volume["RaidArrayId"] = .string(Self.raidArrayId(instanceId: stored.id, mountPoint: mountPoint))
                } else {
                    volume["MountPoint"] = .string(mountPoint)
                }
                if let iops = configuration["Iops"] { volume["Iops"] = iops }
                if let encrypted = configuration["Encrypted"] { volume["Encrypted"] = encrypted }
                volumes.append(volume)
            }
        }
        return volumes
    }

    /// An assigned volume back to `available`, still registered with its stack.
    static func unassigned(_ volume: Registration) -> Registration {
        volume.detached(removing: ["Device"], JSONObject([("Status", "available")]))
    }

    /// Offline: stopped, or never started (a registered instance's volumes are its own business).
    static func requireOffline(_ stored: Stored, at time: Timestamp) throws {
        let status = stored.timeline?.status(at: time) ?? "stopped"
        guard ["stopped", "registered"].contains(status) else {
            throw AWSError.validation("Instance \(stored.id) is \(status); volumes are assigned and unassigned only while the instance is offline (stopped)")
        }
    }

    /// The stack's default zone, or the region's first.
    static func defaultZone(of stack: JSONObject) -> String {
        stack.string("DefaultAvailabilityZone").flatMap { $0.isEmpty ? nil : $0 } ?? (stack.string("Region") ?? "us-east-1") + "a"
    }
}
