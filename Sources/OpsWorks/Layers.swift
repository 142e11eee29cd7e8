import AWSJSON

extension OpsWorksService {
    /// Security group names OpsWorks gives each built-in layer type.
    static let securityGroupNames: [String: String] = [
        "aws-flow-ruby": "AWS-OpsWorks-AWS-Flow-Ruby-Server", "ecs-cluster": "AWS-OpsWorks-ECS-Cluster",
        "java-app": "AWS-OpsWorks-Java-App-Server", "lb": "AWS-OpsWorks-LB-Server", "web": "AWS-OpsWorks-Web-Server",
        "php-app": "AWS-OpsWorks-PHP-App-Server", "rails-app": "AWS-OpsWorks-Rails-App-Server",
        "nodejs-app": "AWS-OpsWorks-nodejs-App-Server", "memcached": "AWS-OpsWorks-Memcached-Server",
        "db-master": "AWS-OpsWorks-DB-Master-Server", "monitoring-master": "AWS-OpsWorks-Monitoring-Master-Server",
        "custom": "AWS-OpsWorks-Custom-Server",
    ]

    static let layerAttributeKeys = [
        "EcsClusterArn", "EnableHaproxyStats", "HaproxyStatsUrl", "HaproxyStatsUser", "HaproxyStatsPassword",
        "HaproxyHealthCheckUrl", "HaproxyHealthCheckMethod", "MysqlRootPassword", "MysqlRootPasswordUbiquitous",
        "GangliaUrl", "GangliaUser", "GangliaPassword", "MemcachedMemory", "NodejsVersion", "RubyVersion",
        "RubygemsVersion", "ManageBundler", "BundlerVersion", "RailsStack", "PassengerVersion", "Jvm", "JvmVersion",
        "JvmOptions", "JavaAppServer", "JavaAppServerVersion",
    ]

    static let emptyRecipes: JSON = ["Setup": [], "Configure": [], "Deploy": [], "Undeploy": [], "Shutdown": []]

    /// OpsWorks' own recipes of a layer: Chef 11 layers listed the standard ones (a db-master
    /// adds its MySQL recipes) [CLI-ex describe-layers]; Chef 12 layers run only custom cookbooks
    /// (finding 24).
    static func defaultRecipes(type: String, chef: String) -> JSON {
        guard chef.hasPrefix("11") else { return emptyRecipes }
        let database = type == "db-master"
        return [
            "Setup": JSON(strings: ["opsworks_initial_setup", "ssh_host_keys", "ssh_users", "mysql::client", "dependencies", "ebs", "opsworks_ganglia::client"]
                + (database ? ["mysql::server", "dependencies", "deploy::mysql"] : [])),
            "Configure": JSON(strings: ["opsworks_ganglia::configure-client", "ssh_users", "agent_version"] + (database ? ["deploy::mysql"] : [])),
            "Deploy": JSON(strings: database ? ["deploy::default", "deploy::mysql"] : ["deploy::default"]),
            "Undeploy": [],
            "Shutdown": JSON(strings: ["opsworks_shutdown::default"] + (database ? ["mysql::stop"] : [])),
        ]
    }

    func createLayer(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        Self.output("LayerId", try store.write(scope) { try createLayer($0, input, id: nil) })
    }

