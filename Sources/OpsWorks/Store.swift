import AWSJSON
import SQLite

/// The SQLite-backed state: one write connection whose writes commit in batches (each call of
/// `write` returns only after the commit that holds it, so a response never runs ahead of its
/// data), and for a file, read-only connections that run beside it.
public final class Store: Sendable {
    private let writer: GroupCommitWriter
    /// Read connections for a database file: reads run beside the writer (WAL) and beside each
    /// other, and see committed data only. An in-memory database has just the one connection.
    private let readers: Exclusive<Database>?
    /// For a file: checkpoints of the WAL beside the writer instead of inside its commits.
    private let checkpointer: BackgroundCheckpointer?
    public let path: String

    /// Read connections opened for a database file.
    static let readerCount = 4

    /// Opens (or creates) the database at `path` and brings its schema up to date.
    /// `maxBytes` caps the file's size (writes past it fail as on a full disk).
    public init(path: String, maxBytes: Int? = nil) throws {
        let database = try Database(path: path)
        try database.migrate(Store.migrations)
        if let maxBytes { try database.limitSize(toBytes: maxBytes) }
        writer = try GroupCommitWriter(database)
        self.path = path
        if path == Database.inMemory {
            readers = nil
            checkpointer = nil
        } else {
            readers = Exclusive(try (0..<Self.readerCount).map { _ in
                let reader = try Database(path: path)
                try reader.execute("PRAGMA query_only = ON")
                return reader
            })
            checkpointer = try BackgroundCheckpointer(path: path, writer: writer)
        }
    }

    deinit {
        checkpointer?.stop()
        writer.stop()
    }

    /// Ends a clean stop: the WAL is copied into the database file and truncated, so the `.db`
    /// file alone holds the whole state (a user may copy or commit just that file). Writes
    /// after this fail; call it once nothing serves requests any more.
    public func close() throws {
        checkpointer?.stop()
        if readers != nil {
            try writer.betweenBatches { try $0.checkpointAndTruncate() }
        }
        writer.stop()
    }

    /// Runs `body` in a write transaction over the records of one account and region. It may
    /// share its transaction with other writes and may run twice (see `GroupCommitWriter`), so it
    /// must touch nothing but the records.
    func write<T: Sendable>(_ scope: Scope, _ body: (Records) throws -> T) throws -> T {
        try writer.write { try body(Records(database: $0, scope: scope)) }
    }

    /// Runs `body` over a consistent snapshot of committed data (a read transaction).
    func read<T: Sendable>(_ scope: Scope, _ body: (Records) throws -> T) throws -> T {
        guard let readers else {
            // In memory, the write connection is the only one; its batch is the read's transaction.
            return try write(scope, body)
        }
        return try readers.withLock { database in
            try database.statement("BEGIN").run()
            defer { try? database.statement("COMMIT").run() }
            return try body(Records(database: database, scope: scope))
        }
    }

    /// Runs `body` in one write transaction over the records of several accounts and regions
    /// (fixtures files name theirs); `emptyFirst` deletes every row before, in the same transaction.
    func writeScopes<T: Sendable>(emptyFirst: Bool = false, _ body: ((Scope) -> Records) throws -> T) throws -> T {
        try writer.write { database in
            if emptyFirst {
                for table in Store.tables {
                    try database.statement("DELETE FROM \(table)").run()
                }
            }
            return try body { Records(database: database, scope: $0) }
        }
    }

    /// A command found by its ID alone, with the account and region it belongs to: a log URL
    /// names only the command (IDs are unique across scopes).
    func commandInAnyScope(_ id: String) throws -> (Scope, Stored)? {
        try read(Scope(account: "", region: "")) { records in
            try records.database.statement("SELECT scope, id, doc, timeline FROM commands WHERE id = ? LIMIT 1")
                .firstRow([.text(id)]) { row -> (Scope, Stored)? in
                    let key = (row.text(0) ?? "").split(separator: "/", maxSplits: 1).map(String.init)
                    guard key.count == 2 else { return nil }
                    return (Scope(account: key[0], region: key[1]), Stored(id: row.text(1) ?? "", bytes: row.withBytes(2) { Array($0) }, timeline: Timeline(text: row.text(3))))
                } ?? nil
        }
    }

