import AWSJSON

/// Loads a fixtures file: stacks with their layers, apps and instances, created with the IDs the
/// file gives, through the same validation as the API. Loading a file again adds nothing: a
/// resource whose ID exists already is left as it is.
///
/// ```json
/// {"Account": "000000000000", "Region": "us-east-1",
///  "Stacks": [{"StackId": "...", "Name": "demo", "Region": "us-east-1", "ServiceRoleArn": "...",
///              "DefaultInstanceProfileArn": "...",
///              "Layers": [{"LayerId": "...", "Type": "custom", "Name": "Web", "Shortname": "web"}],
///              "Apps": [{"AppId": "...", "Name": "Shop", "Type": "php"}],
///              "Instances": [{"InstanceId": "...", "LayerIds": ["..."], "InstanceType": "t3.small",
///                             "Status": "online"}]}]}
/// ```
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
}

extension OpsWorksService {
    /// What a load created, for the start-up log.
    public struct FixtureSummary: Sendable, Equatable {
        public var created = 0
        public var existing = 0
    }

    public func loadFixtures(_ bytes: [UInt8], source: String) throws -> FixtureSummary {
        let root: JSONObject
        do {
            guard case .object(let object) = try JSONParser.parse(bytes) else {
                throw FixtureError(description: "\(source): the top level must be a JSON object")
            }
            root = object
        } catch let error as JSONParseError {
            throw FixtureError(description: "\(source): not valid JSON: \(error)")
        }
        let scope = Scope(account: root.string("Account") ?? RequestContext.defaultAccount, region: root.string("Region") ?? RequestContext.defaultRegion)
        let validator = ShapeValidator(model: .opsWorks)
        do {
            return try store.write(scope) { records in
                var summary = FixtureSummary()
                /// Validates one entry as its Create request and creates it unless its ID exists.
                func load(_ entry: JSON, _ kind: ResourceKind, idMember: String, shape: String, parent: [(String, JSON)],
                          create: (JSONObject, String) throws -> Void) throws -> JSONObject {
                    guard var object = entry.objectValue else { throw FixtureError(description: "\(source): each \(kind.rawValue) must be an object") }
                    guard let id = object.string(idMember), !id.isEmpty else {
                        throw FixtureError(description: "\(source): a \(kind.rawValue) has no \(idMember); fixtures give fixed IDs so that loading twice adds nothing")
                    }
                    for (key, value) in parent { object[key] = value }
                    if try records.exists(kind, id) {
                        summary.existing += 1
                    } else {
                        try create(try validator.validate(object, shape: shape), id)
                        summary.created += 1
                    }
                    return object
                }
                for stackEntry in root["Stacks"]?.arrayValue ?? [] {
                    let stack = try load(stackEntry, .stack, idMember: "StackId", shape: "CreateStackRequest", parent: []) {
                        _ = try createStack(records, $0, id: $1)
                    }
                    let parent: [(String, JSON)] = [("StackId", stack["StackId"]!)]
                    for layer in stack["Layers"]?.arrayValue ?? [] {
                        _ = try load(layer, .layer, idMember: "LayerId", shape: "CreateLayerRequest", parent: parent) {
                            _ = try createLayer(records, $0, id: $1)
                        }
                    }
                    for app in stack["Apps"]?.arrayValue ?? [] {
                        _ = try load(app, .app, idMember: "AppId", shape: "CreateAppRequest", parent: parent) {
                            _ = try createApp(records, $0, id: $1)
                        }
                    }
                    for instance in stack["Instances"]?.arrayValue ?? [] {
                        let status = instance.objectValue?.string("Status") ?? "stopped"
                        guard status == "online" || status == "stopped" else {
                            throw FixtureError(description: "\(source): an instance Status must be online or stopped, not \(status)")
                        }
                        _ = try load(instance, .instance, idMember: "InstanceId", shape: "CreateInstanceRequest", parent: parent) {
                            let id = try createInstance(records, $0, id: $1)
                            if status == "online" { try markOnline(records, instanceId: id) }
                        }
                    }
                }
                return summary
            }
        } catch let error as AWSError {
            throw FixtureError(description: "\(source): \(error.code.rawValue): \(error.message)")
        }
    }
}
