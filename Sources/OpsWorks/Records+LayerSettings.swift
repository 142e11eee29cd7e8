import AWSJSON
import SQLite

/// What stacks and layers hold beside their documents: tags, load-based scaling, ELBs.
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

    // MARK: - Load-based scaling

    /// A layer's stored LoadBasedAutoScalingConfiguration, nil when it was never set.
    func loadBasedScaling(ofLayer layerId: String) throws -> JSONObject? {
        try database.statement("SELECT doc FROM load_based_scaling WHERE scope = ? AND layer_id = ?")
            .firstRow([.text(scope.key), .text(layerId)]) { row in try row.withBytes(0) { try Stored.decode(Array($0)) } }
    }

    func setLoadBasedScaling(ofLayer layerId: String, _ configuration: JSONObject) throws {
        try database.statement("INSERT OR REPLACE INTO load_based_scaling (scope, layer_id, doc) VALUES (?, ?, ?)")
            .run([.text(scope.key), .text(layerId), .text(configuration.serializedString())])
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
