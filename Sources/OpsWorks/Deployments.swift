import AWSJSON

extension OpsWorksService {
    func createDeployment(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        // What needs no stored data is checked and encoded first: the write runs in a batch that
        // every other writing connection waits on (see GroupCommitWriter), so it does only what
        // must see the database.
        let checked = Result { try DeploymentRequest(scope, input, at: clock()) }
        let written = try store.write(scope) { records -> WrittenDeployment in
            // An unknown stack is reported before anything wrong with the rest of the request.
            let stackId = input.string("StackId") ?? ""
            guard try records.exists(.stack, stackId) else { throw AWSError.notFound("stack", stackId) }
            let request = try checked.get()
            if let appId = request.appId { try Self.requireOwned(records, .app, appId, stackId: stackId) }
            let listedInstances = try request.instanceIds.map { id -> InstanceState in
                guard let state = try records.instanceStates(where: .id, equals: id).first else { throw AWSError.notFound("instance", id) }
                guard state.stackId == stackId else { throw AWSError.validation("The instance \(id) does not belong to stack \(stackId)") }
                return state
            }
            for layerId in request.layerIds { try Self.requireOwned(records, .layer, layerId, stackId: stackId) }
            if request.command.needsTheStack { try Self.checkCommand(request.command, onStack: records.require(.stack, stackId)) }
            // A rollback past the kept releases runs and fails, as on the service (finding 13).
            let fails = try request.command == .rollback && !rollBack(records, appId: request.appId ?? "")

            let targets = try deploymentTargets(records, stackId: stackId, instances: listedInstances, layers: request.layerIds, at: request.createdAt)
            let courses = commandCourses(request, targets: targets, fails: fails)
            try records.insert(.deployment, id: request.deploymentId,
                               columns: ["stack_id": stackId, "app_id": request.appId, "timeline": courses.deployment.text],
                               encodedDocument: request.document(instanceIds: targets.map(\.id)))
            var commands: [(id: String, timeline: Timeline)] = []
            for (target, timeline) in zip(targets, courses.commands) {
                let commandId = makeTimeOrderedUUID()
                try records.insert(.command, id: commandId,
                                   columns: ["deployment_id": request.deploymentId, "instance_id": target.id, "timeline": timeline.text],
                                   encodedDocument: request.commandDocument(commandId: commandId, instanceId: target.id))
                commands.append((commandId, timeline))
            }
            return WrittenDeployment(id: request.deploymentId, createdAt: request.createdAt, deployment: courses.deployment, commands: commands)
        }
        schedule(scope, .deployment, written.id, written.deployment, after: written.createdAt)
        for command in written.commands { schedule(scope, .command, command.id, command.timeline, after: written.createdAt) }
        return Self.output("DeploymentId", written.id)
    }

    /// What a deployment's write decided: its ID and start, and the timelines to announce once
    /// it has committed.
    private struct WrittenDeployment: Sendable {
        let id: String
        let createdAt: Timestamp
        let deployment: Timeline
        let commands: [(id: String, timeline: Timeline)]
    }

    /// How each target's command runs, and so how the deployment does. An instance that is not
    /// online when the deployment starts is skipped, as the agent on it cannot run anything. With
    /// `--deployment-seconds` each command has its own course, as agents on different machines
    /// do: it is acknowledged a little after the start and ends on its own, the last one exactly
    /// the given seconds after the start, which is when the deployment ends too. A command fails
    /// when the deployment does (a rollback with nothing to roll back to, the failure recipe) or
    /// when a fault rule picks its instance; the deployment fails with any of its commands.
    private func commandCourses(_ request: DeploymentRequest, targets: [(id: String, status: String)], fails: Bool) -> (deployment: Timeline, commands: [Timeline]) {
        let start = request.createdAt
        let seconds = durations.deploymentSeconds
        let ran = targets.map { $0.status == "online" }
        let failed = zip(targets, ran).map { target, ran in
            ran && (fails || request.fails || faults.commandFails(command: request.command.rawValue, appId: request.appId, instanceId: target.id))
        }
        // Each command's share of the run, from a hash of its instance: the same every run.
        let staggered = seconds > 0 && targets.count > 1
        let shares = staggered ? targets.map { Double(fnv1a($0.id) % 1000) / 1000 } : []
        let longest = shares.max() ?? 0
        var commands: [Timeline] = []
        for index in targets.indices {
            guard ran[index] else {
                commands.append(Timeline(["pending", "skipped"], from: start, stepSeconds: seconds))
                continue
            }
            let final = failed[index] ? "failed" : "successful"
            guard staggered else {
                commands.append(Timeline(["pending", final], from: start, stepSeconds: seconds))
                continue
            }
            let acknowledged = start.adding(seconds * 0.1 * shares[index])
            let end = shares[index] == longest ? start.adding(seconds) : start.adding(seconds * (0.6 + 0.4 * shares[index] / max(longest, 0.001)))
            commands.append(Timeline(steps: [.init(status: "pending", at: start), .init(status: "pending", at: acknowledged), .init(status: final, at: end)]))
        }
        let deploymentFails = fails || request.fails || failed.contains(true)
        return (Timeline(["running", deploymentFails ? "failed" : "successful"], from: start, stepSeconds: seconds), commands)
    }

