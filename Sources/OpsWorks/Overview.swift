import AWSJSON

/// What the dashboard shows: per account and region with state, its user profiles, and each
/// stack with its layers, instances, apps (and the versions kept for rollbacks), newest
/// deployments with their commands, registered resources (Elastic IPs, volumes, RDS DB
/// instances, ECS clusters) and users' permissions, each exactly as the Describe calls return
/// it, at one moment of the clock.
extension OpsWorksService {
    /// Deployments listed per stack, newest first; the API holds them all.
    static let overviewDeployments = 15

    public func overview() throws -> JSON {
        let scopes = try store.read(Scope(account: "", region: "")) { records in
            try records.database.statement("""
                SELECT scope FROM stacks UNION SELECT scope FROM registrations WHERE kind = 'user-profile' ORDER BY scope
                """).rows { $0.text(0) ?? "" }
        }
        let regions = try scopes.compactMap { key -> JSON? in
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            let scope = Scope(account: parts[0], region: parts[1])
            let stacks = try describeStacks(scope, JSONObject()).members.first?.value.arrayValue ?? []
            return .object(JSONObject([
                ("Account", .string(scope.account)),
                ("Region", .string(scope.region)),
                ("UserProfiles", try describeUserProfiles(scope, JSONObject()).members.first?.value ?? .array([])),
                ("Stacks", .array(try stacks.map { try stackOverview(scope, $0) })),
            ]))
        }
        return .object(JSONObject([("Clock", .string(clock().iso8601)), ("Regions", .array(regions))]))
    }

    private func stackOverview(_ scope: Scope, _ stack: JSON) throws -> JSON {
        let stackDocument: JSONObject
        switch stack {
        case .raw(let bytes): stackDocument = try Stored.decode(bytes)
        default: stackDocument = stack.objectValue ?? JSONObject()
        }
        let byStack = JSONObject([("StackId", .string(stackDocument.string("StackId") ?? ""))])
        func listed(_ output: JSONObject) -> [JSON] { output.members.first?.value.arrayValue ?? [] }
        let apps = try listed(describeApps(scope, byStack)).map { item -> JSON in
            let app = try Stored.decodeJSON(item)
            let kept = try store.read(scope) { try $0.appVersions(app.string("AppId") ?? "") }
            return .object(app.merging(JSONObject([("KeptVersions", .array(kept.map(JSON.object)))])))
        }
        let deployments = try listed(describeDeployments(scope, byStack)).prefix(Self.overviewDeployments).map { deployment -> JSON in
            let document = (try? Stored.decodeJSON(deployment)) ?? JSONObject()
            let commands = try listed(describeCommands(scope, JSONObject([("DeploymentId", .string(document.string("DeploymentId") ?? ""))])))
            return .object(document.merging(JSONObject([("Commands", .array(commands))])))
        }
        return .object(JSONObject([
            ("Stack", .object(stackDocument)),
            ("Layers", .array(try listed(describeLayers(scope, byStack)))),
            ("Instances", .array(try listed(describeInstances(scope, byStack)))),
            ("Apps", .array(apps)),
            ("Deployments", .array(Array(deployments))),
            ("ElasticIps", .array(try listed(describeElasticIps(scope, byStack)))),
            ("Volumes", .array(try listed(describeVolumes(scope, byStack)))),
            ("RdsDbInstances", .array(try listed(describeRdsDbInstances(scope, byStack)))),
            ("EcsClusters", .array(try listed(describeEcsClusters(scope, byStack)))),
            ("Permissions", .array(try listed(describePermissions(scope, byStack)))),
        ]))
    }
}

extension Stored {
    /// An item of a Describe answer as an object, whether it was spliced in raw or built.
    static func decodeJSON(_ value: JSON) throws -> JSONObject {
        switch value {
        case .raw(let bytes): try decode(bytes)
        case .object(let object): object
        default: JSONObject()
        }
    }
}

extension Records {
    /// The versions of an app kept for rollbacks, oldest first.
    func appVersions(_ appId: String) throws -> [JSONObject] {
        try database.statement("SELECT doc FROM app_versions WHERE scope = ? AND app_id = ? ORDER BY rowid")
            .rows([.text(scope.key), .text(appId)]) { try $0.withBytes(0) { try Stored.decode(Array($0)) } }
    }
}
