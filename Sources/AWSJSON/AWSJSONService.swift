#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import Logging

/// An operation: the request's context and its validated input in, the output object out.
/// It throws `AWSError` for what the client did wrong; anything else is a server fault.
public typealias AWSOperation = @Sendable (RequestContext, JSONObject) throws -> JSONObject

/// A fault a test asked for, struck at this edge before the operation runs.
public enum InjectedFault: Sendable {
    case error(AWSError)
    case delay(milliseconds: Int)
    /// Close the connection without an answer, as a dropped connection looks to the client.
    case dropConnection
}

/// One API call as it was answered, for the event stream and the dashboard's feed.
public struct AWSCall: Sendable {
    public let operation: String
    public let status: Int
    /// The error code of a refused call; nil for a success.
    public let errorType: String?
    public let milliseconds: Double
    public let accessKey: String
    public let account: String
    public let region: String
    public let requestId: String
    /// The StackId the request named, if any (the dashboard refreshes that stack).
    public let stackId: String?
}

/// What a server built on this protocol may add around every call.
public struct AWSJSONHooks: Sendable {
    /// The faults that strike a call of `operation` by `accessKey`.
    public var faults: (@Sendable (_ operation: String, _ accessKey: String) -> [InjectedFault])?
    /// Called after every call is answered.
    public var onCall: (@Sendable (AWSCall) -> Void)?

    public init(faults: (@Sendable (String, String) -> [InjectedFault])? = nil, onCall: (@Sendable (AWSCall) -> Void)? = nil) {
        self.faults = faults
        self.onCall = onCall
    }
}

/// The AWS JSON 1.1 protocol: routes on `X-Amz-Target`, checks the body against the model,
/// runs the operation, and renders the result or the error with `x-amzn-RequestId`.
public struct AWSJSONService: Sendable {
    public static let contentType = "application/x-amz-json-1.1"

    public let model: ServiceModel
    /// Every operation of the model: its input shape and its handler.
    private let routes: [String: (inputShape: String?, operation: AWSOperation)]
    private let validator: ShapeValidator
    private let verifier: SignatureVerifier?
    private let hooks: AWSJSONHooks
    private let logger: Logger

    /// With a `verifier`, every request must carry a valid SigV4 signature of a known key.
    public init(model: ServiceModel, operations: [String: AWSOperation], verifier: SignatureVerifier? = nil, hooks: AWSJSONHooks = AWSJSONHooks(), logger: Logger) {
        self.model = model
        // A service answers every operation of its model; a missing handler is a programming
        // error, found when the service is built rather than by a client.
        routes = Dictionary(uniqueKeysWithValues: model.operations.map { name, shape in
            guard let operation = operations[name] else { preconditionFailure("no handler for \(name)") }
            return (name, (shape, operation))
        })
        self.validator = ShapeValidator(model: model)
        self.verifier = verifier
        self.hooks = hooks
        self.logger = logger
    }

