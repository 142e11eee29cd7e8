import AWSJSON
import HTTPServer
import Logging

/// The server's front door: the two test-harness endpoints under `/_opsworks-local/`, and the
/// OpsWorks API for everything else.
public struct OpsWorksLocalHandler: HTTPHandler {
    public static let version = "0.1.0"

    private let service: OpsWorksService
    private let aws: AWSJSONService

    public init(service: OpsWorksService, verifier: SignatureVerifier? = nil, logger: Logger) {
        self.service = service
        self.aws = service.awsService(verifier: verifier, logger: logger)
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("GET", "/_opsworks-local/health"):
            return json(["status": "ok", "version": .string(Self.version), "database": .string(service.store.path)])
        case ("POST", "/_opsworks-local/reset"):
            do {
                try service.store.reset()
                return json(["status": "reset"])
            } catch {
                return AWSJSONService.response(for: AWSError(.internalFailure, "The state could not be reset."), requestId: makeUUID())
            }
        default:
            return aws.respond(to: request)
        }
    }

    public func response(for error: HTTPProtocolError) -> HTTPResponse {
        AWSJSONService.response(for: error)
    }

    private func json(_ body: JSON) -> HTTPResponse {
        AWSJSONService.response(.ok, body: body.serialized(), requestId: makeUUID())
    }
}
