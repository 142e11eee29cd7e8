/// The part of an AWS service model the server needs: operations and the shapes of their input.
public struct ServiceModel: Sendable {
    public let targetPrefix: String
    /// Operation name to input shape name (nil for operations without input).
    public let operations: [String: String?]
    public let shapes: [String: Shape]

    public init(targetPrefix: String, operations: [String: String?], shapes: [String: Shape]) {
        self.targetPrefix = targetPrefix
        self.operations = operations
        self.shapes = shapes
    }
}

/// A shape of the model, as far as validating input goes.
public enum Shape: Sendable {
    /// `allowed` lists the enum values, when the shape is an enum.
    case string(allowed: [String]?)
    case boolean
    case integer(min: Int64?, max: Int64?)
    case double
    case list(member: String)
    case map(key: String, value: String)
    case structure(members: [String: String], required: [String])
}
