import AWSJSON

extension OpsWorksService {
    /// The hostname themes OpsWorks offers; `Layer_Dependent` names instances after their layer.
    static let hostnameThemes = [
        "Layer_Dependent", "Baked_Goods", "Clouds", "Europe_Cities", "Fruits", "Greek_Deities_and_Titans",
        "Legendary_creatures_from_Japan", "Planets_and_Moons", "Roman_Deities", "Scottish_Islands", "US_Cities", "Wild_Cats",
    ]

    func createStack(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        Self.output("StackId", try store.write(scope) { try createStack($0, input, id: nil) })
    }

    /// Creates a stack with the documented defaults; `id` is fixed by fixtures, else a new UUID.
    /// A Linux stack is Chef 12 unless it says otherwise, a Windows one Chef 12.2 [Model-doc
    /// StackConfigurationManager]. Without a VPC the stack is in the account's default VPC, with
    /// a subnet in the default zone, as on an account without EC2-Classic (finding 15).
    func createStack(_ records: Records, _ input: JSONObject, id fixedId: String?) throws -> String {
        try Self.checkStack(input, endpointRegion: records.scope.region)
        let region = input.string("Region") ?? ""
        let os = input.string("DefaultOs") ?? "Amazon Linux 2"
        let id = fixedId ?? makeTimeOrderedUUID()
        let vpcId = input.string("VpcId") ?? Self.derivedId("vpc", records.scope.key + "|default-vpc")
        let subnetId = input.string("DefaultSubnetId") ?? Self.derivedId("subnet", vpcId + "|" + region + "a")
        let zone = input.string("DefaultAvailabilityZone") ?? Self.zone(ofSubnet: subnetId, region: region, given: input["DefaultSubnetId"] != nil)
        let defaults = JSONObject([
            ("StackId", .string(id)),
            ("Name", nil),
            ("Arn", .string(Self.arn(records.scope, .stack, id, stackRegion: region))),
            ("Region", nil),
            ("VpcId", .string(vpcId)),
            ("Attributes", ["Color": nil]),
            ("ServiceRoleArn", nil),
            ("DefaultInstanceProfileArn", nil),
            ("DefaultOs", .string(os)),
            ("HostnameTheme", "Layer_Dependent"),
            ("DefaultAvailabilityZone", .string(zone)),
            ("DefaultSubnetId", .string(subnetId)),
            ("ConfigurationManager", ["Name": "Chef", "Version": .string(Self.isWindows(os) ? "12.2" : "12")]),
            ("UseCustomCookbooks", false),
            ("UseOpsworksSecurityGroups", true),
            ("CustomCookbooksSource", .object(JSONObject())),
            ("CreatedAt", .string(clock().iso8601)),
            ("DefaultRootDeviceType", "instance-store"),
            ("AgentVersion", "LATEST"),
        ])
        var stack = Self.withoutNulls(Self.document(defaults: defaults, input: input, mergedMaps: ["Attributes"]))
        stack["CustomCookbooksSource"] = .object(Self.storedSource(stack.object("CustomCookbooksSource") ?? JSONObject()))
        try records.insert(.stack, id: id, document: stack)
        return id
    }

    /// The eight regions a stack created at the us-east-1 endpoint may have besides us-east-1
    /// (classic regions), and the endpoints of the service [Model-doc CreateStackRequest.Region,
    /// UG workingstacks-creating].
    static let classicRegions: Set<String> = ["us-west-1", "us-west-2", "sa-east-1", "eu-central-1", "eu-west-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2"]
    static let endpointRegions: Set<String> = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ap-south-1", "ap-southeast-1",
                                               "ap-southeast-2", "ap-northeast-1", "ap-northeast-2", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1"]
    static let chefVersions: Set<String> = ["12", "11.10", "11.4", "12.2"]

