import AWSJSON
import HTTPServer
import Logging
import OpsWorks

/// The server's front door: the test-harness endpoints under `/_opsworks-local/`, and the
/// OpsWorks API for everything else.
///
/// With signature verification on, an endpoint that changes state takes only requests signed
/// with one of the verified keys (403 otherwise), like the API: a reset must not be open to
/// anyone who can reach the port. Every call to these endpoints is logged with its caller.
public struct OpsWorksLocalHandler: HTTPHandler {
    private let service: OpsWorksService
    private let aws: AWSJSONService
    private let fixtures: [FixturesFile]
    private let verifier: SignatureVerifier?
    private let logger: Logger

    /// `fixtures` are loaded again by every reset, so that a reset means "back to the start".
    public init(service: OpsWorksService, fixtures: [FixturesFile] = [], verifier: SignatureVerifier? = nil, logger: Logger) {
        self.service = service
        self.aws = service.awsService(verifier: verifier, logger: logger)
        self.fixtures = fixtures
        self.verifier = verifier
        self.logger = logger
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard request.path.hasPrefix("/_opsworks-local/") else { return aws.respond(to: request) }
        let response = harnessResponse(request)
        let caller = (try? RequestContext(requestId: "", authorization: request.headers["Authorization"]))?.accessKeyId ?? ""
        let line: Logger.Message = "\(request.method) \(request.path) \(response.status.code) key=\(caller.isEmpty ? "-" : caller)"
        // Reads are routine (health polls); changes of state are worth a line at the default level.
        if request.method == "GET" { logger.debug(line) } else { logger.notice(line) }
        return response
    }

    private func harnessResponse(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("GET", "/_opsworks-local/health"):
            return json(["status": "ok", "version": .string(OpsWorksLocalServer.version), "database": .string(service.databasePath)])
        case ("POST", "/_opsworks-local/reset"):
            if let refusal = refusal(of: request) { return refusal }
            do {
                let loaded = try service.loadFixtures(fixtures, replacingState: true)
                return json(["status": "reset", "fixturesCreated": .int(Int64(loaded.created))])
            } catch {
                logger.error("reset failed", metadata: ["error": "\(error)"])
                return AWSJSONService.response(for: AWSError(.internalFailure, "The state could not be reset."), requestId: makeUUID())
            }
        case ("GET", _) where request.path.hasPrefix(Self.logsPrefix):
            // The LogUrl of a finished command: its Chef run log, as plain text.
            let commandId = String(request.path.dropFirst(Self.logsPrefix.count))
            guard let log = try? service.commandLog(commandId) else {
                return notFound("No log for command \(commandId): there is no such command, or it has not finished (a skipped command has none).")
            }
            var headers = HTTPHeaders()
            headers.add("Content-Type", "text/plain; charset=utf-8")
            return HTTPResponse(status: .ok, headers: headers, body: Array(log.utf8))
        default:
            return notFound("\(request.method) \(request.path) is not an endpoint of opsworks-local; see GET /_opsworks-local/health, POST /_opsworks-local/reset and GET /_opsworks-local/logs/<CommandId>.")
        }
    }

    static let logsPrefix = "/_opsworks-local/logs/"

    private func notFound(_ message: String) -> HTTPResponse {
        AWSJSONService.response(for: AWSError(AWSErrorCode(rawValue: "NotFoundException"), message, status: .notFound), requestId: makeUUID())
    }

    /// With verification on: 403 unless the request is signed by a verified key.
    private func refusal(of request: HTTPRequest) -> HTTPResponse? {
        guard let verifier else { return nil }
        do {
            try verifier.verify(request)
            return nil
        } catch {
            let code = (error as? AWSError)?.code ?? AWSErrorCode(rawValue: "AccessDeniedException")
            let message = (error as? AWSError)?.message ?? "The request could not be verified."
            return AWSJSONService.response(for: AWSError(code, message, status: .forbidden), requestId: makeUUID())
        }
    }

    public func response(for error: HTTPProtocolError) -> HTTPResponse {
        AWSJSONService.response(for: error)
    }

    private func json(_ body: JSON) -> HTTPResponse {
        AWSJSONService.response(.ok, body: body.serialized(), requestId: makeUUID())
    }
}