    /// The listed instances plus those of the listed layers, each once; when neither is given,
    /// every instance of the stack that is online.
    private func deploymentTargets(_ records: Records, stackId: String, instances: [InstanceState], layers: [String], at now: Timestamp) throws -> [(id: String, status: String)] {
        var candidates = instances
        for layerId in layers { candidates += try records.instanceStates(inLayer: layerId) }
        let everyOnline = instances.isEmpty && layers.isEmpty
        if everyOnline { candidates = try records.instanceStates(where: .stackId, equals: stackId) }
        var seen = Set<String>()
        var targets: [(id: String, status: String)] = []
        for instance in candidates where seen.insert(instance.id).inserted {
            let status = instance.status(at: now)
            if everyOnline && status != "online" { continue }
            targets.append((instance.id, status))
        }
        return targets
    }

    /// A rollback re-links each instance's previous release; the app as DescribeApps shows it
    /// does not change (UG workingapps-deploying). Each rollback goes back one of the releases
    /// kept; false when none is left, and the rollback's commands fail.
    private func rollBack(_ records: Records, appId: String) throws -> Bool {
        try records.popAppVersion(appId) != nil
    }

    /// What a Chef 12 or a Windows stack does not run [UG workingstacks-commands,
    /// workingapps-deploying] (finding 14): Install Dependencies is gone in Chef 12, of the app
    /// commands only Deploy, Undeploy and Rollback remain, and the dependency commands (Upgrade OS
    /// among them) are Linux only.
    static func checkCommand(_ command: DeploymentCommandName, onStack stack: JSONObject) throws {
        let chef = stack.object("ConfigurationManager")?.string("Version") ?? ""
        let chef12 = chef == "12" || chef == "12.2"
        if chef12 && [.installDependencies, .start, .stop, .restart].contains(command) {
            throw AWSError.validation("Command: \(command.rawValue) is not available on Chef::\(chef) stacks")
        }
        if isWindows(stack.string("DefaultOs") ?? "") && [.installDependencies, .updateDependencies].contains(command) {
            throw AWSError.validation("Command: \(command.rawValue) is available on Linux stacks only")
        }
    }

    func describeDeployments(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let now = clock()
        // A stack's or an app's deployments come newest first, as the service lists them.
        let deployments = try describe(scope, .deployment, input, ids: "DeploymentIds", parents: [
            ParentFilter(member: "StackId", kind: .stack) { Array(try $0.stored(.deployment, where: .stackId, equals: $1).reversed()) },
            ParentFilter(member: "AppId", kind: .app) { Array(try $0.stored(.deployment, where: .appId, equals: $1).reversed()) },
        ])
        return Self.list("Deployments", deployments.map { Self.presentDeployment($0, at: now) })
    }

