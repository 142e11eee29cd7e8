import AWSJSON

/// User profiles and permissions. A profile belongs to the account and the regional endpoint
/// ("available within the regional endpoint in which they were created" [UG]); a user without a
/// permission set on a stack has `iam_only` there [UG opsworks-security-users-console]. The
/// caller is `Scope.caller`: there is no IAM here to say more about a key.
extension OpsWorksService {
    func createUserProfile(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let arn = input.string("IamUserArn") ?? ""
        try Self.requireUserArn(arn)
        let profile = try Self.userProfile(arn: arn, changes: input)
        try store.write(scope) { records in
            guard try records.registration(.userProfile, arn) == nil else {
                throw AWSError.validation("User profile for \(arn) already exists")
            }
            try records.save(.userProfile, Registration(id: arn, stackId: nil, document: profile))
        }
        return Self.output("IamUserArn", arn)
    }

    func updateUserProfile(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let arn = input.string("IamUserArn") ?? ""
        try store.write(scope) { records in
            var profile = try records.requireRegistration(.userProfile, arn)
            profile.document = try Self.userProfile(arn: arn, current: profile.document, changes: input)
            try records.save(.userProfile, profile)
        }
        return JSONObject()
    }

    /// A user may not delete their own profile ("Cannot delete self", which Terraform's
    /// sweeper skips); the user's permissions on every stack go with the profile.
    func deleteUserProfile(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let arn = input.string("IamUserArn") ?? ""
        try store.write(scope) { records in
            _ = try records.requireRegistration(.userProfile, arn)
            guard arn != scope.caller else { throw AWSError.validation("Cannot delete self") }
            try records.deleteRows("permissions", where: "iam_user_arn", equals: arn)
            try records.deregister(.userProfile, arn)
        }
        return JSONObject()
    }

    /// The profiles named, in the order asked for, or every profile (Terraform's sweeper).
    func describeUserProfiles(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let profiles = try store.read(scope) { records -> [JSON] in
            guard let arns = input.strings("IamUserArns") else {
                return try records.registrations(.userProfile).map { .object($0.document) }
            }
            return try arns.map { .object(try records.requireRegistration(.userProfile, $0).document) }
        }
        return Self.list("UserProfiles", profiles)
    }

    /// The caller's profile. A caller without one sees the profile OpsWorks would make for it
    /// (a federated user "can implicitly create a user profile" [UG]); it is kept once the
    /// caller changes it with UpdateMyUserProfile. The model lists no error for this call.
    func describeMyUserProfile(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let profile = try store.read(scope) { try Self.ownProfile($0) }
        let members = ["IamUserArn", "Name", "SshUsername", "SshPublicKey"].compactMap { name in profile[name].map { (name, $0) } }
        return JSONObject([("UserProfile", .object(JSONObject(members)))])
    }

    func updateMyUserProfile(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        try store.write(scope) { records in
            let current = try Self.ownProfile(records)
            let profile = try Self.userProfile(arn: records.scope.caller, current: current, changes: input)
            try records.save(.userProfile, Registration(id: records.scope.caller, stackId: nil, document: profile))
        }
        return JSONObject()
    }

    private static func ownProfile(_ records: Records) throws -> JSONObject {
        try records.registration(.userProfile, records.scope.caller)?.document ?? userProfile(arn: records.scope.caller, changes: JSONObject())
    }

    /// A profile with `changes` laid over `current` (or over the defaults of a new one).
    /// `SshUsername` keeps letters, digits, `-` and `_`: "If the specified name includes other
    /// punctuation marks, OpsWorks Stacks removes them" [Model]; unset, it comes from the IAM
    /// user name, lower-cased as Linux user names are [I].
    static func userProfile(arn: String, current: JSONObject? = nil, changes: JSONObject) throws -> JSONObject {
        let name = String(arn.split(separator: "/").last ?? "")
        var profile = current ?? JSONObject([
            ("IamUserArn", .string(arn)), ("Name", .string(name)),
            ("SshUsername", .string(sshUsername(name).lowercased())), ("AllowSelfManagement", false),
        ])
        if let requested = changes.string("SshUsername") {
            let cleaned = sshUsername(requested)
            guard !cleaned.isEmpty else {
                throw AWSError.validation("Ssh Username: \(requested) has none of the characters a user name may have (a-z, A-Z, 0-9, -, _)")
            }
            profile["SshUsername"] = .string(cleaned)
        }
        if let key = changes.string("SshPublicKey") { profile["SshPublicKey"] = key.isEmpty ? nil : .string(key) }
        if let allowed = changes["AllowSelfManagement"], allowed != .null { profile["AllowSelfManagement"] = allowed }
        return profile
    }

    static func sshUsername(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
    }

