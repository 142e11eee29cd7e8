import AWSJSON
import HTTPServer

/// TagResource, UntagResource and ListTags: tags of stacks and layers, found by the kind and ID
/// that the ARN names, never by the ARN's text. Terraform tags a new stack through an ARN it
/// builds itself (the stack's Region, an account that is empty under
/// `skip_requesting_account_id`) and reads the tags back through DescribeStacks' `Arn`; the User
/// Guide writes stack ARNs without their trailing slash. All of these name the same stack.
extension OpsWorksService {
    /// At most this many tags on a resource, a layer's inherited stack tags included [Model].
    static let maxTags = 40

    func tagResource(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let (kind, id) = try Self.taggedResource(input.string("ResourceArn") ?? "", scope)
        let tags = try (input.object("Tags") ?? JSONObject()).map { key, value in
            try Self.checkedTag(key: key, value: value.stringValue ?? "")
        }
        try store.write(scope) { records in
            let document = try records.require(kind, id)
            let existing = try records.tags(kind, id)
            var keys = Set(existing.map(\.key))
            if kind == .layer, let stackId = document.string("StackId") {
                keys.formUnion(try records.tags(.stack, stackId).map(\.key))
            }
            keys.formUnion(tags.map(\.key))
            guard keys.count <= Self.maxTags else {
                throw AWSError.validation("Tags: a resource can have at most \(Self.maxTags) tags, counting those a layer inherits from its stack; this request would make \(keys.count)")
            }
            for tag in tags { try records.setTag(kind, id, key: tag.key, value: tag.value) }
        }
        return JSONObject()
    }

    func untagResource(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let (kind, id) = try Self.taggedResource(input.string("ResourceArn") ?? "", scope)
        let keys = input.strings("TagKeys") ?? []
        try store.write(scope) { records in
            _ = try records.require(kind, id)
            // Keys it does not have are ignored, as removing what is not there leaves it so.
            for key in keys { try records.removeTag(kind, id, key: key) }
        }
        return JSONObject()
    }

    func listTags(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        // The model: "A validation exception occurs if you add a MaxResults or NextToken parameter".
        for member in ["MaxResults", "NextToken"] where input[member] != nil {
            throw AWSError.validation("ListTags does not take \(member): it returns every tag of the resource at once.")
        }
        let (kind, id) = try Self.taggedResource(input.string("ResourceArn") ?? "", scope)
        let tags = try store.read(scope) { records in
            _ = try records.require(kind, id)
            return try records.tags(kind, id)
        }
        return JSONObject([("Tags", .object(JSONObject(tags.map { ($0.key, JSON.string($0.value)) })))])
    }

    /// The stack or layer an ARN names: `arn:<partition>:opsworks:<region>:<account>:stack/<id>[/]`
    /// or `...:layer/<id>`. The region may be the stack's rather than the endpoint's, and the
    /// account may be empty; another account's resource is not found in this one.
    static func taggedResource(_ arn: String, _ scope: Scope) throws -> (ResourceKind, String) {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let resource = parts.count == 6 ? parts[5].split(separator: "/", omittingEmptySubsequences: false) : []
        guard parts.count == 6, parts[0] == "arn", parts[2] == "opsworks", (2...3).contains(resource.count),
              let kind = ResourceKind(rawValue: String(resource[0])), kind == .stack || kind == .layer,
              !resource[1].isEmpty, resource.count == 2 || resource[2].isEmpty else {
            throw AWSError.validation("ResourceArn: \(arn) is not the ARN of an OpsWorks stack or layer (arn:aws:opsworks:<region>:<account>:stack/<id>/ or ...:layer/<id>)")
        }
        let id = String(resource[1])
        guard parts[4].isEmpty || parts[4] == scope.account else { throw AWSError.notFound(kind.rawValue, id) }
        return (kind, id)
    }

    /// A tag as the service stores it, or the rule it breaks [Model, UG tagging].
    static func checkedTag(key rawKey: String, value rawValue: String) throws -> (key: String, value: String) {
        let key = String(Substring(rawKey).trimmingSpaces()), value = String(Substring(rawValue).trimmingSpaces())
        guard !key.isEmpty, key.count <= 127 else {
            throw AWSError.validation("Tags: a key must be 1 to 127 characters, not '\(rawKey)'")
        }
        guard value.count <= 255 else { throw AWSError.validation("Tags: the value of \(key) is longer than 255 characters") }
        for (text, what) in [(key, "key"), (value, "value")] where !text.unicodeScalars.allSatisfy(isTagCharacter) {
            throw AWSError.validation("Tags: the \(what) '\(text)' may hold only letters, digits, spaces and + - = . _ : /")
        }
        let lowered = key.lowercased()
        for prefix in ["aws:", "opsworks:", "rds:"] where lowered.hasPrefix(prefix) {
            throw AWSError.validation("Tags: keys starting with \(prefix) are reserved, not '\(key)'")
        }
        return (key, value)
    }

    private static func isTagCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .spaceSeparator
            || "+-=._:/".unicodeScalars.contains(scalar)
    }
}
