import AWSJSON

/// The 12 deployment commands, with the wire names of the model's DeploymentCommandName enum.
enum DeploymentCommandName: String, CaseIterable, Sendable {
    case installDependencies = "install_dependencies"
    case updateDependencies = "update_dependencies"
    case updateCustomCookbooks = "update_custom_cookbooks"
    case executeRecipes = "execute_recipes"
    case configure, setup, deploy, rollback, start, stop, restart, undeploy

    /// App commands act on one app and need its AppId; stack commands need none.
    /// Commands whose rules depend on the stack (its Chef version, Linux or Windows); the others,
    /// deploy among them, need no read of the stack's document on the hot path.
    var needsTheStack: Bool {
        switch self {
        case .installDependencies, .updateDependencies, .start, .stop, .restart: true
        default: false
        }
    }

    var isAppCommand: Bool {
        switch self {
        case .deploy, .rollback, .start, .stop, .restart, .undeploy: true
        default: false
        }
    }

    /// The recipe that makes an `execute_recipes` deployment fail, to try failure paths offline.
    static let failingRecipe = "opsworks_local::fail"

    /// Checks `Args` against what the service documents for this command.
    func validate(_ args: JSONObject) throws {
        func values(_ key: String) -> [String] { args.strings(key) ?? [] }
        func onlyKeys(_ allowed: [String]) throws {
            for key in args.keys where !allowed.contains(key) {
                throw AWSError.validation("The \(rawValue) command does not take the argument \(key); it takes \(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))")
            }
        }
        func boolean(_ key: String) throws -> Bool? {
            guard args[key] != nil else { return nil }
            let given = values(key)
            guard given.count == 1, given[0] == "true" || given[0] == "false" else {
                throw AWSError.validation("The \(key) argument of \(rawValue) must be [\"true\"] or [\"false\"]")
            }
            return given[0] == "true"
        }
        switch self {
        case .executeRecipes:
            try onlyKeys(["recipes"])
            let recipes = values("recipes")
            guard !recipes.isEmpty else {
                throw AWSError.validation("The execute_recipes command needs Args {\"recipes\": [\"cookbook::recipe\", ...]}")
            }
            for recipe in recipes where recipe.isEmpty || recipe.hasPrefix("::") || recipe.hasSuffix("::") {
                throw AWSError.validation("Recipe name '\(recipe)' is not of the form cookbook or cookbook::recipe")
            }
        case .updateDependencies:
            try onlyKeys(["upgrade_os_to", "allow_reboot"])
            let allowReboot = try boolean("allow_reboot") ?? false
            if args["upgrade_os_to"] != nil {
                guard values("upgrade_os_to").count == 1 else {
                    throw AWSError.validation("The upgrade_os_to argument takes exactly one operating system, e.g. [\"Amazon Linux 2\"]")
                }
                guard allowReboot else {
                    throw AWSError.validation("upgrade_os_to requires allow_reboot to be [\"true\"]")
                }
            }
        case .deploy:
            try onlyKeys(["migrate"])
            _ = try boolean("migrate")
        default:
            break
        }
    }
}