    /// An IAM user's ARN, or a federated user's (STS), as CreateUserProfile takes [Model].
    static func requireUserArn(_ arn: String) throws {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let resource = parts.count == 6 ? parts[5] : ""
        let valid = parts.count == 6 && parts[0] == "arn" && !parts[1].isEmpty && parts[3].isEmpty
            && parts[4].count == 12 && parts[4].allSatisfy(\.isNumber)
            && ((parts[2] == "iam" && (resource.hasPrefix("user/") || resource == "root"))
                || (parts[2] == "sts" && (resource.hasPrefix("federated-user/") || resource.hasPrefix("assumed-role/"))))
            && !resource.hasSuffix("/")
        guard valid else {
            throw AWSError.validation("Iam User Arn: \(arn) is not the ARN of an IAM user or a federated user (arn:aws:iam::<account>:user/<name>)")
        }
    }

    // MARK: - Permissions

    static let permissionLevels = ["deny", "show", "deploy", "manage", "iam_only"]

    /// Members left out keep their values (Terraform sends `Level` only when it changes). A user
    /// cannot set their own level [Model]; a user without a profile is refused in the words
    /// Terraform retries on while IAM propagates.
    func setPermission(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId") ?? ""
        let arn = input.string("IamUserArn") ?? ""
        if let level = input.string("Level"), !Self.permissionLevels.contains(level) {
            throw AWSError.validation("Level: \(level) is not one of \(Self.permissionLevels.joined(separator: ", "))")
        }
        try store.write(scope) { records in
            _ = try records.require(.stack, stackId)
            _ = try records.requireRegistration(.userProfile, arn)
            guard arn != scope.caller else { throw AWSError.validation("You cannot set your own permissions level") }
            var permission = try records.permission(stackId: stackId, iamUserArn: arn) ?? Self.implicitPermission(stackId: stackId, arn: arn)
            for member in ["AllowSsh", "AllowSudo", "Level"] {
                if let value = input[member], value != .null { permission[member] = value }
            }
            try records.savePermission(permission)
        }
        return JSONObject()
    }

    /// By stack (one per user), by user (one per stack), or both (exactly one); every user has
    /// `iam_only` where nothing was set. Neither member is refused [I].
    func describePermissions(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let stackId = input.string("StackId")
        let arn = input.string("IamUserArn")
        let permissions = try store.read(scope) { records -> [JSON] in
            guard stackId != nil || arn != nil else { throw AWSError.validation("Please provide a stack ID, an IAM user ARN, or both") }
            let stackIds = try stackId.map { id in _ = try records.require(.stack, id); return [id] }
                ?? records.stored(.stack).map(\.id)
            let arns = try arn.map { id in _ = try records.requireRegistration(.userProfile, id); return [id] }
                ?? records.registrations(.userProfile).map(\.id)
            return try stackIds.flatMap { stackId in
                try arns.map { arn in .object(try records.permission(stackId: stackId, iamUserArn: arn) ?? Self.implicitPermission(stackId: stackId, arn: arn)) }
            }
        }
        return Self.list("Permissions", permissions)
    }

    static func implicitPermission(stackId: String, arn: String) -> JSONObject {
        JSONObject([("StackId", .string(stackId)), ("IamUserArn", .string(arn)), ("AllowSsh", false), ("AllowSudo", false), ("Level", "iam_only")])
    }
}

// MARK: - Temporary access

extension OpsWorksService {
    /// RDP access to an online instance of a Windows stack, for 60 to 1440 minutes [Model; UG
    /// workinginstances-rdp]: the caller's user name and a password made for this grant.
    func grantAccess(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let instanceId = input.string("InstanceId") ?? ""
        let minutes = input["ValidForInMinutes"]?.intValue ?? 60
        guard (60...1440).contains(minutes) else { throw AWSError.validation("Valid For In Minutes: must be 60 to 1440, not \(minutes)") }
        let now = clock()
        try store.read(scope) { records in
            let stored = try records.requireStored(.instance, instanceId)
            let stack = try records.requireStored(.stack, stored.stringMember("StackId") ?? "")
            guard Self.isWindows(stack.stringMember("DefaultOs") ?? "") else {
                throw AWSError.validation("GrantAccess can be used only with instances of Windows stacks")
            }
            let status = stored.timeline?.status(at: now) ?? "stopped"
            guard status == "online" else { throw AWSError.validation("Instance \(instanceId) is \(status); access is granted only to an online instance") }
        }
        let password = makeUUID().filter { $0 != "-" }
        return JSONObject([("TemporaryCredential", .object(JSONObject([
            ("Username", .string(String(scope.caller.split(separator: "/").last ?? "Administrator"))),
            ("Password", .string(String(password.prefix(24)))),
            ("ValidForInMinutes", .int(minutes)),
            ("InstanceId", .string(instanceId)),
        ])))])
    }
}
