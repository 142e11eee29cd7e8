import AWSJSON

extension OpsWorksService {
    /// An app keeps this many earlier versions for rollback (five versions with the current one).
    static let appVersionsKept = 4

    static let appAttributeKeys = ["DocumentRoot", "RailsEnv", "AutoBundleOnDeploy", "AwsFlowRubySettings"]

    func createApp(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        Self.output("AppId", try store.write(scope) { try createApp($0, input, id: nil) })
    }

    func createApp(_ records: Records, _ input: JSONObject, id fixedId: String?) throws -> String {
        let stackId = input.string("StackId") ?? ""
        _ = try records.require(.stack, stackId)
        let name = input.string("Name") ?? ""
        guard !name.isEmpty else { throw AWSError.validation("Name must not be empty") }
        try Self.validateAppMembers(input)
        let taken = Set(try records.members(.app, ["Shortname"], inStack: stackId).compactMap { $0[0] })
        let shortname: String
        // Terraform sends Shortname "" when short_name is unset: "" is no short name (finding 2).
        if let requested = input.string("Shortname"), !requested.isEmpty {
            guard !taken.contains(requested) else {
                throw AWSError.validation("There is already an app with the short name \(requested) in stack \(stackId)")
            }
            shortname = requested
        } else {
            shortname = Self.uniqueShortname(for: name, taken: taken)
        }
        let id = fixedId ?? makeTimeOrderedUUID()
        let defaults = JSONObject([
            ("AppId", .string(id)),
            ("StackId", .string(stackId)),
            ("Shortname", .string(shortname)),
            ("Name", .string(name)),
            ("Description", nil),
            ("DataSources", []),
            ("Type", nil),
            ("AppSource", .object(JSONObject())),
            ("Domains", []),
            ("EnableSsl", false),
            ("SslConfiguration", .object(JSONObject())),
            ("Attributes", .object(JSONObject(Self.appAttributeKeys.map { ($0, JSON.null) }))),
            ("CreatedAt", .string(clock().iso8601)),
            ("Environment", []),
        ])
        var given = input
        given["Shortname"] = nil  // derived or checked above
        let app = Self.stored(app: Self.withoutNulls(Self.document(defaults: defaults, input: given, mergedMaps: ["Attributes"])))
        try Self.requireSslConfiguration(app)
        try Self.requireRegisteredDataSources(app, records)
        try records.insert(.app, id: id, columns: ["stack_id": stackId], document: app)
        return id
    }

    func describeApps(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let apps = try describe(scope, .app, input, ids: "AppIds", parents: [
            .by("StackId", .stack, children: .app, column: .stackId),
        ])
        return Self.list("Apps", try apps.map(Self.presentApp))
    }

    /// Updates an app, keeping the version it replaces so that a rollback can return to it.
    func updateApp(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try store.write(scope) { records in
            let appId = input.string("AppId") ?? ""
            let current = try records.require(.app, appId)
            try Self.validateAppMembers(input)
            if let name = input.string("Name"), name.isEmpty { throw AWSError.validation("Name must not be empty") }
            var changes = input
            changes["AppId"] = nil
            let updated = Self.stored(app: Self.document(defaults: current, input: changes, mergedMaps: ["Attributes"]))
            try Self.requireSslConfiguration(updated)
            if input["DataSources"] != nil { try Self.requireRegisteredDataSources(updated, records) }
            try records.pushAppVersion(appId, document: current, limit: Self.appVersionsKept)
            try records.update(.app, id: appId, document: updated)
        }
        return JSONObject()
    }

    /// Rules the shapes cannot express, shared by CreateApp and UpdateApp [Model-doc
    /// EnvironmentVariable, DataSource; UG workingapps-creating].
    static func validateAppMembers(_ input: JSONObject) throws {
        if let variables = input["Environment"]?.arrayValue {
            // No limit on the count; on the size: keys and values together at most 20 KB.
            var keys = Set<String>()
            var size = 0
            for variable in variables {
                let key = variable.objectValue?.string("Key") ?? ""
                let value = variable.objectValue?.string("Value") ?? ""
                guard isEnvironmentKey(key) else {
                    throw AWSError.validation("Environment: the key '\(key)' must be 1 to 64 letters, digits and underscores, starting with a letter or an underscore")
                }
                guard value.count <= 256, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else {
                    throw AWSError.validation("Environment: the value of \(key) must be at most 256 printable characters")
                }
                guard keys.insert(key).inserted else { throw AWSError.validation("Environment: \(key) is set twice") }
                size += key.utf8.count + value.utf8.count
            }
            guard size <= 20 * 1024 else { throw AWSError.validation("Environment: is too large (maximum is 20KB).") }
        }
        for source in input["DataSources"]?.arrayValue ?? [] {
            // Terraform sends [{}] for none: a data source without a Type is no data source.
            if let type = source.objectValue?.string("Type"), !dataSourceTypes.contains(type) {
                throw AWSError.validation("Data Sources: the type \(type) is not one of \(dataSourceTypes.joined(separator: ", "))")
            }
        }
    }

