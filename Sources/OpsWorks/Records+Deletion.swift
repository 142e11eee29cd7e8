import SQLite

/// Deleting resources and what hangs off them, inside the caller's transaction: a cascade is
/// one write, all of it or none of it. Table and column names come from code, values are bound.
extension Records {
    /// Deletes this scope's rows of `table` whose `column` equals `value`.
    func deleteRows(_ table: String, where column: String, equals value: String) throws {
        precondition(Store.tables.contains(table) && column.allSatisfy { $0.isLetter || $0 == "_" })
        try database.statement("DELETE FROM \(table) WHERE scope = ? AND \(column) = ?").run([.text(scope.key), .text(value)])
    }

    func delete(_ kind: ResourceKind, _ id: String) throws {
        try deleteRows(kind.table, where: "id", equals: id)
    }

    /// How many resources of `kind` have `column` equal to `value`.
    func count(_ kind: ResourceKind, where column: Column, equals value: String) throws -> Int {
        try database.statement("SELECT count(*) FROM \(kind.table) WHERE scope = ? AND \(column.rawValue) = ?")
            .firstRow([.text(scope.key), .text(value)]) { Int($0.int(0)) } ?? 0
    }

    /// A stack's deployments and their commands.
    func deleteDeployments(ofStack stackId: String) throws {
        try database.statement("DELETE FROM commands WHERE scope = ? AND deployment_id IN (SELECT id FROM deployments WHERE scope = ? AND stack_id = ?)")
            .run([.text(scope.key), .text(scope.key), .text(stackId)])
        try deleteRows("deployments", where: "stack_id", equals: stackId)
    }

    /// The tags of a stack or layer.
    func deleteTags(_ kind: ResourceKind, _ id: String) throws {
        try database.statement("DELETE FROM tags WHERE scope = ? AND kind = ? AND resource_id = ?")
            .run([.text(scope.key), .text(kind.rawValue), .text(id)])
    }
}