    /// `PRAGMA integrity_check`, "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        try writer.write { try $0.integrityCheck() }
    }

    /// The first schema's `"_timeline": [["running", 1700000000.5], ...]` as the column's text.
    private static let timelineFromDocument = """
        SELECT group_concat(json_extract(value, '$[0]') || '@' || CAST(round(json_extract(value, '$[1]') * 1000000) AS INTEGER), '|')
        FROM json_each(doc, '$._timeline')
        """

    /// Append-only: a released migration is never edited; changes come as new ones.
    static let migrations: [Migration] = [
        Migration("001-resources", """
            CREATE TABLE stacks (
                scope TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,
                UNIQUE (scope, id));
            CREATE TABLE layers (
                scope TEXT NOT NULL, id TEXT NOT NULL, stack_id TEXT NOT NULL, doc TEXT NOT NULL,
                UNIQUE (scope, id), FOREIGN KEY (scope, stack_id) REFERENCES stacks (scope, id));
            CREATE INDEX layers_by_stack ON layers (scope, stack_id);
            CREATE TABLE apps (
                scope TEXT NOT NULL, id TEXT NOT NULL, stack_id TEXT NOT NULL, doc TEXT NOT NULL,
                UNIQUE (scope, id), FOREIGN KEY (scope, stack_id) REFERENCES stacks (scope, id));
            CREATE INDEX apps_by_stack ON apps (scope, stack_id);
            CREATE TABLE app_versions (
                scope TEXT NOT NULL, app_id TEXT NOT NULL, doc TEXT NOT NULL,
                FOREIGN KEY (scope, app_id) REFERENCES apps (scope, id));
            CREATE INDEX app_versions_by_app ON app_versions (scope, app_id);
            CREATE TABLE instances (
                scope TEXT NOT NULL, id TEXT NOT NULL, stack_id TEXT NOT NULL, doc TEXT NOT NULL,
                UNIQUE (scope, id), FOREIGN KEY (scope, stack_id) REFERENCES stacks (scope, id));
            CREATE INDEX instances_by_stack ON instances (scope, stack_id);
            CREATE TABLE instance_layers (
                scope TEXT NOT NULL, instance_id TEXT NOT NULL, layer_id TEXT NOT NULL,
                PRIMARY KEY (scope, instance_id, layer_id),
                FOREIGN KEY (scope, instance_id) REFERENCES instances (scope, id),
                FOREIGN KEY (scope, layer_id) REFERENCES layers (scope, id));
            CREATE INDEX instance_layers_by_layer ON instance_layers (scope, layer_id);
            CREATE TABLE deployments (
                scope TEXT NOT NULL, id TEXT NOT NULL, stack_id TEXT NOT NULL, app_id TEXT, doc TEXT NOT NULL,
                UNIQUE (scope, id), FOREIGN KEY (scope, stack_id) REFERENCES stacks (scope, id));
            CREATE INDEX deployments_by_stack ON deployments (scope, stack_id);
            CREATE INDEX deployments_by_app ON deployments (scope, app_id);
            CREATE TABLE commands (
                scope TEXT NOT NULL, id TEXT NOT NULL, deployment_id TEXT NOT NULL, instance_id TEXT NOT NULL, doc TEXT NOT NULL,
                UNIQUE (scope, id), FOREIGN KEY (scope, deployment_id) REFERENCES deployments (scope, id));
            CREATE INDEX commands_by_deployment ON commands (scope, deployment_id);
            CREATE INDEX commands_by_instance ON commands (scope, instance_id);
            """),
        // The lifecycle leaves the documents for a column of its own: documents are then exactly
        // what the API returns, spliced into responses without decoding.
        Migration("002-timeline-column", """
            ALTER TABLE instances ADD COLUMN timeline TEXT;
            ALTER TABLE deployments ADD COLUMN timeline TEXT;
            ALTER TABLE commands ADD COLUMN timeline TEXT;
            UPDATE instances SET timeline = (\(timelineFromDocument)), doc = json_remove(doc, '$._timeline');
            UPDATE deployments SET timeline = (\(timelineFromDocument)), doc = json_remove(doc, '$._timeline');
            UPDATE commands SET timeline = (\(timelineFromDocument)), doc = json_remove(doc, '$._timeline');
            """),
        // What stacks, layers and instances carry beside their documents (their Describe calls do
        // not return it): tags, a layer's load-based scaling and ELB, an instance's schedule.
        Migration("003-tags-scaling-load-balancers", """
            CREATE TABLE tags (
                scope TEXT NOT NULL, kind TEXT NOT NULL, resource_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                PRIMARY KEY (scope, kind, resource_id, key));
            CREATE TABLE load_based_scaling (
                scope TEXT NOT NULL, layer_id TEXT NOT NULL, doc TEXT NOT NULL,
                PRIMARY KEY (scope, layer_id), FOREIGN KEY (scope, layer_id) REFERENCES layers (scope, id));
            CREATE TABLE elastic_load_balancers (
                scope TEXT NOT NULL, name TEXT NOT NULL, layer_id TEXT NOT NULL, stack_id TEXT NOT NULL,
                PRIMARY KEY (scope, name), UNIQUE (scope, layer_id),
                FOREIGN KEY (scope, layer_id) REFERENCES layers (scope, id));
            CREATE INDEX elastic_load_balancers_by_stack ON elastic_load_balancers (scope, stack_id);
            CREATE TABLE time_based_scaling (
                scope TEXT NOT NULL, instance_id TEXT NOT NULL, doc TEXT NOT NULL,
                PRIMARY KEY (scope, instance_id), FOREIGN KEY (scope, instance_id) REFERENCES instances (scope, id));
            """),
        // Resources of other services registered with a stack (Elastic IPs, volumes, RDS DB
        // instances, ECS clusters) and the account's user profiles, one kind column apart; and
        // the permissions set for users on stacks. No foreign keys: a registration outlives
        // the instance it was attached to until something deregisters it.
        Migration("004-registrations-permissions", """
            CREATE TABLE registrations (
                scope TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, stack_id TEXT, instance_id TEXT, doc TEXT NOT NULL,
                PRIMARY KEY (scope, kind, id));
            CREATE INDEX registrations_by_stack ON registrations (scope, stack_id);
            CREATE INDEX registrations_by_instance ON registrations (scope, instance_id);
            CREATE INDEX registrations_by_ec2_volume ON registrations (scope, json_extract(doc, '$.Ec2VolumeId')) WHERE kind = 'volume';
            CREATE TABLE permissions (
                scope TEXT NOT NULL, stack_id TEXT NOT NULL, iam_user_arn TEXT NOT NULL, doc TEXT NOT NULL,
                PRIMARY KEY (scope, stack_id, iam_user_arn));
            CREATE INDEX permissions_by_user ON permissions (scope, iam_user_arn);
            """),
    ]

    /// Every table, children before their parents (the order deleting everything takes).
    static let tables = [
        "registrations", "permissions", "tags", "load_based_scaling", "elastic_load_balancers", "time_based_scaling",
        "commands", "deployments", "instance_layers", "instances", "app_versions", "apps", "layers", "stacks",
    ]
}

