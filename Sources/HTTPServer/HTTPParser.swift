#if canImport(Glibc)
import Glibc
#endif

/// Limits the parser enforces; the defaults are the documented ones.
public struct HTTPLimits: Sendable {
    /// Request line plus header fields, in bytes.
    public var maxHeaderBytes: Int = 16 * 1024
    /// A decoded request body, in bytes.
    public var maxBodyBytes: Int = 8 * 1024 * 1024

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 8 * 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }
}

/// What the parser made of the bytes at the front of a buffer.
public enum HTTPParseResult: Sendable, Equatable {
    /// A whole request, taking the first `consumed` bytes.
    case complete(HTTPRequest, consumed: Int)
    /// More bytes are needed; `expectsContinue` when the head is read and asks for `100 Continue`.
    case incomplete(expectsContinue: Bool)
    /// The bytes are not a request this server will take.
    case failed(HTTPProtocolError)
}

extension HTTPRequest: Equatable {
    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.target == b.target && a.minorVersion == b.minorVersion && a.body == b.body
            && Array(a.headers).map { "\($0.name):\($0.value)" } == Array(b.headers).map { "\($0.name):\($0.value)" }
    }
}

/// A pure HTTP/1.1 request parser (RFC 9112): bytes in, a request or an error out.
/// It keeps no state between calls; the connection calls it again when more bytes arrive.
public enum HTTPParser {
    private static let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, tab: UInt8 = 9, colon: UInt8 = 58

    /// The index just past the blank line that ends the head, if the buffer holds one.
    public static func endOfHead(in bytes: ArraySlice<UInt8>, from start: Int? = nil) -> Int? {
        var index = max(start ?? bytes.startIndex, bytes.startIndex)
        while index + 3 < bytes.endIndex {
            if bytes[index + 3] != lf { index += bytes[index + 3] == cr ? 1 : 4; continue }
            if bytes[index] == cr && bytes[index + 1] == lf && bytes[index + 2] == cr { return index + 4 }
            index += 1
        }
        return nil
    }

