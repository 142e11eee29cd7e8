/// A response to send; the server adds Content-Length and Connection itself.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// When set, the head is sent without a Content-Length and `stream` then writes the body
    /// until it returns; the connection closes after it (Server-Sent Events).
    public var stream: (@Sendable (StreamOutput) -> Void)?
    /// Close the connection without sending anything (a fault a test asked for).
    public var dropsConnection = false

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body `stream` writes as it goes, until the client leaves or the server stops.
    public static func streaming(headers: HTTPHeaders, _ stream: @escaping @Sendable (StreamOutput) -> Void) -> HTTPResponse {
        var response = HTTPResponse(status: .ok, headers: headers)
        response.stream = stream
        return response
    }

    /// No response at all: the connection is closed.
    public static var dropConnection: HTTPResponse {
        var response = HTTPResponse(status: .ok)
        response.dropsConnection = true
        return response
    }

    /// The bytes on the wire: status line, headers, framing, body. Written as bytes: building
    /// the head as an interpolated String was 6% of a Describe call.
    func serialized(keepAlive: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + headers.count * 48 + body.count)
        func append(_ text: String) {
            var text = text
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }
        append("HTTP/1.1 ")
        append(String(status.code))
        bytes.append(UInt8(ascii: " "))
        append(status.reason)
        bytes.append(contentsOf: [13, 10])
        for field in headers {
            append(field.name)
            bytes.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            append(field.value)
            bytes.append(contentsOf: [13, 10])
        }
        if stream != nil {
            append("Connection: close\r\n\r\n")  // the body ends when the connection does
            return bytes
        }
        append("Content-Length: ")
        append(String(body.count))
        append(keepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
        bytes.append(contentsOf: body)
        return bytes
    }
}

/// Why the server could not take a request: it answers with `status` and closes the connection.
public struct HTTPProtocolError: Error, Sendable, Equatable {
    public let status: HTTPStatus
    public let message: String

    public init(_ status: HTTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }
}
