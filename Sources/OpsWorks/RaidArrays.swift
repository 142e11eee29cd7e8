import AWSJSON

/// RAID arrays: OpsWorks built one on each instance of a layer whose VolumeConfigurations set a
/// RaidLevel, when the instance came up, and registered it with the stack [UG resources-reg].
/// Here they are read off the state, stable across calls: an instance that has an EC2 instance
/// (booting, online, ...) has the arrays of its layers' configurations (ops-behaviour §6).
extension OpsWorksService {
    func describeRaidArrays(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let now = clock()
        let arrays = try store.read(scope) { records -> [JSONObject] in
            let given = try Self.identifyingMember(input, ["InstanceId", "StackId", "RaidArrayIds"])
            switch given.name {
            case "InstanceId":
                return try raidArrays(of: records.requireStored(.instance, given.value.stringValue ?? ""), records, at: now)
            case "StackId":
                let stackId = given.value.stringValue ?? ""
                _ = try records.require(.stack, stackId)
                return try records.storedInstancesWithLayerVolumes(inStack: stackId).flatMap { try raidArrays(of: $0, records, at: now) }
            default:
                let all = try records.storedInstancesWithLayerVolumes().flatMap { try raidArrays(of: $0, records, at: now) }
                return try (given.value.stringArray ?? []).map { id in
                    guard let array = all.first(where: { $0.string("RaidArrayId") == id }) else {
                        throw AWSError.notFound("RAID array", id)
                    }
                    return array
                }
            }
        }
        return Self.list("RaidArrays", arrays.map(JSON.object))
    }

    static func raidArrayId(instanceId: String, mountPoint: String) -> String {
        stableUUID(instanceId + "|raid|" + mountPoint)
    }

    /// The instance's document and its layers' VolumeConfigurations, while it has an EC2
    /// instance (before it boots it has no volumes): what its RAID arrays and volumes are made of.
    static func volumeConfigurations(of stored: Stored, _ records: Records, at time: Timestamp) throws -> (instance: JSONObject, configurations: [JSONObject])? {
        guard InstanceLifecycle.running.contains(stored.timeline?.status(at: time) ?? "stopped") else { return nil }
        let instance = try stored.decoded()
        let configurations = try (instance.strings("LayerIds") ?? []).flatMap { layerId in
            try records.find(.layer, layerId)?["VolumeConfigurations"]?.arrayValue?.compactMap(\.objectValue) ?? []
        }
        return (instance, configurations)
    }

    private func raidArrays(of stored: Stored, _ records: Records, at time: Timestamp) throws -> [JSONObject] {
        guard let (instance, configurations) = try Self.volumeConfigurations(of: stored, records, at: time) else { return [] }
        var arrays: [JSONObject] = []
        for configuration in configurations {
            guard let level = configuration["RaidLevel"], let mountPoint = configuration.string("MountPoint") else { continue }
            var array = JSONObject([
                ("RaidArrayId", .string(Self.raidArrayId(instanceId: stored.id, mountPoint: mountPoint))),
                ("InstanceId", .string(stored.id)),
                ("Name", .string("Created for \(instance.string("Hostname") ?? stored.id)")),
                ("RaidLevel", level),
                ("NumberOfDisks", configuration["NumberOfDisks"] ?? .int(1)),
                ("Size", configuration["Size"] ?? .int(0)),
                ("Device", .string("/dev/md\(arrays.count)")),
                ("MountPoint", .string(mountPoint)),
                ("AvailabilityZone", instance["AvailabilityZone"] ?? .string(records.scope.region + "a")),
                ("CreatedAt", instance["CreatedAt"] ?? .null),
                ("StackId", instance["StackId"] ?? .null),
                ("VolumeType", configuration["VolumeType"] ?? "standard"),
            ])
            if let iops = configuration["Iops"] { array["Iops"] = iops }
            arrays.append(array)
        }
        return arrays
    }

    /// Service errors: OpsWorks recorded them when EC2 failed an instance. Nothing fails here,
    /// so every list is empty and no service error ID is known (ops-behaviour §11).
    func describeServiceErrors(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try store.read(scope) { records in
            let given = try Self.identifyingMember(input, ["StackId", "InstanceId", "ServiceErrorIds"])
            switch given.name {
            case "StackId": _ = try records.require(.stack, given.value.stringValue ?? "")
            case "InstanceId": _ = try records.require(.instance, given.value.stringValue ?? "")
            default: throw AWSError.notFound("service error", given.value.stringArray?.first ?? "")
            }
        }
        return Self.list("ServiceErrors", [])
    }
}

/// A UUID-shaped ID derived from `text`: the same text always gives the same ID.
func stableUUID(_ text: String) -> String {
    let high = String(fnv1a(text), radix: 16).leftPadded(to: 16)
    let low = String(fnv1a(text + "#"), radix: 16).leftPadded(to: 16)
    let hex = Array(high + low)
    let variant: Character = ["8", "9", "a", "b"][Int(fnv1a(text) % 4)]
    return "\(String(hex[0..<8]))-\(String(hex[8..<12]))-4\(String(hex[13..<16]))-\(variant)\(String(hex[17..<20]))-\(String(hex[20..<32]))"
}