    /// Checks bytes of a head that has not ended yet, so that a request which can never become
    /// valid (a bare LF or a NUL: RFC 9112 §2.2) is refused now rather than at the timeout.
    public static func partialHeadError(in bytes: ArraySlice<UInt8>, from start: Int) -> HTTPProtocolError? {
        var index = max(start, bytes.startIndex)
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0 { return HTTPProtocolError(.badRequest, "A NUL byte in the request head.") }
            if byte == lf && (index == bytes.startIndex || bytes[index - 1] != cr) {
                return HTTPProtocolError(.badRequest, "A bare LF in the request head.")
            }
            index += 1
        }
        return nil
    }

    public static func parse(_ bytes: ArraySlice<UInt8>, limits: HTTPLimits = HTTPLimits()) -> HTTPParseResult {
        // RFC 9112 §2.2: a server should ignore empty lines received before the request line.
        var start = bytes.startIndex
        while start + 1 < bytes.endIndex, bytes[start] == cr, bytes[start + 1] == lf { start += 2 }
        guard let headEnd = endOfHead(in: bytes[start...]) else {
            if bytes.endIndex - start > limits.maxHeaderBytes {
                return .failed(HTTPProtocolError(.headerFieldsTooLarge, "The request head is larger than \(limits.maxHeaderBytes) bytes."))
            }
            return .incomplete(expectsContinue: false)
        }
        if headEnd - start > limits.maxHeaderBytes {
            return .failed(HTTPProtocolError(.headerFieldsTooLarge, "The request head is larger than \(limits.maxHeaderBytes) bytes."))
        }
        let head: Head
        switch parseHead(bytes[start..<(headEnd - 2)]) {
        case .success(let parsed): head = parsed
        case .failure(let error): return .failed(error)
        }
        switch head.framing {
        case .none:
            return .complete(head.request(body: []), consumed: headEnd - bytes.startIndex)
        case .length(let length):
            if length > limits.maxBodyBytes {
                return .failed(HTTPProtocolError(.contentTooLarge, "The request body is larger than \(limits.maxBodyBytes) bytes."))
            }
            guard bytes.endIndex - headEnd >= length else { return .incomplete(expectsContinue: head.expectsContinue) }
            return .complete(head.request(body: Array(bytes[headEnd..<(headEnd + length)])), consumed: headEnd + length - bytes.startIndex)
        case .chunked:
            switch decodeChunked(bytes[headEnd...], limit: limits.maxBodyBytes) {
            case .complete(let body, let end):
                return .complete(head.request(body: body), consumed: end - bytes.startIndex)
            case .incomplete:
                return .incomplete(expectsContinue: head.expectsContinue)
            case .failed(let error):
                return .failed(error)
            }
        }
    }

    // MARK: - Head

    private enum Framing { case none, length(Int), chunked }

    private struct Head {
        var method: String
        var target: String
        var minorVersion: Int
        var headers: HTTPHeaders
        var framing: Framing
        var expectsContinue: Bool

        func request(body: [UInt8]) -> HTTPRequest {
            HTTPRequest(method: method, target: target, minorVersion: minorVersion, headers: headers, body: body)
        }
    }

    /// RFC 9110 §5.6.2: token characters, which methods and field names are made of: letters,
    /// digits and !#$%&'*+-.^_`|~, as one bit per byte below 128 (every byte of every header
    /// name is looked up; a table in a static array cost a lazy-initialisation check each time).
    private static let tokenBitsBelow64: UInt64 = 0x03ff_6cfa_0000_0000
    private static let tokenBitsFrom64: UInt64 = 0x57ff_ffff_c7ff_fffe

    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        if byte < 64 { return tokenBitsBelow64 >> UInt64(byte) & 1 == 1 }
        if byte < 128 { return tokenBitsFrom64 >> UInt64(byte - 64) & 1 == 1 }
        return false
    }

    /// Whether a header name (as bytes) is `lowercaseName`, ignoring ASCII case.
    @inline(__always)
    private static func nameIs(_ name: Bytes, _ lowercaseName: StaticString) -> Bool {
        guard name.count == lowercaseName.utf8CodeUnitCount else { return false }
        var offset = 0
        for byte in name {
            if asciiLowercase(byte) != lowercaseName.utf8Start[offset] { return false }
            offset += 1
        }
        return true
    }

    private static func parseHead(_ head: ArraySlice<UInt8>) -> Result<Head, HTTPProtocolError> {
        // Over the raw buffer: ArraySlice indexing checked bounds and retained the storage for
        // every byte of the head, a fifth of a Describe call.
        head.withUnsafeBufferPointer { parseHead(buffer: $0) }
    }

    private typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    /// The index of the first `byte` in `bytes[start..<end]`, if there is one.
    private static func position(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        guard start < end, let base = bytes.baseAddress,
              let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private static func text(_ bytes: Bytes) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self)
    }

    private static func parseHead(buffer bytes: UnsafeBufferPointer<UInt8>) -> Result<Head, HTTPProtocolError> {
        func bad(_ message: String) -> Result<Head, HTTPProtocolError> { .failure(HTTPProtocolError(.badRequest, message)) }
        // RFC 9112 §2.2: lines end in CRLF; a bare CR or LF is not accepted here. The line ends
        // and the bytes that must not be in a line are found with memchr (vectorised in libc),
        // not a byte at a time; the first fault in the head is the one reported.
        var lines: [Bytes] = []
        lines.reserveCapacity(16)
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            let lineEnd = position(of: cr, in: bytes, from: lineStart, to: bytes.endIndex) ?? bytes.endIndex
            let bareLF = position(of: lf, in: bytes, from: lineStart, to: lineEnd)
            let nul = position(of: 0, in: bytes, from: lineStart, to: lineEnd)
            if let bareLF, bareLF < (nul ?? lineEnd) { return bad("A bare LF in the request head.") }
            if nul != nil { return bad("A NUL byte in the request head.") }
            guard lineEnd < bytes.endIndex else { break }
            guard lineEnd + 1 < bytes.endIndex, bytes[lineEnd + 1] == lf else { return bad("A bare CR in the request head.") }
            lines.append(bytes[lineStart..<lineEnd])
            lineStart = lineEnd + 2
        }
        guard let requestLine = lines.first else { return bad("The request line is missing.") }

        // RFC 9112 §3: method SP request-target SP HTTP-version.
        let parts = requestLine.split(separator: space, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte) else {
            return bad("The request line is not `METHOD target HTTP/1.1`.")
        }
        guard !parts[1].isEmpty, parts[1].allSatisfy({ $0 > space && $0 < 127 }) else {
            return bad("The request target is empty or holds characters a URI cannot.")
        }
        let version = parts[2]
        guard version.count == 8, version.starts(with: "HTTP/".utf8), version[version.startIndex + 6] == UInt8(ascii: "."),
              let major = digit(version[version.startIndex + 5]), let minor = digit(version[version.startIndex + 7]) else {
            return bad("The HTTP version is malformed.")
        }
        guard major == 1 else {
            return .failure(HTTPProtocolError(.versionNotSupported, "Only HTTP/1.0 and HTTP/1.1 are served."))
        }

        var headers = HTTPHeaders()
        // The fields that frame the request are picked out while their bytes are at hand.
        var hostCount = 0
        var transferEncodings: [String] = []
        var lengths: [String] = []
        var expect: String?
        for line in lines.dropFirst() {
            // RFC 9112 §5.2: obsolete line folding may be rejected with 400.
            if let first = line.first, first == space || first == tab { return bad("Obsolete line folding in a header field.") }
            // The name runs up to the colon, token bytes only (RFC 9112 §5.1: no whitespace
            // before the colon); one loop over each part, as this runs for every header.
            var colonIndex = line.startIndex
            while colonIndex < line.endIndex && isTokenByte(bytes[colonIndex]) { colonIndex += 1 }
            guard colonIndex < line.endIndex, bytes[colonIndex] == colon, colonIndex > line.startIndex else {
                return line.contains(colon) ? bad("A header field name is malformed.") : bad("A header line has no colon.")
            }
            let name = bytes[line.startIndex..<colonIndex]
            var valueStart = colonIndex + 1, valueEnd = line.endIndex
            while valueStart < valueEnd && (bytes[valueStart] == space || bytes[valueStart] == tab) { valueStart += 1 }
            while valueEnd > valueStart && (bytes[valueEnd - 1] == space || bytes[valueEnd - 1] == tab) { valueEnd -= 1 }
            // Without an early exit, so that the compiler can check many bytes at a time.
            var controls: UInt8 = 0
            for byte in bytes[valueStart..<valueEnd] {
                controls |= (byte < space && byte != tab) || byte == 127 ? 1 : 0
            }
            if controls != 0 { return bad("A header field value holds control characters.") }
            let value = bytes[valueStart..<valueEnd]
            let text = text(value)
            headers.add(Self.text(name), text)
            if nameIs(name, "host") { hostCount += 1 }
            else if nameIs(name, "content-length") { lengths.append(text) }
            else if nameIs(name, "transfer-encoding") { transferEncodings.append(text) }
            else if nameIs(name, "expect") { expect = text }
        }
        // RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host.
        if minor >= 1 && hostCount != 1 || hostCount > 1 { return bad("An HTTP/1.1 request needs exactly one Host header.") }

        let framing: Framing
        if !transferEncodings.isEmpty {
            // RFC 9112 §6.1: both headers together may be a smuggling attempt; reject and close.
            guard lengths.isEmpty else { return bad("Content-Length and Transfer-Encoding together are not accepted.") }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces().lowercased() }
            guard codings == ["chunked"] else {
                return .failure(HTTPProtocolError(.notImplemented, "Only the chunked transfer coding is supported."))
            }
            guard minor >= 1 else { return bad("Transfer-Encoding is not defined for HTTP/1.0.") }
            framing = .chunked
        } else if lengths.count == 1, let length = decimal(lengths[0]) {
            framing = length == 0 ? .none : .length(length)
        } else if !lengths.isEmpty {
            // RFC 9110 §8.6: one decimal value; repeated fields or list members must agree.
            let values = Set(lengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { $0.trimmingSpaces() })
            guard values.count == 1, let text = values.first, let length = decimal(String(text)) else {
                return bad("The Content-Length is not one decimal number.")
            }
            framing = length == 0 ? .none : .length(length)
        } else {
            framing = .none
        }
        let expectsContinue = minor >= 1 && expect.map { $0.lowercased() == "100-continue" } == true
        return .success(Head(
            method: text(parts[0]),
            target: text(parts[1]),
            minorVersion: minor,
            headers: headers,
            framing: framing,
            expectsContinue: expectsContinue
        ))
    }

    /// A Content-Length value: 1 to 18 ASCII digits, nothing else.
    private static func decimal(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    // MARK: - Chunked body (RFC 9112 §7.1)

    private enum ChunkedResult { case complete([UInt8], end: Int), incomplete, failed(HTTPProtocolError) }

    private static func decodeChunked(_ bytes: ArraySlice<UInt8>, limit: Int) -> ChunkedResult {
        func bad(_ message: String) -> ChunkedResult { .failed(HTTPProtocolError(.badRequest, message)) }
        var body: [UInt8] = []
        var index = bytes.startIndex
        while true {
            guard let lineEnd = lineEnd(in: bytes, from: index) else {
                return bytes.endIndex - index > 1024 ? bad("A chunk-size line is too long.") : .incomplete
            }
            // chunk-size [ chunk-ext ] CRLF; extensions are ignored, but must be text.
            guard !bytes[index..<lineEnd].contains(where: { ($0 < space && $0 != tab) || $0 == 127 }) else {
                return bad("A chunk-size line holds control characters.")
            }
            var sizeDigits = bytes[index..<lineEnd]
            if let semicolon = sizeDigits.firstIndex(of: UInt8(ascii: ";")) { sizeDigits = sizeDigits[..<semicolon] }
            while let last = sizeDigits.last, last == space || last == tab { sizeDigits = sizeDigits.dropLast() }
            guard !sizeDigits.isEmpty, sizeDigits.count <= 15 else { return bad("A chunk size is missing or too long.") }
            var size = 0
            for byte in sizeDigits {
                guard let value = hexValue(byte) else { return bad("A chunk size is not hexadecimal.") }
                size = size * 16 + value
            }
            index = lineEnd + 2
            if size == 0 {
                // Trailer fields until an empty line; they are read and dropped.
                while true {
                    guard let trailerEnd = self.lineEnd(in: bytes, from: index) else {
                        return bytes.endIndex - index > 8192 ? bad("The chunked trailer is too long.") : .incomplete
                    }
                    let isEmpty = trailerEnd == index
                    index = trailerEnd + 2
                    if isEmpty { return .complete(body, end: index) }
                }
            }
            guard body.count + size <= limit else {
                return .failed(HTTPProtocolError(.contentTooLarge, "The request body is larger than \(limit) bytes."))
            }
            guard bytes.endIndex - index >= size + 2 else { return .incomplete }
            body.append(contentsOf: bytes[index..<(index + size)])
            index += size
            guard bytes[index] == cr, bytes[index + 1] == lf else { return bad("A chunk does not end with CRLF.") }
            index += 2
        }
    }

    private static func lineEnd(in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.endIndex {
            if bytes[index] == cr && bytes[index + 1] == lf { return index }
            index += 1
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
