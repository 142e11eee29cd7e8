/// What the server calls for each request. Handlers are synchronous and run on the connection's thread.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) -> HTTPResponse
    /// The response for a request the server refuses before the handler sees it
    /// (malformed, too large, timed out, over the connection cap). The server closes afterwards.
    func response(for error: HTTPProtocolError) -> HTTPResponse
}

extension HTTPHandler {
    public func response(for error: HTTPProtocolError) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; charset=utf-8")
        return HTTPResponse(status: error.status, headers: headers, body: Array((error.message + "\n").utf8))
    }
}
