/// Who is calling and where: what the AWS layer knows of a request before the operation runs.
public struct RequestContext: Sendable {
    public let requestId: String
    public let region: String
    public let accessKeyId: String
    /// The access key when it is 12 digits (the convention of AWS emulators), else `000000000000`.
    public let account: String

    public static let defaultRegion = "us-east-1"
    public static let defaultAccount = "000000000000"

    public init(requestId: String, region: String = RequestContext.defaultRegion, accessKeyId: String = "", account: String? = nil) {
        self.requestId = requestId
        self.region = region
        self.accessKeyId = accessKeyId
        self.account = account ?? RequestContext.account(forAccessKey: accessKeyId)
    }

    /// Reads the credential scope of a SigV4 Authorization header:
    /// `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...`.
    /// A missing or unreadable header falls back to us-east-1 and the default account.
    public init(requestId: String, authorization: String?) {
        guard let authorization,
              let range = authorization.firstRange(of: "Credential=") else {
            self.init(requestId: requestId)
            return
        }
        let credential = authorization[range.upperBound...].prefix { $0 != "," && $0 != " " }
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        let key = parts.first.map(String.init) ?? ""
        let region = parts.count >= 3 && !parts[2].isEmpty ? String(parts[2]) : RequestContext.defaultRegion
        self.init(requestId: requestId, region: region, accessKeyId: key)
    }

    static func account(forAccessKey key: String) -> String {
        key.utf8.count == 12 && key.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) ? key : defaultAccount
    }
}
