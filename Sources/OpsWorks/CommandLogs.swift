import AWSJSON

/// The log behind a command's LogUrl: a Chef run as the agent on the instance would have written
/// it, made from what the command was (its type, its recipes, its deployment's comment and custom
/// JSON) and how it ended. The service gave S3 links to such logs; this server answers its own.
extension OpsWorksService {
    /// The log of a command as far as it has run: it grows while the command runs and is whole
    /// once it has ended. Nil when there is no such command, or it has not started (its agent has
    /// not acknowledged it) or was skipped.
    public func commandLog(_ commandId: String) throws -> String? {
        let now = clock()
        guard let (scope, stored) = try store.commandInAnyScope(commandId), let timeline = stored.timeline else { return nil }
        let start = timeline.steps.count > 2 ? timeline.steps[1].at : timeline.steps.first?.at ?? now
        let outcome = timeline.steps.last?.status ?? ""
        guard outcome != "skipped", start <= now else { return nil }
        // A command that has not ended yet has no last lines, and only the recipes begun so far.
        let finished = timeline.isFinished(at: now)
        let command = try stored.decoded()
        return try store.read(scope) { records in
            let deployment = try records.find(.deployment, command.string("DeploymentId") ?? "") ?? JSONObject()
            let stack = try records.find(.stack, deployment.string("StackId") ?? "") ?? JSONObject()
            let chef = stack.object("ConfigurationManager")?.string("Version") ?? "12"
            let lines = Self.chefRunLog(command: command, deployment: deployment, chef: chef, succeeded: outcome == "successful",
                                        from: start, to: timeline.end)
            return lines.filter { finished || $0.at <= now && $0.at < timeline.end }.map(\.text).joined(separator: "\n") + "\n"
        }
    }

    static func chefRunLog(command: JSONObject, deployment: JSONObject, chef: String, succeeded: Bool, from start: Timestamp, to end: Timestamp) -> [(at: Timestamp, text: String)] {
        let type = command.string("Type") ?? "configure"
        let recipes = runList(type, args: deployment.object("Command")?.object("Args") ?? JSONObject())
        let client = chef.hasPrefix("11") ? "11.10.4-1" : "12.18.31"
        var lines: [(at: Timestamp, text: String)] = []
        func log(_ level: String, _ text: String, at time: Timestamp) { lines.append((time, "[\(time.iso8601)] \(level): \(text)")) }
        log("INFO", "Starting chef-client, version \(client)", at: start)
        log("INFO", "OpsWorks command \(command.string("CommandId") ?? "") (\(type)) of deployment \(command.string("DeploymentId") ?? "") on instance \(command.string("InstanceId") ?? "")", at: start)
        if let comment = deployment.string("Comment") { log("INFO", "Deployment comment: \(comment)", at: start) }
        if deployment.string("CustomJson") != nil { log("INFO", "Merging the deployment's custom JSON into the node attributes", at: start) }
        log("INFO", "Run List is [\(recipes.map { "recipe[\($0)]" }.joined(separator: ", "))]", at: start)
        log("INFO", "Starting Chef Run for \(command.string("InstanceId") ?? "the instance")", at: start)
        let step = recipes.isEmpty ? 0 : (end.seconds - start.seconds) / Double(recipes.count)
        for (index, recipe) in recipes.enumerated() {
            let time = start.adding(step * Double(index))
            if !succeeded && recipe == DeploymentCommandName.failingRecipe {
                log("ERROR", "Running exception handlers", at: time)
                log("ERROR", "\(recipe) failed: the recipe fails on purpose (opsworks-local's failure recipe)", at: time)
                log("FATAL", "Chef::Exceptions::ChildConvergeError: Chef run process exited unsuccessfully (exit code 1)", at: end)
                return lines
            }
            log("INFO", "Processing recipe \(recipe)", at: time)
        }
        if succeeded {
            log("INFO", "Chef Run complete in \(Int((end.seconds - start.seconds).rounded())) seconds", at: end)
            log("INFO", "Running report handlers", at: end)
            log("INFO", "Report handlers complete", at: end)
        } else {
            log("ERROR", "Nothing to roll back to: every kept release has been used", at: end)
            log("FATAL", "Chef::Exceptions::ChildConvergeError: Chef run process exited unsuccessfully (exit code 1)", at: end)
        }
        return lines
    }

    /// The recipes a command runs: OpsWorks' own for its lifecycle events, the listed ones for
    /// execute_recipes.
    static func runList(_ type: String, args: JSONObject) -> [String] {
        switch type {
        case "execute_recipes": return ["opsworks_custom_cookbooks::load", "opsworks_custom_cookbooks::execute"] + (args.strings("recipes") ?? [])
        case "setup": return ["opsworks_initial_setup", "ssh_host_keys", "ssh_users", "dependencies", "ebs", "opsworks_custom_cookbooks::load", "opsworks_custom_cookbooks::execute"]
        case "configure": return ["opsworks_custom_cookbooks::load", "ssh_users", "agent_version", "opsworks_custom_cookbooks::execute"]
        case "deploy", "rollback", "undeploy": return ["opsworks_custom_cookbooks::load", "opsworks_custom_cookbooks::execute", "deploy::\(type == "deploy" ? "default" : type)"]
        default: return ["opsworks_custom_cookbooks::load", "opsworks_\(type)::default"]
        }
    }
}
