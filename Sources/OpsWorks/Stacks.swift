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
    func createStack(_ records: Records, _ input: JSONObject, id fixedId: String?) throws -> String {
        let region = input.string("Region") ?? ""
        guard RequestContext.isRegionName(region) else {
            throw AWSError.validation("Region \(region) is not a valid AWS region name (for example us-east-1)")
        }
        for member in ["ServiceRoleArn", "DefaultInstanceProfileArn"] {
            let value = input.string(member) ?? ""
            guard value.hasPrefix("arn:") else { throw AWSError.validation("\(member) \(value) is not an ARN") }
        }
        if let theme = input.string("HostnameTheme"), !Self.hostnameThemes.contains(theme) {
            throw AWSError.validation("HostnameTheme \(theme) is not one of \(Self.hostnameThemes.joined(separator: ", "))")
        }
        if let customJson = input.string("CustomJson") { try Self.requireJSONObject(customJson, member: "CustomJson") }
        let id = fixedId ?? makeTimeOrderedUUID()
        let defaults = JSONObject([
            ("StackId", .string(id)),
            ("Name", nil),
            ("Arn", .string(Self.arn(records.scope, .stack, id))),
            ("Region", nil),
            ("Attributes", ["Color": nil]),
            ("ServiceRoleArn", nil),
            ("DefaultInstanceProfileArn", nil),
            ("DefaultOs", "Amazon Linux 2"),
            ("HostnameTheme", "Layer_Dependent"),
            ("DefaultAvailabilityZone", .string(input["VpcId"] == nil ? region + "a" : "")),
            ("ConfigurationManager", ["Name": "Chef", "Version": "11.4"]),
            ("UseCustomCookbooks", false),
            ("UseOpsworksSecurityGroups", true),
            ("CustomCookbooksSource", .object(JSONObject())),
            ("CreatedAt", .string(clock().iso8601)),
            ("DefaultRootDeviceType", "instance-store"),
            ("AgentVersion", "LATEST"),
        ])
        let stack = Self.withoutNulls(Self.document(defaults: defaults, input: input, mergedMaps: ["Attributes"]))
        try records.insert(.stack, id: id, document: stack)
        return id
    }

    /// Replaces the members given and keeps the rest; Attributes merge per key. Region and VpcId
    /// are not in the request. The service refused what would move a stack under its running
    /// instances and apps: another service role ("You cannot update a stack's service role"),
    /// a switch between Linux and Windows, a Chef version change once an app has environment
    /// variables [Model, UG workingstacks-edit].
    func updateStack(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        if let name = input.string("Name"), name.isEmpty || name.count > 64 {
            throw AWSError.validation("Name: must be 1 to 64 characters, not \(name.count)")
        }
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
            if let manager = input.object("ConfigurationManager"), let version = manager.string("Version"),
               version != current.object("ConfigurationManager")?.string("Version") {
                let apps = try records.list(.app, where: .stackId, equals: stackId)
                if apps.contains(where: { !($0["Environment"]?.arrayValue ?? []).isEmpty }) {
                    throw AWSError.validation("Configuration Manager: the Chef version cannot change once an app of the stack has environment variables")
                }
            }
            var changes = input
            changes["StackId"] = nil
            try records.update(.stack, id: stackId, document: Self.document(defaults: current, input: changes, mergedMaps: ["Attributes"]))
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
        if let name = input.string("Name"), name.isEmpty || name.count > 64 {
            throw AWSError.validation("Name: must be 1 to 64 characters, not \(name.count)")
        }
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
                copy["Arn"] = .string(Self.arn(records.scope, .layer, layerId))
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
            try records.delete(.stack, stackId)
        }
        return JSONObject()
    }
}
