import AWSJSON

extension OpsWorksService {
    func createDeployment(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let now = clock()
        return Self.output("DeploymentId", try store.write(scope) { records in
            let stackId = input.string("StackId") ?? ""
            guard try records.exists(.stack, stackId) else { throw AWSError.notFound("stack", stackId) }
            let commandInput = input.object("Command") ?? JSONObject()
            let commandText = commandInput.string("Name") ?? ""
            guard let command = DeploymentCommandName(rawValue: commandText) else {
                throw AWSError.validation("Command name \(commandText) is not one of \(DeploymentCommandName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let args = commandInput.object("Args") ?? JSONObject()
            try command.validate(args)
            let appId = input.string("AppId")
            if command.isAppCommand && appId == nil {
                throw AWSError.validation("The \(command.rawValue) command needs an AppId")
            }
            if let appId { try Self.requireOwned(records, .app, appId, stackId: stackId) }
            if let customJson = input.string("CustomJson") { try Self.requireJSONObject(customJson, member: "CustomJson") }
            let listedInstances = try (input.strings("InstanceIds") ?? []).map { id -> InstanceState in
                guard let state = try records.instanceStates(where: "id", equals: id).first else { throw AWSError.notFound("instance", id) }
                guard state.stackId == stackId else { throw AWSError.validation("The instance \(id) does not belong to stack \(stackId)") }
                return state
            }
            let listedLayers = input.strings("LayerIds") ?? []
            for layerId in listedLayers { try Self.requireOwned(records, .layer, layerId, stackId: stackId) }
            if command == .rollback, let appId { try rollBack(records, appId: appId) }

            let targets = try deploymentTargets(records, stackId: stackId, instances: listedInstances, layers: listedLayers, at: now)
            let fails = command == .executeRecipes && (args.strings("recipes") ?? []).contains(DeploymentCommandName.failingRecipe)
            let finalStatus = fails ? "failed" : "successful"
            let deploymentId = makeUUID()
            let deployment = JSONObject([
                ("DeploymentId", .string(deploymentId)),
                ("StackId", .string(stackId)),
                ("AppId", JSON(appId)),
                ("CreatedAt", .string(now.iso8601)),
                ("IamUserArn", .string("arn:aws:iam::\(scope.account):root")),
                ("Comment", input["Comment"] ?? .null),
                ("Command", ["Name": .string(command.rawValue), "Args": .object(args)]),
                ("CustomJson", input["CustomJson"] ?? .null),
                ("InstanceIds", JSON(strings: targets.map { $0.id })),
            ])
            let timeline = Timeline(["running", finalStatus], from: now, stepSeconds: durations.deploymentSeconds)
            try records.insert(.deployment, id: deploymentId, columns: ["stack_id": stackId, "app_id": appId, "timeline": timeline.text],
                               document: Self.withoutNulls(deployment))
            // One command per target. An instance that is not online when the deployment starts
            // is skipped, as the agent on it cannot run anything.
            for target in targets {
                let commandId = makeUUID()
                let outcome = target.status == "online" ? finalStatus : "skipped"
                let commandDocument = JSONObject([
                    ("CommandId", .string(commandId)),
                    ("InstanceId", .string(target.id)),
                    ("DeploymentId", .string(deploymentId)),
                    ("CreatedAt", .string(now.iso8601)),
                    ("Type", .string(command.rawValue)),
                ])
                let commandTimeline = Timeline(["pending", outcome], from: now, stepSeconds: durations.deploymentSeconds)
                try records.insert(.command, id: commandId, columns: ["deployment_id": deploymentId, "instance_id": target.id, "timeline": commandTimeline.text],
                                   document: commandDocument)
            }
            return deploymentId
        })
    }

    /// The listed instances plus those of the listed layers, each once; when neither is given,
    /// every instance of the stack that is online.
    private func deploymentTargets(_ records: Records, stackId: String, instances: [InstanceState], layers: [String], at now: Timestamp) throws -> [(id: String, status: String)] {
        var candidates = instances
        for layerId in layers { candidates += try records.instanceStates(inLayer: layerId) }
        let everyOnline = instances.isEmpty && layers.isEmpty
        if everyOnline { candidates = try records.instanceStates(where: "stack_id", equals: stackId) }
        var seen = Set<String>()
        var targets: [(id: String, status: String)] = []
        for instance in candidates where seen.insert(instance.id).inserted {
            let status = instance.status(at: now)
            if everyOnline && status != "online" { continue }
            targets.append((instance.id, status))
        }
        return targets
    }

    /// Rollback returns the app to its previous version; with none kept, the service refuses.
    private func rollBack(_ records: Records, appId: String) throws {
        let current = try records.require(.app, appId)
        guard var previous = try records.popAppVersion(appId) else {
            throw AWSError.validation("App \(appId) has no earlier version to roll back to")
        }
        for identity in ["AppId", "StackId", "Shortname", "CreatedAt"] { previous[identity] = current[identity] }
        try records.update(.app, id: appId, document: previous)
    }

    func describeDeployments(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let now = clock()
        // A stack's or an app's deployments come newest first, as the service lists them.
        let deployments = try describe(scope, .deployment, input, ids: "DeploymentIds", parents: [
            ParentFilter(member: "StackId", kind: .stack) { Array(try $0.stored(.deployment, where: "stack_id", equals: $1).reversed()) },
            ParentFilter(member: "AppId", kind: .app) { Array(try $0.stored(.deployment, where: "app_id", equals: $1).reversed()) },
        ])
        return Self.list("Deployments", deployments.map { Self.presentDeployment($0, at: now) })
    }

    func describeCommands(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let now = clock()
        let commands = try describe(scope, .command, input, ids: "CommandIds", parents: [
            .by("DeploymentId", .deployment, children: .command, column: "deployment_id"),
            .by("InstanceId", .instance, children: .command, column: "instance_id"),
        ])
        return Self.list("Commands", commands.map { Self.presentCommand($0, at: now) })
    }

    /// The deployment with the status, completion time and duration its timeline gives at `time`.
    static func presentDeployment(_ stored: Stored, at time: Timestamp) -> JSON {
        var deployment = JSONObject()
        guard let timeline = stored.timeline else { return .raw(stored.bytes) }
        deployment["Status"] = .string(timeline.status(at: time))
        if timeline.isFinished(at: time), let start = timeline.steps.first?.at {
            deployment["CompletedAt"] = .string(timeline.end.iso8601)
            deployment["Duration"] = .int(Int64((timeline.end.seconds - start.seconds).rounded()))
        }
        return stored.with(deployment)
    }

    /// The command with its status, and once it has run, its completion time and exit code.
    static func presentCommand(_ stored: Stored, at time: Timestamp) -> JSON {
        var command = JSONObject()
        guard let timeline = stored.timeline, let start = timeline.steps.first?.at else { return .raw(stored.bytes) }
        let status = timeline.status(at: time)
        command["Status"] = .string(status)
        if status != "skipped" { command["AcknowledgedAt"] = .string(start.iso8601) }
        if timeline.isFinished(at: time) && status != "skipped" {
            command["CompletedAt"] = .string(timeline.end.iso8601)
            command["ExitCode"] = .int(status == "successful" ? 0 : 1)
        }
        return stored.with(command)
    }
}