    /// What CreateStack (and CloneStack) check beyond the shapes: the rules of fidelity audit
    /// §3.1, each a ValidationException in the service's `<Field>: <problem>` style; the real
    /// texts where they are known.
    static func checkStack(_ input: JSONObject, endpointRegion: String) throws {
        try checkStackName(input.string("Name") ?? "")
        let region = input.string("Region") ?? ""
        guard RequestContext.isRegionName(region), endpointRegions.contains(region) || classicRegions.contains(region) else {
            throw AWSError.validation("Region: \(region) is not a region OpsWorks Stacks runs in")
        }
        guard region == endpointRegion || (endpointRegion == "us-east-1" && classicRegions.contains(region)) else {
            throw AWSError.validation("Region: a stack at the \(endpointRegion) endpoint must be in \(endpointRegion)\(endpointRegion == "us-east-1" ? " or a classic region" : ""), not \(region)")
        }
        try requireIAMArn(input.string("ServiceRoleArn") ?? "", kind: "role", member: "Service Role Arn")
        try requireIAMArn(input.string("DefaultInstanceProfileArn") ?? "", kind: "instance-profile", member: "Default Instance Profile Arn")
        if let theme = input.string("HostnameTheme"), !hostnameThemes.contains(theme) {
            throw AWSError.validation("HostnameTheme \(theme) is not one of \(hostnameThemes.joined(separator: ", "))")
        }
        if let customJson = input.string("CustomJson") { try requireJSONObject(customJson, member: "CustomJson") }
        let vpcId = input.string("VpcId"), subnetId = input.string("DefaultSubnetId")
        if let vpcId { guard isEC2Id(vpcId, prefix: "vpc") else { throw AWSError.validation("Vpc Id: \(vpcId) is not a VPC ID (vpc- and 8 or 17 hex digits)") } }
        if let subnetId { guard isEC2Id(subnetId, prefix: "subnet") else { throw AWSError.validation("Default Subnet Id: \(subnetId) is not a subnet ID") } }
        if vpcId != nil && subnetId == nil { throw AWSError.validation("Default Subnet Id: You must specify a value for DefaultSubnetId when VpcId is given") }
        if vpcId == nil && subnetId != nil { throw AWSError.validation("Vpc Id: DefaultSubnetId needs the VpcId of its VPC") }
        if let zone = input.string("DefaultAvailabilityZone"), !isZone(zone, of: region) {
            throw AWSError.validation("Default Availability Zone: \(zone) is not a zone of \(region)")
        }
        let os = input.string("DefaultOs") ?? "Amazon Linux 2"
        let manager = input.object("ConfigurationManager")
        let chef = manager?.string("Version") ?? (isWindows(os) ? "12.2" : "12")
        if let managerName = manager?.string("Name"), managerName != "Chef" {
            throw AWSError.validation("Configuration Manager: \(managerName) is not supported; the configuration manager is Chef")
        }
        guard chefVersions.contains(chef) else {
            throw AWSError.validation("Configuration Manager: Chef::\(chef) is not supported; Chef::12, Chef::11.10 or Chef::11.4 on Linux, Chef::12.2 on Windows")
        }
        try checkOs(os, chef: chef, member: "Default Os")
        if let agent = input.string("AgentVersion") {
            guard chef != "12.2" else { throw AWSError.validation("Agent Version: can only be set for Chef 11.10 and Chef 12") }
            guard agent == "LATEST" || agentVersions.values.contains(where: { $0.contains(agent) }) else {
                throw AWSError.validation("Agent Version: \(agent) is not LATEST nor a version DescribeAgentVersions lists")
            }
        }
        if input.object("ChefConfiguration")?.string("BerkshelfVersion") != nil && chef != "11.10" {
            throw AWSError.validation("Chef Configuration's Berkshelf Version: is unsupported prior to Chef 11.10")
        }
    }

    /// Stack names: 1 to 64 characters [Model-doc CreateStackRequest.Name].
    static func checkStackName(_ name: String) throws {
        guard (1...64).contains(name.count) else { throw AWSError.validation("Name: must be 1 to 64 characters, not \(name.count)") }
    }

    /// A zone of the region: the region's name and one letter (`us-east-1a`).
    static func isZone(_ zone: String, of region: String) -> Bool {
        zone.hasPrefix(region) && zone.count == region.count + 1 && zone.last?.isLetter == true
    }

