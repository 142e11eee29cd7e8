import AWSJSON

/// What the registrations of other services' resources share (ops-behaviour §0): an ARN checked
/// for its form only, the stack's region, one stack at a time, and deregistration.
extension OpsWorksService {
    /// What registering an RDS DB instance or an ECS cluster checks first: the stack exists, the
    /// ARN has its service's form and names the stack's region, and nothing holds it yet.
    static func checkRegistration(_ records: Records, _ kind: RegisteredKind, arn: String, stackId: String,
                                  service: String, resource: String, member: String) throws -> (stack: JSONObject, region: String, name: String) {
        let stack = try records.require(.stack, stackId)
        let parsed = try foreignArn(arn, service: service, resource: resource, member: member,
                                    example: "arn:aws:\(service):<region>:<account>:\(resource)<name>")
        let what = "The \(kind.noun.0) \(arn)"
        try requireStackRegion(parsed.region, stack: stack, what: what)
        try requireUnregistered(records, kind, arn, what: what)
        return (stack, parsed.region, parsed.name)
    }

    /// `arn:<partition>:<service>:<region>:<12 digits>:<resource><name>`: the form only.
    static func foreignArn(_ arn: String, service: String, resource: String, member: String, example: String) throws -> (region: String, name: String) {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, parts[2] == service, RequestContext.isRegionName(String(parts[3])),
              parts[4].count == 12, parts[4].allSatisfy(\.isNumber), parts[5].hasPrefix(resource), parts[5].count > resource.count else {
            throw AWSError.validation("\(member): \(arn) is not an ARN of that form (\(example))")
        }
        return (String(parts[3]), String(parts[5].dropFirst(resource.count)))
    }

    /// A resource must be in the stack's region [UG resources-reg].
    static func requireStackRegion(_ region: String, stack: JSONObject, what: String) throws {
        let stackRegion = stack.string("Region") ?? ""
        guard region == stackRegion else {
            throw AWSError.validation("\(what) is in \(region); stack \(stack.string("StackId") ?? "") is in \(stackRegion)")
        }
    }

    /// "A resource can be registered with only one stack at a time" [Model, UG resources-reg].
    static func requireUnregistered(_ records: Records, _ kind: RegisteredKind, _ id: String, what: String) throws {
        if let registered = try records.registration(kind, id) {
            throw AWSError.validation("\(what) is already registered with stack \(registered.stackId ?? ""); deregister it first")
        }
    }

    /// Removes a registration, or ResourceNotFound.
    func deregister(_ scope: Scope, _ kind: RegisteredKind, _ id: String, check: ((Registration) throws -> Void)? = nil) throws -> JSONObject {
        try store.write(scope) { records in
            let registration = try records.requireRegistration(kind, id)
            try check?(registration)
            try records.deregister(kind, id)
        }
        return JSONObject()
    }
}
