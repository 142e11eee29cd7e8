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
    /// It runs on every request, so it scans bytes: the profile had `firstRange(of:)` and
    /// `split` at 40% of a DescribeStacks call.
    public init(requestId: String, authorization: String?) {
        var header = authorization ?? ""
        let fields: [String]? = header.withUTF8 { bytes in
            let marker = Array("Credential=".utf8)
            guard bytes.count > marker.count else { return nil }
            var start = -1
            for index in 0...(bytes.count - marker.count) where bytes[index] == marker[0] {
                if (1..<marker.count).allSatisfy({ bytes[index + $0] == marker[$0] }) {
                    start = index + marker.count
                    break
                }
            }
            guard start >= 0 else { return nil }
            var parts: [String] = []
            var partStart = start
            var index = start
            while index <= bytes.count && parts.count < 3 {
                if index == bytes.count || bytes[index] == UInt8(ascii: "/") || bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: " ") {
                    parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[partStart..<index]), as: UTF8.self))
                    if index == bytes.count || bytes[index] != UInt8(ascii: "/") { break }
                    partStart = index + 1
                }
                index += 1
            }
            return parts
        }
        guard let fields else {
            self.init(requestId: requestId)
            return
        }
        let region = fields.count >= 3 && !fields[2].isEmpty ? fields[2] : RequestContext.defaultRegion
        self.init(requestId: requestId, region: region, accessKeyId: fields.first ?? "")
    }

    static func account(forAccessKey key: String) -> String {
        key.utf8.count == 12 && key.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) ? key : defaultAccount
    }
}
