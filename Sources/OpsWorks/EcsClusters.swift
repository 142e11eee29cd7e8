import AWSJSON

/// Amazon ECS clusters registered with a stack, for its ecs-cluster layer. There is no ECS here:
/// the ARN is checked for its form and region, the registration is a local record. "You can
/// register only one cluster with a stack. A cluster can be registered with only one stack"
/// [Model]; the stack runs Chef 11.10 or 12 on Linux [UG workinglayers-ecscluster].
extension OpsWorksService {
    func registerEcsCluster(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        let arn = input.string("EcsClusterArn") ?? ""
        try store.write(scope) { records in
            let (stack, _, name) = try Self.checkRegistration(records, .ecsCluster, arn: arn, stackId: stackId, service: "ecs", resource: "cluster/", member: "Ecs Cluster Arn")
            let chef = stack.object("ConfigurationManager")?.string("Version") ?? ""
            guard ["11.10", "12"].contains(chef), !Self.isWindows(stack.string("DefaultOs") ?? "") else {
                throw AWSError.validation("Stack \(stackId): ECS clusters can be registered only with Linux stacks on Chef 11.10 or Chef 12, not Chef::\(chef)")
            }
            if let current = try records.registrations(.ecsCluster, stackId: stackId).first {
                throw AWSError.validation("Stack \(stackId) already has the ECS cluster \(current.id) registered; a stack has one")
            }
            let document = JSONObject([
                ("EcsClusterArn", .string(arn)), ("EcsClusterName", .string(name)),
                ("StackId", .string(stackId)), ("RegisteredAt", .string(clock().iso8601)),
            ])
            try records.save(.ecsCluster, Registration(id: arn, stackId: stackId, document: document))
        }
        return Self.output("EcsClusterArn", arn)
    }

    /// Works with or without the ecs-cluster layer: the User Guide deregisters first, Terraform
    /// deletes the layer first (ops-behaviour §8).
    func deregisterEcsCluster(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try deregister(scope, .ecsCluster, input.string("EcsClusterArn") ?? "")
    }

    /// By ARNs or by stack; `MaxResults`/`NextToken` page the stack's list, as botocore's only
    /// OpsWorks paginator expects. A token is the position of the next cluster.
    func describeEcsClusters(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let given = try Self.identifyingMember(input, ["EcsClusterArns", "StackId"])
        var output = JSONObject()
        let clusters = try store.read(scope) { records -> [Registration] in
            if given.name == "StackId" {
                let stackId = given.value.stringValue ?? ""
                _ = try records.require(.stack, stackId)
                return try records.registrations(.ecsCluster, stackId: stackId)
            }
            if input["MaxResults"] != nil || input["NextToken"] != nil {
                throw AWSError.validation("MaxResults and NextToken can be used only with StackId")
            }
            return try (given.value.stringArray ?? []).map { try records.requireRegistration(.ecsCluster, $0) }
        }
        let start = try input.string("NextToken").map { token in
            guard let position = Int(token), (0...clusters.count).contains(position) else {
                throw AWSError.validation("NextToken: \(token) is not a token this call returned")
            }
            return position
        } ?? 0
        let limit = input["MaxResults"]?.intValue.map(Int.init) ?? Int.max
        guard limit >= 1 else { throw AWSError.validation("MaxResults: must be at least 1") }
        let page = clusters[start..<(start + min(limit, clusters.count - start))]
        output["EcsClusters"] = .array(page.map { .object($0.document) })
        if page.endIndex < clusters.count { output["NextToken"] = .string(String(page.endIndex)) }
        return output
    }

    /// An ecs-cluster layer runs on a cluster registered with its stack.
    static func requireRegisteredCluster(_ arn: String, stackId: String, _ records: Records) throws {
        guard try records.registration(.ecsCluster, arn)?.stackId == stackId else {
            throw AWSError.validation("Attributes: the ECS cluster \(arn) is not registered with stack \(stackId); call RegisterEcsCluster first")
        }
    }
}