    /// An OS the Chef version supports, or Custom: `Default Os: X is unsupported with Chef::11.4.`
    static func checkOs(_ os: String, chef: String, member: String) throws {
        guard os != "Custom" else { return }
        guard let known = operatingSystems.first(where: { $0.name == os }) else {
            throw AWSError.validation("\(member): \(os) is not an operating system OpsWorks Stacks supports (see DescribeOperatingSystems)")
        }
        guard known.chef.contains(chef) else { throw AWSError.validation("\(member): \(os) is unsupported with Chef::\(chef).") }
    }

    /// `arn:<partition>:iam::<12 digits>:<kind>/<name>`: the form only; the emulator has no IAM.
    static func requireIAMArn(_ arn: String, kind: String, member: String) throws {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[3].isEmpty, parts[4].count == 12,
              parts[4].allSatisfy(\.isNumber), parts[5].hasPrefix(kind + "/"), parts[5].count > kind.count + 1 else {
            throw AWSError.validation("\(member): \(arn) is not the ARN of an IAM \(kind) (arn:aws:iam::<account>:\(kind)/<name>)")
        }
    }

    /// `vpc-` (or `subnet-`, ...) and 8 or 17 hex digits.
    static func isEC2Id(_ id: String, prefix: String) -> Bool {
        guard id.hasPrefix(prefix + "-") else { return false }
        let digits = id.dropFirst(prefix.count + 1)
        return (digits.count == 8 || digits.count == 17) && digits.allSatisfy(\.isHexDigit) && digits == digits.lowercased()
    }

    /// An EC2-style ID derived from `seed`: the same seed gives the same ID (ops-behaviour §0).
    static func derivedId(_ prefix: String, _ seed: String) -> String {
        "\(prefix)-" + String(fnv1a(seed), radix: 16).leftPadded(to: 17)
    }

    /// The zone a subnet is in: stable per subnet ID, so every call and every instance agree.
    static func zone(ofSubnet subnetId: String, region: String, given: Bool) -> String {
        guard given else { return region + "a" }
        return region + ["a", "b", "c"][Int(fnv1a(subnetId) % 3)]
    }

    /// Replaces the members given and keeps the rest; Attributes merge per key. Region and VpcId
    /// are not in the request. The service refused what would move a stack under its running
    /// instances and apps: another service role ("You cannot update a stack's service role"),
    /// a switch between Linux and Windows, a Chef version change once an app has environment
    /// variables [Model, UG workingstacks-edit].
    func updateStack(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        if let name = input.string("Name") { try Self.checkStackName(name) }
        if let theme = input.string("HostnameTheme"), !Self.hostnameThemes.contains(theme) {
            throw AWSError.validation("HostnameTheme \(theme) is not one of \(Self.hostnameThemes.joined(separator: ", "))")
        }
        if let customJson = input.string("CustomJson") { try Self.requireJSONObject(customJson, member: "CustomJson") }
        try store.write(scope) { records in
            let current = try records.require(.stack, stackId)
            if let role = input.string("ServiceRoleArn"), role != current.string("ServiceRoleArn") {
                throw AWSError.validation("Service Role Arn: you cannot update a stack's service role")
            }
            if let os = input.string("DefaultOs"), Self.isWindows(os) != Self.isWindows(current.string("DefaultOs") ?? "") {
                throw AWSError.validation("Default Os: a stack cannot switch between Linux and Windows")
            }
            let chef = input.object("ConfigurationManager")?.string("Version") ?? current.object("ConfigurationManager")?.string("Version") ?? "12"
            try Self.checkOs(input.string("DefaultOs") ?? current.string("DefaultOs") ?? "", chef: chef, member: "Default Os")
            if input["AgentVersion"] != nil && chef == "12.2" {
                throw AWSError.validation("Agent Version: can only be set for Chef 11.10 and Chef 12")
            }
            if let manager = input.object("ConfigurationManager"), let version = manager.string("Version"),
               version != current.object("ConfigurationManager")?.string("Version") {
                let apps = try records.list(.app, where: .stackId, equals: stackId)
                if apps.contains(where: { !($0["Environment"]?.arrayValue ?? []).isEmpty }) {
                    throw AWSError.validation("Configuration Manager: the Chef version cannot change once an app of the stack has environment variables")
                }
            }
            var changes = input
            changes["StackId"] = nil
            var updated = Self.document(defaults: current, input: changes, mergedMaps: ["Attributes"])
            updated["CustomCookbooksSource"] = .object(Self.storedSource(updated.object("CustomCookbooksSource") ?? JSONObject()))
            try records.update(.stack, id: stackId, document: updated)
        }
        return JSONObject()
    }

