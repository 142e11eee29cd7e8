/// A JSON value as it travels on the wire. Integers stay exact; objects keep their member order.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
    /// JSON text already encoded (a stored document), written out as it is. Never parsed into.
    case raw([UInt8])

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// A whole number (validated integers are `.int`); nil for anything else.
    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The elements of an array of strings; nil for anything else.
    public var stringArray: [String]? {
        arrayValue?.compactMap(\.stringValue)
    }

    /// The JSON type's name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        case .raw: "raw JSON"
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSON {
    /// A string, or null when absent.
    public init(_ text: String?) { self = text.map(JSON.string) ?? .null }
    /// An array of strings.
    public init(strings: [String]) { self = .array(strings.map(JSON.string)) }
}

/// A JSON object: members in order, looked up by a linear scan (API objects have a few dozen at most).
/// When a name repeats (the parser appends without looking), the last value is the one that counts,
/// as in most JSON parsers: reads and writes search from the end.
public struct JSONObject: Sendable, Equatable, Sequence {
    public private(set) var members: [(key: String, value: JSON)]

    public init() { members = [] }

    public init(_ members: [(String, JSON)]) {
        self.members = []
        self.members.reserveCapacity(members.count)
        for (key, value) in members { self[key] = value }
    }

    /// Reading gives the member's value; writing replaces it in place, appends it, or (nil) removes it.
    public subscript(key: String) -> JSON? {
        get { members.last { $0.key == key }?.value }
        set {
            if let index = members.lastIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key: key, value: newValue))
            }
        }
    }

    /// Appends without looking for an existing member; for builders that know the key is new.
    public mutating func append(_ key: String, _ value: JSON) {
        members.append((key: key, value: value))
    }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }
    public var keys: [String] { members.map(\.key) }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSON)]> { members.makeIterator() }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count && a.members.allSatisfy { b[$0.key] == $0.value }
    }

    /// This object with `other`'s members laid over it.
    public func merging(_ other: JSONObject) -> JSONObject {
        var result = self
        for (key, value) in other { result[key] = value }
        return result
    }

    /// Convenience readers for the common member kinds.
    public func string(_ key: String) -> String? { self[key]?.stringValue }
    public func strings(_ key: String) -> [String]? { self[key]?.stringArray }
    public func object(_ key: String) -> JSONObject? { self[key]?.objectValue }
}
