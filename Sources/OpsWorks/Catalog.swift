import AWSJSON

/// What the service offered every caller alike: operating systems, agent versions, hostname
/// themes. Built from the User Guide's tables and real outputs (ops-behaviour §1); where no
/// source lists the values (the theme words), they are this emulator's own and say so.
extension OpsWorksService {
    /// Linux and Windows systems with the Chef versions each supported [UG workinginstances-os-linux, -windows].
    static let operatingSystems: [(name: String, chef: [String], reportedName: String, reportedVersion: String)] = [
        ("Amazon Linux 2", ["12"], "Amazon Linux", "2"),
        ("Amazon Linux 2018.03", ["12", "11.10"], "Amazon Linux", "2018.03"),
        ("Amazon Linux 2017.09", ["12", "11.10"], "Amazon Linux", "2017.09"),
        ("Amazon Linux 2017.03", ["12", "11.10"], "Amazon Linux", "2017.03"),
        ("Amazon Linux 2016.09", ["12", "11.10", "11.4"], "Amazon Linux", "2016.09"),
        ("Amazon Linux 2016.03", ["12", "11.10", "11.4"], "Amazon Linux", "2016.03"),
        ("Amazon Linux 2015.09", ["11.10", "11.4"], "Amazon Linux", "2015.09"),
        ("Amazon Linux 2015.03", ["11.10", "11.4"], "Amazon Linux", "2015.03"),
        ("Ubuntu 18.04 LTS", ["12"], "Ubuntu", "18.04"),
        ("Ubuntu 16.04 LTS", ["12"], "Ubuntu", "16.04"),
        ("Ubuntu 14.04 LTS", ["12", "11.10"], "Ubuntu", "14.04"),
        ("Ubuntu 12.04 LTS", ["12", "11.10", "11.4"], "Ubuntu", "12.04"),
        ("CentOS Linux 7", ["12"], "CentOS Linux", "7"),
        ("Red Hat Enterprise Linux 7", ["12", "11.10"], "Red Hat Enterprise Linux", "7"),
        ("Microsoft Windows Server 2012 R2 Base", ["12.2"], "Microsoft Windows Server 2012 R2 Base", "6.3"),
        ("Microsoft Windows Server 2012 R2 with SQL Server Express", ["12.2"], "Microsoft Windows Server 2012 R2 with SQL Server Express", "6.3"),
        ("Microsoft Windows Server 2012 R2 with SQL Server Standard", ["12.2"], "Microsoft Windows Server 2012 R2 with SQL Server Standard", "6.3"),
        ("Microsoft Windows Server 2012 R2 with SQL Server Web", ["12.2"], "Microsoft Windows Server 2012 R2 with SQL Server Web", "6.3"),
    ]

    func describeOperatingSystems(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        Self.list("OperatingSystems", Self.operatingSystems.map { os in
            .object(JSONObject([
                ("Name", .string(os.name)),
                ("Id", .string(os.name)),
                ("Type", .string(Self.isWindows(os.name) ? "Windows" : "Linux")),
                ("ConfigurationManagers", .array(os.chef.map { ["Name": "Chef", "Version": .string($0)] })),
                ("ReportedName", .string(os.reportedName)),
                ("ReportedVersion", .string(os.reportedVersion)),
                ("Supported", .bool(true)),
            ]))
        })
    }

    /// Agent versions per Chef version, newest first; the forms of real ones [TF-issue
    /// hashicorp/terraform#10132, TF stack_test.go, UG workinglayers-ecscluster].
    static let agentVersions: [String: [String]] = [
        "12.2": ["71400020160128114716", "71300020150612113504", "71200020150603135521"],
        "12": ["4039-20200430042739", "4038-20200305044341", "4023-20170402215230"],
        "11.10": ["4039-20200430042739", "4038-20200305044341", "4023-20170402215230", "3425-20150727112318"],
        "11.4": ["3425-20150727112318"],
    ]

