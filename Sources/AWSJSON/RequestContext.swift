/// Who is calling and where: what the AWS layer knows of a request before the operation runs.
public struct RequestContext: Sendable {
    public let requestId: String
    public let region: String
    public let accessKeyId: String
    /// The access key when it is 12 digits (the convention of AWS emulators), else `000000000000`.
    public let account: String
    /// The Host header the client sent (`127.0.0.1:4580`): where URLs this server answers point.
    public var host = "localhost"

    public static let defaultRegion = "us-east-1"
    public static let defaultAccount = "000000000000"
    /// The service name a SigV4 credential scope must carry for this API.
    public static let signingName = "opsworks"

    public static let incompleteSignature = AWSErrorCode(rawValue: "IncompleteSignatureException")
    public static let invalidSignature = AWSErrorCode(rawValue: "InvalidSignatureException")

    public init(requestId: String, region: String = RequestContext.defaultRegion, accessKeyId: String = "", account: String? = nil) {
        self.requestId = requestId
        self.region = region
        self.accessKeyId = accessKeyId
        self.account = account ?? RequestContext.account(forAccessKey: accessKeyId)
    }

    /// Reads the credential scope of a SigV4 Authorization header:
    /// `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=...`.
    ///
    /// No header at all means us-east-1 and the default account. A header that is there is
    /// checked for its form, as AWS checks it before the signature (so even without
    /// `--verify-signatures`): one that does not parse is `IncompleteSignatureException`, a scope
    /// with a region that is no region name (boto 2 derives `0` from `127.0.0.1`) or for another
    /// service is `InvalidSignatureException`, in the service's words. Taking such a scope as it
    /// came would file the caller's stacks under a region nobody else calls.
    ///
    /// It runs on every request, so it scans bytes: the profile had `firstRange(of:)` and `split`
    /// at 40% of a DescribeStacks call.
    public init(requestId: String, authorization: String?) throws(AWSError) {
        guard var header = authorization else {
            self.init(requestId: requestId)
            return
        }
        // One scan yields ranges; strings are made only for what is kept (the key and the
        // region) or for an error's message.
        let parsed: Result<(key: String, region: String), CredentialFault> = header.withUTF8 { bytes in
            SigV4Header(parsing: bytes).credentialScope(in: bytes)
        }
        switch parsed {
        case .success(let scope): self.init(requestId: requestId, region: scope.region, accessKeyId: scope.key)
        case .failure(let fault): throw fault.error(header: header)
        }
    }

    /// A name of the form AWS gives its regions: `us-east-1`, `eu-central-1`, `us-gov-west-1`,
    /// `cn-north-1` (two letters, one or more words, a number of one or two digits), at most 32
    /// characters.
    public static func isRegionName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isRegionName($0[...]) }
    }

    static func isRegionName(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard bytes.count <= 32 else { return false }
        var dashes = 0, length = 0, letters = true, digits = true
        for byte in bytes {
            if byte == UInt8(ascii: "-") {
                // A part before a dash is lowercase letters; the first one exactly two.
                guard length > 0, letters, dashes > 0 || length == 2 else { return false }
                dashes += 1
                (length, letters, digits) = (0, true, true)
                continue
            }
            let letter = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            letters = letters && letter
            digits = digits && digit
            length += 1
        }
        return dashes >= 2 && (1...2).contains(length) && digits
    }

    static func account(forAccessKey key: String) -> String {
        key.utf8.count == 12 && key.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) ? key : defaultAccount
    }
}

/// What is wrong with an Authorization header, told in AWS's words once the header is at hand.
enum CredentialFault: Error {
    case malformedPair(String)
    case missing([String])
    case algorithm(String)
    case elements(String)
    case region(String)
    case service
    case terminator(String)

