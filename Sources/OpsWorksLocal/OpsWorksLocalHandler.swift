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
    private let controls: EmulatorControls
    private let durations: LifecycleDurations
    private let logger: Logger

    /// `fixtures` are loaded again by every reset, so that a reset means "back to the start".
    /// `controls` must be the ones the service was built with (its clock and fault rules).
    public init(service: OpsWorksService, fixtures: [FixturesFile] = [], verifier: SignatureVerifier? = nil,
                controls: EmulatorControls = EmulatorControls(), durations: LifecycleDurations = LifecycleDurations(), logger: Logger) {
        self.service = service
        self.aws = service.awsService(verifier: verifier, hooks: controls.hooks, logger: logger)
        self.fixtures = fixtures
        self.verifier = verifier
        self.controls = controls
        self.durations = durations
        self.logger = logger
    }

    static let prefix = "/_opsworks-local/"
    static let logsPrefix = "/_opsworks-local/logs/"

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard request.path.hasPrefix(Self.prefix) else {
            // A browser pointed at the server finds the dashboard; SDK calls are POSTs.
            if request.method == "GET" && request.path == "/" && (request.headers["Accept"] ?? "").contains("text/html") {
                var headers = HTTPHeaders()
                headers.add("Location", "/_opsworks-local/dashboard")
                return HTTPResponse(status: .found, headers: headers)
            }
            return aws.respond(to: request)
        }
        let response = harnessResponse(request)
        let caller = (try? RequestContext(requestId: "", authorization: request.headers["Authorization"]))?.accessKeyId ?? ""
        let line: Logger.Message = "\(request.method) \(request.path) \(response.status.code) key=\(caller.isEmpty ? "-" : caller)"
        // Reads are routine (health polls, the dashboard); changes of state are worth a line at the default level.
        if request.method == "GET" { logger.debug(line) } else { logger.notice(line) }
        return response
    }

    private func harnessResponse(_ request: HTTPRequest) -> HTTPResponse {
        let path = String(request.path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(request.path))
        if request.method != "GET", let refusal = refusal(of: request) { return refusal }
        switch (request.method, path) {
        case ("GET", "/_opsworks-local/health"):
            return json(["status": "ok", "version": .string(OpsWorksLocalServer.version), "database": .string(service.databasePath)])
        case ("POST", "/_opsworks-local/reset"):
            return reset()
        case ("GET", "/_opsworks-local/state"):
            return attempt("The state could not be read.") { try json(service.stateSnapshot()) }
        case ("GET", "/_opsworks-local/clock"):
            return json(clockState)
        case ("POST", "/_opsworks-local/clock"):
            return moveClock(request.body)
        case ("GET", "/_opsworks-local/faults"):
            return json(["rules": controls.faults.list()])
        case ("POST", "/_opsworks-local/faults"):
            return addFault(request.body)
        case ("DELETE", "/_opsworks-local/faults"):
            let removed = controls.faults.removeAll()
            controls.events.publish { Event.control("faults", [("rules", .int(0))]) }
            return json(["removed": .int(Int64(removed))])
        case ("GET", "/_opsworks-local/events"):
            return controls.events.stream(resumingAfter: request.headers["Last-Event-ID"])
        case ("GET", "/_opsworks-local/dashboard"):
            var headers = HTTPHeaders()
            headers.add("Content-Type", "text/html; charset=utf-8")
            headers.add("Cache-Control", "no-store")
            return HTTPResponse(status: .ok, headers: headers, body: Array(DashboardPage.html.utf8))
        case ("GET", "/_opsworks-local/dashboard/overview"):
            return attempt("The state could not be read.") {
                var overview = try service.overview().objectValue ?? JSONObject()
                overview["ReadOnly"] = .bool(verifier != nil)
                overview["ClockMode"] = .string(controls.clock.mode.rawValue)
                overview["DeploymentSeconds"] = .double(durations.deploymentSeconds)
                overview["InstanceStepSeconds"] = .double(durations.instanceStepSeconds)
                return json(.object(overview))
            }
        case ("GET", _) where path.hasPrefix(Self.logsPrefix):
            // The LogUrl of a command: its Chef run log as far as it has run, as plain text.
            let commandId = String(path.dropFirst(Self.logsPrefix.count))
            guard let log = try? service.commandLog(commandId) else {
                return notFound("No log for command \(commandId): there is no such command, or it has not started (a skipped command has none).")
            }
            var headers = HTTPHeaders()
            headers.add("Content-Type", "text/plain; charset=utf-8")
            return HTTPResponse(status: .ok, headers: headers, body: Array(log.utf8))
        default:
            return notFound("\(request.method) \(path) is not an endpoint of opsworks-local; the README's \"Test control\" lists them (health, reset, state, clock, faults, events, dashboard, logs/<CommandId>).")
        }
    }

    // MARK: - Endpoints

    private func reset() -> HTTPResponse {
        attempt("The state could not be reset.") {
            let loaded = try service.loadFixtures(fixtures, replacingState: true)
            controls.ticker.clear()
            if let seed = controls.seed { IdentifierSource.shared.reseed(seed) }
            if let time = loaded.snapshotClock, controls.clock.mode == .manual { _ = try? controls.clock.set(time) }
            controls.events.publish { Event.control("reset") }
            return json(["status": "reset", "fixturesCreated": .int(Int64(loaded.created))])
        }
    }

    private var clockState: JSON {
        ["now": .string(controls.clock.now().iso8601), "mode": .string(controls.clock.mode.rawValue)]
    }

    /// `{"advanceSeconds": N}` or `{"set": "2026-01-01T00:00:00Z"}`.
    private func moveClock(_ body: [UInt8]) -> HTTPResponse {
        let input: JSONObject
        switch parse(body) {
        case .success(let object): input = object
        case .failure(let refusal): return refusal.response
        }
        for key in input.keys where key != "advanceSeconds" && key != "set" {
            return badRequest("unknown key \(key); the clock takes {\"advanceSeconds\": N} or {\"set\": \"2026-01-01T00:00:00Z\"}")
        }
        do {
            switch (input["advanceSeconds"], input["set"]) {
            case (let seconds?, nil):
                let value: Double
                switch seconds {
                case .int(let whole): value = Double(whole)
                case .double(let fraction): value = fraction
                default: return badRequest("advanceSeconds must be a number, not \(seconds.typeName)")
                }
                _ = try controls.clock.advance(seconds: value)
            case (nil, let time?):
                guard let text = time.stringValue, let parsed = Timestamp(iso8601: text) else {
                    return badRequest("set takes a time such as \"2026-01-01T00:00:00Z\"")
                }
                _ = try controls.clock.set(parsed)
            default:
                return badRequest("the clock takes {\"advanceSeconds\": N} or {\"set\": \"2026-01-01T00:00:00Z\"}, one of them")
            }
        } catch {
            return badRequest(error.description)
        }
        return json(clockState)
    }

    private func addFault(_ body: [UInt8]) -> HTTPResponse {
        switch parse(body) {
        case .failure(let refusal): return refusal.response
        case .success(let definition):
            do {
                let rule = try controls.faults.add(definition)
                controls.events.publish { Event.control("faults", [("added", rule)]) }
                return json(rule)
            } catch {
                return badRequest(error.description)
            }
        }
    }

    // MARK: - Shared shapes

    private func parse(_ body: [UInt8]) -> Result<JSONObject, HTTPResponseRefusal> {
        guard case .object(let object)? = try? JSONParser.parse(body) else {
            return .failure(HTTPResponseRefusal(response: badRequest("the body must be a JSON object")))
        }
        return .success(object)
    }

    private func attempt(_ failure: String, _ body: () throws -> HTTPResponse) -> HTTPResponse {
        do {
            return try body()
        } catch let error as FixtureError {
            logger.error("\(failure)", metadata: ["error": "\(error)"])
            return AWSJSONService.response(for: AWSError(.internalFailure, "\(failure) \(error)"), requestId: harnessRequestId())
        } catch {
            logger.error("\(failure)", metadata: ["error": "\(error)"])
            return AWSJSONService.response(for: AWSError(.internalFailure, failure), requestId: harnessRequestId())
        }
    }

    private func badRequest(_ message: String) -> HTTPResponse {
        AWSJSONService.response(for: AWSError(.validation, message), requestId: harnessRequestId())
    }

    private func notFound(_ message: String) -> HTTPResponse {
        AWSJSONService.response(for: AWSError(AWSErrorCode(rawValue: "NotFoundException"), message, status: .notFound), requestId: harnessRequestId())
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
            return AWSJSONService.response(for: AWSError(code, message, status: .forbidden), requestId: harnessRequestId())
        }
    }

    public func response(for error: HTTPProtocolError) -> HTTPResponse {
        AWSJSONService.response(for: error)
    }

    private func json(_ body: JSON) -> HTTPResponse {
        AWSJSONService.response(.ok, body: body.serialized(), requestId: harnessRequestId())
    }

    /// Never from the seeded sequence: how often a harness polls must not shift a test's IDs.
    private func harnessRequestId() -> String { IdentifierSource.harness.uuid() }
}

/// A refusal carried through a `Result`.
private struct HTTPResponseRefusal: Error {
    let response: HTTPResponse
}
