import AWSJSON
import SQLite

/// What stacks, layers and instances hold beside their documents: tags, scaling, ELBs.
extension Records {
    // MARK: - Tags

    func tags(_ kind: ResourceKind, _ id: String) throws -> [(key: String, value: String)] {
        try database.statement("SELECT key, value FROM tags WHERE scope = ? AND kind = ? AND resource_id = ? ORDER BY key")
            .rows([.text(scope.key), .text(kind.rawValue), .text(id)]) { ($0.text(0) ?? "", $0.text(1) ?? "") }
    }

    func setTag(_ kind: ResourceKind, _ id: String, key: String, value: String) throws {
        try database.statement("INSERT OR REPLACE INTO tags (scope, kind, resource_id, key, value) VALUES (?, ?, ?, ?, ?)")
            .run([.text(scope.key), .text(kind.rawValue), .text(id), .text(key), .text(value)])
    }

    func removeTag(_ kind: ResourceKind, _ id: String, key: String) throws {
        try database.statement("DELETE FROM tags WHERE scope = ? AND kind = ? AND resource_id = ? AND key = ?")
            .run([.text(scope.key), .text(kind.rawValue), .text(id), .text(key)])
    }

    // MARK: - Scaling

    /// A layer's stored LoadBasedAutoScalingConfiguration, nil when it was never set.
    func loadBasedScaling(ofLayer layerId: String) throws -> JSONObject? {
        try setting("load_based_scaling", "layer_id", layerId)
    }

    func setLoadBasedScaling(ofLayer layerId: String, _ configuration: JSONObject) throws {
        try setSetting("load_based_scaling", "layer_id", layerId, configuration)
    }

    /// An instance's stored WeeklyAutoScalingSchedule, nil when it has none.
    func timeBasedScaling(ofInstance instanceId: String) throws -> JSONObject? {
        try setting("time_based_scaling", "instance_id", instanceId)
    }

    func setTimeBasedScaling(ofInstance instanceId: String, _ schedule: JSONObject) throws {
        try setSetting("time_based_scaling", "instance_id", instanceId, schedule)
    }

    /// A document kept in `table` for one resource, keyed by `column`; both names from code.
    private func setting(_ table: String, _ column: String, _ id: String) throws -> JSONObject? {
        try database.statement("SELECT doc FROM \(table) WHERE scope = ? AND \(column) = ?")
            .firstRow([.text(scope.key), .text(id)]) { row in try row.withBytes(0) { try Stored.decode(Array($0)) } }
    }

    private func setSetting(_ table: String, _ column: String, _ id: String, _ document: JSONObject) throws {
        try database.statement("INSERT OR REPLACE INTO \(table) (scope, \(column), doc) VALUES (?, ?, ?)")
            .run([.text(scope.key), .text(id), .text(document.serializedString())])
    }

    // MARK: - Elastic Load Balancers

    /// An ELB attached to a layer: its name, the layer and the layer's stack.
    struct Attachment: Sendable {
        let name: String
        let layerId: String
        let stackId: String
    }

    func loadBalancer(named name: String) throws -> Attachment? {
        try database.statement("SELECT name, layer_id, stack_id FROM elastic_load_balancers WHERE scope = ? AND name = ?")
            .firstRow([.text(scope.key), .text(name)], Attachment.init)
    }

    /// The ELBs attached to the layers of a stack (`column` stack_id) or to one layer (layer_id).
    func loadBalancers(where column: String, equals value: String) throws -> [Attachment] {
        precondition(["stack_id", "layer_id"].contains(column))
        return try database.statement("SELECT name, layer_id, stack_id FROM elastic_load_balancers WHERE scope = ? AND \(column) = ? ORDER BY rowid")
            .rows([.text(scope.key), .text(value)], Attachment.init)
    }

    func attach(_ attachment: Attachment) throws {
        try database.statement("INSERT INTO elastic_load_balancers (scope, name, layer_id, stack_id) VALUES (?, ?, ?, ?)")
            .run([.text(scope.key), .text(attachment.name), .text(attachment.layerId), .text(attachment.stackId)])
    }

    func detachLoadBalancer(named name: String) throws {
        try database.statement("DELETE FROM elastic_load_balancers WHERE scope = ? AND name = ?").run([.text(scope.key), .text(name)])
    }
}

extension Records.Attachment {
    init(_ row: Row) {
        self.init(name: row.text(0) ?? "", layerId: row.text(1) ?? "", stackId: row.text(2) ?? "")
    }
}
