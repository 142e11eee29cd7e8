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
        let taken = Set(try records.list(.app, where: .stackId, equals: stackId).compactMap { $0.string("Shortname") })
        let shortname: String
        if let requested = input.string("Shortname") {
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
        let app = Self.withoutNulls(Self.document(defaults: defaults, input: input, mergedMaps: ["Attributes"]))
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
            let updated = Self.document(defaults: current, input: changes, mergedMaps: ["Attributes"])
            try records.pushAppVersion(appId, document: current, limit: Self.appVersionsKept)
            try records.update(.app, id: appId, document: updated)
        }
        return JSONObject()
    }

    /// Rules the shapes cannot express, shared by CreateApp and UpdateApp.
    static func validateAppMembers(_ input: JSONObject) throws {
        if input["EnableSsl"] == .bool(true) && input["SslConfiguration"] == nil {
            throw AWSError.validation("SslConfiguration is required when EnableSsl is true")
        }
        if let variables = input["Environment"]?.arrayValue {
            // The service allows 20 variables per app, with unique keys.
            guard variables.count <= 20 else { throw AWSError.validation("An app can have at most 20 environment variables") }
            var keys = Set<String>()
            for variable in variables {
                let key = variable.objectValue?.string("Key") ?? ""
                guard !key.isEmpty else { throw AWSError.validation("Environment variable keys must not be empty") }
                guard keys.insert(key).inserted else { throw AWSError.validation("Environment variable \(key) is set twice") }
            }
        }
    }

    /// Secure environment values are never returned, as on the real service; only an app that
    /// has one is decoded to mask it.
    static func presentApp(_ stored: Stored) throws -> JSON {
        guard stored.bytes.firstRange(of: Array(#""Secure":true"#.utf8)) != nil else { return .raw(stored.bytes) }
        let app = try stored.decoded()
        guard let variables = app["Environment"]?.arrayValue else { return .object(app) }
        var presented = app
        presented["Environment"] = .array(variables.map { variable in
            guard var object = variable.objectValue, object["Secure"] == .bool(true) else { return variable }
            object["Value"] = "*****FILTERED*****"
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
