import AWSJSON

/// Fixtures files: stacks with their layers, apps and instances, created with the IDs the files
/// give, through the same validation as the API (format: `fixtures/README.md`).
///
/// A file is checked whole before anything is written: an unknown key (a typo such as
/// `"Instance"` or `"layers"`) or a value of the wrong type is an error that names the file, the
/// key and where it sits (`Stacks[0].Layers[1].Shortname`), since a typo silently skipped would
/// start a demo or a test suite from a state nobody asked for. Every file of a load is written in
/// one transaction: all of them or nothing. Loading again adds nothing: a resource whose ID
/// exists already is left as it is.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
}

/// One fixtures file as read from disk, kept so that a reset can load it again.
public struct FixturesFile: Sendable {
    /// Where it came from, named in every error.
    public let source: String
    public let bytes: [UInt8]

    public init(source: String, bytes: [UInt8]) {
        self.source = source
        self.bytes = bytes
    }
}

extension OpsWorksService {
    /// What a load created, for the start-up log.
    public struct FixtureSummary: Sendable, Equatable {
        public var created = 0
        public var existing = 0
        /// The time a loaded state snapshot was taken at (a manual clock is set to it).
        public var snapshotClock: Timestamp?

        public init(created: Int = 0, existing: Int = 0) {
            self.created = created
            self.existing = existing
        }
    }

    /// Checks every file, then creates what they describe in one transaction. With
    /// `replacingState`, every account's and region's state is deleted first, in that same
    /// transaction (a reset: back to the start).
    @discardableResult
    public func loadFixtures(_ files: [FixturesFile], replacingState: Bool = false) throws -> FixtureSummary {
        let parsed = try files.map(FixturesDocument.init)
        return try store.writeScopes(emptyFirst: replacingState) { records in
            var summary = FixtureSummary()
            for document in parsed {
                let scoped = records(document.scope)
                if let state = document.state {
                    let counts = try state.insert(into: scoped.database, source: document.source)
                    summary.created += counts.created
                    summary.existing += counts.existing
                    summary.snapshotClock = state.clock ?? summary.snapshotClock
                    continue
                }
                for entry in document.entries {
                    if try scoped.exists(entry.kind, entry.id) {
                        summary.existing += 1
                        continue
                    }
                    do {
                        try create(entry, in: scoped)
                    } catch let error as AWSError {
                        throw FixtureError(description: "\(document.source): \(entry.location): \(error.code.rawValue): \(error.message)")
                    }
                    summary.created += 1
                }
            }
            return summary
        }
    }

    /// One-file form, for tests and callers with bytes in hand.
    @discardableResult
    public func loadFixtures(_ bytes: [UInt8], source: String) throws -> FixtureSummary {
        try loadFixtures([FixturesFile(source: source, bytes: bytes)])
    }

    private func create(_ entry: FixturesDocument.Entry, in records: Records) throws {
        switch entry.kind {
        case .stack: _ = try createStack(records, entry.input, id: entry.id)
        case .layer: _ = try createLayer(records, entry.input, id: entry.id)
        case .app: _ = try createApp(records, entry.input, id: entry.id)
        case .instance:
            let id = try createInstance(records, entry.input, id: entry.id)
            if entry.online { try markOnline(records, instanceId: id) }
        case .deployment, .command:
            preconditionFailure("fixtures describe stacks, layers, apps and instances only")
        }
    }
}

/// A fixtures file checked against the model and flattened into the resources to create, in an
/// order where each comes after what it refers to (stack, its layers, apps, then instances).
struct FixturesDocument {
    struct Entry {
        let kind: ResourceKind
        let id: String
        /// The Create request, validated as the API validates it.
        let input: JSONObject
        /// `Stacks[0].Instances[2]`, for messages.
        let location: String
        /// For instances: created online rather than stopped.
        var online = false
    }

    let source: String
    let scope: Scope
    private(set) var entries: [Entry] = []
    /// A state snapshot's rows, when the file is one (`GET /_opsworks-local/state`).
    private(set) var state: StateRows?

    /// How each kind sits in a file: its ID member, the request it stands for, and the members
    /// it holds beside that request's.
    private struct Level {
        let kind: ResourceKind
        let idMember: String
        let requestShape: String
        let extraMembers: Set<String>
    }

    private static let stackLevel = Level(kind: .stack, idMember: "StackId", requestShape: "CreateStackRequest",
                                          extraMembers: ["StackId", "Layers", "Apps", "Instances"])
    private static let childLevels: [(member: String, level: Level)] = [
        ("Layers", Level(kind: .layer, idMember: "LayerId", requestShape: "CreateLayerRequest", extraMembers: ["LayerId"])),
        ("Apps", Level(kind: .app, idMember: "AppId", requestShape: "CreateAppRequest", extraMembers: ["AppId"])),
        ("Instances", Level(kind: .instance, idMember: "InstanceId", requestShape: "CreateInstanceRequest", extraMembers: ["InstanceId", "Status"])),
    ]
    private static let topLevelMembers: Set<String> = ["Account", "Region", "Stacks"]

    private let model = ServiceModel.opsWorks
    private let validator = ShapeValidator(model: .opsWorks)

