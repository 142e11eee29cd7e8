import HTTPServer

/// Checks AWS Signature Version 4 on a request, as the real endpoint does, for the access keys
/// it was given. Off unless the server is started with `--verify-signatures`.
public struct SignatureVerifier: Sendable {
    /// Access key ID to secret access key.
    public let credentials: [String: String]
    /// How far the request's X-Amz-Date may be from the server's clock (AWS allows 15 minutes).
    public let maxSkewSeconds: Double
    let now: @Sendable () -> Double

    public init(credentials: [String: String], maxSkewSeconds: Double = 900, now: @escaping @Sendable () -> Double) {
        self.credentials = credentials
        self.maxSkewSeconds = maxSkewSeconds
        self.now = now
    }

    static let missingToken = AWSErrorCode(rawValue: "MissingAuthenticationTokenException")
    static let unrecognizedClient = AWSErrorCode(rawValue: "UnrecognizedClientException")
    static let invalidSignature = AWSErrorCode(rawValue: "InvalidSignatureException")

    public func verify(_ request: HTTPRequest) throws {
        guard let authorization = request.headers["Authorization"] else {
            throw AWSError(Self.missingToken, "Missing Authentication Token")
        }
        guard authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            throw AWSError(Self.invalidSignature, "Only AWS4-HMAC-SHA256 signatures are accepted.")
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            fields[String(pair[0].trimmingSpaces())] = String(pair[1].trimmingSpaces())
        }
        guard let credential = fields["Credential"], let signedHeaderList = fields["SignedHeaders"], let signature = fields["Signature"] else {
            throw AWSError(Self.invalidSignature, "The Authorization header needs Credential, SignedHeaders and Signature.")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else {
            throw AWSError(Self.invalidSignature, "The credential scope is not <key>/<date>/<region>/<service>/aws4_request.")
        }
        guard let secret = credentials[scope[0]] else {
            throw AWSError(Self.unrecognizedClient, "The security token included in the request is invalid.")
        }
        guard let amzDate = request.headers["X-Amz-Date"], let signedAt = Self.parseAmzDate(amzDate), amzDate.hasPrefix(scope[1]) else {
            throw AWSError(Self.invalidSignature, "X-Amz-Date is missing, malformed, or not the credential scope's date.")
        }
        let current = now()
        if abs(current - signedAt) > maxSkewSeconds {
            throw AWSError(Self.invalidSignature, "Signature expired: \(amzDate) is outside the server's clock of \(Self.formatAmzDate(current)) +/- \(Int(maxSkewSeconds / 60)) min.")
        }
        let signedHeaders = signedHeaderList.split(separator: ";").map { $0.lowercased() }
        var canonicalHeaders = ""
        for name in signedHeaders {
            let values = request.headers.values(name)
            guard !values.isEmpty else { throw AWSError(Self.invalidSignature, "The signed header \(name) is missing.") }
            canonicalHeaders += name + ":" + values.map(Self.collapseSpaces).joined(separator: ",") + "\n"
        }
        let (path, query) = Self.split(request.target)
        let canonicalRequest = [
            request.method, path, Self.canonicalQuery(query), canonicalHeaders, signedHeaders.joined(separator: ";"),
            SHA256.hash(request.body).hexString,
        ].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope[1...4].joined(separator: "/"), SHA256.hash(Array(canonicalRequest.utf8)).hexString]
            .joined(separator: "\n")
        var key = Array("AWS4\(secret)".utf8)
        for part in scope[1...4] { key = SHA256.hmac(key: key, message: Array(part.utf8)) }
        let expected = SHA256.hmac(key: key, message: Array(stringToSign.utf8)).hexString
        guard Self.constantTimeEquals(expected, signature) else {
            throw AWSError(Self.invalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
        }
    }

    static func split(_ target: String) -> (String, String) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }

    /// Query parameters sorted by name then value; clients send them already encoded.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        return query.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func collapseSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `20250101T120000Z` as seconds since the epoch.
    static func parseAmzDate(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return Double(daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second)
    }

    static func formatAmzDate(_ seconds: Double) -> String {
        let total = Int(seconds)
        let (year, month, day) = civilFromDays(total / 86400)
        let rest = total % 86400
        func pad(_ value: Int, _ width: Int = 2) -> String { String(repeating: "0", count: max(0, width - String(value).count)) + String(value) }
        return "\(pad(year, 4))\(pad(month))\(pad(day))T\(pad(rest / 3600))\(pad(rest / 60 % 60))\(pad(rest % 60))Z"
    }

    // Howard Hinnant's civil-date algorithms: days since 1970-01-01 to and from a calendar date.
    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let year = m <= 2 ? y - 1 : y
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