    func createLayer(_ records: Records, _ input: JSONObject, id fixedId: String?) throws -> String {
        let stackId = input.string("StackId") ?? ""
        let stack = try records.require(.stack, stackId)
        let type = input.string("Type") ?? "custom"
        try Self.checkLayer(type: type, input, stack: stack)
        if type == "ecs-cluster" { try Self.requireRegisteredCluster(input.object("Attributes")?.string("EcsClusterArn") ?? "", stackId: stackId, records) }
        let name = input.string("Name") ?? ""
        let shortname = input.string("Shortname") ?? ""
        guard !name.isEmpty else { throw AWSError.validation("Name must not be empty") }
        guard Self.isShortname(shortname) else {
            throw AWSError.validation("Shortname \(shortname) must be 1 to 32 characters of letters, digits, '-', '_' and '.'")
        }
        if let customJson = input.string("CustomJson") { try Self.requireJSONObject(customJson, member: "CustomJson") }
        for layer in try records.members(.layer, ["Name", "Shortname", "Type"], inStack: stackId) {
            if layer[0] == name {
                throw AWSError.validation("There is already a layer named \(name) in stack \(stackId)")
            }
            if layer[1] == shortname {
                throw AWSError.validation("There is already a layer with the short name \(shortname) in stack \(stackId)")
            }
            // A stack holds at most one layer of each built-in type; custom layers are unlimited.
            if type != "custom" && layer[2] == type {
                throw AWSError.validation("Stack \(stackId) already has a layer of type \(type)")
            }
        }
        let id = fixedId ?? makeTimeOrderedUUID()
        let defaults = JSONObject([
            ("Arn", .string(Self.arn(records.scope, .layer, id, stackRegion: stack.string("Region") ?? records.scope.region))),
            ("StackId", .string(stackId)),
            ("LayerId", .string(id)),
            ("Type", .string(type)),
            ("Name", .string(name)),
            ("Shortname", .string(shortname)),
            ("Attributes", .object(JSONObject(Self.layerAttributeKeys.map { ($0, JSON.null) }))),
            ("CloudWatchLogsConfiguration", ["Enabled": false, "LogStreams": []]),
            ("CustomSecurityGroupIds", []),
            ("DefaultSecurityGroupNames", JSON(strings: [Self.securityGroupNames[type] ?? "AWS-OpsWorks-Custom-Server"])),
            ("Packages", []),
            ("VolumeConfigurations", []),
            ("EnableAutoHealing", true),
            ("AutoAssignElasticIps", false),
            ("AutoAssignPublicIps", false),
            ("DefaultRecipes", Self.defaultRecipes(type: type, chef: stack.object("ConfigurationManager")?.string("Version") ?? "12")),
            ("CustomRecipes", Self.emptyRecipes),
            ("CreatedAt", .string(clock().iso8601)),
            ("InstallUpdatesOnBoot", true),
            ("UseEbsOptimizedInstances", false),
            ("LifecycleEventConfiguration", ["Shutdown": ["ExecutionTimeout": 120, "DelayUntilElbConnectionsDrained": false]]),
        ])
        var layer = Self.stored(layer: Self.document(defaults: defaults, input: input, mergedMaps: ["Attributes", "CustomRecipes"]))
        // A partial Shutdown configuration keeps the default ExecutionTimeout (finding 21).
        if let shutdown = input.object("LifecycleEventConfiguration")?.object("Shutdown"),
           let standard = defaults.object("LifecycleEventConfiguration")?.object("Shutdown") {
            layer["LifecycleEventConfiguration"] = .object(JSONObject([("Shutdown", .object(standard.merging(shutdown)))]))
        }
        try records.insert(.layer, id: id, columns: ["stack_id": stackId], document: layer)
        return id
    }

    /// Replaces the members given and keeps the rest. Attributes merge per key, CustomRecipes
    /// per event: Terraform sends only the events that changed, and replacing the whole object
    /// would wipe the others (ops-behaviour §2). Names stay unique in the stack; a built-in
    /// layer's short name is the service's and does not change.
    func updateLayer(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let layerId = input.string("LayerId") ?? ""
        if let name = input.string("Name"), name.isEmpty || name.count > 32 {
            throw AWSError.validation("Name: must be 1 to 32 characters, not \(name.count)")
        }
        if let customJson = input.string("CustomJson") { try Self.requireJSONObject(customJson, member: "CustomJson") }
        try store.write(scope) { records in
            let current = try records.require(.layer, layerId)
            let stackId = current.string("StackId") ?? ""
            if let shortname = input.string("Shortname"), shortname != current.string("Shortname") {
                guard current.string("Type") == "custom" else {
                    throw AWSError.validation("Shortname: a built-in layer's short name is defined by OpsWorks Stacks and cannot change")
                }
                guard Self.isShortname(shortname) else {
                    throw AWSError.validation("Shortname \(shortname) must be 1 to 32 characters of letters, digits, '-', '_' and '.'")
                }
            }
            for layer in try records.members(.layer, ["LayerId", "Name", "Shortname"], inStack: stackId) where layer[0] != layerId {
                if let name = input.string("Name"), layer[1] == name {
                    throw AWSError.validation("There is already a layer named \(name) in stack \(stackId)")
                }
                if let shortname = input.string("Shortname"), layer[2] == shortname {
                    throw AWSError.validation("There is already a layer with the short name \(shortname) in stack \(stackId)")
                }
            }
            var changes = input
            changes["LayerId"] = nil
            try records.update(.layer, id: layerId, document: Self.stored(layer: Self.document(defaults: current, input: changes, mergedMaps: ["Attributes", "CustomRecipes"])))
        }
        return JSONObject()
    }

    /// The hostname CreateInstance would give the layer's next instance, by the stack's theme.
    /// Nothing is reserved: a name is taken only once an instance has it.
    func getHostnameSuggestion(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let layerId = input.string("LayerId") ?? ""
        let hostname = try store.read(scope) { records in
            // Three members read off the stored texts: decoding the layer and the stack documents
            // was half of this call (the sweep had it at half of DescribeStacks' rate).
            let layer = try records.requireStored(.layer, layerId)
            let stackId = layer.stringMember("StackId") ?? ""
            let stack = try records.requireStored(.stack, stackId)
            let taken = try records.hostnames(inStack: stackId)
            return Self.suggestedHostname(theme: stack.stringMember("HostnameTheme"), layerShortname: layer.stringMember("Shortname") ?? "", taken: taken)
        }
        return JSONObject([("LayerId", .string(layerId)), ("Hostname", .string(hostname))])
    }

