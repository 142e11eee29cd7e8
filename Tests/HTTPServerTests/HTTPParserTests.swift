import Testing
@testable import HTTPServer

private func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPParseResult {
    HTTPParser.parse(Array(text.utf8)[...], limits: limits)
}

private func request(_ text: String) throws -> (HTTPRequest, Int) {
    guard case .complete(let request, let consumed) = parse(text) else {
        Issue.record("expected a complete request, got \(parse(text))")
        throw CancellationError()
    }
    return (request, consumed)
}

private func failure(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPStatus? {
    if case .failed(let error) = parse(text, limits: limits) { return error.status }
    return nil
}

@Suite struct HTTPParserTests {
    @Test func tokenBytesAreTheRFC9110Set() {
        let token = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(HTTPParser.isTokenByte(byte) == token.contains(byte), "byte \(byte)")
        }
    }

    @Test func parsesAPostWithAContentLengthBody() throws {
        let text = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: A.B\r\nContent-Length: 2\r\n\r\n{}"
        let (request, consumed) = try request(text + "GET")
        #expect(request.method == "POST" && request.target == "/" && request.minorVersion == 1)
        #expect(request.headers["x-amz-target"] == "A.B")
        #expect(request.body == Array("{}".utf8))
        #expect(consumed == text.utf8.count)
        #expect(request.keepAlive)
    }

    @Test func waitsForTheRestOfAHeadOrBody() {
        #expect(parse("POST / HTTP/1.1\r\nHost: x\r\n") == .incomplete(expectsContinue: false))
        #expect(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{}") == .incomplete(expectsContinue: false))
        #expect(parse("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n") == .incomplete(expectsContinue: true))
    }

    @Test func leavesPipelinedBytesForTheNextCall() throws {
        let first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
        let (request, consumed) = try request(first + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(request.target == "/a" && consumed == first.utf8.count)
    }

    @Test func decodesChunkedBodiesAndDropsTrailers() throws {
        let (request, _) = try request("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\n{\"a\r\n4\r\n\":1}\r\n0\r\nTrailer: t\r\n\r\n")
        #expect(String(decoding: request.body, as: UTF8.self) == "{\"a\":1}")
    }

    @Test func connectionCloseAndHTTP10EndTheConnection() throws {
        #expect(try request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").0.keepAlive == false)
        #expect(try request("GET / HTTP/1.0\r\n\r\n").0.keepAlive == false)
        #expect(try request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").0.keepAlive == true)
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        "GET / HTTX/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",                                                     // RFC 9112 §3.2: Host required
        "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",                                          // §5.1: no space before colon
        "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",                                // §5.2: obs-fold
        "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\nBare: lf\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\u{0}\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",   // RFC 9110 §8.6
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",  // RFC 9112 §6.1
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
    ])
    func refusesMalformedRequestsWith400(_ text: String) {
        #expect(failure(text) == .badRequest)
    }

    @Test func refusesOversizedHeadsAndBodies() {
        let limits = HTTPLimits(maxHeaderBytes: 64, maxBodyBytes: 10)
        #expect(failure("GET / HTTP/1.1\r\nHost: x\r\nX-Long: \(String(repeating: "a", count: 100))\r\n\r\n", limits: limits) == .headerFieldsTooLarge)
        #expect(failure("GET / HTTP/1.1\r\nX-Long: \(String(repeating: "a", count: 100))", limits: limits) == .headerFieldsTooLarge)
        #expect(failure("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", limits: limits) == .contentTooLarge)
        #expect(failure("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", limits: limits) == .contentTooLarge)
    }

    @Test func refusesOtherVersionsAndCodings() {
        #expect(failure("GET / HTTP/2.0\r\nHost: x\r\n\r\n") == .versionNotSupported)
        #expect(failure("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n") == .notImplemented)
    }

    @Test func findsTheEndOfTheHeadAcrossCalls() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\nrest".utf8)
        #expect(HTTPParser.endOfHead(in: bytes[...]) == 27)
        #expect(HTTPParser.endOfHead(in: bytes[...], from: 20) == 27)
        #expect(HTTPParser.endOfHead(in: Array("GET / HTTP/1.1\r\n\r".utf8)[...]) == nil)
    }

    @Test func refusesAHeadThatCanNeverBeValidBeforeItEnds() {
        let bytes = Array("POST / HTTP/1.1\nHost".utf8)[...]
        #expect(HTTPParser.partialHeadError(in: bytes, from: 0)?.status == .badRequest)
        #expect(HTTPParser.partialHeadError(in: Array("POST / HTTP/1.1\r\nHo\u{0}".utf8)[...], from: 10)?.status == .badRequest)
        #expect(HTTPParser.partialHeadError(in: Array("POST / HTTP/1.1\r\nHost: x\r".utf8)[...], from: 0) == nil)
    }

    @Test func serializesResponsesWithFraming() {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain")
        let bytes = HTTPResponse(status: .ok, headers: headers, body: Array("hi".utf8)).serialized(keepAlive: false)
        #expect(String(decoding: bytes, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
    }
}
