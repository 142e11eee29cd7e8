import AWSJSON

/// Classic ELBs attached to layers. There is no ELB here: an attachment is a local record, the
/// name is checked for ELB's form only, and what only ELB knows (its DNS name) is derived from
/// the name, stable across calls (ops-behaviour §0). One ELB per layer, one layer per ELB.
extension OpsWorksService {
    func attachElasticLoadBalancer(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let name = input.string("ElasticLoadBalancerName") ?? ""
        let layerId = input.string("LayerId") ?? ""
        guard Self.isLabel(name, maxLength: 32) else {
            throw AWSError.validation("Elastic Load Balancer Name: \(name) is not a Classic Load Balancer name (1 to 32 letters, digits and hyphens)")
        }
        try store.write(scope) { records in
            let layer = try records.require(.layer, layerId)
            if let attached = try records.loadBalancer(named: name) {
                throw AWSError.validation(attached.layerId == layerId
                    ? "Elastic Load Balancer \(name) is already attached to layer \(layerId)"
                    : "Elastic Load Balancer \(name) is attached to another layer (\(attached.layerId)); an ELB serves one layer")
            }
            if let current = try records.loadBalancers(where: "layer_id", equals: layerId).first {
                throw AWSError.validation("Layer \(layerId) already has the Elastic Load Balancer \(current.name); a layer has at most one")
            }
            try records.attach(.init(name: name, layerId: layerId, stackId: layer.string("StackId") ?? ""))
        }
        return JSONObject()
    }

    func detachElasticLoadBalancer(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let name = input.string("ElasticLoadBalancerName") ?? ""
        let layerId = input.string("LayerId") ?? ""
        try store.write(scope) { records in
            _ = try records.require(.layer, layerId)
            // The model lists only ResourceNotFound for this call: an ELB not attached here is one.
            guard let attached = try records.loadBalancer(named: name), attached.layerId == layerId else {
                throw AWSError(.resourceNotFound, "Unable to find Elastic Load Balancer \(name) attached to layer \(layerId)")
            }
            try records.detachLoadBalancer(named: name)
        }
        return JSONObject()
    }

    func describeElasticLoadBalancers(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let now = clock()
        let balancers = try store.read(scope) { records -> [JSON] in
            let given = try Self.identifyingMember(input, ["StackId", "LayerIds"])
            let attachments: [Records.Attachment]
            if given.name == "StackId" {
                let stackId = given.value.stringValue ?? ""
                _ = try records.require(.stack, stackId)
                attachments = try records.loadBalancers(where: "stack_id", equals: stackId)
            } else {
                attachments = try (given.value.stringArray ?? []).flatMap { layerId in
                    _ = try records.require(.layer, layerId)
                    return try records.loadBalancers(where: "layer_id", equals: layerId)
                }
            }
            return try attachments.map { try Self.presentLoadBalancer($0, records, at: now) }
        }
        return Self.list("ElasticLoadBalancers", balancers)
    }

    /// An attached ELB as DescribeElasticLoadBalancers shows it: where the stack is, and the EC2
    /// instances of the layer that are online (OpsWorks registers them as they come online).
    static func presentLoadBalancer(_ attachment: Records.Attachment, _ records: Records, at time: Timestamp) throws -> JSON {
        // The stack's members read off its stored text, without decoding the document.
        let stack = try records.requireStored(.stack, attachment.stackId)
        let region = stack.stringMember("Region") ?? records.scope.region
        let zone = stack.stringMember("DefaultAvailabilityZone").flatMap { $0.isEmpty ? nil : $0 } ?? region + "a"
        let online = try records.instanceStates(inLayer: attachment.layerId).filter { $0.status(at: time) == "online" }
        var balancer = JSONObject([
            ("ElasticLoadBalancerName", .string(attachment.name)),
            ("Region", .string(region)),
            ("DnsName", .string("\(attachment.name)-\(String(fnv1a(attachment.name) % 10_000_000_000).leftPadded(to: 10)).\(region).elb.amazonaws.com")),
            ("StackId", .string(attachment.stackId)),
            ("LayerId", .string(attachment.layerId)),
            ("AvailabilityZones", JSON(strings: [zone])),
            ("SubnetIds", JSON(strings: stack.stringMember("DefaultSubnetId").map { [$0] } ?? [])),
            ("Ec2InstanceIds", JSON(strings: online.map { Self.ec2InstanceId(of: $0.id) })),
        ])
        if let vpcId = stack.stringMember("VpcId") { balancer["VpcId"] = .string(vpcId) }
        return .object(balancer)
    }
}