    func describeLayers(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        Self.list("Layers", try describe(scope, .layer, input, ids: "LayerIds", parents: [
            .by("StackId", .stack, children: .layer, column: .stackId),
        ]).map { .raw($0.bytes) })
    }

    /// The layer attributes the service never returns in clear (finding 6).
    static let secretLayerAttributes = ["MysqlRootPassword", "HaproxyStatsPassword", "GangliaPassword"]

    /// A layer as it is kept: its password attributes filtered, as every response shows them.
    static func stored(layer: JSONObject) -> JSONObject {
        guard var attributes = layer.object("Attributes") else { return layer }
        for key in secretLayerAttributes {
            if let value = attributes.string(key), !value.isEmpty { attributes[key] = filtered }
        }
        var layer = layer
        layer["Attributes"] = .object(attributes)
        return layer
    }

    /// The rules of CreateLayer beyond the shapes [Model-doc CreateLayerRequest, VolumeConfiguration;
    /// UG chef-12-linux, workinglayers-ecscluster] (finding 10).
    static func checkLayer(type: String, _ input: JSONObject, stack: JSONObject) throws {
        let chef = stack.object("ConfigurationManager")?.string("Version") ?? ""
        if type != "custom" && type != "ecs-cluster" && (chef == "12" || chef == "12.2") {
            throw AWSError.validation("Type: built-in layers are not available in Chef 12 stacks; use a custom layer (\(type) needs Chef 11.10 or 11.4)")
        }
        if let name = input.string("Name"), name.count > 32 { throw AWSError.validation("Name: must be at most 32 characters, not \(name.count)") }
        if type != "custom", let shortname = input.string("Shortname"), shortname != type {
            throw AWSError.validation("Shortname: built-in layer short names are defined by OpsWorks Stacks: \(type)")
        }
        if type == "ecs-cluster" {
            guard let cluster = input.object("Attributes")?.string("EcsClusterArn"), cluster.hasPrefix("arn:"), cluster.contains(":ecs:"), cluster.contains(":cluster/") else {
                throw AWSError.validation("Attributes: an ecs-cluster layer needs the EcsClusterArn of a registered ECS cluster")
            }
        }
        for volume in (input["VolumeConfigurations"]?.arrayValue ?? []).compactMap(\.objectValue) {
            try checkVolumeConfiguration(volume)
        }
        for stream in (input.object("CloudWatchLogsConfiguration")?["LogStreams"]?.arrayValue ?? []).compactMap(\.objectValue) {
            guard !(stream.string("LogGroupName") ?? "").isEmpty else {
                throw AWSError.validation("CloudWatch Logs Configuration: every log stream needs a LogGroupName")
            }
        }
    }

    /// Sizes by volume type, in GiB; RAID levels; Iops for io1 [Model-doc VolumeConfiguration].
    static func checkVolumeConfiguration(_ volume: JSONObject) throws {
        let type = volume.string("VolumeType") ?? "standard"
        let sizes: [String: ClosedRange<Int64>] = ["standard": 1...1024, "io1": 4...16384, "gp2": 1...16384, "st1": 125...16384, "sc1": 125...16384]
        guard let range = sizes[type] else {
            throw AWSError.validation("Volume Configurations: the volume type \(type) is not one of standard, io1, gp2, st1, sc1")
        }
        if let size = volume["Size"]?.intValue, !range.contains(size) {
            throw AWSError.validation("Volume Configurations: a \(type) volume is \(range.lowerBound) to \(range.upperBound) GiB, not \(size)")
        }
        if let level = volume["RaidLevel"]?.intValue, ![0, 1, 5, 6, 10].contains(level) {
            throw AWSError.validation("Volume Configurations: RAID level \(level) is not one of 0, 1, 5, 6, 10")
        }
        if type == "io1" && volume["Iops"] == nil {
            throw AWSError.validation("Volume Configurations: an io1 volume needs Iops")
        }
    }

    /// Layer short names: 1 to 32 of `[A-Za-z0-9-_.]`.
    static func isShortname(_ name: String) -> Bool {
        (1...32).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    /// A layer with instances is not deleted: "you must first stop and then delete all associated
    /// instances" [Model]. Its load-based scaling, its ELB attachment and its tags go with it.
    func deleteLayer(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let layerId = input.string("LayerId") ?? ""
        try store.write(scope) { records in
            _ = try records.require(.layer, layerId)
            let instances = try records.instanceStates(inLayer: layerId).map(\.id)
            guard instances.isEmpty else {
                throw AWSError.validation("Layer \(layerId) has instances (\(instances.joined(separator: ", "))): stop and delete them, or unassign registered ones, before deleting the layer.")
            }
            try records.deleteRows("load_based_scaling", where: "layer_id", equals: layerId)
            try records.deleteRows("elastic_load_balancers", where: "layer_id", equals: layerId)
            try records.deleteTags(.layer, layerId)
            try records.delete(.layer, layerId)
        }
        return JSONObject()
    }
}
