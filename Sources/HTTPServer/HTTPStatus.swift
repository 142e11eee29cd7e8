/// An HTTP status: an open set, so a struct with the codes this server sends as constants.
public struct HTTPStatus: Hashable, Sendable {
    public let code: Int
    public let reason: String

    public init(_ code: Int, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let `continue` = HTTPStatus(100, "Continue")
    public static let ok = HTTPStatus(200, "OK")
    public static let found = HTTPStatus(302, "Found")
    public static let badRequest = HTTPStatus(400, "Bad Request")
    public static let forbidden = HTTPStatus(403, "Forbidden")
    public static let notFound = HTTPStatus(404, "Not Found")
    public static let methodNotAllowed = HTTPStatus(405, "Method Not Allowed")
    public static let requestTimeout = HTTPStatus(408, "Request Timeout")
    public static let lengthRequired = HTTPStatus(411, "Length Required")
    public static let contentTooLarge = HTTPStatus(413, "Content Too Large")
    public static let headerFieldsTooLarge = HTTPStatus(431, "Request Header Fields Too Large")
    public static let internalServerError = HTTPStatus(500, "Internal Server Error")
    public static let notImplemented = HTTPStatus(501, "Not Implemented")
    public static let serviceUnavailable = HTTPStatus(503, "Service Unavailable")
    public static let versionNotSupported = HTTPStatus(505, "HTTP Version Not Supported")
    public static let badGateway = HTTPStatus(502, "Bad Gateway")
    public static let gatewayTimeout = HTTPStatus(504, "Gateway Timeout")
    public static let tooManyRequests = HTTPStatus(429, "Too Many Requests")

    /// The status of `code`, with its reason phrase where this server knows it.
    public static func withCode(_ code: Int) -> HTTPStatus {
        let known: [HTTPStatus] = [.ok, .found, .badRequest, .forbidden, .notFound, .methodNotAllowed, .requestTimeout, .tooManyRequests,
                                   .internalServerError, .notImplemented, .badGateway, .serviceUnavailable, .gatewayTimeout]
        return known.first { $0.code == code } ?? HTTPStatus(code, code < 500 ? "Client Error" : "Server Error")
    }
}