/// The account and region a request acts in; nothing outside it is visible. It also names the
/// caller, whose ARN deployments record and the "my user profile" calls act on.
struct Scope: Sendable, Hashable {
    let account: String
    let region: String
    /// The value of every table's `scope` column; bound by every query, so built once.
    let key: String
    let accessKeyId: String

    init(account: String, region: String, accessKeyId: String = "") {
        self.account = account
        self.region = region
        self.key = "\(account)/\(region)"
        self.accessKeyId = accessKeyId
    }

    /// The caller's IAM ARN: the access key's user, `arn:aws:iam::<account>:user/<access key ID>`
    /// (the emulator has no IAM to ask who owns a key), or the account's root without a key.
    /// Made when asked for, not for every request.
    var caller: String {
        accessKeyId.isEmpty ? "arn:aws:iam::\(account):root" : "arn:aws:iam::\(account):user/\(accessKeyId)"
    }

    init(_ context: RequestContext) {
        self.init(account: context.account, region: context.region, accessKeyId: context.accessKeyId)
    }

    // Two scopes are the same state whoever calls.
    static func == (lhs: Scope, rhs: Scope) -> Bool { lhs.key == rhs.key }
    func hash(into hasher: inout Hasher) { hasher.combine(key) }
}

/// The kinds of resource, each with its table and the word used in "Unable to find <kind> ...".
enum ResourceKind: String, Sendable, CaseIterable {
    case stack, layer, app, instance, deployment, command