    init(_ file: FixturesFile) throws {
        source = file.source
        let root: JSONObject
        do {
            guard case .object(let object) = try JSONParser.parse(file.bytes) else {
                throw FixtureError(description: "\(file.source): the top level must be a JSON object")
            }
            root = object
        } catch let error as JSONParseError {
            throw FixtureError(description: "\(file.source): not valid JSON: \(error)")
        }
        func fail(_ message: String) -> FixtureError { FixtureError(description: "\(file.source): \(message)") }
        if let snapshot = root[OpsWorksService.stateMember] {
            guard root.keys.count == 1 else {
                throw fail("a state snapshot has \(OpsWorksService.stateMember) alone at the top level")
            }
            state = try StateRows(snapshot, source: file.source)
            scope = Scope(account: "", region: "")  // each row carries its own
            return
        }
        for (key, _) in root where !Self.topLevelMembers.contains(key) {
            throw fail("unknown key \(key) at the top level (known: Account, Region, Stacks; or \(OpsWorksService.stateMember) alone, a state snapshot)")
        }
        let account = try Self.string(root, "Account", at: "the top level", in: file.source) ?? RequestContext.defaultAccount
        let region = try Self.string(root, "Region", at: "the top level", in: file.source) ?? RequestContext.defaultRegion
        guard RequestContext.isRegionName(region) else {
            throw fail("Region at the top level must be a region name such as us-east-1, not '\(region)'")
        }
        scope = Scope(account: account, region: region)

        for (index, stack) in try Self.objects(root, "Stacks", at: "", in: file.source).enumerated() {
            let location = "Stacks[\(index)]"
            let stackInput = try checked(stack, Self.stackLevel, at: location, parent: [])
            let stackId = stackInput.id
            for (member, level) in Self.childLevels {
                for (childIndex, child) in try Self.objects(stack, member, at: location + ".", in: file.source).enumerated() {
                    _ = try checked(child, level, at: "\(location).\(member)[\(childIndex)]", parent: [("StackId", .string(stackId))])
                }
            }
        }
    }

    /// Checks one resource's object (unknown keys, types, the Create request's rules) and adds it.
    private mutating func checked(_ object: JSONObject, _ level: Level, at location: String, parent: [(String, JSON)]) throws -> Entry {
        func fail(_ message: String) -> FixtureError { FixtureError(description: "\(source): \(location): \(message)") }
        guard let id = object.string(level.idMember), !id.isEmpty else {
            throw fail("\(level.kind.rawValue) has no \(level.idMember) (a non-empty string); fixtures give fixed IDs so that loading twice adds nothing")
        }
        var request = JSONObject()
        for (key, value) in object where !level.extraMembers.contains(key) { request.append(key, value) }
        for (key, value) in parent {
            if request[key] != nil {
                throw fail("\(key) is not given here: a \(level.kind.rawValue) takes it from the stack it sits in")
            }
            request.append(key, value)
        }
        if let unknown = unknownMember(.object(request), shape: level.requestShape, path: location) {
            throw fail("unknown key \(unknown) (not a member of \(level.requestShape.dropLast("Request".count)) nor of the fixtures format)")
        }
        var online = false
        if level.kind == .instance {
            let status = try Self.string(object, "Status", at: location, in: source) ?? "stopped"
            guard status == "online" || status == "stopped" else { throw fail("Status must be online or stopped, not \(status)") }
            online = status == "online"
        }
        let input: JSONObject
        do {
            input = try validator.validate(request, shape: level.requestShape)
        } catch let error as AWSError {
            throw fail("\(error.code.rawValue): \(error.message)")
        }
        let entry = Entry(kind: level.kind, id: id, input: input, location: "\(location) (\(level.idMember) \(id))", online: online)
        entries.append(entry)
        return entry
    }

    /// The path of the first member the model does not know, anywhere in `value`, or nil.
    private func unknownMember(_ value: JSON, shape name: String, path: String) -> String? {
        switch (model.shapes[name], value) {
        case (.structure(let members, _)?, .object(let object)):
            for (key, item) in object {
                guard let memberShape = members[key] else { return "\(path).\(key)" }
                if let unknown = unknownMember(item, shape: memberShape, path: "\(path).\(key)") { return unknown }
            }
        case (.list(let member)?, .array(let items)):
            for (index, item) in items.enumerated() {
                if let unknown = unknownMember(item, shape: member, path: "\(path)[\(index)]") { return unknown }
            }
        case (.map(_, let valueShape)?, .object(let object)):
            for (key, item) in object {
                if let unknown = unknownMember(item, shape: valueShape, path: "\(path).\(key)") { return unknown }
            }
        default:
            break  // wrong types are the validator's to report, with the expected type
        }
        return nil
    }

    private static func string(_ object: JSONObject, _ key: String, at location: String, in source: String) throws -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let text) = value else {
            throw FixtureError(description: "\(source): \(location): \(key) must be a string, not \(value.typeName)")
        }
        return text
    }

    /// The objects of the list `key` (none when it is absent); anything else is an error.
    private static func objects(_ object: JSONObject, _ key: String, at prefix: String, in source: String) throws -> [JSONObject] {
        guard let value = object[key] else { return [] }
        guard case .array(let items) = value else {
            throw FixtureError(description: "\(source): \(prefix)\(key) must be a list, not \(value.typeName)")
        }
        return try items.enumerated().map { index, item in
            guard case .object(let entry) = item else {
                throw FixtureError(description: "\(source): \(prefix)\(key)[\(index)] must be an object, not \(item.typeName)")
            }
            return entry
        }
    }
}