    func describeCommands(_ scope: Scope, _ input: JSONObject, host: String = "localhost") throws -> JSONObject {
        let now = clock()
        let commands = try describe(scope, .command, input, ids: "CommandIds", parents: [
            .by("DeploymentId", .deployment, children: .command, column: .deploymentId),
            // An instance's commands come newest first, as the service lists them (finding 22).
            ParentFilter(member: "InstanceId", kind: .instance) { Array(try $0.stored(.command, where: .instanceId, equals: $1).reversed()) },
        ])
        return Self.list("Commands", commands.map { Self.presentCommand($0, at: now, logHost: host) })
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

    /// The command with its status, and once it has run, its completion time, exit code and the
    /// URL of its log, which this server answers (`GET /_opsworks-local/logs/<CommandId>`).
    static func presentCommand(_ stored: Stored, at time: Timestamp, logHost: String) -> JSON {
        var command = JSONObject()
        guard let timeline = stored.timeline, let start = timeline.steps.first?.at else { return .raw(stored.bytes) }
        let status = timeline.status(at: time)
        command["Status"] = .string(status)
        // A staggered command has its agent's acknowledgement as a step of its own.
        let acknowledged = timeline.steps.count > 2 ? timeline.steps[1].at : start
        if status != "skipped" && acknowledged <= time { command["AcknowledgedAt"] = .string(acknowledged.iso8601) }
        if timeline.isFinished(at: time) && status != "skipped" {
            command["CompletedAt"] = .string(timeline.end.iso8601)
            command["ExitCode"] = .int(status == "successful" ? 0 : 1)
            command["LogUrl"] = .string("http://\(logHost)/_opsworks-local/logs/\(stored.id)")
        }
        return stored.with(command)
    }
}

/// A CreateDeployment request checked and encoded as far as it can be without stored data.
struct DeploymentRequest {
    let appId: String?
    let command: DeploymentCommandName
    let instanceIds: [String]
    let layerIds: [String]
    let createdAt: Timestamp
    let deploymentId = makeTimeOrderedUUID()
    /// Whether it runs the failure recipe, and so fails wherever it runs.
    let fails: Bool
    /// The deployment document without its InstanceIds, which need the stored instances.
    private let encodedWithoutInstances: [UInt8]
    /// The members every command of the deployment shares, as an encoded object.
    private let encodedCommandMembers: [UInt8]

    init(_ scope: Scope, _ input: JSONObject, at now: Timestamp) throws {
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
        if let customJson = input.string("CustomJson") {
            try OpsWorksService.requireJSONObject(customJson, member: "CustomJson")
            guard customJson.utf8.count <= 120 * 1024 else { throw AWSError.validation("Custom Json: is too large (maximum is 120KB).") }
        }
        let stackId = input.string("StackId") ?? ""
        self.appId = appId
        self.command = command
        instanceIds = input.strings("InstanceIds") ?? []
        layerIds = input.strings("LayerIds") ?? []
        createdAt = now

        fails = command == .executeRecipes && (args.strings("recipes") ?? []).contains(DeploymentCommandName.failingRecipe)

        let createdAtText = JSON.string(now.iso8601)
        // Optional members the client did not set are left out, as the service leaves them out.
        var members: [(String, JSON)] = [("DeploymentId", .string(deploymentId)), ("StackId", .string(stackId))]
        members.reserveCapacity(8)
        if let appId { members.append(("AppId", .string(appId))) }
        members.append(("CreatedAt", createdAtText))
        members.append(("IamUserArn", .string(scope.caller)))
        if let comment = input["Comment"], comment != .null { members.append(("Comment", comment)) }
        members.append(("Command", ["Name": .string(command.rawValue), "Args": .object(args)]))
        if let customJson = input["CustomJson"], customJson != .null { members.append(("CustomJson", customJson)) }
        encodedWithoutInstances = JSONObject(members).serialized()
        encodedCommandMembers = JSONObject([
            ("DeploymentId", .string(deploymentId)),
            ("CreatedAt", createdAtText),
            ("Type", .string(command.rawValue)),
        ]).serialized()
    }

    /// The deployment's document: the part encoded up front, then its InstanceIds. Written as
    /// bytes, like the commands', since this runs in the batch every writer waits on.
    func document(instanceIds: [String]) -> [UInt8] {
        var bytes = encodedWithoutInstances
        bytes.removeLast()  // "}"
        bytes.reserveCapacity(bytes.count + 20 + instanceIds.count * 40)
        bytes.append(contentsOf: #","InstanceIds":["#.utf8)
        for (offset, id) in instanceIds.enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            JSON.writeString(id, to: &bytes)
        }
        bytes.append(contentsOf: "]}".utf8)
        return bytes
    }

    func commandDocument(commandId: String, instanceId: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(120 + encodedCommandMembers.count)
        bytes.append(contentsOf: #"{"CommandId":"#.utf8)
        JSON.writeString(commandId, to: &bytes)
        bytes.append(contentsOf: #","InstanceId":"#.utf8)
        JSON.writeString(instanceId, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        bytes.append(contentsOf: encodedCommandMembers.dropFirst())  // the shared members, "{" dropped
        return bytes
    }
}
