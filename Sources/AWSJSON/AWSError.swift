import HTTPServer

/// An AWS error code, the `__type` on the wire. An open set: a struct with the codes in use.
public struct AWSErrorCode: RawRepresentable, Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The two errors the OpsWorks model defines.
    public static let validation = AWSErrorCode(rawValue: "ValidationException")
    public static let resourceNotFound = AWSErrorCode(rawValue: "ResourceNotFoundException")
    /// The AWS JSON protocol's own.
    public static let serialization = AWSErrorCode(rawValue: "SerializationException")
    public static let unknownOperation = AWSErrorCode(rawValue: "UnknownOperationException")
    public static let internalFailure = AWSErrorCode(rawValue: "InternalFailure")

    /// The HTTP status for each code; the one place errors meet status codes.
    var status: HTTPStatus {
        switch self {
        case .internalFailure: .internalServerError
        default: .badRequest
        }
    }
}

/// An error the client sees: it knows its code, message and status, and renders itself.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: AWSErrorCode
    public let message: String
    /// Set only for errors raised outside the AWS layer (HTTP protocol errors keep their status).
    let statusOverride: HTTPStatus?

    public init(_ code: AWSErrorCode, _ message: String) {
        self.code = code
        self.message = message
        self.statusOverride = nil
    }

    public init(_ code: AWSErrorCode, _ message: String, status: HTTPStatus) {
        self.code = code
        self.message = message
        self.statusOverride = status
    }

    public var status: HTTPStatus { statusOverride ?? code.status }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func validation(_ message: String) -> AWSError { AWSError(.validation, message) }

    /// `Unable to find stack with ID x`, the real service's wording for every resource kind.
    public static func notFound(_ kind: String, _ id: String) -> AWSError {
        AWSError(.resourceNotFound, "Unable to find \(kind) with ID \(id)")
    }

    /// The body botocore reads: code from `__type`, text from `message`.
    public var body: [UInt8] {
        JSONObject([("__type", .string(code.rawValue)), ("message", .string(message))]).serialized()
    }
}

/// A server fault that can tell the client something useful without exposing internals
/// (paths, SQL, stack traces): the AWS layer sends `clientMessage` in its `InternalFailure`.
public protocol ServerFaultDescribing: Error {
    var clientMessage: String { get }
}