    static let dataSourceTypes = ["AutoSelectOpsworksMysqlInstance", "OpsworksMysqlInstance", "RdsDbInstance", "None"]

    /// An app with EnableSsl needs an SslConfiguration: judged on the app that results, so that
    /// UpdateApp EnableSsl=true alone passes for an app that has one (finding 18).
    static func requireSslConfiguration(_ app: JSONObject) throws {
        if app["EnableSsl"] == .bool(true) && (app.object("SslConfiguration") ?? JSONObject()).isEmpty {
            throw AWSError.validation("SslConfiguration is required when EnableSsl is true")
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_]{0,63}`.
    static func isEnvironmentKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        func word(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte == UInt8(ascii: "_") }
        return (1...64).contains(bytes.count) && word(bytes[0]) && bytes.allSatisfy { word($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// An app as it is kept: its AppSource without the empty strings Terraform sends and with
    /// its secrets filtered (findings 6, 19), each environment variable with its Secure flag.
    static func stored(app: JSONObject) -> JSONObject {
        var app = app
        if let source = app.object("AppSource") { app["AppSource"] = .object(storedSource(source)) }
        if let variables = app["Environment"]?.arrayValue {
            app["Environment"] = .array(variables.map { variable in
                guard var object = variable.objectValue, object["Secure"] == nil else { return variable }
                object["Secure"] = .bool(false)  // the documented default (finding 29)
                return .object(object)
            })
        }
        return app
    }

    /// The filter the service applies to secrets in every response.
    static let filtered: JSON = "*****FILTERED*****"

    /// A Source (an app's AppSource, a stack's CustomCookbooksSource) as the service returns it:
    /// empty members dropped, Password and SshKey filtered. Nothing here ever uses the secret,
    /// so only the filtered form is kept.
    static func storedSource(_ source: JSONObject) -> JSONObject {
        var kept = JSONObject()
        for (key, value) in source where value != .string("") {
            kept.append(key, key == "Password" || key == "SshKey" ? filtered : value)
        }
        return kept
    }

    private static let secureMarker = Array(#""Secure":true"#.utf8)

    /// Secure environment values are never returned, as on the real service; only an app that
    /// has one is decoded to mask it.
    static func presentApp(_ stored: Stored) throws -> JSON {
        guard stored.bytes.range(of: Self.secureMarker) != nil else { return .raw(stored.bytes) }
        let app = try stored.decoded()
        guard let variables = app["Environment"]?.arrayValue else { return .object(app) }
        var presented = app
        presented["Environment"] = .array(variables.map { variable in
            guard var object = variable.objectValue, object["Secure"] == .bool(true) else { return variable }
            object["Value"] = Self.filtered
            return .object(object)
        })
        return .object(presented)
    }

    /// "My Shop!" -> "my_shop_", then "my_shop_2" and so on while taken.
    static func uniqueShortname(for name: String, taken: Set<String>) -> String {
        let base = String(name.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII ? $0 : "_" })
        var candidate = base
        var counter = 2
        while taken.contains(candidate) {
            candidate = "\(base)_\(counter)"
            counter += 1
        }
        return candidate
    }

    /// An app is deleted whatever it was deployed to; its kept versions go with it. Its past
    /// deployments stay, with their AppId, visible by stack and by ID (ops-behaviour §3).
    func deleteApp(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let appId = input.string("AppId") ?? ""
        try store.write(scope) { records in
            _ = try records.require(.app, appId)
            try records.deleteRows("app_versions", where: "app_id", equals: appId)
            try records.delete(.app, appId)
        }
        return JSONObject()
    }
}