    var table: String { rawValue + "s" }

    /// The key columns stored beside the document, in the order `Records.insert` takes them.
    var keyColumns: [String] {
        switch self {
        case .stack: []
        case .layer, .app: ["stack_id"]
        case .instance: ["stack_id", "timeline"]
        case .deployment: ["stack_id", "app_id", "timeline"]
        case .command: ["deployment_id", "instance_id", "timeline"]
        }
    }

    /// What a query selects beside the document: the lifecycle, for the kinds that have one.
    var timelineColumn: String {
        switch self {
        case .instance, .deployment, .command: "timeline"
        case .stack, .layer, .app: "NULL"
        }
    }
}

/// A resource as stored: its document's JSON text, exactly what the API returns for it, and its
/// lifecycle. Describe calls splice the text into their response instead of decoding it.
struct Stored: Sendable {
    let id: String
    let bytes: [UInt8]
    let timeline: Timeline?

    init(id: String, bytes: [UInt8], timeline: Timeline?) {
        self.id = id
        self.bytes = bytes
        self.timeline = timeline
    }

    init(_ row: Row) {
        id = row.text(0) ?? ""
        bytes = row.withBytes(1) { Array($0) }
        timeline = Timeline(text: row.text(2))
    }

    /// The document with `extra` members appended (the fields derived at read time).
    func with(_ extra: JSONObject) -> JSON {
        .raw(JSONObject.appending(extra, toEncoded: bytes))
    }

    func decoded() throws -> JSONObject { try Self.decode(bytes) }

    /// A top-level string member's value read off the stored text without decoding it (the
    /// document is compact JSON written here; a value with escapes is read as absent).
    func stringMember(_ name: String) -> String? {
        let key = Array("\"\(name)\":\"".utf8)
        guard let range = bytes.range(of: key) else { return nil }
        guard let end = bytes[range.upperBound...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        let value = bytes[range.upperBound..<end]
        return value.contains(UInt8(ascii: "\\")) ? nil : String(decoding: value, as: UTF8.self)
    }

    /// A stored document's text as an object; anything else means the file was tampered with.
    static func decode(_ bytes: [UInt8]) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(bytes) else {
            throw AWSError(.internalFailure, "A stored document is not an object.")
        }
        return object
    }
}

/// An instance as far as deployments need it: who it is, where, and where its lifecycle stands.
struct InstanceState {
    let id: String
    let stackId: String
    let timelineText: String?

    init(id: String, stackId: String, timelineText: String?) {
        self.id = id
        self.stackId = stackId
        self.timelineText = timelineText
    }

    init(_ row: Row) {
        id = row.text(0) ?? ""
        stackId = row.text(1) ?? ""
        timelineText = row.text(2)
    }

    func status(at time: Timestamp) -> String {
        timelineText.flatMap { Timeline.status(ofText: $0, at: time) } ?? "stopped"
    }
}

/// The key columns queries select by.
enum Column: String, CaseIterable, Sendable {
    case id, stackId = "stack_id", appId = "app_id", deploymentId = "deployment_id", instanceId = "instance_id"
}