    /// Thrown by `perform` when a fault rule drops the connection.
    private struct DroppedConnection: Error {}

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let started = ContinuousClock.now
        let requestId = makeUUID()
        let target = request.headers["X-Amz-Target"]
        var accessKey = "-"
        var context: RequestContext?
        var stackId: String?
        let response: HTTPResponse
        do {
            var parsed = try RequestContext(requestId: requestId, authorization: request.headers["Authorization"])
            if let host = request.headers["Host"] { parsed.host = host }
            context = parsed
            accessKey = parsed.accessKeyId.isEmpty ? "-" : parsed.accessKeyId
            let output = try perform(request, target: target, context: parsed, stackId: &stackId)
            response = Self.response(.ok, body: output.serialized(), requestId: requestId)
        } catch is DroppedConnection {
            logger.info("\(operationName(target) ?? target ?? "-") connection dropped by a fault rule \(requestId) key=\(accessKey)")
            return .dropConnection
        } catch let error as AWSError {
            response = Self.response(for: error, requestId: requestId)
        } catch {
            // Not the client's doing: log the cause, tell the client no more than that it failed.
            logger.error("operation failed", metadata: ["target": "\(target ?? "-")", "requestId": "\(requestId)", "error": "\(error)"])
            let message = (error as? ServerFaultDescribing)?.clientMessage ?? "The server failed to process the request."
            response = Self.response(for: AWSError(.internalFailure, message), requestId: requestId)
        }
        let elapsed = ContinuousClock.now - started
        // An error's type goes on its line: "CreateDeployment 400 ValidationException 0.3ms ...".
        let errorType = response.status.code >= 400 ? " " + (response.headers["x-amzn-ErrorType"] ?? "-") : ""
        logger.info("\(operationName(target) ?? target ?? "-") \(response.status.code)\(errorType) \(Self.milliseconds(elapsed))ms \(requestId) key=\(accessKey)")
        if let onCall = hooks.onCall {
            onCall(AWSCall(
                operation: operationName(target) ?? target ?? "-", status: response.status.code,
                errorType: response.status.code >= 400 ? response.headers["x-amzn-ErrorType"] : nil,
                milliseconds: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15,
                accessKey: accessKey, account: context?.account ?? RequestContext.defaultAccount,
                region: context?.region ?? RequestContext.defaultRegion, requestId: requestId, stackId: stackId))
        }
        return response
    }

    private func perform(_ request: HTTPRequest, target: String?, context: RequestContext, stackId: inout String?) throws -> JSONObject {
        guard request.method == "POST" else {
            throw AWSError(.unknownOperation, "Operations are called with POST / and an X-Amz-Target header.")
        }
        // As on AWS, who is calling is settled before what is called.
        try verifier?.verify(request)
        guard let name = operationName(target), let route = routes[name] else {
            throw AWSError(.unknownOperation, target.map { "Unknown operation \($0)" } ?? "The X-Amz-Target header is missing.")
        }
        for fault in hooks.faults?(name, context.accessKeyId) ?? [] {
            switch fault {
            case .error(let error): throw error
            case .delay(let milliseconds): usleep(useconds_t(milliseconds) * 1000)
            case .dropConnection: throw DroppedConnection()
            }
        }
        let input = try parseBody(request.body)
        let validated = try route.inputShape.map { try validator.validate(input, shape: $0) } ?? JSONObject()
        stackId = validated.string("StackId")
        return try route.operation(context, validated)
    }

    /// `OpsWorks_20130218.CreateDeployment` -> `CreateDeployment`.
    private func operationName(_ target: String?) -> String? {
        guard let target, target.hasPrefix(model.targetPrefix + ".") else { return nil }
        return String(target.dropFirst(model.targetPrefix.count + 1))
    }

    private func parseBody(_ body: [UInt8]) throws -> JSONObject {
        // An empty body stands for `{}`, as the AWS JSON services accept for input-less calls.
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return JSONObject() }
        let value: JSON
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw AWSError(.serialization, "The request body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw AWSError(.serialization, "The request body must be a JSON object, not \(value.typeName)")
        }
        return object
    }

    // MARK: - Rendering

    public static func response(_ status: HTTPStatus, body: [UInt8], requestId: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", contentType)
        headers.add("x-amzn-RequestId", requestId)
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    public static func response(for error: AWSError, requestId: String) -> HTTPResponse {
        var response = response(error.status, body: error.body, requestId: requestId)
        // Some SDKs read the code from this header rather than from the body.
        response.headers.add("x-amzn-ErrorType", error.code.rawValue)
        return response
    }

    /// An AWS-shaped body for requests the HTTP layer refused (too large, malformed, timed out).
    public static func response(for error: HTTPProtocolError) -> HTTPResponse {
        let code: AWSErrorCode
        switch error.status {
        case .contentTooLarge: code = AWSErrorCode(rawValue: "RequestEntityTooLargeException")
        case .serviceUnavailable: code = AWSErrorCode(rawValue: "ServiceUnavailableException")
        case .requestTimeout: code = AWSErrorCode(rawValue: "RequestTimeoutException")
        default: code = AWSErrorCode(rawValue: "BadRequestException")
        }
        return response(for: AWSError(code, error.message, status: error.status), requestId: makeUUID())
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let tenths = micros / 100
        return "\(tenths / 10).\(tenths % 10)"
    }
}