    func error(header: String) -> AWSError {
        switch self {
        case .malformedPair(let part):
            AWSError(RequestContext.incompleteSignature, "'\(part)' not a valid key=value pair (missing equal-sign) in Authorization header: '\(header)'.")
        case .missing(let names):
            AWSError(RequestContext.incompleteSignature, names.map { "Authorization header requires '\($0)' parameter. " }.joined() + "Authorization=\(header)")
        case .algorithm(let algorithm):
            AWSError(RequestContext.incompleteSignature, "Unsupported AWS 'algorithm': '\(algorithm)'. Signatures are AWS4-HMAC-SHA256.")
        case .elements(let credential):
            AWSError(RequestContext.incompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credential)'")
        case .region(let region):
            AWSError(RequestContext.invalidSignature, "Credential should be scoped to a valid region, not '\(region)'. ")
        case .service:
            AWSError(RequestContext.invalidSignature, "Credential should be scoped to correct service: '\(RequestContext.signingName)'. ")
        case .terminator(let terminator):
            AWSError(RequestContext.invalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not '\(terminator)'. ")
        }
    }
}

/// The parts of an Authorization header as ranges of its bytes, found by one scan:
/// `<algorithm> <name>=<value>, <name>=<value>, ...`.
private struct SigV4Header {
    var algorithm = 0..<0
    var credential: Range<Int>?
    var hasSignedHeaders = false
    var hasSignature = false
    /// The first parameter without an equal sign, if any.
    var malformedPair: Range<Int>?

    init(parsing bytes: UnsafeBufferPointer<UInt8>) {
        let space = UInt8(ascii: " "), comma = UInt8(ascii: ","), equals = UInt8(ascii: "=")
        var index = 0
        while index < bytes.count && bytes[index] != space { index += 1 }
        algorithm = 0..<index
        // Parameters are separated by commas and spaces (values hold neither), as AWS reads them:
        // `Credential=KEY /2025...` is a parameter `Credential=KEY` and a malformed `/2025...`.
        while index < bytes.count {
            while index < bytes.count && (bytes[index] == space || bytes[index] == comma) { index += 1 }
            let start = index
            while index < bytes.count && bytes[index] != space && bytes[index] != comma { index += 1 }
            guard index > start else { continue }
            guard let sign = (start..<index).first(where: { bytes[$0] == equals }) else {
                if malformedPair == nil { malformedPair = start..<index }
                continue
            }
            let name = start..<sign
            if Self.matches(bytes, name, "Credential") {
                credential = (sign + 1)..<index
            } else if Self.matches(bytes, name, "SignedHeaders") {
                hasSignedHeaders = true
            } else if Self.matches(bytes, name, "Signature") {
                hasSignature = true
            }
        }
    }

    /// The key and region of a well-formed header, or what is wrong with it.
    func credentialScope(in bytes: UnsafeBufferPointer<UInt8>) -> Result<(key: String, region: String), CredentialFault> {
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        if let malformedPair { return .failure(.malformedPair(text(malformedPair))) }
        guard let credential, hasSignature, hasSignedHeaders else {
            let missing = [credential == nil ? "Credential" : nil, hasSignature ? nil : "Signature", hasSignedHeaders ? nil : "SignedHeaders"]
            return .failure(.missing(missing.compactMap { $0 }))
        }
        guard Self.matches(bytes, algorithm, "AWS4-HMAC-SHA256") else { return .failure(.algorithm(text(algorithm))) }
        // key/date/region/service/aws4_request: the four slashes' positions (no array: this
        // runs on every request).
        var slashes = (0, 0, 0, 0), count = 0
        for index in credential where bytes[index] == UInt8(ascii: "/") {
            switch count {
            case 0: slashes.0 = index
            case 1: slashes.1 = index
            case 2: slashes.2 = index
            case 3: slashes.3 = index
            default: break
            }
            count += 1
        }
        guard count == 4 else { return .failure(.elements(text(credential))) }
        let region = (slashes.1 + 1)..<slashes.2, service = (slashes.2 + 1)..<slashes.3, terminator = (slashes.3 + 1)..<credential.upperBound
        guard RequestContext.isRegionName(bytes[region]) else { return .failure(.region(text(region))) }
        guard Self.matches(bytes, service, "opsworks") else { return .failure(.service) }
        guard Self.matches(bytes, terminator, "aws4_request") else { return .failure(.terminator(text(terminator))) }
        return .success((text(credential.lowerBound..<slashes.0), text(region)))
    }

    static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ name: StaticString) -> Bool {
        range.count == name.utf8CodeUnitCount && zip(bytes[range], UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)).allSatisfy { $0 == $1 }
    }
}