/// The SQL of each query `Records` runs on a kind's table, built once: interpolating the text on
/// every call (then hashing it to find the prepared statement) was a tenth of a Describe call.
enum SQL {
    enum Query: CaseIterable {
        case find, exists, storedById, storedAll, storedWhere, setTimeline, list, insert, update, stackId, instanceStates
    }

    private struct Key: Hashable {
        let query: Query
        let kind: ResourceKind
        let column: Column?
    }

    static func text(_ query: Query, _ kind: ResourceKind, _ column: Column? = nil) -> String {
        texts[Key(query: query, kind: kind, column: column)]!
    }

    private static let texts: [Key: String] = {
        var texts: [Key: String] = [:]
        for query in Query.allCases {
            for kind in ResourceKind.allCases {
                for column in [nil] + Column.allCases.map(Optional.some) {
                    texts[Key(query: query, kind: kind, column: column)] = build(query, kind, column?.rawValue ?? "id")
                }
            }
        }
        return texts
    }()

    private static func build(_ query: Query, _ kind: ResourceKind, _ column: String) -> String {
        let table = kind.table
        switch query {
        case .find: return "SELECT doc FROM \(table) WHERE scope = ? AND id = ?"
        case .exists: return "SELECT 1 FROM \(table) WHERE scope = ? AND id = ?"
        case .storedById: return "SELECT id, doc, \(kind.timelineColumn) FROM \(table) WHERE scope = ? AND id = ?"
        case .storedAll: return "SELECT id, doc, \(kind.timelineColumn) FROM \(table) WHERE scope = ? ORDER BY rowid"
        case .storedWhere: return "SELECT id, doc, \(kind.timelineColumn) FROM \(table) WHERE scope = ? AND \(column) = ? ORDER BY rowid"
        case .setTimeline: return "UPDATE \(table) SET timeline = ? WHERE scope = ? AND id = ?"
        case .list: return "SELECT doc FROM \(table) WHERE scope = ? AND \(column) = ? ORDER BY rowid"
        case .insert:
            let columns = ["scope", "id"] + kind.keyColumns + ["doc"]
            let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
        case .update: return "UPDATE \(table) SET doc = ? WHERE scope = ? AND id = ?"
        case .stackId: return "SELECT stack_id FROM \(table) WHERE scope = ? AND id = ?"
        case .instanceStates: return "SELECT id, stack_id, timeline FROM \(table) WHERE scope = ? AND \(column) = ? ORDER BY rowid"
        }
    }
}

/// The tables as one account and region see them, inside one transaction. Documents are the
/// resources' JSON as the API returns them; key columns and lifecycles sit beside them. Table and column names come from code, every value is bound.
struct Records {
    let database: Database
    let scope: Scope

    func find(_ kind: ResourceKind, _ id: String) throws -> JSONObject? {
        try database.statement(SQL.text(.find, kind))
            .firstRow([.text(scope.key), .text(id)]) { try Records.decode($0) }
    }

    /// The resource, or `ResourceNotFoundException: Unable to find <kind> with ID <id>`.
    func require(_ kind: ResourceKind, _ id: String) throws -> JSONObject {
        guard let document = try find(kind, id) else { throw AWSError.notFound(kind.rawValue, id) }
        return document
    }

    func exists(_ kind: ResourceKind, _ id: String) throws -> Bool {
        try database.statement(SQL.text(.exists, kind))
            .firstRow([.text(scope.key), .text(id)]) { _ in true } ?? false
    }

    /// The stored form of a resource, or ResourceNotFound.
    func requireStored(_ kind: ResourceKind, _ id: String) throws -> Stored {
        let found = try database.statement(SQL.text(.storedById, kind))
            .firstRow([.text(scope.key), .text(id)], Stored.init)
        guard let found else { throw AWSError.notFound(kind.rawValue, id) }
        return found
    }

    /// The stored forms of every resource of `kind` whose `column` equals `value` (all of them
    /// when `column` is nil), oldest first.
    func stored(_ kind: ResourceKind, where column: Column? = nil, equals value: String = "") throws -> [Stored] {
        let values: [SQLiteValue] = column == nil ? [.text(scope.key)] : [.text(scope.key), .text(value)]
        return try database.statement(SQL.text(column == nil ? .storedAll : .storedWhere, kind, column))
            .rows(values, Stored.init)
    }

