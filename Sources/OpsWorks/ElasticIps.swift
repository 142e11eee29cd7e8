import AWSJSON

/// Elastic IP addresses registered with a stack. There is no EC2 here: an address is checked for
/// its form, registered with one stack at a time [Model RegisterElasticIp], and associated with
/// at most one instance, whose `ElasticIp` it becomes (and its `PublicIp` while it runs).
extension OpsWorksService {
    func registerElasticIp(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let ip = input.string("ElasticIp") ?? ""
        let stackId = input.string("StackId") ?? ""
        try store.write(scope) { records in
            let stack = try records.require(.stack, stackId)
            guard Self.isIPv4(ip) else { throw AWSError.validation("Elastic Ip: \(ip) is not an IPv4 address") }
            try Self.requireUnregistered(records, .elasticIp, ip, what: "The Elastic IP \(ip)")
            let document = JSONObject([
                ("Ip", .string(ip)),
                ("Domain", .string(stack.string("VpcId") == nil ? "standard" : "vpc")),
                ("Region", .string(stack.string("Region") ?? records.scope.region)),
            ])
            try records.save(.elasticIp, Registration(id: ip, stackId: stackId, document: document))
        }
        return Self.output("ElasticIp", ip)
    }

    /// An associated address is disassociated first, as the console asks [UG resources-dereg].
    func deregisterElasticIp(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try deregister(scope, .elasticIp, input.string("ElasticIp") ?? "") { registration in
            if let instanceId = registration.instanceId {
                throw AWSError.validation("The Elastic IP \(registration.id) is associated with instance \(instanceId); disassociate it first")
            }
        }
    }

    /// Online or offline instances alike; an address associated elsewhere moves, to another
    /// stack's instance too, and is then registered with that stack [UG resources-attach]. An
    /// instance has one address: the one it had is disassociated (it stays registered).
    func associateElasticIp(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let ip = input.string("ElasticIp") ?? ""
        try store.write(scope) { records in
            var registration = try records.requireRegistration(.elasticIp, ip)
            guard let instanceId = input.string("InstanceId") else {
                throw AWSError.validation("Instance Id: AssociateElasticIp needs the instance to associate the address with")
            }
            let instance = try records.require(.instance, instanceId)
            if let previous = registration.instanceId, previous != instanceId { try Self.setElasticIp(nil, ofInstance: previous, records) }
            for other in try records.registrations(.elasticIp, instanceId: instanceId) where other.id != ip {
                try records.save(.elasticIp, other.detached())
            }
            registration.document["InstanceId"] = .string(instanceId)
            let stackId = instance.string("StackId") ?? ""
            if stackId != registration.stackId, let stack = try records.find(.stack, stackId) {
                registration.document["Region"] = .string(stack.string("Region") ?? records.scope.region)
                registration.stackId = stackId
            }
            try records.save(.elasticIp, registration)
            try Self.setElasticIp(ip, ofInstance: instanceId, records)
        }
        return JSONObject()
    }

    /// The address stays registered with the stack [Model].
    func disassociateElasticIp(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let ip = input.string("ElasticIp") ?? ""
        try store.write(scope) { records in
            let registration = try records.requireRegistration(.elasticIp, ip)
            guard let instanceId = registration.instanceId else { return }
            try Self.setElasticIp(nil, ofInstance: instanceId, records)
            try records.save(.elasticIp, registration.detached())
        }
        return JSONObject()
    }

    func updateElasticIp(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let ip = input.string("ElasticIp") ?? ""
        try store.write(scope) { records in
            var registration = try records.requireRegistration(.elasticIp, ip)
            if let name = input.string("Name") {
                guard name.count <= 32 else { throw AWSError.validation("Name: must be at most 32 characters, not \(name.count)") }
                registration.document["Name"] = name.isEmpty ? nil : .string(name)
            }
            try records.save(.elasticIp, registration)
        }
        return JSONObject()
    }

    func describeElasticIps(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let addresses = try store.read(scope) { records -> [JSON] in
            let given = try Self.identifyingMember(input, ["InstanceId", "StackId", "Ips"])
            let found: [Registration]
            switch given.name {
            case "InstanceId":
                let instanceId = given.value.stringValue ?? ""
                _ = try records.require(.instance, instanceId)
                found = try records.registrations(.elasticIp, instanceId: instanceId)
            case "StackId":
                let stackId = given.value.stringValue ?? ""
                _ = try records.require(.stack, stackId)
                found = try records.registrations(.elasticIp, stackId: stackId)
            default:
                found = try (given.value.stringArray ?? []).map { try records.requireRegistration(.elasticIp, $0) }
            }
            return found.map { .object($0.document) }
        }
        return Self.list("ElasticIps", addresses)
    }

    /// The instance's `ElasticIp` member (nil removes it).
    static func setElasticIp(_ ip: String?, ofInstance instanceId: String, _ records: Records) throws {
        guard var instance = try records.find(.instance, instanceId) else { return }
        instance["ElasticIp"] = ip.map(JSON.string)
        try records.update(.instance, id: instanceId, document: instance)
    }

    /// Four decimal numbers 0-255, no leading zeros.
    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            guard let value = Int(part), (0...255).contains(value) else { return false }
            return String(value) == part
        }
    }
}
