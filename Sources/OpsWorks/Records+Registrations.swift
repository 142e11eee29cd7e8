import AWSJSON
import SQLite

/// What a stack holds of other services (Elastic IPs, EBS volumes, RDS DB instances, ECS
/// clusters) and the account's user profiles: local registration records, one table for all of
/// them (ops-behaviour §0). Each record's document is what its Describe call returns; the stack
/// and instance it belongs to sit in key columns beside it, kept in step with the document.
enum RegisteredKind: String, Sendable, CaseIterable {
    case elasticIp = "elastic-ip", volume, rdsDbInstance = "rds-db-instance", ecsCluster = "ecs-cluster", userProfile = "user-profile"

    /// How "Unable to find <noun> with <key> <id>" names it.
    var noun: (String, String) {
        switch self {
        case .elasticIp: ("Elastic IP", "address")
        case .volume: ("volume", "ID")
        case .rdsDbInstance: ("RDS DB instance", "ARN")
        case .ecsCluster: ("ECS cluster", "ARN")
        case .userProfile: ("user", "ARN")
        }
    }

    func notFound(_ id: String) -> AWSError {
        AWSError(.resourceNotFound, "Unable to find \(noun.0) with \(noun.1) \(id)")
    }
}

/// A registration as stored: its ID, the stack it belongs to, its document. The instance it is
/// attached to is the document's `InstanceId` (an Elastic IP's or a volume's); the table keeps a
/// copy in a column only to index it.
struct Registration: Sendable {
    let id: String
    var stackId: String?
    var document: JSONObject

    var instanceId: String? { document.string("InstanceId") }

    init(id: String, stackId: String?, document: JSONObject) {
        self.id = id
        self.stackId = stackId
        self.document = document
    }

    fileprivate init(_ row: Row) throws {
        id = row.text(0) ?? ""
        stackId = row.text(1)
        document = try row.withBytes(2) { try Stored.decode(Array($0)) }
    }

    /// No longer attached to an instance: the members that said where it was attached go, and
    /// `changes` are laid over the rest.
    func detached(removing members: [String] = [], _ changes: JSONObject = JSONObject()) -> Registration {
        var copy = self
        for member in ["InstanceId"] + members { copy.document[member] = nil }
        copy.document = copy.document.merging(changes)
        return copy
    }
}

extension Records {
    private static let selectRegistration = "SELECT id, stack_id, doc FROM registrations"

    func registration(_ kind: RegisteredKind, _ id: String) throws -> Registration? {
        try database.statement("\(Self.selectRegistration) WHERE scope = ? AND kind = ? AND id = ?")
            .firstRow([.text(scope.key), .text(kind.rawValue), .text(id)], Registration.init)
    }

    /// The registration, or `Unable to find <noun> with <key> <id>`.
    func requireRegistration(_ kind: RegisteredKind, _ id: String) throws -> Registration {
        guard let found = try registration(kind, id) else { throw kind.notFound(id) }
        return found
    }

    /// Registrations of `kind`, oldest first: those of a stack, of an instance, or all.
    func registrations(_ kind: RegisteredKind, stackId: String? = nil, instanceId: String? = nil) throws -> [Registration] {
        // By the stack's or the instance's index when there is one to go by: the primary key
        // alone would walk every registration of the kind in the scope.
        let index = instanceId != nil ? " INDEXED BY registrations_by_instance" : stackId != nil ? " INDEXED BY registrations_by_stack" : ""
        var sql = "\(Self.selectRegistration)\(index) WHERE scope = ? AND kind = ?"
        var values: [SQLiteValue] = [.text(scope.key), .text(kind.rawValue)]
        if let stackId {
            sql += " AND stack_id = ?"
            values.append(.text(stackId))
        }
        if let instanceId {
            sql += " AND instance_id = ?"
            values.append(.text(instanceId))
        }
        return try database.statement(sql + " ORDER BY rowid").rows(values, Registration.init)
    }

    /// The volume registered with this EC2 ID, found through its index.
    func volume(ec2VolumeId: String) throws -> Registration? {
        try database.statement("\(Self.selectRegistration) WHERE scope = ? AND json_extract(doc, '$.Ec2VolumeId') = ? AND kind = 'volume'")
            .firstRow([.text(scope.key), .text(ec2VolumeId)], Registration.init)
    }

    /// Adds a registration, or replaces the one with its ID in place (it keeps its rowid, so
    /// lists keep their order).
    func save(_ kind: RegisteredKind, _ registration: Registration) throws {
        try database.statement("""
            INSERT INTO registrations (scope, kind, id, stack_id, instance_id, doc) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (scope, kind, id) DO UPDATE SET stack_id = excluded.stack_id, instance_id = excluded.instance_id, doc = excluded.doc
            """).run([.text(scope.key), .text(kind.rawValue), .text(registration.id), SQLiteValue(registration.stackId),
                      SQLiteValue(registration.instanceId), .text(registration.document.serializedString())])
    }

    func deregister(_ kind: RegisteredKind, _ id: String) throws {
        try database.statement("DELETE FROM registrations WHERE scope = ? AND kind = ? AND id = ?")
            .run([.text(scope.key), .text(kind.rawValue), .text(id)])
    }

    /// Everything registered with a stack, of every kind (DeleteStack).
    func deregisterAll(ofStack stackId: String) throws {
        try deleteRows("registrations", where: "stack_id", equals: stackId)
    }

    // MARK: - Permissions

    /// The permission set for a user on a stack, if one was set.
    func permission(stackId: String, iamUserArn: String) throws -> JSONObject? {
        try database.statement("SELECT doc FROM permissions WHERE scope = ? AND stack_id = ? AND iam_user_arn = ?")
            .firstRow([.text(scope.key), .text(stackId), .text(iamUserArn)]) { row in try row.withBytes(0) { try Stored.decode(Array($0)) } }
    }

    func savePermission(_ permission: JSONObject) throws {
        try database.statement("""
            INSERT INTO permissions (scope, stack_id, iam_user_arn, doc) VALUES (?, ?, ?, ?)
            ON CONFLICT (scope, stack_id, iam_user_arn) DO UPDATE SET doc = excluded.doc
            """).run([.text(scope.key), .text(permission.string("StackId") ?? ""), .text(permission.string("IamUserArn") ?? ""),
                      .text(permission.serializedString())])
    }
}