    /// Top-level string members of every resource of a stack, oldest first, read by SQLite
    /// without decoding the documents here: uniqueness checks (names, short names, hostnames)
    /// run on every create, and decoding each sibling made CreateLayer and CreateInstance a
    /// third of CreateDeployment's rate in the sweep. Member names come from code.
    func members(_ kind: ResourceKind, _ names: [String], inStack stackId: String) throws -> [[String?]] {
        precondition(names.allSatisfy { $0.allSatisfy(\.isLetter) })
        let columns = names.map { "json_extract(doc, '$.\($0)')" }.joined(separator: ", ")
        return try database.statement("SELECT \(columns) FROM \(kind.table) WHERE scope = ? AND stack_id = ? ORDER BY rowid")
            .rows([.text(scope.key), .text(stackId)]) { row in (0..<Int32(names.count)).map { row.text($0) } }
    }

    func hostnames(inStack stackId: String) throws -> Set<String> {
        Set(try members(.instance, ["Hostname"], inStack: stackId).compactMap { $0[0] })
    }

    /// The stored instances of a layer, oldest first. The layer index is named: left to itself,
    /// SQLite scanned the whole scope through the primary key, which covers the query (the
    /// sweep showed DescribeElasticLoadBalancers and DeleteLayer at a few hundred calls a second
    /// with 60,000 instances stored).
    func storedInstances(inLayer layerId: String) throws -> [Stored] {
        try database.statement("""
            SELECT i.id, i.doc, i.timeline FROM instance_layers l INDEXED BY instance_layers_by_layer
            JOIN instances i ON i.scope = l.scope AND i.id = l.instance_id
            WHERE l.scope = ? AND l.layer_id = ? ORDER BY i.rowid
            """).rows([.text(scope.key), .text(layerId)], Stored.init)
    }

    /// The stored instances of the layers that configure volumes (VolumeConfigurations), of one
    /// stack or of the whole scope, oldest first, each once: the instances that have volumes and
    /// RAID arrays made by OpsWorks. Most layers configure none, so most calls decode nothing.
    func storedInstancesWithLayerVolumes(inStack stackId: String? = nil) throws -> [Stored] {
        // The layers first (by stack through its index), then their instances through the layer
        // index: left to itself, SQLite walked every instance link of the scope.
        let layers = stackId == nil ? "layers l" : "layers l INDEXED BY layers_by_stack"
        let stackFilter = stackId == nil ? "" : "AND l.stack_id = ?"
        return try database.statement("""
            SELECT i.id, i.doc, i.timeline FROM instances i WHERE i.scope = ? AND i.id IN (
                SELECT il.instance_id FROM \(layers) CROSS JOIN instance_layers il INDEXED BY instance_layers_by_layer
                ON il.scope = l.scope AND il.layer_id = l.id
                WHERE l.scope = ? \(stackFilter) AND json_array_length(l.doc, '$.VolumeConfigurations') > 0)
            ORDER BY i.rowid
            """).rows([.text(scope.key), .text(scope.key)] + (stackId.map { [.text($0)] } ?? []), Stored.init)
    }

    /// Replaces a resource's lifecycle.
    func setTimeline(_ kind: ResourceKind, id: String, _ timeline: Timeline) throws {
        try database.statement(SQL.text(.setTimeline, kind))
            .run([.text(timeline.text), .text(scope.key), .text(id)])
    }

    /// Every resource of `kind` whose `column` equals `value`, oldest first.
    func list(_ kind: ResourceKind, where column: Column, equals value: String) throws -> [JSONObject] {
        try database.statement(SQL.text(.list, kind, column))
            .rows([.text(scope.key), .text(value)]) { try Records.decode($0) }
    }

