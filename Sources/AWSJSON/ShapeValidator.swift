/// Checks a request body against the model's input shape, the way the AWS JSON services do:
/// a value of the wrong JSON type is a `SerializationException`; a null required member, an
/// unknown enum value or an integer out of range is a `ValidationException` that lists every
/// violation. Members the model does not define are dropped, as the real services ignore them.
public struct ShapeValidator: Sendable {
    public let model: ServiceModel

    public init(model: ServiceModel) {
        self.model = model
    }

    /// The input with unknown members and nulls removed, or the error the service would send.
    public func validate(_ input: JSONObject, shape name: String) throws -> JSONObject {
        var violations: [String] = []
        let result = try check(.object(input), shapeName: name, path: "", violations: &violations)
        if !violations.isEmpty {
            let count = violations.count
            throw AWSError.validation("\(count) validation error\(count == 1 ? "" : "s") detected: " + violations.joined(separator: "; "))
        }
        return result.objectValue ?? JSONObject()
    }

    private func check(_ value: JSON, shapeName: String, path: String, violations: inout [String]) throws -> JSON {
        guard let shape = model.shapes[shapeName] else { return value }
        func mismatch(_ expected: String) -> AWSError {
            let location = path.isEmpty ? "the request body" : "'\(path)'"
            return AWSError(.serialization, "Expected \(expected) at \(location) but found \(value.typeName)")
        }
        switch shape {
        case .string(let allowed):
            guard case .string(let text) = value else { throw mismatch("a string") }
            if let allowed, !allowed.contains(text) {
                violations.append("Value '\(text)' at '\(path)' failed to satisfy constraint: Member must satisfy enum value set: [\(allowed.joined(separator: ", "))]")
            }
            return value
        case .boolean:
            guard case .bool = value else { throw mismatch("a boolean") }
            return value
        case .integer(let low, let high):
            // Whole numbers written as 2.0 are accepted; 2.5 is not an integer.
            let number: Int64
            switch value {
            case .int(let whole): number = whole
            case .double(let real) where real.rounded() == real && abs(real) < 9e15: number = Int64(real)
            default: throw mismatch("an integer")
            }
            guard number >= Int64(Int32.min) && number <= Int64(Int32.max) else { throw mismatch("a 32-bit integer") }
            if let low, number < low {
                violations.append("Value '\(number)' at '\(path)' failed to satisfy constraint: Member must have value greater than or equal to \(low)")
            }
            if let high, number > high {
                violations.append("Value '\(number)' at '\(path)' failed to satisfy constraint: Member must have value less than or equal to \(high)")
            }
            return .int(number)
        case .double:
            switch value {
            case .int, .double: return value
            default: throw mismatch("a number")
            }
        case .list(let member):
            guard case .array(let items) = value else { throw mismatch("a list") }
            var checked: [JSON] = []
            checked.reserveCapacity(items.count)
            for (offset, item) in items.enumerated() {
                let itemPath = "\(path).\(offset + 1).member"
                if case .null = item {
                    violations.append("Value null at '\(itemPath)' failed to satisfy constraint: Member must not be null")
                    continue
                }
                checked.append(try check(item, shapeName: member, path: itemPath, violations: &violations))
            }
            return .array(checked)
        case .map(let keyShape, let valueShape):
            guard case .object(let object) = value else { throw mismatch("a map") }
            var checked = JSONObject()
            for (key, item) in object {
                if case .string(let allowed?) = model.shapes[keyShape], !allowed.contains(key) {
                    violations.append("Value '\(key)' at '\(path)' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy enum value set: [\(allowed.joined(separator: ", "))]]")
                }
                if case .null = item {
                    checked.append(key, .null)
                    continue
                }
                checked.append(key, try check(item, shapeName: valueShape, path: "\(path).\(key)", violations: &violations))
            }
            return .object(checked)
        case .structure(let members, let required):
            guard case .object(let object) = value else { throw mismatch("a structure") }
            var checked = JSONObject()
            for (key, item) in object {
                guard let memberShape = members[key] else { continue }
                if case .null = item { continue }
                checked.append(key, try check(item, shapeName: memberShape, path: memberPath(path, key), violations: &violations))
            }
            for name in required where checked[name] == nil {
                violations.append("Value null at '\(memberPath(path, name))' failed to satisfy constraint: Member must not be null")
            }
            return .object(checked)
        }
    }

    /// AWS names members in lower camel case in these messages: `command.name`.
    private func memberPath(_ path: String, _ member: String) -> String {
        let name = member.prefix(1).lowercased() + member.dropFirst()
        return path.isEmpty ? name : "\(path).\(name)"
    }
}
