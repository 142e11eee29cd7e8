import AWSJSON

/// Amazon RDS DB instances registered with a stack. There is no RDS here: the ARN is checked for
/// its form and its region, the registration is a local record, and what only RDS knows (the
/// endpoint address) is derived from the ARN, stable across calls (ops-behaviour §0, §7).
extension OpsWorksService {
    /// What DescribeRdsDbInstances shows for the password: always filtered [Model, CLI-ex].
    static let filteredPassword = "*****FILTERED*****"

    func registerRdsDbInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        let arn = input.string("RdsDbInstanceArn") ?? ""
        try store.write(scope) { records in
            let parsed = try Self.checkRegistration(records, .rdsDbInstance, arn: arn, stackId: stackId, service: "rds", resource: "db:", member: "Rds Db Instance Arn")
            let document = JSONObject([
                ("RdsDbInstanceArn", .string(arn)),
                ("DbInstanceIdentifier", .string(parsed.name)),
                ("DbUser", .string(input.string("DbUser") ?? "")),
                ("DbPassword", .string(input.string("DbPassword") ?? "")),
                ("Region", .string(parsed.region)),
                ("Address", .string("\(parsed.name).c\(String(fnv1a(arn), radix: 36).leftPadded(to: 11)).\(parsed.region).rds.amazonaws.com")),
                ("Engine", "mysql"),
                ("StackId", .string(stackId)),
                ("MissingOnRds", false),
            ])
            try records.save(.rdsDbInstance, Registration(id: arn, stackId: stackId, document: document))
        }
        return JSONObject()
    }

    /// Changes only what OpsWorks keeps (the user and password it gives apps), never the database.
    func updateRdsDbInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let arn = input.string("RdsDbInstanceArn") ?? ""
        try store.write(scope) { records in
            var registration = try records.requireRegistration(.rdsDbInstance, arn)
            for member in ["DbUser", "DbPassword"] {
                if let value = input[member], value != .null { registration.document[member] = value }
            }
            try records.save(.rdsDbInstance, registration)
        }
        return JSONObject()
    }

    /// Allowed while an app's data source names the instance: no precondition is documented,
    /// and the app's data source is left as it is (ops-behaviour §7).
    func deregisterRdsDbInstance(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try deregister(scope, .rdsDbInstance, input.string("RdsDbInstanceArn") ?? "")
    }

    func describeRdsDbInstances(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        let instances = try store.read(scope) { records -> [Registration] in
            _ = try records.require(.stack, stackId)
            let registered = try records.registrations(.rdsDbInstance, stackId: stackId)
            guard let arns = input.strings("RdsDbInstanceArns"), !arns.isEmpty else { return registered }
            return try arns.map { arn in
                guard let found = registered.first(where: { $0.id == arn }) else { throw RegisteredKind.rdsDbInstance.notFound(arn) }
                return found
            }
        }
        return Self.list("RdsDbInstances", instances.map { registration in
            var shown = registration.document
            shown["DbPassword"] = .string(Self.filteredPassword)
            return .object(shown)
        })
    }

    /// The RDS DB instances an app's data sources name must be registered with the app's stack.
    static func requireRegisteredDataSources(_ app: JSONObject, _ records: Records) throws {
        for source in app["DataSources"]?.arrayValue?.compactMap(\.objectValue) ?? [] where source.string("Type") == "RdsDbInstance" {
            let arn = source.string("Arn") ?? ""
            guard try records.registration(.rdsDbInstance, arn)?.stackId == app.string("StackId") else {
                throw AWSError.validation("Data Sources: the RDS DB instance \(arn) is not registered with stack \(app.string("StackId") ?? "")")
            }
        }
    }
}
