#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import AWSJSON
import HTTPServer

@Suite struct JSONTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"{"s":"a\"b\u00e9\ud83d\ude00","i":-12,"d":1.5e2,"t":true,"n":null,"a":[1,{}]}"#)
        let object = try #require(value.objectValue)
        #expect(object.string("s") == "a\"bé😀")
        #expect(object["i"] == .int(-12))
        #expect(object["d"] == .double(150))
        #expect(object["t"] == .bool(true) && object["n"] == .null)
        #expect(object["a"] == .array([.int(1), .object(JSONObject())]))
        #expect(object.keys == ["s", "i", "d", "t", "n", "a"])
    }

    @Test(arguments: ["", "{", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "01", "1.", "tru", "\"\\x\"", "\"\\ud800\"", "\"a\u{1}\"", "{} {}", "NaN"])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xff, 0x22]) }
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func serializesCompactlyAndRoundTrips() throws {
        let value: JSON = ["quote": "a\"b\\c\n\u{1}", "list": [1, true, nil], "empty": [:]]
        let text = value.serializedString()
        #expect(text == #"{"quote":"a\"b\\c\n\u0001","list":[1,true,null],"empty":{}}"#)
        #expect(try JSONParser.parse(text) == value)
        #expect(JSON.double(2.0).serializedString() == "2" && JSON.double(0.25).serializedString() == "0.25")
    }
}

@Suite struct RequestContextTests {
    static func header(_ credential: String) -> String {
        "AWS4-HMAC-SHA256 Credential=\(credential), SignedHeaders=host;x-amz-date, Signature=abc"
    }

    /// The error a header gets, as `Code: message`, or nil when it is accepted.
    static func refusal(_ header: String) -> String? {
        do {
            _ = try RequestContext(requestId: "r", authorization: header)
            return nil
        } catch {
            return "\(error.code.rawValue): \(error.message)"
        }
    }

    @Test func readsRegionAndKeyFromTheCredentialScope() throws {
        let context = try RequestContext(requestId: "r", authorization: Self.header("AKIDEXAMPLE/20250101/eu-west-2/opsworks/aws4_request"))
        #expect(context.region == "eu-west-2" && context.accessKeyId == "AKIDEXAMPLE" && context.account == "000000000000")
    }

    @Test func aTwelveDigitKeyIsTheAccount() throws {
        let context = try RequestContext(requestId: "r", authorization: Self.header("123456789012/20250101/us-west-1/opsworks/aws4_request"))
        #expect(context.account == "123456789012")
    }

    @Test func noAuthorizationMeansUsEast1() throws {
        let context = try RequestContext(requestId: "r", authorization: nil)
        #expect(context.region == "us-east-1" && context.account == "000000000000")
    }

    @Test func aHeaderThatDoesNotParseIsAnIncompleteSignature() {
        #expect(Self.refusal("garbage") == "IncompleteSignatureException: Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=garbage")
        #expect(Self.refusal("AWS4-HMAC-SHA256 Credential=") == "IncompleteSignatureException: Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=")
        #expect(Self.refusal("AWS4-HMAC-SHA256 Credential=K/20250101/us-east-1/opsworks/aws4_request, SignedHeaders=host") == "IncompleteSignatureException: Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=K/20250101/us-east-1/opsworks/aws4_request, SignedHeaders=host")
        #expect(Self.refusal("AWS4-HMAC-SHA256 Credential=K /20250101/us-east-1/opsworks/aws4_request, SignedHeaders=host, Signature=abc")?.hasPrefix("IncompleteSignatureException: '/20250101/us-east-1/opsworks/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: ") == true)
        #expect(Self.refusal("AWS4-HMAC-SHA512 Credential=K/20250101/us-east-1/opsworks/aws4_request, SignedHeaders=host, Signature=abc")?.hasPrefix("IncompleteSignatureException: Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'") == true)
        #expect(Self.refusal(Self.header("ONLYKEY")) == "IncompleteSignatureException: Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'ONLYKEY'")
    }

    @Test func aScopeOutsideARegionOrForAnotherServiceIsAnInvalidSignature() {
        // boto 2 derives the region from the host name: 127.0.0.1 gives region 0 and service 127.
        #expect(Self.refusal(Self.header("K/20250101/0/127/aws4_request")) == "InvalidSignatureException: Credential should be scoped to a valid region, not '0'. ")
        let long = String(repeating: "a", count: 5000)
        #expect(Self.refusal(Self.header("K/20250101/\(long)/opsworks/aws4_request")) == "InvalidSignatureException: Credential should be scoped to a valid region, not '\(long)'. ")
        #expect(Self.refusal(Self.header("K/20250101/us-east-1/ec2/aws4_request")) == "InvalidSignatureException: Credential should be scoped to correct service: 'opsworks'. ")
        #expect(Self.refusal(Self.header("K/20250101/us-east-1/opsworks/aws5_request")) == "InvalidSignatureException: Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ")
    }

    @Test func regionNamesHaveTheFormAWSGivesThem() {
        for name in ["us-east-1", "eu-central-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1", "us-isob-east-1", "il-central-1"] {
            #expect(RequestContext.isRegionName(name), "\(name)")
        }
        for name in ["", "0", "127", "us-east", "useast-1", "US-EAST-1", "us-east-1a", "us--1", "-us-east-1", "us-east-123", String(repeating: "a", count: 40) + "-x-1"] {
            #expect(!RequestContext.isRegionName(name), "\(name)")
        }
    }