    static func isWindows(_ os: String) -> Bool { os.hasPrefix("Microsoft Windows") }

    /// The stack with its layer, app and instance counts; instances by status, the statuses with
    /// none left out as in the service's sample [CLI-ex describe-stack-summary].
    func describeStackSummary(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        let now = clock()
        return try store.read(scope) { records in
            let stack = try records.require(.stack, stackId)
            var byStatus: [String: Int64] = [:]
            for instance in try records.instanceStates(where: .stackId, equals: stackId) {
                byStatus[Self.instancesCountMember(instance.status(at: now)), default: 0] += 1
            }
            return JSONObject([("StackSummary", .object(JSONObject([
                ("StackId", .string(stackId)),
                ("Name", JSON(stack.string("Name"))),
                ("Arn", JSON(stack.string("Arn"))),
                ("LayersCount", .int(Int64(try records.count(.layer, where: .stackId, equals: stackId)))),
                ("AppsCount", .int(Int64(try records.count(.app, where: .stackId, equals: stackId)))),
                ("InstancesCount", .object(JSONObject(byStatus.sorted { $0.key < $1.key }.map { ($0.key, JSON.int($0.value)) }))),
            ])))])
        }
    }

    /// `running_setup` -> `RunningSetup`: the InstancesCount member of a status.
    static func instancesCountMember(_ status: String) -> String {
        status.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// What `aws opsworks register` hands the agent's installer [CLI-ex
    /// describe-stack-provisioning-parameters]; it reads AgentInstallerUrl and
    /// Parameters["assets_download_bucket"], and a key missing is a KeyError there.
    func describeStackProvisioningParameters(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        let stack = try store.read(scope) { try $0.require(.stack, stackId) }
        let region = stack.string("Region") ?? scope.region
        let bucket = "opsworks-instance-agent-\(region)"
        let parameters: [(String, String)] = [
            ("agent_installer_base_url", "\(bucket).s3.amazonaws.com"),
            ("agent_installer_tgz", "opsworks-agent-installer.tgz"),
            ("assets_download_bucket", "opsworks-instance-assets-\(region).s3.amazonaws.com"),
            ("charlie_public_key", "-----BEGIN PUBLIC KEY-----\nopsworks-local has no instance service key\n-----END PUBLIC KEY-----"),
            ("instance_service_endpoint", "opsworks-instance-service.\(region).amazonaws.com"),
            ("instance_service_port", "443"),
            ("instance_service_region", region),
            ("instance_service_ssl_verify_peer", "true"),
            ("instance_service_use_ssl", "true"),
            ("ops_works_endpoint", "opsworks.\(region).amazonaws.com"),
            ("ops_works_port", "443"),
            ("ops_works_region", region),
            ("ops_works_ssl_verify_peer", "true"),
            ("ops_works_use_ssl", "true"),
            ("verbose", "false"),
            ("wait_between_runs", "30"),
        ]
        return JSONObject([
            ("AgentInstallerUrl", .string("https://\(bucket).s3.amazonaws.com/\(stackId)/opsworks-agent-installer.tgz")),
            ("Parameters", .object(JSONObject(parameters.map { ($0.0, JSON.string($0.1)) }))),
        ])
    }

    /// A new stack with the source's settings where the request gives none, its layers (with
    /// their load-based scaling) under new IDs and the apps named in CloneAppIds; no instances,
    /// no tags, nothing registered [UG workingstacks-cloning]. One write: the whole clone or none.
    func cloneStack(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let sourceId = input.string("SourceStackId") ?? ""
        if let name = input.string("Name") { try Self.checkStackName(name) }
        let newId = try store.write(scope) { records -> String in
            let source = try records.require(.stack, sourceId)
            if let os = input.string("DefaultOs"), Self.isWindows(os) != Self.isWindows(source.string("DefaultOs") ?? "") {
                throw AWSError.validation("Default Os: a clone cannot switch between Linux and Windows")
            }
            let appIds = input.strings("CloneAppIds") ?? []
            let apps = try appIds.map { try Self.requireInStack(records, .app, $0, stackId: sourceId) }
            var request = source
            for member in ["StackId", "Arn", "CreatedAt"] { request[member] = nil }
            for (key, value) in input where !["SourceStackId", "ClonePermissions", "CloneAppIds"].contains(key) {
                request[key] = value
            }
            let stackId = try createStack(records, request, id: nil)
            let now = clock().iso8601
            for layer in try records.list(.layer, where: .stackId, equals: sourceId) {
                let layerId = makeTimeOrderedUUID()
                var copy = layer
                copy["LayerId"] = .string(layerId)
                copy["StackId"] = .string(stackId)
                copy["Arn"] = .string(Self.arn(records.scope, .layer, layerId, stackRegion: request.string("Region") ?? records.scope.region))
                copy["CreatedAt"] = .string(now)
                try records.insert(.layer, id: layerId, columns: ["stack_id": stackId], document: copy)
                if let scaling = try records.loadBasedScaling(ofLayer: layer.string("LayerId") ?? "") {
                    try records.setLoadBasedScaling(ofLayer: layerId, scaling)
                }
            }
            for app in apps {
                let appId = makeTimeOrderedUUID()
                var copy = app
                copy["AppId"] = .string(appId)
                copy["StackId"] = .string(stackId)
                copy["CreatedAt"] = .string(now)
                try records.insert(.app, id: appId, columns: ["stack_id": stackId], document: copy)
            }
            return stackId
        }
        return Self.output("StackId", newId)
    }

    func describeStacks(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stacks = try store.read(scope) { records in
            guard let ids = input.strings("StackIds") else { return try records.stored(.stack) }
            guard !ids.isEmpty else { throw AWSError.validation("Please provide no arguments or, one or more stack IDs") }
            return try ids.map { try records.requireStored(.stack, $0) }
        }
        return Self.list("Stacks", stacks.map { .raw($0.bytes) })
    }

    /// Custom JSON members must hold a JSON object, as the service requires.
    static func requireJSONObject(_ text: String, member: String) throws {
        guard case .object = try? JSONParser.parse(text) else {
            throw AWSError.validation("\(member) must be a JSON object")
        }
    }

    /// Only an empty stack is deleted: its layers, apps and instances must be deleted first
    /// [UG workingstacks-shutting]. What is the stack's alone goes with it, in the same write:
    /// its deployments and their commands, its tags.
    func deleteStack(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        try store.write(scope) { records in
            _ = try records.require(.stack, stackId)
            let held = try [(ResourceKind.layer, "layers"), (.app, "apps"), (.instance, "instances")].compactMap { kind, plural in
                let count = try records.count(kind, where: .stackId, equals: stackId)
                return count == 0 ? nil : "\(count) \(count == 1 ? kind.rawValue : plural)"
            }
            guard held.isEmpty else {
                throw AWSError.validation("Stack \(stackId) is not empty: it has \(held.joined(separator: ", ")). Delete them first; only an empty stack can be deleted.")
            }
            try records.deleteDeployments(ofStack: stackId)
            try records.deleteTags(.stack, stackId)
            // "When you delete a stack, AWS OpsWorks Stacks deregisters all resources" [UG].
            try records.deregisterAll(ofStack: stackId)
            try records.deleteRows("permissions", where: "stack_id", equals: stackId)
            try records.delete(.stack, stackId)
        }
        return JSONObject()
    }
}
