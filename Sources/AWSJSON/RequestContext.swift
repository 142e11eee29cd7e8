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
        let parsed = header.withUTF8 { SigV4Header(parsing: $0) }
        let missing = [("Credential", parsed.credential), ("Signature", parsed.hasSignature ? "" : nil),
                       ("SignedHeaders", parsed.hasSignedHeaders ? "" : nil)].filter { $0.1 == nil }
        if let malformed = parsed.malformedPair {
            throw AWSError(Self.incompleteSignature, "'\(malformed)' not a valid key=value pair (missing equal-sign) in Authorization header: '\(header)'.")
        }
        guard missing.isEmpty, let credential = parsed.credential else {
            let sentences = missing.map { "Authorization header requires '\($0.0)' parameter. " }.joined()
            throw AWSError(Self.incompleteSignature, "\(sentences)Authorization=\(header)")
        }
        guard parsed.algorithm == "AWS4-HMAC-SHA256" else {
            throw AWSError(Self.incompleteSignature, "Unsupported AWS 'algorithm': '\(parsed.algorithm)'. Signatures are AWS4-HMAC-SHA256.")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard scope.count == 5 else {
            throw AWSError(Self.incompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credential)'")
        }
        let region = String(scope[2])
        guard Self.isRegionName(region) else {
            throw AWSError(Self.invalidSignature, "Credential should be scoped to a valid region, not '\(region)'. ")
        }
        guard scope[3] == Self.signingName else {
            throw AWSError(Self.invalidSignature, "Credential should be scoped to correct service: '\(Self.signingName)'. ")
        }
        guard scope[4] == "aws4_request" else {
            throw AWSError(Self.invalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not '\(scope[4])'. ")
        }
        self.init(requestId: requestId, region: region, accessKeyId: String(scope[0]))
    }

    /// A name of the form AWS gives its regions: `us-east-1`, `eu-central-1`, `us-gov-west-1`,
    /// `cn-north-1` (two letters, one or more words, a number), at most 32 characters.
    public static func isRegionName(_ name: String) -> Bool {
        let parts = name.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard name.utf8.count <= 32, parts.count >= 3, parts[0].count == 2 else { return false }
        let lowercase = { (byte: UInt8) in byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        let digit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy(lowercase) }
            && parts.last!.count <= 2 && !parts.last!.isEmpty && parts.last!.allSatisfy(digit)
    }

    static func account(forAccessKey key: String) -> String {
        key.utf8.count == 12 && key.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) ? key : defaultAccount
    }
}

/// The parts of an Authorization header, found by one scan over its bytes:
/// `<algorithm> <name>=<value>, <name>=<value>, ...`.
private struct SigV4Header {
    var algorithm = ""
    var credential: String?
    var hasSignedHeaders = false
    var hasSignature = false
    /// The first parameter without an equal sign, if any.
    var malformedPair: String?

    init(parsing bytes: UnsafeBufferPointer<UInt8>) {
        let space = UInt8(ascii: " "), comma = UInt8(ascii: ","), equals = UInt8(ascii: "=")
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        func matches(_ range: Range<Int>, _ name: StaticString) -> Bool {
            range.count == name.utf8CodeUnitCount && zip(bytes[range], UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)).allSatisfy { $0 == $1 }
        }
        var index = 0
        while index < bytes.count && bytes[index] != space { index += 1 }
        algorithm = text(0..<index)
        // Parameters are separated by commas and spaces (values hold neither), as AWS reads them:
        // `Credential=KEY /2025...` is a parameter `Credential=KEY` and a malformed `/2025...`.
        while index < bytes.count {
            while index < bytes.count && (bytes[index] == space || bytes[index] == comma) { index += 1 }
            let start = index
            while index < bytes.count && bytes[index] != space && bytes[index] != comma { index += 1 }
            guard index > start else { continue }
            guard let sign = (start..<index).first(where: { bytes[$0] == equals }) else {
                if malformedPair == nil { malformedPair = text(start..<index) }
                continue
            }
            let name = start..<sign
            if matches(name, "Credential") {
                credential = text((sign + 1)..<index)
            } else if matches(name, "SignedHeaders") {
                hasSignedHeaders = true
            } else if matches(name, "Signature") {
                hasSignature = true
            }
        }
    }
}