    @Test func uuidsAreLowercaseVersion4() {
        let id = makeUUID()
        #expect(id.count == 36 && id == id.lowercased())
        #expect(Array(id)[14] == "4" && "89ab".contains(Array(id)[19]))
        #expect(makeUUID() != id)
        #expect(Set((0..<10_000).map { _ in makeUUID() }).count == 10_000)
    }

    @Test func resourceIdsAreVersion7AndSortByCreation() {
        let first = makeTimeOrderedUUID()
        #expect(first.count == 36 && first == first.lowercased())
        #expect(Array(first)[14] == "7" && "89ab".contains(Array(first)[19]))
        usleep(2_000)  // the next millisecond: within one, the order is random
        let second = makeTimeOrderedUUID()
        #expect(first < second)
    }
}

@Suite struct ShapeValidatorTests {
    let validator = ShapeValidator(model: ServiceModel(
        targetPrefix: "T",
        operations: ["Op": "Input"],
        shapes: [
            "Input": .structure(members: ["Id": "String", "Ids": "Strings", "Kind": "Kind", "Count": "Count", "Flag": "Boolean", "Tags": "Tags"], required: ["Id"]),
            "String": .string(allowed: nil),
            "Strings": .list(member: "String"),
            "Kind": .string(allowed: ["a", "b"]),
            "Count": .integer(min: 1, max: 10),
            "Boolean": .boolean,
            "Tags": .map(key: "Kind", value: "String"),
        ]
    ))

    @Test func dropsUnknownMembersAndNulls() throws {
        let input = try #require(try JSONParser.parse(#"{"Id":"x","Unknown":1,"Flag":null}"#).objectValue)
        #expect(try validator.validate(input, shape: "Input") == JSONObject([("Id", "x")]))
    }

    @Test func wrongJSONTypesAreSerializationErrors() throws {
        for body in [#"{"Id":1}"#, #"{"Id":"x","Ids":"y"}"#, #"{"Id":"x","Flag":"true"}"#, #"{"Id":"x","Count":1.5}"#, #"{"Id":"x","Tags":[]}"#] {
            let input = try #require(try JSONParser.parse(body).objectValue)
            let error = #expect(throws: AWSError.self) { try validator.validate(input, shape: "Input") }
            #expect(error?.code == .serialization, "\(body)")
        }
    }

    @Test func constraintViolationsAreListedInOneValidationError() throws {
        let input = try #require(try JSONParser.parse(#"{"Kind":"c","Count":11,"Tags":{"z":"v"}}"#).objectValue)
        let error = #expect(throws: AWSError.self) { try validator.validate(input, shape: "Input") }
        #expect(error?.code == .validation)
        #expect(error?.message.hasPrefix("4 validation errors detected: ") == true)
        #expect(error?.message.contains("Value 'c' at 'kind' failed to satisfy constraint: Member must satisfy enum value set: [a, b]") == true)
        #expect(error?.message.contains("Value null at 'id' failed to satisfy constraint: Member must not be null") == true)
        #expect(error?.message.contains("Member must have value less than or equal to 10") == true)
        #expect(error?.message.contains("Map keys must satisfy constraint") == true)
    }

    @Test func errorsRenderTypeAndMessage() {
        let error = AWSError.notFound("stack", "foobar")
        #expect(String(decoding: error.body, as: UTF8.self) == #"{"__type":"ResourceNotFoundException","message":"Unable to find stack with ID foobar"}"#)
        #expect(error.status.code == 400)
        #expect(AWSError(.internalFailure, "x").status.code == 500)
    }
}

@Suite struct SignatureTests {
    @Test func sha256AndHmacMatchTheStandardVectors() {
        #expect(SHA256.hash([]).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hash(long).hexString == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // RFC 4231, test case 2.
        #expect(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)).hexString
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func amzDatesRoundTrip() {
        #expect(SignatureVerifier.parseAmzDate("20150830T123600Z") == 1_440_938_160)
        #expect(SignatureVerifier.formatAmzDate(1_440_938_160) == "20150830T123600Z")
        #expect(SignatureVerifier.parseAmzDate("2015-08-30") == nil)
    }

    /// The example of the AWS SigV4 documentation (IAM ListUsers, 2015-08-30).
    @Test func acceptsTheDocumentedExampleAndRejectsATamperedOne() throws {
        let verifier = SignatureVerifier(credentials: ["AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"], now: { 1_440_938_160 })
        var headers = HTTPHeaders()
        headers.add("Host", "iam.amazonaws.com")
        headers.add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        headers.add("X-Amz-Date", "20150830T123600Z")
        headers.add("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
        let request = HTTPRequest(method: "GET", target: "/?Action=ListUsers&Version=2010-05-08", headers: headers)
        try verifier.verify(request)
        var tampered = request
        tampered.target = "/?Action=DeleteUsers&Version=2010-05-08"
        #expect((#expect(throws: AWSError.self) { try verifier.verify(tampered) })?.code.rawValue == "InvalidSignatureException")
        let late = SignatureVerifier(credentials: verifier.credentials, now: { 1_440_938_160 + 3600 })
        #expect((#expect(throws: AWSError.self) { try late.verify(request) })?.message.hasPrefix("Signature expired") == true)
        let stranger = SignatureVerifier(credentials: ["OTHER": "x"], now: { 1_440_938_160 })
        #expect((#expect(throws: AWSError.self) { try stranger.verify(request) })?.code.rawValue == "UnrecognizedClientException")
        #expect((#expect(throws: AWSError.self) { try verifier.verify(HTTPRequest(method: "POST", target: "/")) })?.code.rawValue == "MissingAuthenticationTokenException")
    }
}