    /// By a stack (its Chef version) or by a configuration manager: "You must specify a stack ID
    /// or a configuration manager" [Model].
    func describeAgentVersions(_ scope: Scope, _ input: JSONObject) throws -> JSONObject {
        let manager: JSONObject
        if let stackId = input.string("StackId") {
            let stack = try store.read(scope) { try $0.require(.stack, stackId) }
            manager = stack.object("ConfigurationManager") ?? JSONObject()
        } else if let given = input.object("ConfigurationManager") {
            manager = given
        } else {
            throw AWSError.validation("You must specify a stack ID or a configuration manager.")
        }
        let name = manager.string("Name") ?? "Chef"
        let versions = Self.agentVersions.filter { key, _ in name == "Chef" && (manager.string("Version").map { $0 == key } ?? true) }
        return Self.list("AgentVersions", versions.sorted { $0.key > $1.key }.flatMap { chef, agents in
            agents.map { JSON.object(JSONObject([("Version", .string($0)), ("ConfigurationManager", ["Name": "Chef", "Version": .string(chef)])])) }
        })
    }

    /// Words of each hostname theme but Layer_Dependent. The service drew from lists of its own
    /// that no source gives whole; these follow each theme's name (the emulator's choice).
    static let hostnameThemeWords: [String: [String]] = [
        "Baked_Goods": ["babka", "bagel", "baguette", "brioche", "croissant", "crumpet", "danish", "eclair", "muffin", "pretzel", "scone", "strudel"],
        "Clouds": ["altocumulus", "altostratus", "cirrocumulus", "cirrostratus", "cirrus", "cumulonimbus", "cumulus", "nimbostratus", "stratocumulus", "stratus"],
        "Europe_Cities": ["amsterdam", "athens", "berlin", "brussels", "dublin", "lisbon", "london", "madrid", "paris", "prague", "rome", "vienna"],
        "Fruits": ["apple", "apricot", "banana", "cherry", "fig", "grape", "kiwi", "lemon", "mango", "orange", "peach", "plum"],
        "Greek_Deities_and_Titans": ["aphrodite", "apollo", "ares", "artemis", "athena", "atlas", "cronus", "hera", "hermes", "hyperion", "poseidon", "zeus"],
        "Legendary_creatures_from_Japan": ["baku", "kappa", "kirin", "kitsune", "nue", "oni", "raiju", "tanuki", "tengu", "tsuchinoko", "yuki-onna"],
        "Planets_and_Moons": ["callisto", "ceres", "europa", "ganymede", "io", "jupiter", "mars", "mercury", "neptune", "saturn", "titan", "venus"],
        "Roman_Deities": ["apollo", "bacchus", "ceres", "diana", "janus", "juno", "jupiter", "mars", "mercury", "minerva", "neptune", "vulcan"],
        "Scottish_Islands": ["arran", "barra", "bute", "coll", "colonsay", "eigg", "harris", "islay", "jura", "lewis", "mull", "skye"],
        "US_Cities": ["atlanta", "austin", "boston", "chicago", "dallas", "denver", "houston", "miami", "phoenix", "portland", "seattle", "tampa"],
        "Wild_Cats": ["bobcat", "caracal", "cheetah", "cougar", "jaguar", "leopard", "lion", "lynx", "ocelot", "puma", "serval", "tiger"],
    ]

    /// The first hostname not taken in the stack: under Layer_Dependent the layer's short name
    /// and the smallest free number (`php-app1`, `php-app2`), under another theme its first free
    /// word, then its words with a number once all are taken.
    static func suggestedHostname(theme: String?, layerShortname: String, taken: Set<String>) -> String {
        guard let theme, theme != "Layer_Dependent", let words = hostnameThemeWords[theme] else {
            let prefix = layerShortname.isEmpty ? "instance" : layerShortname
            return (1...).lazy.map { "\(prefix)\($0)" }.first { !taken.contains($0) }!
        }
        if let free = words.first(where: { !taken.contains($0) }) { return free }
        return (2...).lazy.flatMap { number in words.lazy.map { "\($0)\(number)" } }.first { !taken.contains($0) }!
    }
}