    /// Inserts a resource; `columns` are its key columns besides scope, id and doc, named as
    /// `kind.keyColumns` names them and in that order.
    func insert(_ kind: ResourceKind, id: String, columns: KeyValuePairs<String, String?> = [:], document: JSONObject) throws {
        try insert(kind, id: id, columns: columns, encodedDocument: document.serialized())
    }

    /// Inserts a resource whose document is already encoded.
    func insert(_ kind: ResourceKind, id: String, columns: KeyValuePairs<String, String?> = [:], encodedDocument: [UInt8]) throws {
        assert(columns.map(\.key) == kind.keyColumns, "insert columns for \(kind) must be \(kind.keyColumns)")
        var values: [SQLiteValue] = [.text(scope.key), .text(id)]
        values.reserveCapacity(columns.count + 3)
        for column in columns { values.append(SQLiteValue(column.value)) }
        values.append(.utf8(encodedDocument))
        try database.statement(SQL.text(.insert, kind)).run(values)
    }

    func update(_ kind: ResourceKind, id: String, document: JSONObject) throws {
        try database.statement(SQL.text(.update, kind))
            .run([.text(document.serializedString()), .text(scope.key), .text(id)])
    }

    /// The stack a resource belongs to, read from its key column without decoding the document.
    func stackId(of kind: ResourceKind, _ id: String) throws -> String? {
        try database.statement(SQL.text(.stackId, kind))
            .firstRow([.text(scope.key), .text(id)]) { $0.text(0) ?? "" }
    }

    /// Instances with their stack and lifecycle, the timeline picked out by SQLite so that the
    /// documents need not be decoded (the hot path of CreateDeployment).
    func instanceStates(where column: Column, equals value: String) throws -> [InstanceState] {
        try database.statement(SQL.text(.instanceStates, .instance, column)).rows([.text(scope.key), .text(value)], InstanceState.init)
    }

    func instanceStates(inLayer layerId: String) throws -> [InstanceState] {
        try database.statement("""
            SELECT i.id, i.stack_id, i.timeline FROM instance_layers l INDEXED BY instance_layers_by_layer
            JOIN instances i ON i.scope = l.scope AND i.id = l.instance_id
            WHERE l.scope = ? AND l.layer_id = ? ORDER BY i.rowid
            """).rows([.text(scope.key), .text(layerId)], InstanceState.init)
    }

    // MARK: - Links and versions

    func linkInstance(_ instanceId: String, toLayer layerId: String) throws {
        try database.statement("INSERT OR IGNORE INTO instance_layers (scope, instance_id, layer_id) VALUES (?, ?, ?)")
            .run([.text(scope.key), .text(instanceId), .text(layerId)])
    }

    /// Keeps `document` as the newest previous version of an app, dropping the oldest past `limit`.
    func pushAppVersion(_ appId: String, document: JSONObject, limit: Int) throws {
        try database.statement("INSERT INTO app_versions (scope, app_id, doc) VALUES (?, ?, ?)")
            .run([.text(scope.key), .text(appId), .text(document.serializedString())])
        try database.statement("""
            DELETE FROM app_versions WHERE scope = ? AND app_id = ? AND rowid NOT IN
            (SELECT rowid FROM app_versions WHERE scope = ? AND app_id = ? ORDER BY rowid DESC LIMIT ?)
            """).run([.text(scope.key), .text(appId), .text(scope.key), .text(appId), .integer(Int64(limit))])
    }

    /// Removes and returns the newest previous version of an app, if there is one.
    func popAppVersion(_ appId: String) throws -> JSONObject? {
        guard let (rowid, document) = try database.statement(
            "SELECT rowid, doc FROM app_versions WHERE scope = ? AND app_id = ? ORDER BY rowid DESC LIMIT 1"
        ).firstRow([.text(scope.key), .text(appId)], { ($0.int(0), try Records.decode($0, column: 1)) }) else { return nil }
        try database.statement("DELETE FROM app_versions WHERE rowid = ?").run([.integer(rowid)])
        return document
    }

    private static func decode(_ row: Row, column: Int32 = 0) throws -> JSONObject {
        try row.withBytes(column) { try Stored.decode(Array($0)) }
    }
}
